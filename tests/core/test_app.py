"""Application-wide behaviour: health, headers, compression, caching, errors, language, dates."""

import re
from datetime import UTC, date, datetime

import pytest

from lms import create_app
from lms.config import ConfigError
from lms.core.templating import format_angka, format_tanggal, format_waktu


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_security_headers_on_pages(client):
    response = client.get("/masuk")
    headers = response.headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    # the video player's hls.js runs its transmuxer in a blob worker
    assert "worker-src 'self' blob:" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "no-store" in headers["Cache-Control"]


def test_pages_have_no_inline_scripts_or_third_party_requests(client):
    html = client.get("/masuk").text
    assert "<script>" not in html
    assert not re.search(r'(src|href)="https?://', html)


def test_html_and_json_are_compressed(client, auth):
    auth.login("bkpsdm.solok@lentera.test")
    page = client.get("/hr/pegawai", headers={"Accept-Encoding": "gzip, br"})
    assert page.headers["Content-Encoding"] in ("br", "gzip")
    spec = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert spec.headers["Content-Encoding"] == "gzip"


def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    html = client.get("/masuk").text
    css = re.search(r'href="(/static/vendor/bootstrap[^"]+\?v=[0-9a-f]{12})"', html)
    assert css, "stylesheet URL carries a content hash"
    response = client.get(css.group(1))
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert "no-cache" not in response.headers["Cache-Control"]
    response.close()


def test_not_found_page_is_indonesian_html(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.text
    assert response.mimetype == "text/html"


def test_not_found_for_json_clients_is_json(client):
    response = client.get("/tidak-ada", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_unexpected_errors_get_the_friendly_500_page(tmp_path):
    fresh = create_app(
        {
            "TESTING": True,
            "INSTANCE_DIR": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/boom.db",
        }
    )

    @fresh.get("/_boom_for_test")
    def boom():
        raise RuntimeError("boom")

    response = fresh.test_client().get("/_boom_for_test")
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.text
    assert "RuntimeError" not in response.text
    json_response = fresh.test_client().get(
        "/_boom_for_test", headers={"Accept": "application/json"}
    )
    assert json_response.status_code == 500
    assert json_response.json["error"]["code"] == "server_error"


def test_oversize_request_gets_413(client, auth, app):
    auth.login("bkpsdm.solok@lentera.test")
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/hr/impor", data=body, headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status_code == 413
    assert "terlalu besar" in response.text.lower()


def test_language_switch_to_english_and_back(client, auth):
    auth.login("pegawai.solok@lentera.test")
    assert "Profil saya" in client.get("/").text
    auth.post("/bahasa", {"locale": "en", "next": "/"})
    english = client.get("/")
    assert '<html lang="en">' in english.text
    assert "My profile" in english.text
    auth.post("/bahasa", {"locale": "xx", "next": "/"})  # unknown languages are ignored
    assert "My profile" in client.get("/").text
    auth.post("/bahasa", {"locale": "id", "next": "https://evil.example/"})
    assert "Profil saya" in client.get("/").text


def test_indonesian_dates_in_wib(app):
    with app.test_request_context():
        assert format_tanggal(date(2026, 11, 24)) == "24 November 2026"
        assert format_tanggal(date(2026, 8, 17)) == "17 Agustus 2026"
        # 20:30 UTC is 03:30 the next day in Jakarta.
        moment = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)
        assert format_tanggal(moment) == "25 November 2026"
        assert format_waktu(moment) == "25 November 2026 03.30 WIB"


def test_numbers_in_the_users_language(app):
    """Indonesian writes 0,4 and 1.250; pages never show an English decimal point."""
    with app.test_request_context():
        assert format_angka(0.4, 1) == "0,4"
        assert format_angka(3.456, 2) == "3,46"
        assert format_angka(1250) == "1.250"
        assert format_angka(1.5) == "1,5" and format_angka(2.0) == "2"
        assert format_angka(None) == "–"
        template = "{{ 0.35|angka(1) }} {{ 4.2|angka(2) }}"
        assert app.jinja_env.from_string(template).render() == "0,4 4,20"


def test_unsafe_configuration_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        create_app({"INSTANCE_DIR": str(tmp_path)})


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    first = create_app({"INSTANCE_DIR": str(tmp_path)})
    second = create_app({"INSTANCE_DIR": str(tmp_path)})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
