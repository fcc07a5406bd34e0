"""People pages on malformed and hostile input: the employee import and the position form answer
in Indonesian with a 4xx, write nothing half, and never answer with a 500."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from lms.accounts.models import Position
from lms.accounts.nip import NipError, parse_nip
from tests.accounts.test_import import (
    CONFIRM_ACTION,
    HEADER,
    hr,  # noqa: F401 - the fixture
    nip,
    page_errors,
    snapshot,
    to_csv,
    upload,
)

ENGLISH = re.compile(r"field larger|field limit|expected|Error|line contains", re.IGNORECASE)


def test_a_nul_deep_in_a_csv_file_refuses_the_file(hr, db):  # noqa: F811
    """A NUL past the first 4 KB reached the database (PostgreSQL refuses it: a 500 on
    confirming)."""
    rows = [[nip(90), "Pegawai " + "x" * 5000, "", "", "", "", ""], [nip(91), "Bu\x00di"]]
    before = snapshot(db)
    response = upload(hr, to_csv(rows))
    assert response.status_code == 422
    assert page_errors(response.text) == [(1, "–", "Berkas CSV tidak valid: berisi data biner.")]
    assert not CONFIRM_ACTION.search(response.text)
    assert snapshot(db) == before


def test_a_cell_past_the_csv_limit_is_explained_in_indonesian(hr, db):  # noqa: F811
    content = to_csv([[nip(92), "Budi"], [nip(93), "y" * 200_000]])
    response = upload(hr, content)
    assert response.status_code == 422
    [(line, _column, message)] = page_errors(response.text)
    assert line == 1
    assert "Berkas CSV tidak dapat dibaca (berhenti di baris 3)" in message
    assert "128 KB" in message
    assert not ENGLISH.search(message), message


def test_an_unclosed_quote_is_explained_in_indonesian(hr, db):  # noqa: F811
    text = ",".join(HEADER) + "\n" + nip(94) + ',"Budi\n' + ("x" * 1000 + "\n") * 200
    response = upload(hr, text.encode())
    assert response.status_code == 422
    message = page_errors(response.text)[0][2]
    assert "tanda kutip" in message and not ENGLISH.search(message)


def test_a_blank_jenjang_is_no_jenjang_not_a_500(hr, client, db, demo):  # noqa: F811
    position = db.session.scalar(
        select(Position).where(Position.organisation_id == demo["solok"].id).limit(1)
    )
    page = client.get(f"/hr/jabatan/{position.id}/ubah")
    assert page.status_code == 200
    response = hr.post(
        f"/hr/jabatan/{position.id}/ubah",
        {
            "name": position.name,
            "position_type": position.position_type.value,
            "jenjang": " ",
            "unit_id": "",
            "is_active": "y",
        },
    )
    assert response.status_code in (302, 400), unescape(response.text)[:500]
    if response.status_code == 400:  # the form again, with what to fix
        assert "Ubah jabatan" in response.text


@pytest.mark.parametrize(
    "value",
    [
        "199001012015031²²²",  # str.isdigit() but not int(): a ValueError, not a NipError
        "١٩٩٠٠١٠١٢٠١٥٠٣1٠٠١",  # Arabic-Indic digits: was accepted and stored as such
        "１９９００１０１２０１５０３１００１",  # full-width digits
    ],
)
def test_a_nip_of_other_digits_is_refused_with_a_message(app, value):
    with app.test_request_context(), pytest.raises(NipError) as refused:
        parse_nip(value)
    assert str(refused.value) == "NIP hanya boleh berisi angka."


def test_an_import_row_with_superscript_digits_is_a_row_error(hr, db):  # noqa: F811
    response = upload(hr, to_csv([["199001012015031²²²", "Budi"]]))
    assert response.status_code == 422
    assert page_errors(response.text) == [(2, "NIP", "NIP hanya boleh berisi angka.")]
