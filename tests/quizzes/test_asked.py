"""The per-process cache of asked questions: an edit is seen at once, no attempt data is kept."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.cache import KeyedCache
from lms.core.db import utcnow
from lms.quizzes import attempts as taking
from lms.quizzes import bank, editing, queries
from lms.quizzes.asked import AskedQuestion
from lms.quizzes.formats.model import Choice, QuestionType
from lms.quizzes.models import Attempt, AttemptSlot, AttemptState
from tests.fixtures.courses import bearer, login_token
from tests.fixtures.quizzes import sample

SECOND_LEARNER = "atasan.solok@lentera.test"


def _start(client, quiz_id, headers):
    response = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=headers)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def _cached(app) -> KeyedCache:
    return app.extensions["lms_caches"]["quiz_asked_questions"]


def test_an_edited_question_is_asked_and_graded_as_edited_by_the_next_attempt(
    app, client, db, courses, quizzes
):
    first, second = quizzes.learner(), courses.user(SECOND_LEARNER)
    setup = quizzes.setup([QuestionType.MULTICHOICE], enrol=first)
    courses.enrol(setup.course, second)
    db.session.commit()
    before = _start(
        client, setup.quiz.id, bearer(login_token(client, "pegawai.solok@lentera.test"))
    )
    assert before["questions"][0]["text"] == "Teks soal multichoice"

    question = setup.questions[0]
    edited = sample(
        QuestionType.MULTICHOICE,
        text="Teks yang diperbaiki",
        choices=[Choice("Jawaban baru", 1.0), Choice("Pengecoh", 0.0)],
    )
    assert bank.update_question(question, edited, actor=None)  # the answer key changed
    db.session.commit()

    learner = bearer(login_token(client, SECOND_LEARNER))
    after = _start(client, setup.quiz.id, learner)
    shown = after["questions"][0]
    assert shown["text"] == "Teks yang diperbaiki"
    assert {o["text"] for o in shown["options"]} == {"Jawaban baru", "Pengecoh"}
    right = next(o["id"] for o in shown["options"] if o["text"] == "Jawaban baru")
    url = f"/api/v1/attempts/{after['id']}"
    assert (
        client.put(f"{url}/answers/1", json={"answer": right}, headers=learner).status_code == 200
    )
    result = client.post(f"{url}/submit", headers=learner).get_json()
    assert result["percent"] == 100.0  # graded on the new key, not a cached old one
    graded = db.session.scalar(select(Attempt).where(Attempt.id == after["id"]))
    assert graded.slots[0].graded_key_version == question.key_version == 2


def test_a_question_added_to_or_archived_from_the_quiz_changes_the_next_attempt(db, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup(
        [QuestionType.MULTICHOICE, QuestionType.TRUEFALSE], enrol=learner, attempts_allowed=0
    )
    first, _created = taking.start_or_resume(setup.quiz, learner)
    assert [q["type"] for q in queries.attempt_json(first, utcnow())["questions"]] == [
        "multichoice",
        "truefalse",
    ]
    taking.submit(first, now=utcnow())

    added = quizzes.questions(setup.course, [QuestionType.NUMERICAL])[0]
    editing.add_fixed_question(setup.quiz, setup.course, added)
    editing.set_archived(setup.questions[0], True, actor=quizzes.trainer())
    second, created = taking.start_or_resume(setup.quiz, learner)
    assert created
    assert [q["type"] for q in queries.attempt_json(second, utcnow())["questions"]] == [
        "truefalse",
        "numerical",
    ]


def test_learners_see_only_their_own_attempt_and_the_cache_keeps_no_attempt_data(
    app, client, db, courses, quizzes
):
    first, second = quizzes.learner(), courses.user(SECOND_LEARNER)
    setup = quizzes.setup(
        [QuestionType.MULTICHOICE, QuestionType.TRUEFALSE, QuestionType.MATCHING],
        enrol=first,
        shuffle_questions=True,
        shuffle_options=True,
    )
    courses.enrol(setup.course, second)
    db.session.commit()
    mine = bearer(login_token(client, "pegawai.solok@lentera.test"))
    theirs = bearer(login_token(client, SECOND_LEARNER))

    started = _start(client, setup.quiz.id, mine)
    slot = next(q["slot"] for q in started["questions"] if q["type"] == "truefalse")
    saved = client.put(
        f"/api/v1/attempts/{started['id']}/answers/{slot}", json={"answer": False}, headers=mine
    )
    assert saved.status_code == 200
    other = _start(client, setup.quiz.id, theirs)
    assert other["id"] != started["id"]
    assert all(q["answer"] is None for q in other["questions"])  # not the first learner's
    resumed = _start(client, setup.quiz.id, mine)
    assert resumed["id"] == started["id"]
    assert [q["answer"] for q in resumed["questions"] if q["slot"] == slot] == [False]
    assert all(q["answer"] is None for q in resumed["questions"] if q["slot"] != slot)
    assert client.get(f"/api/v1/attempts/{started['id']}", headers=theirs).status_code == 404

    # the cache holds questions only: nothing of an attempt, a learner or an answer key
    for asked in _cached(app)._values.values():
        assert isinstance(asked, AskedQuestion)
        assert set(asked.shown) == {"type", "title", "text", "format"}
    for question in other["questions"]:
        assert not {"fraction", "correct", "feedback", "match"} & set(question)
        assert all(set(option) == {"id", "text"} for option in question["options"])


def test_a_start_and_a_save_send_few_statements(client, db, quizzes, count_queries):
    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.TRUEFALSE] * 5, enrol=learner, time_limit_minutes=30)
    db.session.commit()
    headers = bearer(login_token(client, "pegawai.solok@lentera.test"))
    # the token's first use (written once a minute) and the questions' first load are done
    first = _start(client, setup.quiz.id, headers)
    client.post(f"/api/v1/attempts/{first['id']}/submit", headers=headers)
    with count_queries() as start:
        started = _start(client, setup.quiz.id, headers)
    with count_queries() as save:
        url = f"/api/v1/attempts/{started['id']}/answers/1"
        assert client.put(url, json={"answer": True}, headers=headers).status_code == 200
    # token, quiz with course, lesson and enrolment, latest attempt, items, 2 INSERTs
    assert start.count <= 6, start.statements
    # token, the locked attempt with the slot and its question's version, UPDATE
    assert save.count <= 3, save.statements
    attempt = db.session.get(Attempt, started["id"])
    assert attempt.state is AttemptState.IN_PROGRESS and len(attempt.slots) == 5


def test_a_submit_sends_few_statements(client, db, quizzes, count_queries):
    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.TRUEFALSE] * 5, enrol=learner, attempts_allowed=3)
    db.session.commit()
    headers = bearer(login_token(client, "pegawai.solok@lentera.test"))
    counts = []
    for _number in (1, 2):
        started = _start(client, setup.quiz.id, headers)
        url = f"/api/v1/attempts/{started['id']}/answers"
        for slot in (1, 2):
            assert (
                client.put(f"{url}/{slot}", json={"answer": True}, headers=headers).status_code
                == 200
            )
        with count_queries() as submit:
            url = f"/api/v1/attempts/{started['id']}/submit"
            assert client.post(url, headers=headers).status_code == 200
        counts.append(submit)
    # token, the locked attempt, its slots, the quiz with its course, UPDATE of the slots (one
    # executemany) and of the attempt, the enrolment with the lesson and its progress; the
    # evidence: competencies, INSERT (a first grading reads no earlier evidence), the level's
    # refresh (the evidence, one upsert); the audit INSERT. The first attempt is the learner's
    # only one, a later one reads the others.
    shown = ["\n".join(s[:90] for s in counter.statements) for counter in counts]
    assert counts[0].count <= 12, shown[0]
    assert counts[1].count <= 13, shown[1]
    assert sum(s.startswith("UPDATE attempts ") for s in counts[0].statements) == 1, shown[0]
    assert {a.state for a in taking.attempts_of(setup.quiz.id, learner.employee_id)} == {
        AttemptState.GRADED
    }
    # the grades as stored (read past the session's objects): every slot graded, the score
    # their sum
    for attempt in taking.attempts_of(setup.quiz.id, learner.employee_id):
        stored = db.session.execute(
            select(
                AttemptSlot.fraction, AttemptSlot.graded_key_version, AttemptSlot.max_mark
            ).where(AttemptSlot.attempt_id == attempt.id)
        ).all()
        assert len(stored) == 5 and all(row.graded_key_version is not None for row in stored)
        assert all(row.fraction is not None for row in stored)
        assert round(sum(r.fraction * r.max_mark for r in stored), 4) == attempt.score
