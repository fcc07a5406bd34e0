"""Read queries shared by the course pages, the home page and the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.core.db import contains
from lms.courses import policy
from lms.courses.models import (
    Course,
    CourseCompetency,
    CoursePrerequisite,
    CourseTrainer,
    CourseVersion,
    Enrollment,
    Lesson,
    Module,
)
from lms.extensions import db


def catalog_query(
    user: User,
    *,
    q: str = "",
    category_id: int | None = None,
    organisation_id: int | None = None,
    competency: str = "",
    jp: str = "",
) -> Select[Any]:
    """Published courses the user may take, filtered, joined with their published version."""
    query = (
        select(Course)
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .options(
            joinedload(Course.published_version),
            joinedload(Course.category),
            joinedload(Course.organisation),
            selectinload(Course.competencies),
        )
        .where(policy.catalog_scope(user))
        .order_by(CourseVersion.title, Course.id)
    )
    if q:
        query = query.where(
            or_(
                contains(CourseVersion.title, q),
                contains(CourseVersion.summary, q),
                contains(Course.code, q),
                Course.competencies.any(contains(CourseCompetency.code, q)),
            )
        )
    if category_id:
        query = query.where(Course.category_id == category_id)
    if organisation_id:
        query = query.where(Course.organisation_id == organisation_id)
    if competency:
        query = query.where(Course.competencies.any(CourseCompetency.code == competency.upper()))
    if jp == "pendek":
        query = query.where(CourseVersion.jp <= 8)
    elif jp == "sedang":
        query = query.where(CourseVersion.jp.between(9, 20))
    elif jp == "panjang":
        query = query.where(CourseVersion.jp > 20)
    return query


def course_by_code(code: str) -> Course | None:
    """A course with what its page shows, in a fixed number of queries."""
    return db.session.scalar(
        select(Course)
        .options(
            joinedload(Course.organisation),
            joinedload(Course.category),
            selectinload(Course.competencies),
            selectinload(Course.prerequisites).joinedload(CoursePrerequisite.required_course),
            selectinload(Course.trainers).joinedload(CourseTrainer.user).joinedload(User.employee),
        )
        .where(Course.code == code.upper()[:30])
    )


def course_for_access(code: str) -> Course | None:
    """A course with only what the access rules read (its trainers)."""
    return db.session.scalar(
        select(Course)
        .options(selectinload(Course.trainers))
        .where(Course.code == code.upper()[:30])
    )


def outline(version_id: int | None) -> list[Module]:
    """A version's modules with their lessons (two queries)."""
    if version_id is None:
        return []
    return list(
        db.session.scalars(
            select(Module)
            .options(selectinload(Module.lessons))
            .where(Module.version_id == version_id)
            .order_by(Module.position)
        )
    )


def lesson_in(version_id: int | None, lesson_id: int) -> Lesson | None:
    """A lesson by id, only if it belongs to the given version."""
    if version_id is None:
        return None
    return db.session.scalar(
        select(Lesson).where(Lesson.id == lesson_id, Lesson.version_id == version_id)
    )


def my_enrollments(employee_id: int) -> list[Enrollment]:
    """A learner's current enrolments with their courses, due first."""
    return list(
        db.session.scalars(
            select(Enrollment)
            .options(
                joinedload(Enrollment.course).joinedload(Course.published_version),
            )
            .where(Enrollment.employee_id == employee_id, Enrollment.withdrawn_at.is_(None))
            .order_by(
                Enrollment.completed_at.is_not(None),
                Enrollment.due_date.is_(None),
                Enrollment.due_date,
                Enrollment.id,
            )
        )
    )
