"""API endpoints for competencies: the dictionary, an employee's profile, recommendations and
JP ledger, scoped like the employee endpoints (404 outside the caller's scope)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _

from lms.accounts.models import Employee
from lms.api import bp
from lms.api.auth import ApiError, api_user, token_required
from lms.competencies import ledger, pages, policy
from lms.competencies.profile import dictionary, profile
from lms.competencies.recommendations import Recommendation, learning_path, recommendations


def _employee(nip: str) -> Employee:
    """The employee by NIP within the caller's scope: 400 for a malformed NIP, else 404."""
    if policy.clean_nip(nip) is None:
        raise ApiError(400, "invalid_nip", _("NIP harus 18 digit angka."))
    found = policy.employee_by_nip(api_user(), nip)
    if found is None:
        raise ApiError(404, "not_found", _("Pegawai tidak ditemukan."))
    return found


def _recommendation_json(item: Recommendation) -> dict[str, Any]:
    due = item.enrollment.due_date if item.is_mandatory and item.enrollment else None
    return {
        "code": item.course.code,
        "title": item.course.published_version.title,
        "jp": item.jp,
        "closes": [
            {"competency": code, "from": start, "to": to} for code, start, to in item.closes
        ],
        "mandatory": item.is_mandatory,
        "due_date": due.isoformat() if due else None,
        "enrolled": item.enrollment is not None,
        "self_enrollment": item.course.self_enrollment,
    }


@bp.get("/competencies")
@token_required
def competencies() -> Response:
    """The caller's organisation's dictionary: national and its own technical competencies."""
    found = dictionary(api_user().organisation_id)
    levels = pages.levels_by_competency(c.id for c in found)
    return jsonify(
        items=[
            {
                "code": c.code,
                "name": c.name,
                "kind": c.kind.value,
                "definition": c.definition,
                "national": c.organisation_id is None,
                "levels": [
                    {"level": level.level, "title": level.title, "indicators": level.indicators}
                    for level in levels[c.id]
                ],
            }
            for c in found
        ]
    )


@bp.get("/employees/<nip>/competencies")
@token_required
def employee_competencies(nip: str) -> Response:
    """The employee's profile: required and current level, gap and evidence per competency."""
    employee = _employee(nip)
    rows = profile(employee)
    return jsonify(
        [
            {
                "code": row.competency.code,
                "name": row.competency.name,
                "kind": row.competency.kind.value,
                "required": row.required,
                "current": row.current,
                "gap": row.gap,
                "evidence": [
                    {
                        "source": e.source.value,
                        "label": e.label,
                        "level": e.level,
                        "score": e.score,
                        "demonstrated": e.is_demonstrated,
                        "date": e.observed_on.isoformat(),
                        "valid_until": e.valid_until.isoformat() if e.valid_until else None,
                    }
                    for e in row.evidence
                ],
            }
            for row in rows
        ]
    )


@bp.get("/employees/<nip>/recommendations")
@token_required
def employee_recommendations(nip: str) -> Response:
    """Courses that close the employee's gaps, best first, and this year's learning path."""
    employee = _employee(nip)
    year = date.today().year
    rows = profile(employee)
    ranked = recommendations(employee, rows)
    path = learning_path(employee, year, rows=rows, ranked=ranked)
    return jsonify(
        courses=[_recommendation_json(item) for item in ranked],
        learning_path={
            "year": path.year,
            "budget": path.budget,
            "jp": path.jp,
            "courses": [item.course.code for item in path.courses],
            "remaining_gaps": path.remaining_gaps,
        },
    )


@bp.get("/employees/<nip>/jp")
@token_required
def employee_jp(nip: str) -> Response:
    """The employee's JP ledger for a year (default this year) against the yearly target."""
    year = pages.parse_year(request.args.get("year"), date.today())
    if year is None:
        raise ApiError(
            400,
            "invalid_year",
            _("Parameter year harus tahun empat digit, %(first)d sampai tahun depan.",
              first=pages.FIRST_YEAR),
        )  # fmt: skip
    employee = _employee(nip)
    items, earned = ledger.ledger(employee, year)
    return jsonify(
        year=year,
        earned=earned,
        target=ledger.target(),
        items=[
            {
                "kind": item.kind,
                "title": item.title,
                "jp": item.jp,
                "date": item.on.isoformat(),
                "reference": item.reference,
            }
            for item in items
        ],
    )
