"""Hostile request data anywhere: a clear 400 in Indonesian, never a 500 (lms.core.input_guard).

NUL characters and lone surrogates are refused before any view (PostgreSQL cannot keep a NUL in
text, so these were 500s there); JSON nested past the parser's depth is a ``bad_json``; WTForms'
own messages reach people in Indonesian.
"""

from __future__ import annotations

import io
import re

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange

from lms.core.forms import BaseForm, choices

NUL_MESSAGE = "karakter yang tidak sah"


def _json_error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code
    return error["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/employees?q=a%00b",
        "/api/v1/employees?unit=%00",
        "/api/v1/courses?q=x%00",
        "/api/v1/courses/KPP%00",
        "/api/v1/certificates/AB%00CD",
        "/api/v1/employees?q%00=1",
    ],
)
def test_nul_in_an_api_url_is_400(client, db, url):
    message = _json_error(client.get(url), 400, "invalid_characters")
    assert NUL_MESSAGE in message


def test_nul_in_a_json_body_is_400(client, db):
    for body in (
        {"login": "pelatih@lentera.test\u0000", "password": "x"},
        {"login": "pelatih@lentera.test", "password": "lentera-demo", "name": "a\u0000b"},
        {"login\u0000": "x", "password": "y"},
        {"login": ["a", {"b": "\ud800"}], "password": "y"},
    ):
        response = client.post("/api/v1/tokens", json=body)
        assert NUL_MESSAGE in _json_error(response, 400, "invalid_characters")


def test_a_lone_surrogate_escape_in_json_is_400(client, db):
    response = client.post(
        "/api/v1/tokens",
        data=b'{"login": "\\ud800", "password": "x"}',
        content_type="application/json",
    )
    _json_error(response, 400, "invalid_characters")


@pytest.mark.parametrize(
    "body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000]
)
def test_json_nested_too_deep_is_400_not_500(client, db, body):
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert "terlalu dalam" in _json_error(response, 400, "bad_json")


def test_nul_in_a_web_form_is_a_400_page(client, db, auth):
    auth.login("pegawai.solok@lentera.test")
    response = auth.post("/bahasa", {"locale": "id\u0000", "next": "/"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert NUL_MESSAGE in response.text
    page = client.get("/kursus?q=a%00")
    assert page.status_code == 400 and NUL_MESSAGE in page.text


def test_nul_in_an_uploaded_file_name_is_400(client, db, auth):
    auth.login("bkpsdm.solok@lentera.test")
    response = auth.post(
        "/hr/impor",
        {"file": (io.BytesIO(b"NIP,Nama\n"), "a\u0000.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and NUL_MESSAGE in response.text


def test_an_overlong_address_is_a_clear_414(client, db, auth):
    auth.login("pegawai.solok@lentera.test")
    long_query = "kepemimpinan " * 200  # 2,600 characters: no person types that
    page = client.get("/kursus", query_string={"q": long_query})
    assert page.status_code == 414 and page.mimetype == "text/html"
    assert "Alamat (URL) halaman ini terlalu panjang" in page.text
    api = client.get("/api/v1/courses", query_string={"q": long_query})
    _json_error(api, 414, "uri_too_long")
    # a long but ordinary search still works
    assert client.get("/kursus", query_string={"q": "kepemimpinan " * 100}).status_code == 200


def test_ordinary_data_passes(client, db):
    response = client.post("/api/v1/tokens", json={"login": "x@y.test", "password": "ü é 中文"})
    _json_error(response, 401, "invalid_credentials")


class _Form(BaseForm):
    class Meta:
        csrf = False

    number = IntegerField()
    choice = SelectField(choices=choices([("a", "A")]))
    id = SelectField(coerce=int, choices=choices([(1, "A")]))
    text = StringField(validators=[Length(max=3)])
    when = DateField()
    level = IntegerField(validators=[NumberRange(1, 5)])


def test_wtforms_messages_are_indonesian(app, db):
    with app.test_request_context():
        form = _Form(
            MultiDict(
                {
                    "number": "²",
                    "choice": "z",
                    "id": "x",
                    "text": "abcdef",
                    "when": "2024-02-30",
                    "level": "9",
                }
            )
        )
        assert not form.validate()
        assert form.errors == {
            "number": ["Harus bilangan bulat."],
            "choice": ["Pilihan tidak tersedia."],
            "id": ["Pilihan tidak sah."],
            "text": ["Isian paling panjang 3 karakter."],
            "when": ["Tanggal tidak sah; gunakan format tanggal yang benar."],
            "level": ["Angka harus 1 sampai 5."],
        }


def _filled(rule: str) -> str:
    url = re.sub(r"<int:[a-z_]+>", "1", rule)
    url = url.replace("<code>", "KPP-101").replace("<nip>", "199810162023121005")
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "x", url)


def test_every_web_form_without_its_csrf_token_is_a_clear_400(app, client, db, auth):
    """Whatever a form does, posting it without the token is refused before the view."""
    auth.login("admin@lentera.test")
    posts = sorted(
        {
            _filled(rule.rule)
            for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and not rule.rule.startswith(("/api/", "/static"))
        }
    )
    assert len(posts) > 50
    for url in posts:
        response = client.post(url, data={"name": "x"})
        assert response.status_code == 400, url
        assert "Sesi formulir sudah kedaluwarsa atau tidak sah" in response.text, url
