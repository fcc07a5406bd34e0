"""Competency pages: the profile with its gaps and recommendations, one-click enrolment, the JP
ledger, the supervisor's team and HR's JP overview of the organisation."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.accounts import policy as people
from lms.accounts.models import Employee
from lms.accounts.tree import unit_subtree_ids, units_in_tree_order
from lms.competencies import ledger, pages, policy
from lms.competencies.profile import ProfileRow, profile
from lms.competencies.recommendations import Recommendation, learning_path, recommendations
from lms.core.errors import DomainError
from lms.core.pagination import parse_page
from lms.core.urls import MAX_ID
from lms.courses import enrollment as enrolment
from lms.courses import policy as course_policy
from lms.courses.models import Course, EnrollmentSource
from lms.extensions import db

bp = Blueprint("competencies", __name__)

#: years offered by the year selectors, counted back from this year
YEARS_SHOWN = 5


def _year() -> int:
    """The ``tahun`` query argument; a malformed one is a 400."""
    year = pages.parse_year(request.args.get("tahun"), date.today())
    if year is None:
        abort(400)
    return year


def _years(selected: int) -> list[int]:
    this_year = date.today().year
    years = list(range(this_year, this_year - YEARS_SHOWN, -1))
    return years if selected in years else sorted({*years, selected}, reverse=True)


def _by_gap(
    rows: list[ProfileRow], ranked: list[Recommendation]
) -> list[tuple[ProfileRow, list[Recommendation]]]:
    """Each gap, largest first, with the ranked courses that close part of it."""
    gaps = sorted((r for r in rows if r.gap > 0), key=lambda r: (-r.gap, r.competency.code))
    return [
        (row, [r for r in ranked if any(code == row.competency.code for code, *_ in r.closes)])
        for row in gaps
    ]


def _chart(rows: list[ProfileRow]) -> dict[str, Any] | None:
    """The radar chart's data (required against current); a radar needs three axes."""
    if len(rows) < 3:
        return None
    return {
        "labels": [r.competency.code for r in rows],
        "names": [r.competency.name for r in rows],
        "required": [r.required for r in rows],
        "current": [r.current for r in rows],
        "required_label": _("Standar jabatan"),
        "current_label": _("Level saat ini"),
    }


def _render_profile(employee: Employee) -> str:
    today = date.today()
    rows = profile(employee, today)
    ranked = recommendations(employee, rows)
    path = learning_path(employee, today.year, rows=rows, ranked=ranked)
    return render_template(
        "competencies/profile.html",
        employee=employee,
        own=policy.is_own(current_user, employee),
        rows=rows,
        levels=pages.levels_by_competency(r.competency.id for r in rows),
        by_gap=_by_gap(rows, ranked),
        path=path,
        target=ledger.target(),
        chart=_chart(rows),
        today=today,
        can_view_team=policy.is_own(current_user, employee) and policy.can_view_team(current_user),
    )


@bp.get("/kompetensi")
@login_required
def mine() -> str:
    """The learner's own competency profile, gaps and what to learn next."""
    employee = policy.own_employee(current_user)
    if employee is None:
        abort(404)
    return _render_profile(employee)


@bp.get("/kompetensi/pegawai/<nip>")
@login_required
def employee(nip: str) -> str:
    """An employee's profile for their supervisor, HR of their organisation and admins."""
    found = policy.employee_by_nip(current_user, nip)
    if found is None:
        abort(404)
    return _render_profile(found)


@bp.post("/kompetensi/kursus/<code>/daftar")
@login_required
def enrol(code: str) -> Response:
    """One-click enrolment from a recommendation, for courses open to self-enrolment."""
    course = db.session.scalar(
        select(Course).where(Course.code == code[:30], course_policy.catalog_scope(current_user))
    )
    if course is None or current_user.employee is None:
        abort(404)
    try:
        enrolment.enrol(
            course, current_user.employee, source=EnrollmentSource.SELF, actor=current_user
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Anda terdaftar di kursus %(code)s. Selamat belajar!", code=course.code), "success")
    return redirect(url_for("competencies.mine", _anchor="rekomendasi"))


@bp.get("/kompetensi/jp")
@login_required
def jp() -> str:
    """The learner's JP ledger for a year against the yearly target."""
    if current_user.employee is None:
        abort(404)
    year = _year()
    items, earned = ledger.ledger(current_user.employee, year)
    target = ledger.target()
    return render_template(
        "competencies/jp.html",
        year=year,
        years=_years(year),
        items=items,
        earned=earned,
        target=target,
        percent=min(100, round(100 * earned / target)) if target else 100,
    )


@bp.get("/kompetensi/tim")
@login_required
def team() -> str:
    """The supervisor's direct reports: JP of the year and gaps to their positions' standards."""
    if not policy.can_view_team(current_user):
        abort(403)
    year = _year()
    return render_template(
        "competencies/team.html",
        year=year,
        years=_years(year),
        members=pages.team(current_user.employee_id, year),
        target=ledger.target(),
    )


@bp.get("/kompetensi/jp-instansi")
@login_required
def organisation_jp() -> str:
    """HR's overview of everyone's JP in the organisation (or a unit), against the target."""
    if people.is_admin(current_user):
        from lms.accounts.views_people import current_organisation

        organisation = current_organisation()
    elif people.is_hr(current_user):
        organisation = current_user.organisation
    else:
        abort(403)
    if not policy.can_view_organisation_jp(current_user, organisation.id):
        abort(403)
    year = _year()
    unit_id = request.args.get("unit", type=int)
    unit_ids = None
    if unit_id is not None:
        unit_ids = unit_subtree_ids(unit_id, organisation.id) if 0 < unit_id <= MAX_ID else set()
    result, summary = pages.organisation_jp(
        organisation.id,
        year,
        unit_ids,
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "competencies/organisation_jp.html",
        organisation=organisation,
        year=year,
        years=_years(year),
        unit_id=unit_id,
        units=[(u.id, "\u2003" * d + u.name) for u, d in units_in_tree_order(organisation.id)],
        page=result,
        summary=summary,
        target=ledger.target(),
    )
