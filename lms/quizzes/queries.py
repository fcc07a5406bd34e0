"""Looking up quizzes and attempts for a user, and what a learner may be shown of them."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import defer, joinedload

from lms.accounts.models import User
from lms.core.errors import DomainError
from lms.courses import enrollment as enrolment
from lms.courses import policy as course_policy
from lms.courses.models import Course, CourseStatus, Enrollment, Lesson
from lms.extensions import db
from lms.quizzes import attempts as taking
from lms.quizzes.asked import AskedQuestion, OpenSlot, open_slots
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.grading import correct_answer, feedback_for
from lms.quizzes.models import Attempt, AttemptSlot, AttemptState, Quiz, ReviewOption


def _not_found() -> DomainError:
    return DomainError(_("Kuis tidak ditemukan."), code="not_found")


def quiz_for_learner(quiz_id: int, user: User) -> tuple[Quiz, Course, Lesson, Enrollment]:
    """A quiz the user may take: its course is published and visible and they are enrolled."""
    # the quiz, its course, its lesson in the published version and the learner's current
    # enrolment in one query
    found = (
        db.session.execute(
            _learner_quiz_query(), {"quiz_id": quiz_id, "employee_id": user.employee_id or 0}
        )
        .unique()
        .first()
    )
    if found is None:
        raise _not_found()
    quiz, course, lesson, enrollment = found
    if course.status is not CourseStatus.PUBLISHED or not course_policy.can_view_course(
        user, course
    ):
        raise _not_found()
    if lesson is None:
        raise _not_found()
    if enrollment is None or user.employee_id is None:
        raise DomainError(_("Anda tidak terdaftar di kursus ini."), code="not_enrolled")
    return quiz, course, lesson, enrollment


@functools.cache
def _learner_quiz_query() -> Select[Any]:
    # built once: every start of an exam sends it, and building a select and its cache key
    # cost more than running it
    return (
        select(Quiz, Course, Lesson, Enrollment)
        .join(Course, Course.id == Quiz.course_id)
        .outerjoin(Lesson, taking.is_quiz_lesson(Course.published_version_id, Quiz.lesson_key))
        .outerjoin(Enrollment, enrolment.is_current_enrollment(Course.id))
        .where(Quiz.id == bindparam("quiz_id"))
        .options(
            joinedload(Course.trainers),  # the policy asks who teaches it
            defer(Lesson.body),  # see taking.quiz_lesson
        )
    )


def quiz_for_trainer(quiz_id: int, user: User) -> tuple[Quiz, Course]:
    """A quiz of a course the user edits (trainers, HR of its organisation, admins)."""
    quiz = db.session.get(Quiz, quiz_id)
    course = db.session.get(Course, quiz.course_id) if quiz else None
    if course is None or not course_policy.can_edit_course(user, course):
        raise _not_found()
    return quiz, course


def own_attempt_for_answer(attempt_id: int, user: User, slot: int) -> tuple[Attempt, Any]:
    """The user's own attempt, locked, with the slot an answer is for (one statement; see
    :func:`taking.locked_with_slot`), else not found."""
    attempt, found = taking.locked_with_slot(attempt_id, slot)
    if attempt is None or attempt.user_id != user.id:
        raise DomainError(_("Percobaan tidak ditemukan."), code="not_found")
    return attempt, found


def own_attempt(attempt_id: int, user: User, *, lock: bool = False) -> Attempt:
    """The user's own attempt (locked for writing when asked), else not found."""
    attempt = taking.locked(attempt_id) if lock else db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise DomainError(_("Percobaan tidak ditemukan."), code="not_found")
    return attempt


def readable_attempt(attempt_id: int, user: User) -> tuple[Attempt, bool]:
    """An attempt the user may read: their own, or (as trainer) one in a course they edit.

    Returns the attempt and whether the reader is a trainer (who sees everything).
    """
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        raise DomainError(_("Percobaan tidak ditemukan."), code="not_found")
    if attempt.user_id == user.id:
        return attempt, False
    course = db.session.get(Course, attempt.quiz.course_id)
    if course_policy.can_edit_course(user, course):
        return attempt, True
    raise DomainError(_("Percobaan tidak ditemukan."), code="not_found")


def slots_of(attempt: Attempt) -> list[AttemptSlot]:
    """The attempt's slots with their questions, in one query."""
    return list(
        db.session.scalars(
            select(AttemptSlot)
            .where(AttemptSlot.attempt_id == attempt.id)
            .options(joinedload(AttemptSlot.question, innerjoin=True))
            .order_by(AttemptSlot.slot)
        )
    )


def remaining_seconds(attempt: Attempt, now: datetime) -> int | None:
    """Seconds left before the deadline (None without a limit)."""
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


def question_json(
    slot: AttemptSlot | OpenSlot, question: AskedQuestion | None = None
) -> dict[str, Any]:
    """A slot as the learner sees it while answering: never the answer key (``question`` is
    the slot's question when the caller has it, else it is read from ``slot.question``)."""
    if question is None:
        question = AskedQuestion.of(slot.question)  # type: ignore[union-attr]
    texts = question.option_texts
    item: dict[str, Any] = {
        **question.shown,
        "slot": slot.slot,
        "mark": slot.max_mark,
        "options": [],
        "answer": slot.answer,
    }
    if question.type is QuestionType.TRUEFALSE:
        item["options"] = [{"id": True, "text": _("Benar")}, {"id": False, "text": _("Salah")}]
    elif question.type is QuestionType.MATCHING:
        rights = question.rights
        item["options"] = [{"id": k, "text": texts[k]} for k in slot.option_order]
        item["targets"] = [{"id": k, "text": rights[k]} for k in slot.match_order if k in rights]
    elif slot.option_order:
        item["options"] = [{"id": k, "text": texts[k]} for k in slot.option_order]
    return item


def review_json(slot: AttemptSlot, review: ReviewOption, *, full: bool) -> dict[str, Any]:
    """A slot after submission, showing what the quiz's review option allows."""
    item = question_json(slot)
    if full or review is not ReviewOption.SCORE:
        item["mark_awarded"] = slot.mark
        item["needs_grading"] = slot.needs_grading
        item["correct"] = None if slot.fraction is None else slot.fraction >= 1 - 1e-9
        item["correct_answer"] = correct_answer(slot.question.data())
    if full or review is ReviewOption.FEEDBACK:
        data = slot.question.data()
        item["feedback"] = feedback_for(data, slot.answer)
        item["general_feedback"] = slot.question.general_feedback
        item["comment"] = slot.comment
    return item


def attempt_json(attempt: Attempt, now: datetime, *, full: bool = False) -> dict[str, Any]:
    """An attempt: while open its questions and saved answers; afterwards its result."""
    body: dict[str, Any] = {
        "id": attempt.id,
        "quiz": attempt.quiz_id,
        "number": attempt.number,
        "state": attempt.state.value,
        "started_at": attempt.started_at.isoformat(),
        "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
        "remaining_seconds": remaining_seconds(attempt, now) if attempt.is_open else None,
    }
    if attempt.state is AttemptState.IN_PROGRESS:
        sheet = taking.new_slots(attempt) or open_slots(attempt.id)
        body["questions"] = [question_json(slot, question) for slot, question in sheet]
        return body
    slots = slots_of(attempt)
    body |= result_json(attempt)
    body["submitted_at"] = attempt.submitted_at.isoformat() if attempt.submitted_at else None
    body["auto_submitted"] = attempt.is_auto_submitted
    body["questions"] = [review_json(s, attempt.quiz.review, full=full) for s in slots]
    return body


def result_json(attempt: Attempt) -> dict[str, Any]:
    """State, score and pass/fail of a submitted attempt."""
    return {
        "state": attempt.state.value,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": attempt.percent,
        "passed": attempt.is_passed,
    }
