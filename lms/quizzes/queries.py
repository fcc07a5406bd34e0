"""Looking up quizzes and attempts for a user, and what a learner may be shown of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.core.errors import DomainError
from lms.courses import enrollment as enrolment
from lms.courses import policy as course_policy
from lms.courses.models import Course, CourseStatus, Enrollment, Lesson
from lms.extensions import db
from lms.quizzes import attempts as taking
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.grading import correct_answer, feedback_for, right_items
from lms.quizzes.models import Attempt, AttemptSlot, AttemptState, Quiz, ReviewOption


def _not_found() -> DomainError:
    return DomainError(_("Kuis tidak ditemukan."), code="not_found")


def quiz_for_learner(quiz_id: int, user: User) -> tuple[Quiz, Course, Lesson, Enrollment]:
    """A quiz the user may take: its course is published and visible and they are enrolled."""
    found = (
        db.session.execute(
            select(Quiz, Course)
            .join(Course, Course.id == Quiz.course_id)
            .where(Quiz.id == quiz_id)
            .options(joinedload(Course.trainers))  # the policy asks who teaches it
        )
        .unique()
        .first()
    )
    if found is None:
        raise _not_found()
    quiz, course = found
    if course.status is not CourseStatus.PUBLISHED or not course_policy.can_view_course(
        user, course
    ):
        raise _not_found()
    lesson = taking.quiz_lesson(course, quiz)
    if lesson is None:
        raise _not_found()
    enrollment = enrolment.active_enrollment(course, user.employee_id)
    if enrollment is None:
        raise DomainError(_("Anda tidak terdaftar di kursus ini."), code="not_enrolled")
    return quiz, course, lesson, enrollment


def quiz_for_trainer(quiz_id: int, user: User) -> tuple[Quiz, Course]:
    """A quiz of a course the user edits (trainers, HR of its organisation, admins)."""
    quiz = db.session.get(Quiz, quiz_id)
    course = db.session.get(Course, quiz.course_id) if quiz else None
    if course is None or not course_policy.can_edit_course(user, course):
        raise _not_found()
    return quiz, course


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


def question_json(slot: AttemptSlot) -> dict[str, Any]:
    """A slot as the learner sees it while answering: never the answer key."""
    question = slot.question
    by_key = {c["key"]: c for c in question.choices}
    item: dict[str, Any] = {
        "slot": slot.slot,
        "type": question.type.value,
        "title": question.title,
        "text": question.text,
        "format": question.text_format.value,
        "mark": slot.max_mark,
        "options": [],
        "answer": slot.answer,
    }
    if question.type is QuestionType.TRUEFALSE:
        item["options"] = [{"id": True, "text": _("Benar")}, {"id": False, "text": _("Salah")}]
    elif question.type is QuestionType.MATCHING:
        rights = right_items(question.data())
        item["options"] = [{"id": k, "text": by_key[k]["text"]} for k in slot.option_order]
        item["targets"] = [{"id": k, "text": rights[k]} for k in slot.match_order if k in rights]
    elif slot.option_order:
        item["options"] = [{"id": k, "text": by_key[k]["text"]} for k in slot.option_order]
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
    slots = slots_of(attempt)
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
        body["questions"] = [question_json(s) for s in slots]
        return body
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
