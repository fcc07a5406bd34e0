"""API endpoints for quizzes: attempts, answers, statistics, question import and export."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _

from lms.api import bp
from lms.api.auth import ApiError, api_user, token_required
from lms.api.views import _json_body
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.courses import policy as course_policy
from lms.courses import queries as course_queries
from lms.extensions import db
from lms.quizzes import attempts as taking
from lms.quizzes import bank, queries, statistics

#: HTTP status for each refusal code of the quiz services
STATUS = {
    "not_found": 404,
    "not_enrolled": 403,
    "closed": 403,
    "no_attempts_left": 409,
    "already_submitted": 409,
    "deadline_passed": 409,
    "conflict": 409,
    "empty_quiz": 409,
    "invalid_answer": 422,
}
#: largest question file accepted for import
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _refusal(error: DomainError) -> ApiError:
    db.session.rollback()
    return ApiError(STATUS.get(error.code, 422), error.code, error.message)


@bp.post("/quizzes/<int:quiz_id>/attempts")
@token_required
def start_attempt(quiz_id: int) -> tuple[Response, int]:
    """Start an attempt, or resume the open one with its questions, answers and deadline."""
    user = api_user()
    now = utcnow()
    try:
        quiz, _course, _lesson, _enrollment = queries.quiz_for_learner(quiz_id, user)
        attempt, created = taking.start_or_resume(quiz, user, now=now)
    except DomainError as error:
        raise _refusal(error) from None
    body = queries.attempt_json(attempt, now)  # before the commit expires what it reads
    db.session.commit()
    return jsonify(body), 201 if created else 200


@bp.put("/attempts/<int:attempt_id>/answers/<int:slot>")
@token_required
def save_answer(attempt_id: int, slot: int) -> Response:
    """Save the answer to one slot (the last answer given counts)."""
    user = api_user()
    now = utcnow()
    try:
        attempt, found = queries.own_attempt_for_answer(attempt_id, user, slot)
    except DomainError as error:
        raise _refusal(error) from None
    body = _json_body()
    if "answer" not in body:
        raise ApiError(422, "invalid_answer", _('Kirim {"answer": …}.'))
    try:
        saved = taking.save_answer(attempt, slot, body["answer"], now=now, found=found)
    except DomainError as error:
        raise _refusal(error) from None
    response = jsonify(
        slot=saved.slot,
        answer=saved.answer,
        saved_at=now.isoformat(),
        remaining_seconds=queries.remaining_seconds(attempt, now),
    )
    db.session.commit()
    return response


@bp.post("/attempts/<int:attempt_id>/submit")
@token_required
def submit_attempt(attempt_id: int) -> Response:
    """Submit and grade the attempt; submitting again returns the same result."""
    user = api_user()
    now = utcnow()
    try:
        attempt = queries.own_attempt(attempt_id, user, lock=True)
    except DomainError as error:
        raise _refusal(error) from None
    taking.submit(attempt, now=now, auto=taking.is_past_deadline(attempt, now))
    response = jsonify(queries.result_json(attempt))
    db.session.commit()
    return response


@bp.get("/attempts/<int:attempt_id>")
@token_required
def get_attempt(attempt_id: int) -> Response:
    """An attempt: questions and saved answers while open; the result and review afterwards."""
    user = api_user()
    now = utcnow()
    try:
        attempt, as_trainer = queries.readable_attempt(attempt_id, user)
    except DomainError as error:
        raise _refusal(error) from None
    if attempt.is_open and taking.is_past_deadline(attempt, now):
        taking.finish_overdue(now=now, quiz_id=attempt.quiz_id, employee_id=attempt.employee_id)
        db.session.commit()
        db.session.refresh(attempt)
    return jsonify(queries.attempt_json(attempt, now, full=as_trainer))


@bp.get("/quizzes/<int:quiz_id>/statistics")
@token_required
def quiz_statistics(quiz_id: int) -> Response:
    """Item analysis of a quiz (trainers of the course)."""
    try:
        quiz, _course = queries.quiz_for_trainer(quiz_id, api_user())
    except DomainError as error:
        raise _refusal(error) from None
    return jsonify(statistics.quiz_statistics(quiz).as_json())


def _editable_course(code: str) -> Any:
    course = course_queries.course_by_code(code)
    if course is None or not course_policy.can_edit_course(api_user(), course):
        raise ApiError(404, "not_found", _("Kursus tidak ditemukan."))
    return course


@bp.get("/courses/<code>/questions/export")
@token_required
def export_questions(code: str) -> Response:
    """The course's question bank as GIFT or Moodle XML."""
    course = _editable_course(code)
    kind = request.args.get("format", "gift")
    if kind not in ("gift", "moodlexml"):
        raise ApiError(422, "invalid", _("Format harus gift atau moodlexml."))
    content, _problems = bank.export(bank.bank_questions(course.organisation_id, course.id), kind)
    suffix, mime = (
        ("gift.txt", "text/plain; charset=utf-8")
        if kind == "gift"
        else ("xml", "application/xml; charset=utf-8")
    )
    response = Response(content, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{course.code}-soal.{suffix}"'
    return response


@bp.post("/courses/<code>/questions/import")
@token_required
def import_questions(code: str) -> tuple[Response, int]:
    """Read a GIFT or Moodle XML file: always report problems; import only when not a dry run."""
    user = api_user()
    course = _editable_course(code)
    kind = request.form.get("format", "")
    dry_run = request.form.get("dry_run", "1")
    if kind not in ("gift", "moodlexml"):
        raise ApiError(422, "invalid", _("Format harus gift atau moodlexml."))
    if dry_run not in ("0", "1"):
        raise ApiError(422, "invalid", _("dry_run harus 0 atau 1."))
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "missing_file", _("Sertakan berkas pada field file."))
    content = upload.stream.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise ApiError(413, "too_large", _("Berkas soal paling besar 20 MB."))
    result = bank.parse_file(content, kind)
    imported = 0
    if dry_run == "0" and result.questions:
        try:
            imported = len(
                bank.import_questions(
                    course.organisation_id,
                    course.id,
                    result.questions,
                    default_category=course.code,
                    actor=user,
                )
            )
        except DomainError as error:
            db.session.rollback()
            raise ApiError(422, error.code, error.message) from None
        db.session.commit()
    body: dict[str, Any] = {
        "imported": imported,
        "questions": [
            {"type": q.type.value, "title": q.title, "category": q.category or course.code}
            for q in result.questions
        ],
        "errors": [{"line": p.line, "message": p.message} for p in result.errors],
    }
    if not result.questions:  # nothing to import, in a preview as in an import: as on the web
        body["error"] = {
            "code": "no_questions",
            "message": _("Tidak ada soal yang dapat diimpor; lihat daftar errors."),
        }
        return jsonify(body), 422
    return jsonify(body), 201 if imported else 200
