"""Essay grading, results, one attempt as a trainer sees it, and the statistics page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from lms.core.db import utcnow
from lms.courses.models import Lesson, LessonType
from lms.quizzes import attempts as taking
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.models import Attempt, AttemptState, QuizKind
from tests.fixtures.courses import quiz as quiz_lesson
from tests.fixtures.quizzes import QuizSetup


def take(setup: QuizSetup, user, answers: dict[int, object]) -> Attempt:
    """An attempt of ``user`` answering by question id, submitted."""
    attempt, _created = taking.start_or_resume(setup.quiz, user)
    now = utcnow()
    for slot in attempt.slots:
        if slot.question_id in answers:
            taking.save_answer(attempt, slot.slot, answers[slot.question_id], now=now)
    taking.submit(attempt, now=now)
    return attempt


@pytest.fixture
def learners(factory, demo):
    """Three Solok employees with accounts."""
    made = []
    for n in range(3):
        employee = factory.employee(demo["solok"], name=f"Peserta Uji {n}")
        made.append(factory.user(employee, email=f"peserta{n}@uji.test"))
    return made


def test_essay_grading_moves_an_attempt_to_graded(client, db, auth, quizzes):
    found = quizzes.setup([QuestionType.TRUEFALSE, QuestionType.ESSAY], pass_percent=60)
    truefalse, essay = found.questions
    learner = quizzes.learner()
    attempt = take(found, learner, {truefalse.id: True, essay.id: "Layanan harus cepat."})
    assert attempt.state is AttemptState.NEEDS_GRADING
    assert attempt.percent == 50.0 and attempt.is_passed is None
    slot = next(s for s in attempt.slots if s.question_id == essay.id)

    auth.login("pelatih@lentera.test")
    queue = client.get(f"/ajar/kuis/{found.quiz.id}/penilaian")
    assert "Layanan harus cepat." in queue.text and "Teks soal essay" in queue.text
    too_much = auth.post(f"/ajar/jawaban/{slot.id}/nilai", {"mark": "2", "comment": "x"})
    assert too_much.status_code == 302
    assert "Nilai harus antara 0 dan 1" in client.get(too_much.headers["Location"]).text
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).state is AttemptState.NEEDS_GRADING

    response = auth.post(f"/ajar/jawaban/{slot.id}/nilai", {"mark": "0,5", "comment": "Cukup."})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/ajar/kuis/{found.quiz.id}/penilaian"
    after = client.get(response.headers["Location"]).text
    assert "Nilai percobaan: 75%" in after
    assert "Layanan harus cepat." not in after  # left the queue
    db.session.expire_all()
    graded = db.session.get(Attempt, attempt.id)
    assert graded.state is AttemptState.GRADED
    assert graded.percent == 75.0 and graded.is_passed is True

    # a change of mind from the attempt page
    view = client.get(f"/ajar/percobaan/{attempt.id}")
    assert "Cukup." in view.text and "Nilai ulang" in view.text
    response = auth.post(
        f"/ajar/jawaban/{slot.id}/nilai",
        {"mark": "0", "comment": "Tidak relevan.", "dari": "percobaan"},
    )
    assert urlsplit(response.headers["Location"]).path == f"/ajar/percobaan/{attempt.id}"
    db.session.expire_all()
    regraded = db.session.get(Attempt, attempt.id)
    assert regraded.percent == 50.0 and regraded.is_passed is False


def test_results_and_attempt_view_show_answers_and_keys(client, db, auth, quizzes):
    found = quizzes.setup([QuestionType.MULTICHOICE, QuestionType.TRUEFALSE])
    multichoice = found.questions[0]
    learner = quizzes.learner()
    attempt = take(found, learner, {multichoice.id: multichoice.choices[1]["key"]})
    auth.login("pelatih@lentera.test")
    results = client.get(f"/ajar/kuis/{found.quiz.id}/hasil")
    assert learner.employee.name in results.text and learner.employee.nip in results.text
    assert f"/ajar/percobaan/{attempt.id}" in results.text
    view = client.get(f"/ajar/percobaan/{attempt.id}").text
    answers = re.findall(r"<dt>(Jawaban peserta|Jawaban benar)</dt><dd>(.*?)</dd>", view, re.S)
    assert [(label, body.strip()) for label, body in answers] == [
        ("Jawaban peserta", "Salah satu"),
        ("Jawaban benar", "Benar"),
        ("Jawaban peserta", "<em>tidak dijawab</em>"),
        ("Jawaban benar", "Benar"),
    ]


def test_statistics_show_facility_discrimination_and_option_counts(
    client, db, auth, quizzes, learners
):
    found = quizzes.setup([QuestionType.MULTICHOICE, QuestionType.TRUEFALSE])
    multichoice, truefalse = found.questions
    right, wrong = multichoice.choices[0]["key"], multichoice.choices[1]["key"]
    take(found, learners[0], {multichoice.id: right, truefalse.id: True})
    take(found, learners[1], {multichoice.id: right, truefalse.id: False})
    take(found, learners[2], {multichoice.id: wrong, truefalse.id: False})
    auth.login("pelatih@lentera.test")
    page = client.get(f"/ajar/kuis/{found.quiz.id}/statistik")
    assert page.status_code == 200
    row = r'<th scope="row" class="fw-normal"><a [^>]*>(Soal \w+)</a>.*?</th>(.*?)</tr>'
    rows = dict(re.findall(row, page.text, re.S))
    numbers = {
        title: re.findall(r'<td class="text-end">([^<]*)</td>', cells)[:3]
        for title, cells in rows.items()
    }
    # multichoice: 2 of 3 right; its credit follows the rest of the quiz with r = 0.5
    assert numbers["Soal multichoice"] == ["66,7%", "50%", "3"]
    assert numbers["Soal truefalse"] == ["33,3%", "50%", "3"]
    table = page.text.split("Pilihan soal Soal multichoice", 1)[1].split("</table>", 1)[0]
    options = re.findall(
        r'<tr><td>([^<]+)</td><td class="text-end">([^<]+)</td><td class="text-end">(\d+)</td>',
        table,
    )
    assert options == [("Benar", "100%", "2"), ("Salah satu", "0%", "1"), ("Salah dua", "0%", "0")]


def test_learning_gain_of_a_pre_and_post_test_pair(client, db, auth, quizzes, courses, learners):
    from lms.quizzes import attempts

    course = courses.course(
        org="SLK",
        trainers=[quizzes.trainer()],
        modules=[
            ("Modul", [quiz_lesson("Pre-test", body="x"), quiz_lesson("Post-test", body="x")])
        ],
    )
    lessons = list(
        db.session.scalars(
            select(Lesson)
            .where(
                Lesson.version_id == course.published_version_id,
                Lesson.lesson_type == LessonType.QUIZ,
            )
            .order_by(Lesson.position)
        )
    )
    setups = []
    for lesson, kind in zip(lessons, (QuizKind.PRE_TEST, QuizKind.POST_TEST), strict=True):
        found = attempts.ensure_quiz(course, lesson)
        found.kind, found.shuffle_questions = kind, False
        questions = quizzes.questions(course, [QuestionType.TRUEFALSE, QuestionType.TRUEFALSE])
        attempts.set_fixed_questions(found, questions)
        setups.append(QuizSetup(course, lesson, found, questions))
    pre, post = setups

    def answers(setup: QuizSetup, right: int) -> dict[int, bool]:
        return {q.id: index < right for index, q in enumerate(setup.questions)}

    take(pre, learners[0], answers(pre, 0))  # 0 % → 100 %
    take(post, learners[0], answers(post, 2))
    take(pre, learners[1], answers(pre, 1))  # 50 % → 100 %
    take(post, learners[1], answers(post, 2))
    take(pre, learners[2], answers(pre, 1))  # no post-test: not in the table
    auth.login("pelatih@lentera.test")
    page = client.get(f"/ajar/kuis/{post.quiz.id}/statistik").text
    gains = re.findall(
        r'<tr><th scope="row" class="fw-normal">(Peserta Uji \d)</th>'
        r'<td class="text-nowrap">\d+</td>'
        r'<td class="text-end">([^<]+)</td><td class="text-end">([^<]+)</td>'
        r'<td class="text-end">([^<]+)</td><td class="text-end">([^<]+)</td></tr>',
        page,
    )
    assert gains == [
        ("Peserta Uji 0", "0%", "100%", "100", "1"),
        ("Peserta Uji 1", "50%", "100%", "50", "1"),
    ]
    assert re.search(r"Rata-rata kursus</th><td class=\"text-end\">75</td>", page)
