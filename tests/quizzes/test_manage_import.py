"""Importing questions through the preview page, and exporting a bank."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from lms.quizzes.models import Question, QuestionCategory
from lms.quizzes.views_bank import QUESTION_IMPORTS
from tests.fixtures.courses import post_multipart

GIFT = b"""\
// kompetensi: M-PP; level: 2; kesulitan: mudah
::Maklumat::Maklumat pelayanan wajib dipublikasikan.{T}

::Rusak::Pertanyaan tanpa jawaban benar {~satu ~dua}

$CATEGORY: Pelayanan/Dasar

::Kanal::Kanal pengaduan nasional adalah {=SP4N-LAPOR ~Surat}

::Buruk::Teks tanpa penutup {=a ~b
"""


def token_of(page: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', page)
    assert match, "no import token on the preview"
    return match.group(1)


def upload(client, auth, code: str | None, kind: str, name: str, content: bytes) -> Any:
    """Post a GIFT or Moodle XML file to a bank's import page (``code`` None: the shared bank)."""
    url = f"/ajar/{code}/soal/impor" if code else "/ajar/bank-soal/impor"
    return post_multipart(client, auth, url, {"format": kind, "file": (name, content)})


def bank_count(db, course_id: int | None) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count())
        .select_from(Question)
        .join(QuestionCategory)
        .where(QuestionCategory.course_id == course_id)
    )


def stored_file(token: str) -> Path:
    """Where the previewed upload under ``token`` is kept."""
    data_path, _meta_path = QUESTION_IMPORTS.files(token)
    return data_path


def test_preview_lists_problems_and_confirm_imports_only_the_good(app, client, db, auth, quizzes):
    found = quizzes.setup()
    code = found.course.code
    before = bank_count(db, found.course.id)
    auth.login("pelatih@lentera.test")
    url = f"/ajar/{code}/soal/impor"
    preview = upload(client, auth, code, "gift", "bank.gift", GIFT)
    assert preview.status_code == 200
    text = preview.text
    assert "2 soal siap diimpor, 2 bermasalah." in text
    assert re.search(r"<td>4</td><td>Bobot positif pada soal jawaban ganda", text)
    assert re.search(r"<td>10</td><td>Kurung kurawal", text)
    assert "Maklumat" in text and "Kanal" in text
    assert f"{code}/bank" in text and "Pelayanan/Dasar" in text  # where each will go
    assert bank_count(db, found.course.id) == before  # nothing saved by the preview

    token = token_of(text)
    assert stored_file(token).exists()
    response = auth.post(f"{url}/konfirmasi", {"token": token})
    assert response.status_code == 302
    assert "2 soal diimpor" in client.get(response.headers["Location"]).text
    assert bank_count(db, found.course.id) == before + 2
    titles = set(db.session.scalars(select(Question.title)))
    assert {"Maklumat", "Kanal"} <= titles and not {"Rusak", "Buruk"} & titles
    maklumat = db.session.scalar(select(Question).where(Question.title == "Maklumat"))
    assert maklumat.category.path == f"{code}/bank" and maklumat.competency == "M-PP"
    assert not stored_file(token).exists()
    # the token is used up
    again = auth.post(f"{url}/konfirmasi", {"token": token})
    assert again.status_code == 302
    assert "tidak berlaku" in client.get(again.headers["Location"]).text
    assert bank_count(db, found.course.id) == before + 2


def test_a_file_with_no_good_question_offers_no_confirmation(client, db, auth, quizzes):
    found = quizzes.setup()
    auth.login("pelatih@lentera.test")
    response = upload(
        client, auth, found.course.code, "moodlexml", "rusak.xml", b"<quiz><question></quiz>"
    )
    assert response.status_code == 422
    assert "Berkas bukan XML yang sah" in response.text
    assert 'name="token"' not in response.text


def test_tokens_belong_to_their_user_bank_and_hour(app, client, db, auth, quizzes):
    found = quizzes.setup()
    other = quizzes.setup()
    auth.login("pelatih@lentera.test")
    preview = upload(client, auth, found.course.code, "gift", "bank.gift", GIFT)
    token = token_of(preview.text)
    before = bank_count(db, other.course.id)
    # another bank of the same trainer does not take this course's file
    response = auth.post(f"/ajar/{other.course.code}/soal/impor/konfirmasi", {"token": token})
    assert response.status_code == 302 and bank_count(db, other.course.id) == before
    # nor does another user of the same course
    auth.logout()
    auth.login("bkpsdm.solok@lentera.test")
    response = auth.post(f"/ajar/{found.course.code}/soal/impor/konfirmasi", {"token": token})
    assert response.status_code == 302
    assert "tidak berlaku" in client.get(response.headers["Location"]).text
    # a malformed token is a bad request, not a file name
    assert (
        auth.post(
            f"/ajar/{found.course.code}/soal/impor/konfirmasi", {"token": "../../x"}
        ).status_code
        == 400
    )
    # an hour later the preview has expired
    auth.logout()
    auth.login("pelatih@lentera.test")
    stored = stored_file(token)
    old = time.time() - 3601
    os.utime(stored, (old, old))
    count = bank_count(db, found.course.id)
    response = auth.post(f"/ajar/{found.course.code}/soal/impor/konfirmasi", {"token": token})
    assert "tidak berlaku" in client.get(response.headers["Location"]).text
    assert bank_count(db, found.course.id) == count


def test_shared_bank_import(client, db, auth, demo):
    auth.login("bkpsdm.solok@lentera.test")
    preview = upload(client, auth, None, "gift", "umum.gift", GIFT)
    assert preview.status_code == 200
    response = auth.post("/ajar/bank-soal/impor/konfirmasi", {"token": token_of(preview.text)})
    assert response.status_code == 302
    db.session.expire_all()
    kanal = db.session.scalar(select(Question).where(Question.title == "Kanal"))
    assert kanal.category.course_id is None and kanal.organisation_id == demo["solok"].id
    assert "Kanal" in client.get("/ajar/bank-soal").text


def test_too_large_a_file_is_refused(client, db, auth, quizzes):
    found = quizzes.setup()
    auth.login("pelatih@lentera.test")
    large = b"//" + b"x" * (20 * 1024 * 1024)
    response = upload(client, auth, found.course.code, "gift", "besar.gift", large)
    assert response.status_code == 413
    assert "Berkas melebihi 20 MB." in response.text  # the page's own limit, not the server's


def test_export_round_trip_and_gift_notes(client, db, auth, quizzes):
    from lms.quizzes.formats.model import QuestionType

    found = quizzes.setup([QuestionType.MULTICHOICE, QuestionType.ORDERING])
    auth.login("pelatih@lentera.test")
    page = client.get(f"/ajar/{found.course.code}/soal/ekspor")
    assert page.status_code == 200
    assert "Yang tidak dapat disimpan dalam GIFT" in page.text
    assert "Soal ordering" in page.text  # GIFT has no ordering questions
    xml = client.get(f"/ajar/{found.course.code}/soal/ekspor?format=moodlexml")
    assert xml.mimetype == "application/xml"
    other = quizzes.setup([])
    preview = upload(client, auth, other.course.code, "moodlexml", "bank.xml", xml.data)
    assert "2 soal siap diimpor, 0 bermasalah." in preview.text
