"""Writing questions of every type through the bank form, archiving, and regrading."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lms.core.db import utcnow
from lms.quizzes import attempts as taking
from lms.quizzes.formats.model import Difficulty, QuestionType, TextFormat
from lms.quizzes.models import Attempt, AttemptState, Question


def rows(*choices: dict[str, Any]) -> dict[str, str]:
    """Form fields of choice rows: ``choices-0-text`` and so on."""
    fields = {}
    for index, choice in enumerate(choices):
        for name, value in choice.items():
            fields[f"choices-{index}-{name}"] = str(value)
    return fields


def post_question(auth, url: str, kind: str, **extra: Any) -> Any:
    data = {
        "category": "",
        "new_category": "Pelayanan/Maklumat",
        "title": f"Soal {kind} dari form",
        "type": kind,
        "text": f"Teks **{kind}**",
        "text_format": "markdown",
        "general_feedback": "Pembahasan umum.",
        "competency": "m-pp",
        "level": "3",
        "difficulty": "sulit",
        "mark": "2,5",
        "shuffle": "y",
        "correct": "",
    }
    data.update(extra)
    return auth.post(url, data)


CASES = {
    "multichoice": rows(
        {"text": "Benar", "fraction": "100", "feedback": "Tepat"},
        {"text": "Salah", "fraction": "0", "feedback": "Kurang"},
        {"text": "Sebagian", "fraction": "33,333"},
        {"text": ""},  # an empty row is ignored
    ),
    "multiresponse": rows(
        {"text": "A", "fraction": "50"},
        {"text": "B", "fraction": "50"},
        {"text": "C", "fraction": "-100", "feedback": "Bukan C"},
    ),
    "shortanswer": rows(
        {"text": "SP4N-LAPOR*", "fraction": "100"}, {"text": "lapor", "fraction": "50"}
    ),
    "numerical": rows(
        {"value": "14", "fraction": "100"}, {"value": "14", "tolerance": "2", "fraction": "50"}
    ),
    "matching": rows(
        {"text": "Kiri 1", "match": "Kanan 1"},
        {"text": "Kiri 2", "match": "Kanan 2"},
        {"match": "Pengecoh"},
    ),
    "ordering": rows({"text": "Pertama"}, {"text": "Kedua"}, {"text": "Ketiga"}),
    "truefalse": {"correct": "false", "feedback_true": "Keliru", "feedback_false": "Betul"},
    "essay": {},
}


@pytest.mark.parametrize("kind", list(CASES))
def test_each_type_is_written_through_the_form_and_read_back(client, db, auth, quizzes, kind):
    found = quizzes.setup()
    auth.login("pelatih@lentera.test")
    url = f"/ajar/{found.course.code}/soal/baru"
    assert client.get(url).status_code == 200
    response = post_question(auth, url, kind, **CASES[kind])
    assert response.status_code == 302, response.text
    db.session.expire_all()
    question = db.session.scalar(select(Question).where(Question.title == f"Soal {kind} dari form"))
    assert question is not None
    assert question.type is QuestionType(kind)
    assert question.category.path == "Pelayanan/Maklumat"
    assert question.category.course_id == found.course.id
    assert question.text == f"Teks **{kind}**" and question.text_format is TextFormat.MARKDOWN
    assert (question.competency, question.level) == ("M-PP", 3)
    assert question.difficulty is Difficulty.HARD and question.default_mark == 2.5
    assert question.general_feedback == "Pembahasan umum."
    stored = [
        {k: c[k] for k in ("text", "fraction", "feedback", "match", "value", "tolerance")}
        for c in question.choices
    ]
    if kind == "multichoice":
        assert [(c["text"], c["fraction"], c["feedback"]) for c in stored] == [
            ("Benar", 1.0, "Tepat"),
            ("Salah", 0.0, "Kurang"),
            ("Sebagian", 0.33333, ""),
        ]
    elif kind == "multiresponse":
        assert [c["fraction"] for c in stored] == [0.5, 0.5, -1.0]
    elif kind == "shortanswer":
        assert [(c["text"], c["fraction"]) for c in stored] == [
            ("SP4N-LAPOR*", 1.0),
            ("lapor", 0.5),
        ]
    elif kind == "numerical":
        assert [(c["value"], c["tolerance"], c["fraction"]) for c in stored] == [
            (14.0, 0.0, 1.0),
            (14.0, 2.0, 0.5),
        ]
    elif kind == "matching":
        assert [(c["text"], c["match"], c["fraction"]) for c in stored] == [
            ("Kiri 1", "Kanan 1", 1.0),
            ("Kiri 2", "Kanan 2", 1.0),
            ("", "Pengecoh", 0.0),
        ]
    elif kind == "ordering":
        assert [c["text"] for c in stored] == ["Pertama", "Kedua", "Ketiga"]
    elif kind == "truefalse":
        assert question.correct is False and question.choices == []
        assert (question.feedback_true, question.feedback_false) == ("Keliru", "Betul")
    else:
        assert question.choices == []
    # read back: the edit form shows what was saved, plus empty rows to add more
    page = client.get(f"/ajar/soal/{question.id}")
    assert page.status_code == 200
    assert f'value="Soal {kind} dari form"' in page.text
    assert f'name="choices-{len(stored) + 3}-text"' in page.text
    assert f'name="choices-{len(stored) + 4}-text"' not in page.text


def test_saving_an_unchanged_question_keeps_its_key(client, db, auth, quizzes):
    found = quizzes.setup([QuestionType.NUMERICAL])
    question = found.questions[0]
    auth.login("pelatih@lentera.test")
    page = client.get(f"/ajar/soal/{question.id}")
    assert page.status_code == 200
    keys = [c["key"] for c in question.choices]
    data = {
        "category": question.category.path,
        "title": question.title,
        "type": "numerical",
        "text": question.text,
        "text_format": "markdown",
        "competency": "M-PP",
        "level": "2",
        "difficulty": "sedang",
        "mark": "1",
        **rows(
            {"key": keys[0], "value": "14", "fraction": "100"},
            {"key": keys[1], "value": "14", "tolerance": "2", "fraction": "50"},
            {"key": "", "text": ""},
        ),
    }
    response = auth.post(f"/ajar/soal/{question.id}", data)
    assert response.status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.key_version == 1
    assert [c["key"] for c in question.choices] == keys


@pytest.mark.parametrize(
    ("kind", "extra", "message"),
    [
        ("multichoice", rows({"text": "Satu", "fraction": "100"}), "sedikitnya dua pilihan"),
        ("multichoice", rows({"text": "A"}, {"text": "B"}), "Sedikitnya satu jawaban"),
        ("truefalse", {}, "Tentukan jawaban benar"),
        ("numerical", rows({"text": "empat belas", "fraction": "100"}), "perlu nilai"),
        ("multichoice", rows({"text": "A", "fraction": "150"}, {"text": "B"}), "-100 sampai 100"),
        ("essay", {"mark": "dua"}, "Tulis angka"),
        ("essay", {"mark": "0"}, "Bobot soal harus lebih dari 0"),
    ],
)
def test_a_question_that_cannot_be_graded_is_refused_on_the_form(
    client, db, auth, quizzes, kind, extra, message
):
    found = quizzes.setup()
    auth.login("pelatih@lentera.test")
    response = post_question(auth, f"/ajar/{found.course.code}/soal/baru", kind, **extra)
    assert response.status_code == 400
    assert message in response.text
    assert (
        db.session.scalar(select(Question).where(Question.title == f"Soal {kind} dari form"))
        is None
    )


def test_a_category_is_required(client, db, auth, quizzes):
    found = quizzes.setup()
    auth.login("pelatih@lentera.test")
    response = post_question(
        auth, f"/ajar/{found.course.code}/soal/baru", "essay", new_category=" / "
    )
    assert response.status_code == 400
    assert "Pilih kategori" in response.text


def test_bank_lists_by_category_and_filters(client, db, auth, quizzes):
    found = quizzes.setup([QuestionType.MULTICHOICE, QuestionType.ESSAY])
    extra = quizzes.questions(found.course, [QuestionType.TRUEFALSE], competency="T-TIK")
    auth.login("pelatih@lentera.test")
    url = f"/ajar/{found.course.code}/soal"
    page = client.get(url).text
    assert "Soal multichoice" in page and "Soal essay" in page and "Soal truefalse" in page
    assert f"{found.course.code}/uji" in page
    by_type = client.get(f"{url}?jenis=essay").text
    assert "Soal essay" in by_type and "Soal multichoice" not in by_type
    by_competency = client.get(f"{url}?kompetensi=t-tik").text
    assert "Soal truefalse" in by_competency and "Soal essay" not in by_competency
    by_category = client.get(f"{url}?kategori={extra[0].category_id}").text
    assert "Soal truefalse" in by_category
    assert client.get(f"{url}?kategori=abc&jenis=zzz&page=x").status_code == 200


def test_archiving_hides_a_question_and_keeps_it(client, db, auth, quizzes):
    found = quizzes.setup([QuestionType.MULTICHOICE, QuestionType.TRUEFALSE])
    question = found.questions[1]
    auth.login("pelatih@lentera.test")
    response = auth.post(f"/ajar/soal/{question.id}/arsip", {"archived": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).is_archived
    listing = client.get(f"/ajar/{found.course.code}/soal").text
    assert "Soal truefalse" not in listing
    assert "Soal truefalse" in client.get(f"/ajar/{found.course.code}/soal?arsip=y").text
    # new attempts no longer ask it
    learner = quizzes.learner()
    attempt, _created = taking.start_or_resume(found.quiz, learner)
    assert [s.question_id for s in attempt.slots] == [found.questions[0].id]
    assert auth.post(f"/ajar/soal/{question.id}/arsip", {"archived": "0"}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(Question, question.id).is_archived


def test_changing_the_key_offers_a_regrade_that_changes_the_score(client, db, auth, quizzes):
    found = quizzes.setup([QuestionType.MULTICHOICE])
    question = found.questions[0]
    learner = quizzes.learner()
    attempt, _created = taking.start_or_resume(found.quiz, learner)
    wrong = question.choices[1]["key"]  # "Salah satu": wrong under the first key
    taking.save_answer(attempt, 1, wrong, now=utcnow())
    taking.submit(attempt, now=utcnow())
    assert attempt.percent == 0.0
    auth.login("pelatih@lentera.test")
    keys = [c["key"] for c in question.choices]
    data = {
        "category": question.category.path,
        "title": question.title,
        "type": "multichoice",
        "text": question.text,
        "text_format": "markdown",
        "mark": "1",
        **rows(
            {"key": keys[0], "text": "Benar", "fraction": "0"},
            {"key": keys[1], "text": "Salah satu", "fraction": "100"},
            {"key": keys[2], "text": "Salah dua", "fraction": "0"},
        ),
    }
    response = auth.post(f"/ajar/soal/{question.id}", data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ajar/soal/{question.id}")
    page = client.get(f"/ajar/soal/{question.id}")
    assert "Nilai ulang 1 percobaan" in page.text
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).percent == 0.0  # not until the trainer says so
    response = auth.post(f"/ajar/soal/{question.id}/nilai-ulang")
    assert response.status_code == 302
    assert "1 percobaan berubah nilainya" in client.get(f"/ajar/soal/{question.id}").text
    db.session.expire_all()
    regraded = db.session.get(Attempt, attempt.id)
    assert regraded.percent == 100.0 and regraded.is_passed
    assert regraded.state is AttemptState.GRADED
    assert "Nilai ulang" not in client.get(f"/ajar/soal/{question.id}").text
