"""Who may edit question banks and quizzes. Views and templates ask here."""

from __future__ import annotations

from lms.accounts import policy as people
from lms.accounts.models import User
from lms.courses import policy as course_policy
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.models import Question, QuestionCategory


def can_edit_shared_bank(user: User | None, organisation_id: int | None) -> bool:
    """HR and trainers of the organisation (and admins) edit its shared question bank."""
    return people.can_manage_people(user, organisation_id) or (
        people.is_trainer(user) and organisation_id is not None
        and user.organisation_id == organisation_id
    )  # fmt: skip


def can_edit_category(user: User | None, category: QuestionCategory) -> bool:
    """Editors of the course whose bank it is, or of the organisation's shared bank."""
    if category.course_id is None:
        return can_edit_shared_bank(user, category.organisation_id)
    course = db.session.get(Course, category.course_id)
    return course is not None and course_policy.can_edit_course(user, course)


def can_edit_question(user: User | None, question: Question) -> bool:
    """Edit (and see the key of) a question: whoever edits its bank."""
    return can_edit_category(user, question.category)


def usable_in(category: QuestionCategory, course: Course) -> bool:
    """A course's quizzes draw from its own bank and its organisation's shared bank."""
    return category.organisation_id == course.organisation_id and category.course_id in (
        None,
        course.id,
    )
