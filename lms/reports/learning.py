"""Quiz results and course evaluations of a report filter's employees, aggregated in SQL.

Both keep to the filter's employees (so one organisation never reads another's results, even
of a course shared between them) and, with a period, to what was submitted in it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, distinct, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from lms.accounts.models import Employee, User
from lms.courses import evaluation
from lms.courses.models import (
    Course,
    CourseTrainer,
    CourseVersion,
    Enrollment,
    EvaluationResponse,
    Lesson,
)
from lms.extensions import db
from lms.quizzes.models import Attempt, AttemptState, Quiz
from lms.reports.queries import ReportFilter, employee_conditions, utc_bounds

#: attempts that count: submitted (an essay may still wait for its grade)
FINISHED = (AttemptState.NEEDS_GRADING, AttemptState.GRADED)


def quiz_conditions(f: ReportFilter) -> list[ColumnElement[bool]]:
    """Conditions on :class:`Attempt` (joined with Employee and Quiz) for the filter."""
    conditions = [Attempt.state.in_(FINISHED), *employee_conditions(f)]
    if f.course_id is not None:
        conditions.append(Quiz.course_id == f.course_id)
    if (bounds := utc_bounds(f)) is not None:
        conditions += [Attempt.submitted_at >= bounds[0], Attempt.submitted_at < bounds[1]]
    return conditions


def quiz_results(f: ReportFilter) -> Select[Any]:
    """Per quiz of each course: submitted attempts of the filter's employees, how many learners
    took it, the mean score in percent (graded attempts), and how many learners passed."""
    lesson = aliased(Lesson)
    return (
        select(
            Course.id.label("course_id"),
            Course.code,
            CourseVersion.title.label("course_title"),
            Quiz.id.label("quiz_id"),
            lesson.title.label("quiz_title"),
            func.count(Attempt.id).label("attempts"),
            func.count(distinct(Attempt.employee_id)).label("learners"),
            func.avg(Attempt.percent).label("mean_percent"),
            func.count(distinct(case((Attempt.is_passed.is_(True), Attempt.employee_id)))).label(
                "passed"
            ),
        )
        .select_from(Attempt)
        .join(Employee, Employee.id == Attempt.employee_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(Course, Course.id == Quiz.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
        .outerjoin(
            lesson,
            (lesson.version_id == Course.published_version_id) & (lesson.key == Quiz.lesson_key),
        )
        .where(*quiz_conditions(f))
        .group_by(Course.id, Course.code, CourseVersion.title, Quiz.id, lesson.title)
        .order_by(Course.code, Quiz.id)
    )


def evaluation_conditions(f: ReportFilter) -> list[ColumnElement[bool]]:
    """Conditions on :class:`EvaluationResponse` (joined with its enrolment and Employee)."""
    conditions = employee_conditions(f)
    if f.course_id is not None:
        conditions.append(EvaluationResponse.course_id == f.course_id)
    if (bounds := utc_bounds(f)) is not None:
        conditions += [
            EvaluationResponse.submitted_at >= bounds[0],
            EvaluationResponse.submitted_at < bounds[1],
        ]
    return conditions


def _responses() -> Select[Any]:
    return (
        select()
        .select_from(EvaluationResponse)
        .join(Enrollment, Enrollment.id == EvaluationResponse.enrollment_id)
        .join(Employee, Employee.id == Enrollment.employee_id)
    )


def evaluation_by_course(f: ReportFilter) -> Select[Any]:
    """The courses the filter's employees evaluated, with how many responses each."""
    return (
        _responses()
        .add_columns(
            Course.id.label("course_id"),
            Course.code,
            CourseVersion.title.label("course_title"),
            func.count(EvaluationResponse.id).label("responses"),
        )
        .join(Course, Course.id == EvaluationResponse.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(*evaluation_conditions(f))
        .group_by(Course.id, Course.code, CourseVersion.title)
        .order_by(Course.code)
    )


def evaluation_by_trainer(f: ReportFilter) -> Select[Any]:
    """The trainers of the courses the filter's employees evaluated, with how many responses
    their courses got."""
    trainer = aliased(Employee)
    return (
        _responses()
        .add_columns(
            User.id.label("user_id"),
            func.coalesce(trainer.name, User.email).label("trainer"),
            func.count(distinct(EvaluationResponse.course_id)).label("courses"),
            func.count(EvaluationResponse.id).label("responses"),
        )
        .join(CourseTrainer, CourseTrainer.course_id == EvaluationResponse.course_id)
        .join(User, User.id == CourseTrainer.user_id)
        .outerjoin(trainer, trainer.id == User.employee_id)
        .where(*evaluation_conditions(f))
        .group_by(User.id, trainer.name, User.email)
        .order_by(func.coalesce(trainer.name, User.email), User.id)
    )


def trainer_courses(f: ReportFilter, user_ids: list[int]) -> dict[int, list[int]]:
    """The evaluated courses of each of these trainers (one query)."""
    found: dict[int, list[int]] = {user_id: [] for user_id in user_ids}
    rows = db.session.execute(
        _responses()
        .add_columns(CourseTrainer.user_id, EvaluationResponse.course_id)
        .join(CourseTrainer, CourseTrainer.course_id == EvaluationResponse.course_id)
        .where(CourseTrainer.user_id.in_(user_ids or [0]), *evaluation_conditions(f))
        .distinct()
    )
    for user_id, course_id in rows:
        found[user_id].append(course_id)
    return found


def evaluation_results(
    f: ReportFilter, course_ids: list[int]
) -> tuple[int, list[evaluation.ItemResult], list[str]]:
    """Responses, per-statement results and comments of the filter's employees about the
    courses (all of them together)."""
    return evaluation.results(course_ids, where=evaluation_conditions(f))
