"""The trainer's quiz pages: who reaches them, quiz rules and items, the course editor link."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.core.db import utcnow
from lms.quizzes import attempts as taking
from lms.quizzes import bank
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.models import GradingMethod, Quiz, QuizItem, QuizKind, ReviewOption
from tests.fixtures.quizzes import sample


@pytest.fixture
def setup(quizzes):
    """A quiz of the demo trainer's Solok course with an essay the learner has submitted."""
    learner = quizzes.learner()
    found = quizzes.setup([QuestionType.MULTICHOICE, QuestionType.ESSAY], enrol=learner)
    attempt, _created = taking.start_or_resume(found.quiz, learner)
    now = utcnow()
    choice = found.questions[0].choices[0]["key"]
    taking.save_answer(attempt, 1, choice, now=now)
    taking.save_answer(attempt, 2, "Pelayanan publik harus cepat dan jelas.", now=now)
    taking.submit(attempt, now=now)
    found.attempt = attempt
    return found


def pages(setup) -> list[str]:
    """Every GET page of the trainer's side for the setup's quiz, course and question."""
    quiz, course = setup.quiz, setup.course
    question = setup.questions[0]
    slot = setup.attempt.slots[1]
    assert slot.needs_grading
    return [
        f"/ajar/kuis/{quiz.id}",
        f"/ajar/kuis/{quiz.id}/hasil",
        f"/ajar/kuis/{quiz.id}/statistik",
        f"/ajar/kuis/{quiz.id}/penilaian",
        f"/ajar/percobaan/{setup.attempt.id}",
        f"/ajar/{course.code}/soal",
        f"/ajar/{course.code}/soal/baru",
        f"/ajar/soal/{question.id}",
        f"/ajar/{course.code}/soal/impor",
        f"/ajar/{course.code}/soal/ekspor",
        f"/ajar/{course.code}/soal/ekspor?format=gift",
        f"/ajar/{course.code}/soal/ekspor?format=moodlexml",
    ]


def posts(setup) -> list[str]:
    """Every POST of the trainer's side for the setup's quiz, course and question."""
    quiz, course = setup.quiz, setup.course
    question = setup.questions[0]
    item = quiz.items[0]
    return [
        f"/ajar/kuis/{quiz.id}",
        f"/ajar/kuis/{quiz.id}/soal",
        f"/ajar/kuis/{quiz.id}/acak",
        f"/ajar/kuis/{quiz.id}/butir/{item.id}/hapus",
        f"/ajar/kuis/{quiz.id}/butir/{item.id}/naik",
        f"/ajar/jawaban/{setup.attempt.slots[1].id}/nilai",
        f"/ajar/{course.code}/soal/baru",
        f"/ajar/soal/{question.id}",
        f"/ajar/soal/{question.id}/arsip",
        f"/ajar/soal/{question.id}/nilai-ulang",
        f"/ajar/{course.code}/soal/impor",
        f"/ajar/{course.code}/soal/impor/konfirmasi",
    ]


def test_every_page_renders_for_the_course_trainer(client, db, auth, setup):
    auth.login("pelatih@lentera.test")
    for url in pages(setup):
        response = client.get(url)
        assert response.status_code == 200, url
    queue = client.get(f"/ajar/kuis/{setup.quiz.id}/penilaian")
    assert "Pelayanan publik harus cepat dan jelas." in queue.text
    gift = client.get(f"/ajar/{setup.course.code}/soal/ekspor?format=gift")
    assert "Teks soal multichoice" in gift.text
    assert "attachment" in gift.headers["Content-Disposition"]


def test_hr_of_the_course_organisation_reaches_the_pages(client, db, auth, setup):
    auth.login("bkpsdm.solok@lentera.test")
    for url in pages(setup)[:6]:
        assert client.get(url).status_code == 200, url


@pytest.fixture
def outsider(factory, demo):
    """A trainer of Serang (trainers of one organisation never see another's courses)."""
    employee = factory.employee(demo["serang"], name="Pelatih Serang")
    return factory.user(employee, email="pelatih.serang@uji.test", roles=(Role.TRAINER,))


@pytest.fixture
def colleague(factory, demo):
    """A trainer of Solok who does not teach the course."""
    employee = factory.employee(demo["solok"], name="Pelatih Lain Solok")
    return factory.user(employee, email="pelatih.lain@uji.test", roles=(Role.TRAINER,))


@pytest.mark.parametrize(
    "who", ["outsider", "colleague", "pegawai.serang@lentera.test", "bkpsdm.serang@lentera.test",
            "learner"],
)  # fmt: skip
def test_others_get_nothing_and_change_nothing(client, db, auth, setup, outsider, colleague, who):
    if who in ("outsider", "colleague"):
        auth.login((outsider if who == "outsider" else colleague).email, "kata-sandi-uji-123")
    elif who == "learner":
        auth.login("pegawai.solok@lentera.test")  # the course's own learner
    else:
        auth.login(who)
    for url in pages(setup):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "Teks soal multichoice" not in response.text, url
    for url in posts(setup):
        response = auth.post(
            url, {"question": setup.questions[0].id, "mark": "1", "token": "x" * 32}
        )
        assert response.status_code in (403, 404), url
    db.session.expire_all()
    assert len(setup.quiz.items) == 2
    assert setup.attempt.slots[1].needs_grading
    assert not setup.questions[0].is_archived


def test_shared_bank_is_for_trainers_and_hr_of_the_organisation(client, db, auth, outsider):
    auth.login("pegawai.solok@lentera.test")
    assert client.get("/ajar/bank-soal").status_code == 403
    assert auth.post("/ajar/bank-soal/baru", {"text": "x"}).status_code == 403
    auth.logout()
    auth.login("pelatih@lentera.test")
    assert client.get("/ajar/bank-soal").status_code == 200
    assert client.get("/ajar/bank-soal/baru").status_code == 200
    assert client.get("/ajar/bank-soal/impor").status_code == 200


def test_shared_bank_question_of_another_organisation_is_not_found(
    client, db, auth, demo, outsider
):
    category = bank.category_for(demo["solok"].id, None, "Bersama/Pelayanan")
    question = bank.add_question(category, sample(QuestionType.TRUEFALSE), actor=None)
    auth.login(outsider.email, "kata-sandi-uji-123")
    assert client.get(f"/ajar/soal/{question.id}").status_code == 404
    shared = client.get("/ajar/bank-soal")
    assert shared.status_code == 200
    assert "Soal truefalse" not in shared.text
    auth.logout()
    auth.login("bkpsdm.solok@lentera.test")
    assert client.get(f"/ajar/soal/{question.id}").status_code == 200
    assert "Soal truefalse" in client.get("/ajar/bank-soal").text


def test_course_editor_links_each_quiz_lesson_to_its_quiz(client, db, auth, quizzes):
    found = quizzes.setup()
    auth.login("pelatih@lentera.test")
    editor = client.get(f"/ajar/{found.course.code}")
    link = f"/ajar/{found.course.code}/kuis/{found.lesson.id}"
    assert link in editor.text
    response = client.get(link)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/ajar/kuis/{found.quiz.id}"
    text_lesson = found.lesson.module.lessons[0]
    assert client.get(f"/ajar/{found.course.code}/kuis/{text_lesson.id}").status_code == 404


def test_settings_are_saved_with_times_in_wib(client, db, auth, quizzes):
    found = quizzes.setup()
    auth.login("pelatih@lentera.test")
    response = auth.post(
        f"/ajar/kuis/{found.quiz.id}",
        {
            "kind": "pre_test",
            "time_limit": "30",
            "attempts_allowed": "2",
            "grading_method": "average",
            "pass_percent": "62,5",
            "opens_at": "2026-11-24T08:00",
            "closes_at": "2026-11-25T17:30",
            "shuffle_questions": "y",
            "one_per_page": "y",
            "review": "score",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    quiz = db.session.get(Quiz, found.quiz.id)
    assert quiz.kind is QuizKind.PRE_TEST
    assert quiz.time_limit_minutes == 30 and quiz.attempts_allowed == 2
    assert quiz.grading_method is GradingMethod.AVERAGE and quiz.pass_percent == 62.5
    assert quiz.opens_at == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert quiz.closes_at == datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    assert quiz.shuffle_questions and not quiz.shuffle_options and quiz.one_per_page
    assert quiz.review is ReviewOption.SCORE
    page = client.get(f"/ajar/kuis/{found.quiz.id}")
    assert 'value="2026-11-24T08:00"' in page.text


def test_settings_refuse_a_window_that_closes_before_it_opens(client, db, auth, quizzes):
    found = quizzes.setup()
    auth.login("pelatih@lentera.test")
    response = auth.post(
        f"/ajar/kuis/{found.quiz.id}",
        {
            "kind": "post_test",
            "attempts_allowed": "0",
            "grading_method": "highest",
            "pass_percent": "70",
            "opens_at": "2026-11-24T08:00",
            "closes_at": "2026-11-24T07:00",
            "review": "feedback",
        },
    )
    assert response.status_code == 400
    assert "Waktu tutup harus sesudah waktu buka." in response.text
    db.session.expire_all()
    assert db.session.get(Quiz, found.quiz.id).opens_at is None


def test_items_are_added_moved_and_removed(client, db, auth, quizzes, demo):
    found = quizzes.setup([QuestionType.MULTICHOICE, QuestionType.TRUEFALSE])
    course = found.course
    spare = quizzes.questions(course, [QuestionType.SHORTANSWER])[0]
    shared = bank.category_for(demo["solok"].id, None, "Bersama")
    bank.add_question(shared, sample(QuestionType.NUMERICAL), actor=None)
    other = quizzes.setup([QuestionType.ESSAY])  # another course's bank
    auth.login("pelatih@lentera.test")
    url = f"/ajar/kuis/{found.quiz.id}"
    page = client.get(url)
    assert "Soal shortanswer" in page.text and "Bersama (bersama)" in page.text

    assert auth.post(f"{url}/soal", {"question": spare.id}).status_code == 302
    refused = auth.post(f"{url}/soal", {"question": other.questions[0].id})
    assert refused.status_code == 302
    assert (
        auth.post(f"{url}/acak", {"category": shared.id, "level": "2", "count": "3"}).status_code
        == 302
    )
    foreign = bank.category_for(demo["serang"].id, None, "Serang")
    assert auth.post(f"{url}/acak", {"category": foreign.id, "count": "1"}).status_code == 302

    db.session.expire_all()
    items = list(
        db.session.scalars(
            select(QuizItem).where(QuizItem.quiz_id == found.quiz.id).order_by(QuizItem.position)
        )
    )
    assert [i.question_id for i in items] == [q.id for q in found.questions] + [spare.id, None]
    assert (items[-1].category_id, items[-1].level, items[-1].draw_count) == (shared.id, 2, 3)
    page = client.get(url)
    assert "3 soal acak dari kategori Bersama" in page.text

    assert auth.post(f"{url}/butir/{items[-1].id}/naik").status_code == 302
    assert auth.post(f"{url}/butir/{items[0].id}/hapus").status_code == 302
    assert auth.post(f"{url}/butir/{items[1].id}/lompat").status_code == 404
    db.session.expire_all()
    order = list(
        db.session.scalars(
            select(QuizItem.id).where(QuizItem.quiz_id == found.quiz.id).order_by(QuizItem.position)
        )
    )
    assert order == [items[1].id, items[3].id, items[2].id]


def test_trainer_pages_do_not_grow_queries_with_rows(client, db, auth, quizzes, factory, demo,
                                                     count_queries):  # fmt: skip
    """Results, the grading queue, statistics and the bank cost the same for 1 or 4 learners."""
    found = quizzes.setup([QuestionType.MULTICHOICE, QuestionType.ESSAY])
    quiz = found.quiz

    def attempt_by(n: int) -> None:
        employee = factory.employee(demo["solok"], name=f"Peserta Hitung {n}")
        user = factory.user(employee, email=f"hitung{n}@uji.test")
        attempt, _created = taking.start_or_resume(quiz, user)
        taking.save_answer(attempt, 2, "Esai hitung.", now=utcnow())
        taking.submit(attempt, now=utcnow())

    def counts() -> list[int]:
        result = []
        for url in (
            f"/ajar/kuis/{quiz.id}",
            f"/ajar/kuis/{quiz.id}/hasil",
            f"/ajar/kuis/{quiz.id}/penilaian",
            f"/ajar/kuis/{quiz.id}/statistik",
            f"/ajar/{found.course.code}/soal",
        ):
            client.get(url)
            with count_queries() as counter:
                assert client.get(url).status_code == 200, url
            result.append(counter.count)
        return result

    attempt_by(0)
    auth.login("pelatih@lentera.test")
    few = counts()
    for n in range(1, 4):
        attempt_by(n)
    quizzes.questions(found.course, [QuestionType.TRUEFALSE, QuestionType.NUMERICAL])
    assert counts() == few
