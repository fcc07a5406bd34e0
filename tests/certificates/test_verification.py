"""Public verification by code: page and API, every state, masked NIP, clean 404s, rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.certificates import render, services
from lms.certificates.verification import mask_nip, today
from tests.certificates.test_render import pdf_text

NOT_FOUND = "Sertifikat tidak ditemukan"


def test_mask_nip_keeps_the_first_six_and_the_last_two_digits():
    assert mask_nip("198503152010031001") == "198503**********01"
    assert mask_nip("12345678") == "********"


def test_valid_certificate_page_and_api(client, db, certificates, demo):
    certificate = certificates.complete(certificates.course(jp=5), demo["learner"])
    employee = demo["learner"].employee
    page = client.get(f"/verify/{certificate.code}")
    assert page.status_code == 200
    assert 'data-status="valid"' in page.text
    for shown in (certificate.number, certificate.course_title, demo["solok"].name):
        assert shown in page.text
    assert mask_nip(employee.nip) in page.text
    assert employee.nip not in page.text
    assert "private" in page.headers["Cache-Control"]

    body = client.get(f"/api/v1/certificates/{certificate.code}").get_json()
    assert body["status"] == "valid"
    assert body["holder"] == {"name": employee.name, "nip_masked": mask_nip(employee.nip)}
    assert body["course"] == {"code": certificate.course_code, "title": certificate.course_title}
    assert body["jp"] == 5
    assert body["competencies"] == [{"code": "M-PP", "name": "Pelayanan Publik", "level": 2}]
    assert body["issuer"]["name"] == demo["solok"].name
    assert body["credential_url"].endswith(f"/sertifikat/{certificate.code}/credential.jwt")
    assert body["revoked_reason"] is None and body["replaced_by"] is None
    assert body["pdf_available"] is False
    assert employee.nip not in str(body)


def test_codes_are_read_forgivingly(client, db, certificates, demo):
    """People type codes from paper: lower case, with dashes or spaces, still find it."""
    code = certificates.complete(certificates.course(), demo["learner"]).code
    typed = "-".join(code[i : i + 4] for i in range(0, len(code), 4)).lower()
    assert client.get(f"/verify/{typed}").status_code == 200
    assert client.get(f"/api/v1/certificates/{typed}").get_json()["code"] == code


def test_a_typed_code_leads_to_its_page(client, db, certificates, demo):
    """Without a QR scanner: /verify asks for the code printed on the paper."""
    certificate = certificates.complete(certificates.course(), demo["learner"])
    form = client.get("/verify")
    assert form.status_code == 200 and 'name="kode"' in form.text
    typed = " ".join(certificate.code[i : i + 4] for i in range(0, len(certificate.code), 4))
    found = client.get("/verify", query_string={"kode": typed.lower()}, follow_redirects=True)
    assert found.status_code == 200 and 'data-status="valid"' in found.text
    missing = client.get("/verify", query_string={"kode": "SALAH-KODE"}, follow_redirects=True)
    assert missing.status_code == 404 and 'name="kode"' in missing.text  # try again right there


def test_the_pdf_says_where_to_type_the_code(db, certificates, demo):
    certificate = certificates.complete(certificates.course(), demo["learner"])
    _reader, words = pdf_text(render.render_pdf(certificate))
    assert "localhost:5000/verify" in words and "ketik kodenya" in words


def test_expired_certificate(client, db, certificates, demo):
    certificate = certificates.complete(certificates.course(months=24), demo["learner"])
    assert certificate.expires_on is not None
    certificate.expires_on = today() - timedelta(days=1)
    db.session.flush()
    page = client.get(f"/verify/{certificate.code}")
    assert 'data-status="expired"' in page.text
    assert client.get(f"/api/v1/certificates/{certificate.code}").get_json()["status"] == "expired"
    # the last valid day is still valid
    certificate.expires_on = today()
    db.session.flush()
    assert client.get(f"/api/v1/certificates/{certificate.code}").get_json()["status"] == "valid"


def test_replaced_certificate_points_to_the_current_one(client, db, certificates, demo):
    old = certificates.complete(certificates.course(), demo["learner"])
    new = services.reissue(old, actor=demo["hr_solok"], holder_name="Nama Yang Dibetulkan")
    db.session.flush()
    page = client.get(f"/verify/{old.code}")
    assert 'data-status="replaced"' in page.text
    assert f'href="/verify/{new.code}"' in page.text
    body = client.get(f"/api/v1/certificates/{old.code}").get_json()
    assert body["status"] == "replaced"
    assert body["replaced_by"]["code"] == new.code
    assert body["replaced_by"]["number"] == old.number == new.number
    current = client.get(f"/api/v1/certificates/{new.code}").get_json()
    assert current["status"] == "valid"
    assert current["holder"]["name"] == "Nama Yang Dibetulkan"


def test_revoked_certificate_shows_reason_and_date(client, db, certificates, demo):
    certificate = certificates.complete(certificates.course(), demo["learner"])
    services.revoke(certificate, "Nama peserta tertukar.", actor=demo["hr_solok"])
    db.session.flush()
    page = client.get(f"/verify/{certificate.code}")
    assert page.status_code == 200
    assert 'data-status="revoked"' in page.text
    assert "Nama peserta tertukar." in page.text
    body = client.get(f"/api/v1/certificates/{certificate.code}").get_json()
    assert (body["status"], body["revoked_reason"]) == ("revoked", "Nama peserta tertukar.")


BAD_CODES = [
    "AAAAAAAAAAAAAAAAAAAAAAAAAA",  # well-formed, issued to nobody
    "%00",
    "%00" * 20,
    "A" * 5000,
    "x",
    "..",
    "%25",
    "%E2%80%AE" * 8,  # right-to-left overrides
    "ÄÖÜßÄÖÜßÄÖÜßÄÖÜßÄÖÜß",
    "²" * 20,  # digits to str.isalnum, not to base32
    "😀" * 30,
    "' OR 1=1 --aaaaaaaaaaaaaaaa",
    "%F0%28%8C%28",  # not UTF-8 at all
]


@pytest.mark.parametrize("code", ["%00", "AAAA%00AAAA"])
def test_nul_characters_are_refused_before_any_lookup(client, db, code):
    # no part of Lentera can keep a NUL character (lms.core.input_guard): a clean 400
    page = client.get(f"/verify/{code}")
    assert page.status_code == 400 and "karakter yang tidak sah" in page.text
    api = client.get(f"/api/v1/certificates/{code}")
    assert api.status_code == 400
    assert api.get_json()["error"]["code"] == "invalid_characters"


@pytest.mark.parametrize("code", [c for c in BAD_CODES if "%00" not in c and len(c) < 2000])
def test_unknown_or_malformed_codes_are_a_clean_404(client, db, code):
    page = client.get(f"/verify/{code}")
    assert page.status_code == 404
    assert NOT_FOUND in page.text
    api = client.get(f"/api/v1/certificates/{code}")
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == "not_found"
    for suffix in ("credential.jwt", "credential.json"):
        assert client.get(f"/sertifikat/{code}/{suffix}").status_code == 404


def test_an_overlong_code_is_refused_as_an_overlong_address(client, db):
    code = "A" * 5000
    page = client.get(f"/verify/{code}")
    assert page.status_code == 414 and "terlalu panjang" in page.text
    api = client.get(f"/api/v1/certificates/{code}")
    assert api.status_code == 414 and api.get_json()["error"]["code"] == "uri_too_long"


def test_verification_is_rate_limited_per_address(app, client, db, certificates, demo, monkeypatch):
    certificate = certificates.complete(certificates.course(), demo["learner"])
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "3 per minute")
    assert client.get(f"/verify/{certificate.code}").status_code == 200
    assert client.get("/verify/AAAAAAAAAAAAAAAAAAAAAAAAAA").status_code == 404  # misses count too
    assert client.get(f"/api/v1/certificates/{certificate.code}").status_code == 200
    # the budget is shared by the page, the API and the credential download
    page = client.get(f"/verify/{certificate.code}")
    assert page.status_code == 429
    assert "Retry-After" in page.headers
    api = client.get(f"/api/v1/certificates/{certificate.code}")
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "rate_limited"
    assert client.get(f"/sertifikat/{certificate.code}/credential.jwt").status_code == 429
    # another address has its own budget
    other = client.get(f"/verify/{certificate.code}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200
