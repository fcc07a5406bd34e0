"""Report pages: HR's dashboard and reports of one organisation (each with the same filters,
pages and XLSX/CSV exports), and the supervisor's view of their direct reports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.accounts import policy as people
from lms.accounts.models import Employee, Organisation, Position, Unit
from lms.accounts.reference import golongan_choices
from lms.accounts.tree import units_in_tree_order
from lms.accounts.views_people import current_organisation
from lms.competencies import ledger
from lms.competencies.pages import parse_year
from lms.core.exports import csv_response, rows_of, xlsx_response
from lms.core.forms import choices
from lms.core.pagination import Page, paginate_rows, parse_page
from lms.core.urls import MAX_ID
from lms.courses.models import Course, CourseVersion, Visibility
from lms.extensions import db
from lms.reports import columns, learning, pages, policy, snapshots
from lms.reports import queries as q
from lms.reports.forms import ReportFilterForm

bp = Blueprint("reports", __name__)

#: years offered by the year selector, counted back from this year
YEARS_SHOWN = 5
#: employees per page of the completion matrix
MATRIX_PAGE = 25
#: courses or trainers per page of the evaluation report
EVALUATION_PAGE = 10
#: the ``format`` values that download a report instead of showing it
EXPORT_FORMATS = ("xlsx", "csv")
#: the query arguments of the filter, carried from one report to the next
FILTER_FIELDS = ("instansi", "tahun", "dari", "sampai", "unit", "kursus", "jabatan", "golongan")


@dataclass
class Scope:
    """What a report covers: the organisation, the filter form and the filter it gives."""

    organisation: Organisation
    form: ReportFilterForm
    filter: q.ReportFilter
    tree: list[tuple[Unit, int]]
    years: list[int]
    #: the valid filter arguments, for links that keep the filter
    args: dict[str, str]

    @property
    def is_year(self) -> bool:
        """The filter covers a calendar year (not a period chosen by dates)."""
        f = self.filter
        return bool(
            f.start and f.end and (f.start, f.end) == (date(f.year, 1, 1), date(f.year, 12, 31))
        )

    @property
    def period(self) -> str:
        """The period in words."""
        if self.is_year:
            return _("tahun %(year)d", year=self.filter.year)
        start, end = (format_date(d, "d MMMM yyyy") for d in (self.filter.start, self.filter.end))
        return f"{start} – {end}"

    def file_name(self, report: str) -> str:
        """A download's name: report, organisation, period (ASCII only)."""
        f = self.filter
        period = str(f.year) if self.is_year else f"{f.start}_{f.end}"
        return re.sub(
            r"[^A-Za-z0-9_.-]", "-", f"laporan-{report}-{self.organisation.code}-{period}"
        )


def _organisation() -> Organisation:
    """HR's own organisation; for admins the one named by ``instansi`` or chosen before."""
    if people.is_admin(current_user):
        raw = request.args.get("instansi", "")
        if raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= MAX_ID:
            chosen = db.session.get(Organisation, int(raw))
            if chosen is not None:
                return chosen
        return current_organisation()
    if people.is_hr(current_user):
        return current_user.organisation
    abort(403)


def _course_choices(organisation_id: int) -> list[tuple[object, str]]:
    rows = db.session.execute(
        select(Course.id, Course.code, CourseVersion.title)
        .join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(
            (Course.organisation_id == organisation_id) | (Course.visibility == Visibility.SHARED)
        )
        .order_by(Course.code)
    ).all()
    return [("", _("Semua kursus")), *((i, f"{code} – {title}") for i, code, title in rows)]


def _position_choices(organisation_id: int) -> list[tuple[object, str]]:
    # the unit tells apart positions of the same name (a Pengolah Data in several offices)
    rows = db.session.execute(
        select(Position.id, Position.name, Unit.name)
        .outerjoin(Unit, Unit.id == Position.unit_id)
        .where(Position.organisation_id == organisation_id)
        .order_by(Position.name, Unit.name, Position.id)
    ).all()
    return [
        ("", _("Semua jabatan")),
        *((i, f"{name} – {unit}" if unit else name) for i, name, unit in rows),
    ]


def _scope(*, export: bool = False) -> Scope:
    """The organisation and filter of an HR report page; invalid filter values are dropped
    with a message on the page (an export refuses them with a 400)."""
    organisation = _organisation()
    if not policy.can_view_reports(current_user, organisation.id):
        abort(403)
    tree = units_in_tree_order(organisation.id)
    form = ReportFilterForm(formdata=request.args)
    if people.is_admin(current_user):
        organisations = db.session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.name)
        ).all()
        form.instansi.choices = choices(organisations)
        form.instansi.data = organisation.id
    else:
        del form.instansi
    units = [(u.id, "\u2003" * depth + u.name) for u, depth in tree]
    form.unit.choices = choices([("", _("Semua unit")), *units])
    form.kursus.choices = choices(_course_choices(organisation.id))
    form.jabatan.choices = choices(_position_choices(organisation.id))
    form.golongan.choices = choices([("", _("Semua golongan")), *golongan_choices()])
    invalid: set[str] = set()
    if not form.validate():
        if export:
            abort(400)
        invalid = set(form.errors)
        if invalid & {"dari", "sampai"}:
            invalid |= {"dari", "sampai"}
        for name in invalid:
            form[name].data = "" if name == "golongan" else None
    today = date.today()
    if form.dari.data and form.sampai.data:
        f = q.ReportFilter(organisation.id, form.dari.data, form.sampai.data, today=today)
    else:
        f = q.ReportFilter.for_year(organisation.id, form.tahun.data or today.year, today=today)
    f.unit_id = form.unit.data
    f.course_id = form.kursus.data
    f.position_id = form.jabatan.data
    f.golongan = form.golongan.data or None
    years = list(range(today.year, today.year - YEARS_SHOWN, -1))
    if f.year not in years:
        years = sorted({*years, f.year}, reverse=True)
    args = {
        name: request.args[name]
        for name in FILTER_FIELDS
        if request.args.get(name) and name not in invalid and name in form
    }
    return Scope(organisation, form, f, tree, years, args)


def _export_format() -> str | None:
    """``?format=xlsx|csv``; anything else is a 400."""
    value = request.args.get("format")
    if value is not None and value not in EXPORT_FORMATS:
        abort(400)
    return value


def _download(
    scope: Scope, kind: str, report: str, sheet: str, headers: list[str], rows: Any
) -> Response:
    name = scope.file_name(report)
    if kind == "csv":
        return csv_response(name, headers, rows)
    return xlsx_response(name, sheet, headers, rows)


def _export(
    scope: Scope, kind: str, report: str, sheet: str, query: Any, report_columns: columns.Columns
) -> Response:
    """A report's query downloaded with the report's columns."""
    headers = columns.headers(report_columns)
    return _download(scope, kind, report, sheet, headers, rows_of(query, report_columns))


def _page() -> int:
    return parse_page(request.args.get("page"))


# --- the dashboard ------------------------------------------------------------------------------


def _breadcrumb(scope: Scope) -> list[tuple[int, str]]:
    """The selected unit and its parents, top first."""
    by_id = {unit.id: unit for unit, _depth in scope.tree}
    chain: list[tuple[int, str]] = []
    current = by_id.get(scope.filter.unit_id) if scope.filter.unit_id else None
    while current is not None and len(chain) < len(by_id):
        chain.append((current.id, current.name))
        current = by_id.get(current.parent_id) if current.parent_id else None
    return list(reversed(chain))


def _unit_label(row: pages.UnitRow) -> str:
    if row.kind == "direct":
        return _("Langsung di %(unit)s", unit=row.name)
    if row.kind == "none":
        return _("Tanpa unit kerja")
    return row.name


def _charts(data: pages.Dashboard) -> dict[str, Any]:
    """The dashboard charts' data, read by static/js/report-charts.js."""
    rate = _("Selesai (%)")
    jp = data.jp
    return {
        "units": {
            "labels": [_unit_label(r) for r in data.units if r.total],
            "datasets": [{"label": rate, "data": [r.rate for r in data.units if r.total]}],
            "percent": True,
        },
        "courses": {
            "labels": [r.code for r in data.courses],
            "titles": [r.title for r in data.courses],
            "datasets": [
                {
                    "label": rate,
                    "data": [pages.percent(r.completed, r.total) or 0 for r in data.courses],
                }
            ],
            "percent": True,
        },
        "jp": {
            "labels": [str(label) for label, _count in _jp_bands(jp)],
            "datasets": [{"label": _("Pegawai"), "data": [n for _label, n in _jp_bands(jp)]}],
            "percent": False,
        },
    }


def _jp_bands(jp: dict[str, int]) -> list[tuple[str, int]]:
    half = jp["target"] // 2
    return [
        (_("Belum ada JP"), jp["none"]),
        (_("1 sampai di bawah %(n)d JP", n=half), jp["under_half"]),
        (_("%(low)d sampai di bawah %(high)d JP", low=half, high=jp["target"]), jp["under_target"]),
        (_("%(n)d JP atau lebih", n=jp["target"]), jp["reached"]),
    ]


@bp.get("/laporan")
@login_required
def dashboard() -> str:
    """HR's dashboard: completion, overdue training, JP, expiring certificates and the largest
    gaps, by unit (``unit`` drills down to its sub-units and own staff) and by course."""
    scope = _scope()
    data = pages.dashboard(scope.filter, scope.tree)
    staff = None
    if scope.filter.unit_id is not None:
        staff = pages.unit_staff(scope.filter, _page(), current_app.config["PAGE_SIZE"])
    return render_template(
        "reports/dashboard.html",
        scope=scope,
        data=data,
        staff=staff,
        charts=_charts(data),
        breadcrumb=_breadcrumb(scope),
        unit_label=_unit_label,
        jp_bands=_jp_bands(data.jp),
        expiring_days=pages.EXPIRING_DAYS,
    )


@bp.get("/laporan/penyelesaian")
@login_required
def completion() -> str | Response:
    """The completion matrix (a page of employees × their courses), or the list of enrolments
    (``tampilan=daftar``, ``status=terlambat`` for overdue ones); exported one row per
    enrolment."""
    kind = _export_format()
    scope = _scope(export=kind is not None)
    f = scope.filter
    overdue_only = request.args.get("status") == "terlambat"
    query = q.overdue_rows(f) if overdue_only else q.completion_rows(f)
    if kind:
        return _export(scope, kind, "penyelesaian", _("Penyelesaian"), query, columns.COMPLETION)
    as_list = overdue_only or request.args.get("tampilan") == "daftar"
    counted = pages.completion_counts(f)
    totals = counted.value.totals
    rows = None
    if as_list:
        # the totals count the list's rows already: only the page itself is read
        count = totals["overdue" if overdue_only else "total"]
        rows = paginate_rows(query, _page(), current_app.config["PAGE_SIZE"], total=count)
    return render_template(
        "reports/completion.html",
        scope=scope,
        keep=("tampilan", "status"),
        totals=totals,
        as_of=counted.as_of,
        as_list=as_list,
        overdue_only=overdue_only,
        rows=rows,
        matrix=None if as_list else pages.matrix(f, _page(), MATRIX_PAGE, counted.value.employees),
    )


#: the pages whose kept numbers HR may have counted again at once
RECOUNT_PAGES = ("reports.dashboard", "reports.completion", "reports.jp")


@bp.post("/laporan/hitung-ulang")
@login_required
def recount() -> Response:
    """Count the kept numbers of the filter again now ("data as of" becomes now), then go back
    to the page (``halaman``: the dashboard or the completion report) with the same filter."""
    scope = _scope()
    endpoint = request.form.get("halaman", "")
    if endpoint not in RECOUNT_PAGES:
        endpoint = RECOUNT_PAGES[0]
    counted = snapshots.recount(scope.filter)
    if counted:
        flash(_("Angka laporan sudah dihitung ulang."), "success")
    else:
        flash(
            _("Angka laporan ini selalu dihitung langsung; tidak ada yang perlu diperbarui."),
            "info",
        )
    views = {"tampilan": "daftar", "status": "terlambat"}  # the completion report's views
    kept = {name: value for name, value in views.items() if request.form.get(name) == value}
    return redirect(url_for(endpoint, **scope.args, **kept))


@bp.get("/laporan/jp")
@login_required
def jp() -> str | Response:
    """JP earned per employee in the year of the filter, against the yearly target."""
    kind = _export_format()
    scope = _scope(export=kind is not None)
    query = q.jp_rows(scope.filter)
    if kind:
        return _export(scope, kind, "jp", _("JP"), query, columns.JP)
    counted = snapshots.read(pages.JP_ATTAINMENT, scope.filter)
    attainment = counted.value
    page, per_page = _page(), current_app.config["PAGE_SIZE"]
    return render_template(
        "reports/jp.html",
        scope=scope,
        attainment=attainment,
        as_of=counted.as_of,
        page=Page(
            items=q.jp_page(scope.filter, page, per_page),
            page=page,
            per_page=per_page,
            total=attainment["employees"],
        ),
    )


@bp.get("/laporan/kesenjangan")
@login_required
def gaps() -> str | Response:
    """The competency gap heatmap: units × competencies, the share of employees below their
    position's standard and the mean gap."""
    kind = _export_format()
    scope = _scope(export=kind is not None)
    if kind:
        query = q.gap_rows(scope.filter)
        return _export(scope, kind, "kesenjangan", _("Kesenjangan"), query, columns.GAPS)
    return render_template(
        "reports/gaps.html",
        scope=scope,
        heatmap=pages.heatmap(scope.filter, scope.tree, _page(), current_app.config["PAGE_SIZE"]),
    )


@bp.get("/laporan/kuis")
@login_required
def quizzes() -> str | Response:
    """Quiz results per course: attempts, learners, mean score and pass rate of the
    organisation's employees."""
    kind = _export_format()
    scope = _scope(export=kind is not None)
    query = learning.quiz_results(scope.filter)
    if kind:
        return _export(scope, kind, "kuis", _("Kuis"), query, columns.QUIZZES)
    return render_template(
        "reports/quizzes.html",
        scope=scope,
        page=paginate_rows(query, _page(), current_app.config["PAGE_SIZE"]),
    )


@bp.get("/laporan/evaluasi")
@login_required
def evaluations() -> str | Response:
    """Course evaluations (reaction) of the organisation's employees: responses and the mean
    of each statement, per course or per trainer (``per=pelatih``)."""
    kind = _export_format()
    scope = _scope(export=kind is not None)
    by_trainer = request.args.get("per") == "pelatih"
    if kind:
        report = "evaluasi-pelatih" if by_trainer else "evaluasi"
        headers = columns.evaluation_headers(by_trainer)
        rows = columns.evaluation_rows(scope.filter, by_trainer)
        return _download(scope, kind, report, _("Evaluasi"), headers, rows)
    show = pages.evaluations_by_trainer if by_trainer else pages.evaluations_by_course
    found, groups = show(scope.filter, _page(), EVALUATION_PAGE)
    return render_template(
        "reports/evaluations.html",
        scope=scope,
        keep=("per",),
        page=found,
        groups=groups,
        by_trainer=by_trainer,
    )


# --- the supervisor's team ----------------------------------------------------------------------


@bp.get("/laporan/tim")
@login_required
def team() -> str:
    """A supervisor's direct reports: their training by status, overdue items, JP of the year
    against the target, and how many competencies each has below the standard."""
    if not policy.can_view_team(current_user):
        abort(403)
    today = date.today()
    year = parse_year(request.args.get("tahun"), today)
    if year is None:
        abort(400)
    supervisor = db.session.get(Employee, current_user.employee_id)
    ids = list(
        db.session.scalars(
            select(Employee.id).where(
                Employee.supervisor_id == supervisor.id, Employee.is_active.is_(True)
            )
        )
    )
    f = q.ReportFilter.for_year(supervisor.organisation_id, year, employee_ids=ids, today=today)
    years = list(range(today.year, today.year - YEARS_SHOWN, -1))
    return render_template(
        "reports/team.html",
        year=year,
        years=years if year in years else sorted({*years, year}, reverse=True),
        team=pages.team(f, ledger.target()),
    )
