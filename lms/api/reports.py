"""Integration API for SIASN-like systems: completion and JP reports of the caller's
organisation (HR; admins name the organisation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts import policy as people
from lms.accounts.models import Organisation, Unit
from lms.api import bp
from lms.api.auth import ApiError, api_user, token_required
from lms.api.views import _page_arg
from lms.core.urls import MAX_ID
from lms.courses.models import Course
from lms.extensions import db
from lms.reports import queries

PER_PAGE = 100


def _filter() -> queries.ReportFilter:
    """The report filter from the query string, for the caller's organisation."""
    user = api_user()
    if not (people.is_hr(user) or people.is_admin(user)):
        raise ApiError(403, "forbidden", _("Laporan hanya untuk BKPSDM."))
    organisation_id = user.organisation_id
    code = request.args.get("organisation", "").strip()[:20]
    if people.is_admin(user) and code:
        organisation_id = db.session.scalar(
            select(Organisation.id).where(Organisation.code == code.upper())
        )
        if organisation_id is None:
            raise ApiError(404, "not_found", _("Instansi tidak ditemukan."))
    if organisation_id is None:
        raise ApiError(422, "invalid_parameter", _("Sebutkan instansi dengan organisation=KODE."))
    raw_year = request.args.get("year", str(date.today().year))
    if not (raw_year.isascii() and raw_year.isdigit() and 2000 <= int(raw_year) <= 2100):
        raise ApiError(400, "invalid_parameter", _("Parameter year harus tahun, mis. 2026."))
    f = queries.ReportFilter.for_year(organisation_id, int(raw_year))
    unit_arg = request.args.get("unit", "").strip()[:30]
    if unit_arg:
        unit_query = select(Unit.id).where(Unit.organisation_id == organisation_id)
        unit_query = unit_query.where(
            Unit.id == int(unit_arg)
            if unit_arg.isascii() and unit_arg.isdigit() and int(unit_arg) <= MAX_ID
            else Unit.code == unit_arg.upper()
        )
        f.unit_id = db.session.scalar(unit_query.limit(1))
        if f.unit_id is None:
            raise ApiError(404, "unit_not_found", _("Unit kerja tidak ditemukan."))
    return f


def _rows_and_totals(
    f: queries.ReportFilter,
    query: Any,
    item: Callable[[Any], dict[str, Any]],
    totals: Any,
    total: int,
) -> Response:
    """A page of the report's rows (``item`` makes each one JSON) with the totals of all;
    ``query`` is a select, or a function of (page, per page) that reads the page itself;
    ``total`` is how many rows there are (the totals count them already)."""
    page = _page_arg()
    if callable(query):  # reads its own page
        rows = query(page, PER_PAGE)
    else:
        rows = db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return jsonify(
        year=f.year,
        items=[item(row) for row in rows],
        totals=totals,
        page=page,
        per_page=PER_PAGE,
        total=total,
        pages=max(1, -(-total // PER_PAGE)),
    )


def _employee(row: Any) -> dict[str, Any]:
    return {"nip": row.nip, "name": row.name, "unit": row.unit}


@bp.get("/reports/completion")
@token_required
def completion_report() -> Response:
    """Enrolments of the organisation's employees in the year: status, due date, completion."""
    f = _filter()
    course_arg = request.args.get("course", "").strip()[:30]
    if course_arg:
        f.course_id = db.session.scalar(select(Course.id).where(Course.code == course_arg.upper()))
        if f.course_id is None:
            raise ApiError(404, "not_found", _("Kursus tidak ditemukan."))
    totals = queries.completion_totals(f)
    return _rows_and_totals(
        f,
        queries.completion_rows(f),
        lambda r: {
            **_employee(r),
            "course": r.course,
            "course_title": r.course_title,
            "jp": r.jp,
            "status": r.status,
            "progress": r.progress_percent,
            "due_date": r.due_date.isoformat() if r.due_date else None,
            "completed_at": r.completed_at.isoformat() if r.completed_at else None,
        },
        totals,
        totals["total"],
    )


@bp.get("/reports/jp")
@token_required
def jp_report() -> Response:
    """JP earned in the year per employee of the organisation, against the target."""
    f = _filter()
    totals = queries.jp_attainment(f)
    return _rows_and_totals(
        f,
        lambda page, per_page: queries.jp_page(f, page, per_page),
        lambda r: {**_employee(r), "earned": r.earned, "target": r.target},
        totals,
        totals["employees"],
    )
