"""API endpoints for courses, enrolments and lesson completion."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.accounts import policy as people
from lms.accounts.models import Employee
from lms.accounts.nip import normalise_nip
from lms.api import bp
from lms.api.auth import ApiError, api_user, token_required
from lms.api.views import _json_body, _page_arg
from lms.core.errors import DomainError
from lms.core.pagination import paginate
from lms.courses import enrollment as enrolment
from lms.courses import policy, queries, watching
from lms.courses.models import Course, Enrollment, EnrollmentSource, Lesson, LessonType
from lms.extensions import db
from lms.quizzes import attempts as quiz_attempts

PER_PAGE = 50


def course_json(course: Course) -> dict[str, Any]:
    """A course as the catalog lists it."""
    version = course.published_version or course.draft_version
    return {
        "code": course.code,
        "title": version.title,
        "summary": version.summary,
        "category": course.category.name,
        "jp": version.jp,
        "competencies": [{"code": c.code, "level": c.level} for c in course.competencies],
        "organisation": {"code": course.organisation.code, "name": course.organisation.name},
        "visibility": course.visibility.value,
        "self_enrollment": course.self_enrollment,
        "status": course.status.value,
    }


def enrollment_json(item: Enrollment, today: date) -> dict[str, Any]:
    """An enrolment with its standing."""
    return {
        "course": item.course.code,
        "status": item.status(today).value,
        "progress": item.progress_percent,
        "due_date": item.due_date.isoformat() if item.due_date else None,
        "completed_at": item.completed_at.isoformat() if item.completed_at else None,
        "source": item.source.value,
    }


def _visible_course(code: str) -> Course:
    course = queries.course_by_code(code)
    if course is None or not policy.can_view_course(api_user(), course):
        raise ApiError(404, "not_found", _("Kursus tidak ditemukan."))
    return course


@bp.get("/courses")
@token_required
def courses() -> Response:
    """Published courses the caller's organisation may take."""
    query = queries.catalog_query(
        api_user(),
        q=request.args.get("q", "").strip()[:100],
        competency=request.args.get("competency", "").strip()[:20],
    )
    page = paginate(query, _page_arg(), PER_PAGE)
    return jsonify(
        items=[course_json(c) for c in page.items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
    )


@bp.get("/courses/<code>")
@token_required
def course(code: str) -> Response:
    """One course with its outline: modules and lessons with id and type."""
    found = _visible_course(code)
    version = found.published_version or found.draft_version
    body = course_json(found)
    body["description"] = version.description
    body["trainers"] = [t.user.display_name for t in found.trainers]
    body["prerequisites"] = [p.required_course.code for p in found.prerequisites]
    quiz_ids = quiz_attempts.quiz_ids(found.id)
    body["modules"] = [
        {
            "title": module.title,
            "lessons": [
                {
                    "id": lesson.id,
                    "title": lesson.title,
                    "type": lesson.lesson_type.value,
                    "required": lesson.is_required,
                }
                | (
                    {"quiz_id": quiz_ids.get(lesson.key)}
                    if lesson.lesson_type is LessonType.QUIZ
                    else {}
                )
                for lesson in module.lessons
            ],
        }
        for module in queries.outline(version.id)
    ]
    return jsonify(body)


@bp.get("/me/enrollments")
@token_required
def my_enrollments() -> Response:
    """The caller's enrolments: course, status, progress, due date, completion."""
    user = api_user()
    if user.employee_id is None:
        return jsonify(items=[])
    today = date.today()
    return jsonify(
        items=[enrollment_json(e, today) for e in queries.my_enrollments(user.employee_id)]
    )


@bp.post("/enrollments")
@token_required
def create_enrollment() -> tuple[Response, int]:
    """HR enrol an employee of their organisation in a course (idempotent)."""
    user = api_user()
    if not (people.is_hr(user) or people.is_admin(user)):
        raise ApiError(403, "forbidden", _("Hanya BKPSDM yang dapat menugaskan kursus."))
    body = _json_body()
    nip, code, due = body.get("nip"), body.get("course"), body.get("due_date")
    if not isinstance(nip, str) or not isinstance(code, str):
        raise ApiError(422, "invalid", _("Isi nip dan course sebagai teks."))
    due_date = None
    if due is not None:
        try:
            due_date = date.fromisoformat(due) if isinstance(due, str) else None
        except ValueError:
            due_date = None
        if due_date is None:
            raise ApiError(422, "invalid_date", _("due_date harus tanggal YYYY-MM-DD."))
        if due_date < date.today():
            raise ApiError(422, "invalid_date", _("Tenggat tidak boleh di masa lalu."))
    query = select(Employee).where(Employee.nip == normalise_nip(nip))
    if not people.is_admin(user):
        query = query.where(Employee.organisation_id == user.organisation_id)
    employee = db.session.scalar(query)
    if employee is None:
        raise ApiError(404, "employee_not_found", _("Pegawai tidak ditemukan di instansi Anda."))
    course = _visible_course(code)
    try:
        enrollment, changed = enrolment.enrol(
            course, employee, source=EnrollmentSource.ASSIGNED, actor=user, due_date=due_date
        )
    except DomainError as error:
        db.session.rollback()
        raise ApiError(409, error.code, error.message) from None
    db.session.commit()
    return jsonify(enrollment_json(enrollment, date.today()) | {"nip": employee.nip}), (
        201 if changed else 200
    )


@bp.get("/courses/<code>/enrollments")
@token_required
def course_enrollments(code: str) -> Response:
    """Learners of a course: trainers and admins see all, HR their organisation's."""
    user = api_user()
    found = queries.course_by_code(code)
    if found is None or not policy.can_view_learners(user, found):
        raise ApiError(404, "not_found", _("Kursus tidak ditemukan."))
    query = (
        select(Enrollment)
        .join(Employee)
        .options(joinedload(Enrollment.employee), joinedload(Enrollment.course))
        .where(Enrollment.course_id == found.id, Enrollment.withdrawn_at.is_(None))
        .order_by(Employee.name, Enrollment.id)
    )
    if not (policy.is_course_trainer(user, found) or people.is_admin(user)):
        # HR see their own organisation's employees only, also in a course it owns
        query = query.where(Employee.organisation_id == user.organisation_id)
    page = paginate(query, _page_arg(), PER_PAGE)
    today = date.today()
    return jsonify(
        items=[
            enrollment_json(e, today) | {"nip": e.employee.nip, "name": e.employee.name}
            for e in page.items
        ],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
    )


def _published_lesson(lesson_id: int) -> tuple[Course, Lesson]:
    """A lesson of a published course version the caller may see, or a 404."""
    lesson = db.session.get(Lesson, lesson_id)
    course = None
    if lesson is not None:
        course = db.session.scalar(
            select(Course).where(Course.published_version_id == lesson.version_id)
        )
    if course is None or not policy.can_view_course(api_user(), course):
        raise ApiError(404, "not_found", _("Pelajaran tidak ditemukan."))
    return course, lesson


@bp.post("/lessons/<int:lesson_id>/complete")
@token_required
def complete_lesson(lesson_id: int) -> Response:
    """Mark a text, file or link lesson done for the caller."""
    user = api_user()
    course, lesson = _published_lesson(lesson_id)
    if lesson.lesson_type not in (LessonType.TEXT, LessonType.FILE, LessonType.LINK):
        raise ApiError(
            409,
            "not_self_completable",
            _("Hanya pelajaran teks, berkas dan tautan yang dapat ditandai selesai lewat API."),
        )
    mine = enrolment.active_enrollment(course, user.employee_id)
    if mine is None:
        raise ApiError(403, "not_enrolled", _("Anda tidak terdaftar di kursus ini."))
    try:
        enrolment.complete_lesson(mine, lesson)
    except DomainError as error:
        db.session.rollback()
        raise ApiError(409, error.code, error.message) from None
    db.session.commit()
    return jsonify(enrollment_json(mine, date.today()) | {"lesson": lesson.id, "completed": True})


@bp.post("/lessons/<int:lesson_id>/watch")
@token_required
def watch_lesson(lesson_id: int) -> Response:
    """Report a played stretch of a video lesson; each second counts once, at most 2× speed."""
    user = api_user()
    course, lesson = _published_lesson(lesson_id)
    mine = enrolment.active_enrollment(course, user.employee_id)
    if mine is None:
        raise ApiError(403, "not_enrolled", _("Anda tidak terdaftar di kursus ini."))
    body = _json_body()
    try:
        result = watching.record_watch(
            mine, lesson, body.get("from"), body.get("to"), body.get("position")
        )
    except DomainError as error:
        db.session.rollback()
        raise ApiError(422, error.code, error.message) from None
    db.session.commit()
    return jsonify(
        watched_percent=result.watched_percent,
        completed=result.completed,
        position=result.position,
    )
