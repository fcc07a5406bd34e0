"""Who may see, teach, edit and assign courses."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true

from lms.accounts import policy as people
from lms.accounts.models import User
from lms.courses.models import Course, CourseStatus, Visibility


def catalog_scope(user: User | None) -> ColumnElement[bool]:
    """Published courses the user's organisation may take (admins: all published)."""
    if not (user and user.is_authenticated):
        return false()
    published = Course.status == CourseStatus.PUBLISHED
    if people.is_admin(user):
        return published
    return and_(
        published,
        or_(Course.visibility == Visibility.SHARED, Course.organisation_id == user.organisation_id),
    )


def is_course_trainer(user: User | None, course: Course) -> bool:
    """The user teaches the course."""
    return bool(user and user.is_authenticated) and any(
        t.user_id == user.id for t in course.trainers
    )


def can_edit_course(user: User | None, course: Course) -> bool:
    """Trainers of the course, HR of its organisation and admins edit it."""
    return (
        is_course_trainer(user, course)
        or people.can_manage_people(user, course.organisation_id)
        or people.is_admin(user)
    )


def can_create_course(user: User | None) -> bool:
    """Trainers, HR and admins create courses."""
    return people.is_trainer(user) or people.is_hr(user) or people.is_admin(user)


def authoring_scope(user: User | None) -> ColumnElement[bool]:
    """Courses listed on the user's authoring page."""
    if people.is_admin(user):
        return true()
    from lms.courses.models import CourseTrainer

    clauses = [Course.trainers.any(CourseTrainer.user_id == user.id)] if user else []
    if people.is_hr(user):
        clauses.append(Course.organisation_id == user.organisation_id)
    return or_(*clauses) if clauses else false()


def can_view_course(user: User | None, course: Course) -> bool:
    """See the course page: published and visible to the user's organisation, or an editor."""
    if can_edit_course(user, course):
        return True
    if not (user and user.is_authenticated) or course.status is not CourseStatus.PUBLISHED:
        return False
    return (
        people.is_admin(user)
        or course.visibility is Visibility.SHARED
        or course.organisation_id == user.organisation_id
    )


def can_assign(user: User | None, course: Course) -> bool:
    """HR assign their organisation's employees to courses their organisation may take."""
    if not (people.is_hr(user) or people.is_admin(user)):
        return False
    return course.status is CourseStatus.PUBLISHED and can_view_course(user, course)


def can_assign_trainers(user: User | None, course: Course) -> bool:
    """HR of the owning organisation and admins choose a course's trainers."""
    return people.can_manage_people(user, course.organisation_id) or people.is_admin(user)


def can_view_learners(user: User | None, course: Course) -> bool:
    """Trainers of the course, HR (their own employees) and admins see its learners.

    HR of another organisation only for courses open to it: a course kept to its own
    organisation does not exist for them.
    """
    return can_edit_course(user, course) or (
        people.is_hr(user)
        and (
            course.visibility is Visibility.SHARED or course.organisation_id == user.organisation_id
        )
    )
