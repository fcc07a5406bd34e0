"""Taking a quiz from many threads at once, on PostgreSQL, with real commits (see
``tests/fixtures/concurrency.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from lms.accounts.models import AuditEvent, User
from lms.accounts.services import issue_api_token
from lms.core.signals import attempt_graded
from lms.extensions import db as _db
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.grading import correct_answer, grade, normalise
from lms.quizzes.models import Attempt, AttemptSlot, AttemptState
from tests.fixtures.concurrency import THREADS, race, real_commits, reply
from tests.fixtures.courses import CourseFactory, bearer
from tests.fixtures.quizzes import OBJECTIVE_TYPES, QuizFactory

#: one question of each objective type, twice: 14 slots
KINDS = OBJECTIVE_TYPES * 2


@pytest.fixture
def committed(app: Any) -> Iterator[Callable[..., Exam]]:
    """Build quizzes with real commits; every row committed meanwhile is deleted afterwards."""

    def build(kinds: list[QuestionType], **settings: Any) -> Exam:
        with app.app_context():
            quizzes = QuizFactory(_db, CourseFactory(_db))
            learner = quizzes.learner()
            setup = quizzes.setup(kinds, enrol=learner, **settings)
            token, _record = issue_api_token(learner, "concurrency test")
            _db.session.commit()
            return Exam(setup.quiz.id, learner.id, token)

    with real_commits(app):
        yield build


@dataclass
class Exam:
    """A committed quiz, its enrolled learner and the learner's bearer token."""

    quiz_id: int
    user_id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def start(exam: Exam) -> Callable[[Any], tuple[int, Any]]:
    return lambda client: reply(
        client.post(f"/api/v1/quizzes/{exam.quiz_id}/attempts", headers=exam.headers)
    )


def submit(exam: Exam, attempt_id: int) -> Callable[[Any], tuple[int, Any]]:
    return lambda client: reply(
        client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=exam.headers)
    )


def save(client: Any, exam: Exam, attempt_id: int, slot: int, answer: Any) -> tuple[int, Any]:
    return reply(
        client.put(
            f"/api/v1/attempts/{attempt_id}/answers/{slot}",
            json={"answer": answer},
            headers=exam.headers,
        )
    )


def stored(app: Any, attempt_id: int) -> tuple[Attempt, list[AttemptSlot]]:
    """The attempt and its slots as committed (a fresh session: what another request sees)."""
    with app.app_context():
        attempt = _db.session.get(Attempt, attempt_id)
        slots = list(attempt.slots)
        for slot in slots:
            _ = slot.question.choices
        _db.session.expunge_all()
        return attempt, slots


def keys(app: Any, attempt_id: int) -> dict[int, Any]:
    """The fully right answer of every slot."""
    _attempt, slots = stored(app, attempt_id)
    return {s.slot: correct_answer(s.question.data()) for s in slots}


def test_simultaneous_starts_create_one_attempt(app, committed):
    client = app.test_client()
    exam = committed([QuestionType.TRUEFALSE, QuestionType.MULTICHOICE], time_limit_minutes=60)
    # three rounds: each races THREADS starts, then the attempt is submitted, so the next round
    # races for attempt number 2, 3 (unlimited attempts: only the rule "one open attempt" holds)
    for number in (1, 2, 3):
        results = race(app, [start(exam)] * THREADS)
        seen = sorted((status, body["id"], body["number"]) for status, body in results)
        statuses = [status for status, _id, _number in seen]
        assert statuses == [200] * (THREADS - 1) + [201], seen
        ids = {body["id"] for _status, body in results}
        assert len(ids) == 1
        assert {body["number"] for _status, body in results} == {number}
        with app.app_context():
            rows = _db.session.scalars(
                sa.select(Attempt).where(Attempt.quiz_id == exam.quiz_id).order_by(Attempt.number)
            ).all()
            assert [(a.number, a.id) for a in rows][-1] == (number, ids.pop())
            assert len(rows) == number
            assert sum(a.state is AttemptState.IN_PROGRESS for a in rows) == 1
            slots = sa.select(sa.func.count()).where(AttemptSlot.attempt_id == rows[-1].id)
            assert _db.session.scalar(slots) == 2
        status, _body = submit(exam, rows[-1].id)(client)
        assert status == 200


def test_concurrent_saves_lose_no_answer(app, committed):
    client = app.test_client()
    exam = committed(KINDS, time_limit_minutes=60)
    status, body = start(exam)(client)
    assert status == 201
    attempt_id = body["id"]
    answers = keys(app, attempt_id)
    assert len(answers) == len(KINDS)

    # every slot at once, each from its own thread
    results = race(
        app,
        [
            lambda c, slot=slot, answer=answer: save(c, exam, attempt_id, slot, answer)
            for slot, answer in answers.items()
        ],
    )
    assert [status for status, _body in results] == [200] * len(answers), results
    _attempt, slots = stored(app, attempt_id)
    assert {s.slot: s.answer for s in slots} == {
        s.slot: normalise(s.question.data(), answers[s.slot]) for s in slots
    }

    # one slot from every thread at once: one of the answers wins, still one row
    text_slot = KINDS.index(QuestionType.SHORTANSWER) + 1
    given = [f"jawaban {i}" for i in range(THREADS)]
    results = race(
        app, [lambda c, text=text: save(c, exam, attempt_id, text_slot, text) for text in given]
    )
    assert [status for status, _body in results] == [200] * THREADS, results
    _attempt, slots = stored(app, attempt_id)
    assert next(s.answer for s in slots if s.slot == text_slot) in given
    with app.app_context():
        rows = _db.session.execute(
            sa.select(AttemptSlot.slot, sa.func.count())
            .where(AttemptSlot.attempt_id == attempt_id)
            .group_by(AttemptSlot.slot)
        ).all()
    assert sorted(rows) == [(n, 1) for n in range(1, len(KINDS) + 1)]

    # everything else still counts: all right but the raced short answer
    status, result = submit(exam, attempt_id)(client)
    assert status == 200
    assert result["score"] == len(KINDS) - 1 and result["max_score"] == len(KINDS)


def test_double_submit_grades_once(app, committed):
    client = app.test_client()
    exam = committed([QuestionType.TRUEFALSE] * 4, time_limit_minutes=60)
    status, body = start(exam)(client)
    attempt_id = body["id"]
    for slot, answer in [(1, True), (2, True), (3, False)]:
        assert save(client, exam, attempt_id, slot, answer)[0] == 200
    graded: list[int] = []

    def receiver(_sender: Any, **kwargs: Any) -> None:
        graded.append(kwargs["attempt"].id)

    attempt_graded.connect(receiver)
    try:
        results = race(app, [submit(exam, attempt_id)] * THREADS)
    finally:
        attempt_graded.disconnect(receiver)
    expected = {"state": "graded", "score": 2.0, "max_score": 4.0, "percent": 50.0}
    for status, body in results:
        assert status == 200
        assert {k: body[k] for k in expected} == expected
    assert graded == [attempt_id]
    with app.app_context():
        events = _db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "attempt.submitted",
                AuditEvent.target_id == str(attempt_id),
            )
        ).all()
        assert len(events) == 1 and events[0].data["percent"] == 50.0
        user = _db.session.get(User, exam.user_id)
        assert events[0].actor_id == user.id
    attempt, _slots = stored(app, attempt_id)
    assert (attempt.score, attempt.percent, attempt.state) == (2.0, 50.0, AttemptState.GRADED)


def test_saves_racing_a_submit(app, committed):
    client = app.test_client()
    exam = committed(KINDS, time_limit_minutes=60)
    _status, body = start(exam)(client)
    attempt_id = body["id"]
    answers = keys(app, attempt_id)
    rounds = 6

    def keep_saving(client: Any, slot: int) -> list[tuple[int, Any, Any]]:
        """Save the slot again and again, alternating no answer and the right one."""
        log = []
        for n in range(rounds):
            answer = answers[slot] if n % 2 else None
            status, body = save(client, exam, attempt_id, slot, answer)
            log.append((status, body, answer))
        return log

    calls: list[Callable[[Any], Any]] = [
        lambda c, slot=slot: keep_saving(c, slot) for slot in answers
    ]
    calls.insert(len(calls) // 2, submit(exam, attempt_id))
    results = race(app, calls)
    submitted = results.pop(len(answers) // 2)
    assert submitted[0] == 200

    attempt, slots = stored(app, attempt_id)
    by_slot = {s.slot: s for s in slots}
    for slot, log in zip(answers, results, strict=True):
        statuses = [status for status, _body, _answer in log]
        accepted = [answer for status, _body, answer in log if status == 200]
        # once refused, refused for good: no save is accepted after the submit committed
        assert statuses == [200] * len(accepted) + [409] * (rounds - len(accepted)), log
        assert all(
            body["error"]["code"] == "already_submitted"
            for status, body, _a in log
            if status == 409
        )
        # the stored answer is the last one accepted, and it is the one that was graded
        expected = accepted[-1] if accepted else None
        assert (by_slot[slot].answer is None) == (expected is None)
        question = by_slot[slot].question.data()
        assert by_slot[slot].fraction == grade(question, by_slot[slot].answer)
    assert attempt.score == round(sum(s.mark for s in slots), 4)
    assert submitted[1]["score"] == attempt.score
    assert save(client, exam, attempt_id, 1, answers[1])[0] == 409
