"""Quizzes on malformed and hostile input: question files, bank filters, the trainer's forms and
the learner's no-script answer form answer clearly (in Indonesian) and never with a 500."""

from __future__ import annotations

import base64
import io
import re

import pytest
from sqlalchemy import func, select

from lms.quizzes import attempts as taking
from lms.quizzes import bank
from lms.quizzes.formats import moodlexml
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.models import Question, QuizItem

#: what expat says in English; the trainer must read Indonesian
ENGLISH = re.compile(r"not well-formed|no element found|mismatched tag|invalid token|line \d")


# --- question files -------------------------------------------------------------------------------


def test_a_gift_file_with_nul_is_refused_at_its_line(app, db):
    with app.test_request_context():
        result = bank.parse_file(b"::Q1:: Satu? {T}\n\n::Q\x00:: Dua {=a ~b}\n", "gift")
    assert result.questions == []
    assert [(p.line, p.message) for p in result.errors] == [
        (3, "Berkas GIFT memuat karakter NUL; simpan ulang sebagai teks UTF-8.")
    ]


@pytest.mark.parametrize("value", ["²", "١", "9" * 5000])
def test_a_level_tag_of_odd_digits_is_a_problem_not_a_crash(app, db, value):
    with app.test_request_context():
        result = bank.parse_file(f"// level: {value}\n::Q:: Benar? {{T}}\n".encode(), "gift")
    assert result.questions == []
    assert result.errors[0].line == 1
    assert "Level harus 1 sampai 5" in result.errors[0].message


@pytest.mark.parametrize(
    ("data", "line", "detail"),
    [
        (b"", 1, "berkas kosong atau terpotong"),
        (b"bukan xml", 1, "susunan XML rusak"),
        (b"<quiz>\n<question type='essay'>\n</quiz>\n", 3, "tag penutup tidak cocok"),
        (b"<quiz>&#0;</quiz>", 1, "rujukan karakter yang tidak sah"),
        (b"<quiz/><quiz/>", 1, "ada isi setelah elemen <quiz>"),
        (b"<quiz>\x00</quiz>", 1, "ada karakter atau tanda yang tidak sah"),
    ],
)
def test_a_broken_xml_file_is_explained_in_indonesian(app, db, data, line, detail):
    with app.test_request_context():
        result = moodlexml.parse(data)
    assert result.questions == []
    [problem] = result.errors
    assert problem.line == line
    assert problem.message.startswith(f"Berkas bukan XML yang sah (baris {line}, kolom ")
    assert detail in problem.message
    assert not ENGLISH.search(problem.message), problem.message


def test_the_import_page_reports_a_binary_gift_file(client, db, auth, quizzes):
    setup = quizzes.setup()
    auth.login("pelatih@lentera.test")
    response = auth.post(
        f"/ajar/{setup.course.code}/soal/impor",
        {"format": "gift", "file": (io.BytesIO(b"::A:: x {T}\n\x00\x01\x02"), "soal.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 422)
    assert "karakter NUL" in response.text


# --- the bank and the quiz editor -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "9" * 30, "-1", "abc"])
def test_a_bank_filter_of_no_category_lists_everything(client, db, auth, quizzes, value):
    setup = quizzes.setup()
    auth.login("pelatih@lentera.test")
    response = client.get(f"/ajar/{setup.course.code}/soal", query_string={"kategori": value})
    assert response.status_code == 200
    assert setup.questions[0].title in response.text


@pytest.mark.parametrize("data", [{}, {"count": ""}, {"count": "x", "category": "²"}])
def test_an_incomplete_random_draw_is_flashed_not_a_500(client, db, auth, quizzes, data):
    setup = quizzes.setup()
    auth.login("pelatih@lentera.test")
    before = db.session.scalar(select(func.count()).select_from(QuizItem))
    response = auth.post(f"/ajar/kuis/{setup.quiz.id}/acak", data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Wajib diisi." in page.text or "Pilihan tidak sah." in page.text
    assert "LazyString" not in page.text
    assert db.session.scalar(select(func.count()).select_from(QuizItem)) == before


# --- the learner's form without scripts -----------------------------------------------------------


@pytest.mark.parametrize("position", ["²", "٣", "9" * 40])
def test_an_ordering_position_of_odd_digits_is_no_answer(client, db, auth, quizzes, position):
    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.ORDERING], enrol=learner)
    attempt, _created = taking.start_or_resume(setup.quiz, learner)
    db.session.commit()
    slot = attempt.slots[0]
    auth.login("pegawai.solok@lentera.test")
    form = {"slot": "1"}
    for index, key in enumerate(slot.option_order):
        form[f"s1-{key}"] = position if index == 0 else str(index + 1)
    response = auth.post(f"/percobaan/{attempt.id}/simpan", form)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, slot.question_id) is not None
    assert attempt.slots[0].answer is None


def test_an_attachment_that_is_no_image_is_named_in_the_preview(app, db):
    """The preview listed the question as good; only the confirmation refused the whole file."""
    text = base64.b64encode(b"<svg onload='alert(1)'/>").decode()
    xml = (
        '<quiz>\n<question type="essay"><name><text>Gambar</text></name>\n'
        '<questiontext format="html">'
        '<text><![CDATA[Lihat <img src="@@PLUGINFILE@@/a.png">]]></text>'
        f'<file name="a.png" encoding="base64">{text}</file></questiontext></question>\n'
        '<question type="essay"><name><text>Biasa</text></name>'
        "<questiontext><text>Jelaskan.</text></questiontext></question>\n</quiz>\n"
    ).encode()
    with app.test_request_context():
        result = bank.parse_file(xml, "moodlexml")
    assert [q.title for q in result.questions] == ["Biasa"]
    assert [(p.line, p.message) for p in result.errors] == [
        (2, "Berkas a.png bukan gambar yang didukung.")
    ]
