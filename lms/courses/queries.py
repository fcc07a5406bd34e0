"""Read queries shared by the course pages, the home page and the API."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, or_, select
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.core import labels
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
    return (
        select(Course)
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .options(
            joinedload(Course.published_version),
            joinedload(Course.category),
            joinedload(Course.organisation),
            selectinload(Course.competencies),
        )
        .where(
            *catalog_conditions(
                user,
                q=q,
                category_id=category_id,
                organisation_id=organisation_id,
                competency=competency,
                jp=jp,
            )
        )
        .order_by(CourseVersion.title, Course.id)
    )


def catalog_conditions(
    user: User,
    *,
    q: str = "",
    category_id: int | None = None,
    organisation_id: int | None = None,
    competency: str = "",
    jp: str = "",
) -> list[ColumnElement[bool]]:
    """The catalog's WHERE clause: the user's scope and the filters, over ``courses`` joined
    with their published ``course_versions``."""
    conditions = [policy.catalog_scope(user)]
    if q:
        conditions.append(
            or_(
                contains(CourseVersion.title, q),
                contains(CourseVersion.summary, q),
                contains(Course.code, q),
                Course.competencies.any(
                    or_(
                        contains(CourseCompetency.code, q),
                        contains(
                            labels.competency_name(CourseCompetency.code, Course.organisation_id),
                            q,
                        ),
                    )
                ),
            )
        )
    if category_id:
        conditions.append(Course.category_id == category_id)
    if organisation_id:
        conditions.append(Course.organisation_id == organisation_id)
    if competency:
        conditions.append(Course.competencies.any(CourseCompetency.code == competency.upper()))
    if jp == "pendek":
        conditions.append(CourseVersion.jp <= 8)
    elif jp == "sedang":
        conditions.append(CourseVersion.jp.between(9, 20))
    elif jp == "panjang":
        conditions.append(CourseVersion.jp > 20)
    return conditions


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
    """A course with only what the access rules read (its trainers), in one query."""
    return (
        db.session.execute(_course_for_access_query(), {"code": code.upper()[:30]})
        .unique()
        .scalar_one_or_none()
    )


@functools.cache
def _course_for_access_query() -> Select[Any]:
    # built once: file and stream requests run it for every video segment
    return (
        select(Course).options(joinedload(Course.trainers)).where(Course.code == bindparam("code"))
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
