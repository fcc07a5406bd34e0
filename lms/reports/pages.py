"""What the report pages show, put together from the queries with a fixed number of them
whatever the data size: the dashboard with its drill-down, the completion matrix, the gap
heatmap, evaluations and the supervisor's team."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select

from lms.accounts.models import Employee, Unit
from lms.certificates.models import Certificate
from lms.competencies.models import Competency, CompetencyKind
from lms.core.pagination import Page, paginate_rows
from lms.courses.evaluation import ItemResult
from lms.extensions import db
from lms.reports import learning, snapshots
from lms.reports import queries as q


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` in whole percent, None when there is no whole."""
    return round(100 * part / whole) if whole else None


# --- the dashboard ------------------------------------------------------------------------------


@dataclass
class UnitRow:
    """One line of the drill-down: a sub-unit with everything below it, the selected unit's
    own staff, or the employees without a unit."""

    unit_id: int | None
    name: str
    kind: str  # "unit", "direct" (the selected unit's own staff) or "none" (no unit)
    has_children: bool = False
    total: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def rate(self) -> int | None:
        """Completed enrolments in percent."""
        return percent(self.completed, self.total)


def drill_down(
    f: q.ReportFilter,
    tree: list[tuple[Unit, int]],
    totals: dict[str, int],
    units: list[Any] | None = None,
) -> list[UnitRow]:
    """The children of the filter's unit (the top-level units without one), each with the
    enrolments of its whole sub-tree; then the unit's own staff, or those without a unit.
    ``units`` are the counts per unit when they were read already."""
    parent = {unit.id: unit.parent_id for unit, _depth in tree}
    selected = f.unit_id
    has_children = {unit.parent_id for unit, _depth in tree}

    def is_top(unit: Unit) -> bool:
        if selected is None:
            return unit.parent_id is None or unit.parent_id not in parent
        return unit.parent_id == selected

    rows = {
        unit.id: UnitRow(unit.id, unit.name, "unit", unit.id in has_children)
        for unit, _depth in tree
        if is_top(unit) and unit.id != selected
    }
    direct = None
    if selected is not None:
        name = next((unit.name for unit, _depth in tree if unit.id == selected), "")
        direct = UnitRow(selected, name, "direct")

    def bucket(unit_id: int) -> UnitRow | None:
        seen: set[int] = set()
        current: int | None = unit_id
        while current is not None and current not in seen:
            if current == selected:
                return direct
            if current in rows:
                return rows[current]
            seen.add(current)
            current = parent.get(current)
        return None

    counted = 0
    for line in q.completion_by_unit(f) if units is None else units:
        target = bucket(line.id)
        if target is not None:
            target.total += line.total
            target.completed += line.completed
            target.overdue += line.overdue
            counted += line.total
    found = list(rows.values())
    if direct is not None:
        found.append(direct)
    elif totals["total"] > counted:
        found.append(
            UnitRow(
                None,
                "",
                "none",
                total=totals["total"] - counted,
                completed=totals["completed"] - sum(r.completed for r in found),
                overdue=totals["overdue"] - sum(r.overdue for r in found),
            )
        )
    return found


class GapRow(NamedTuple):
    """A competency with the employees below its standard."""

    code: str
    name: str
    required_count: int
    short: int
    mean_gap: float


@dataclass
class DashboardCounts:
    """The dashboard's expensive numbers: enrolments by status in total, per unit and per
    course; employees by JP earned; the largest competency gaps."""

    overview: q.Overview
    jp: dict[str, int]
    gaps: list[GapRow]


def _count_dashboard(f: q.ReportFilter) -> DashboardCounts:
    return DashboardCounts(
        overview=q.completion_overview(f),
        jp=q.jp_bands(f),
        gaps=[GapRow(*row) for row in q.largest_gaps(f)],
    )


def _dump_dashboard(counts: DashboardCounts) -> dict[str, Any]:
    overview = counts.overview
    return {
        "totals": overview.totals,
        "units": [list(row) for row in overview.units],
        "courses": [list(row) for row in overview.courses],
        "jp": counts.jp,
        "gaps": [list(row) for row in counts.gaps],
    }


def _load_dashboard(data: dict[str, Any]) -> DashboardCounts:
    def ints(values: dict[str, Any]) -> dict[str, int]:
        return {name: int(value) for name, value in values.items()}

    return DashboardCounts(
        overview=q.Overview(
            totals=ints(data["totals"]),
            units=[q.UnitCounts(*row) for row in data["units"]],
            courses=[q.CourseCounts(*row) for row in data["courses"]],
        ),
        jp=ints(data["jp"]),
        gaps=[GapRow(*row) for row in data["gaps"]],
    )


DASHBOARD = snapshots.register(
    snapshots.Aggregate("dashboard", _count_dashboard, _dump_dashboard, _load_dashboard)
)


@dataclass
class CompletionCounts:
    """The completion report's totals by status, and how many employees the matrix pages
    through."""

    totals: dict[str, int]
    employees: int


def _count_completion(f: q.ReportFilter) -> CompletionCounts:
    enrolled = q.enrolled_employees(f).order_by(None).subquery()
    return CompletionCounts(
        totals=q.completion_totals(f),
        employees=db.session.scalar(select(func.count()).select_from(enrolled)) or 0,
    )


def _dump_completion(counts: CompletionCounts) -> dict[str, Any]:
    return {"totals": counts.totals, "employees": counts.employees}


def _load_completion(data: dict[str, Any]) -> CompletionCounts:
    totals = data["totals"]
    return CompletionCounts(
        totals={name: int(totals[name]) for name in q.STATUS_COUNTS},
        employees=int(data["employees"]),
    )


COMPLETION = snapshots.register(
    snapshots.Aggregate("completion", _count_completion, _dump_completion, _load_completion)
)


def _load_attainment(data: dict[str, Any]) -> dict[str, int]:
    return {name: int(data[name]) for name in ("employees", "reached", "target")}


#: how many employees of the filter reached the yearly JP target (the JP report's totals)
JP_ATTAINMENT = snapshots.register(
    snapshots.Aggregate("jp_attainment", q.jp_attainment, dict, _load_attainment)
)


@dataclass
class Dashboard:
    """The numbers of the HR dashboard."""

    totals: dict[str, int]
    jp: dict[str, int]
    expiring_count: int
    expiring: list[Certificate]
    gaps: list[GapRow]
    units: list[UnitRow]
    courses: list[Any]
    #: when the numbers were counted, if they are kept ones (None: just now)
    as_of: datetime | None = None

    @property
    def completion_rate(self) -> int | None:
        """Completed enrolments in percent."""
        return percent(self.totals["completed"], self.totals["total"])


#: certificates listed on the dashboard (the count covers all of them)
EXPIRING_SHOWN = 10
EXPIRING_DAYS = 60


def dashboard(f: q.ReportFilter, tree: list[tuple[Unit, int]]) -> Dashboard:
    """Everything the dashboard shows, in a fixed number of queries (its expensive numbers
    kept for large organisations, see :mod:`lms.reports.snapshots`)."""
    counted = snapshots.read(DASHBOARD, f)
    counts = counted.value
    totals = counts.overview.totals
    expiring = q.expiring_certificates(f, days=EXPIRING_DAYS)
    return Dashboard(
        totals=totals,
        jp=counts.jp,
        expiring_count=db.session.scalar(
            select(func.count()).select_from(expiring.order_by(None).subquery())
        )
        or 0,
        expiring=list(db.session.scalars(expiring.limit(EXPIRING_SHOWN))),
        gaps=counts.gaps,
        units=drill_down(f, tree, totals, counts.overview.units),
        courses=counts.overview.courses,
        as_of=counted.as_of,
    )


def completion_counts(f: q.ReportFilter) -> snapshots.Counted[CompletionCounts]:
    """The completion report's totals and matrix size (kept for large organisations)."""
    return snapshots.read(COMPLETION, f)


def unit_staff(f: q.ReportFilter, page: int, per_page: int) -> Page:
    """The selected unit's own employees (not those of its sub-units), a page of them, with
    their enrolments by status and JP. The page of employees is found first (by name), then
    only their enrolments and JP are summed: a large unit's staff is never summed whole."""
    own = Employee.unit_id == f.unit_id
    staff = select(Employee.id).where(*q.employee_conditions(f), own)
    total = db.session.scalar(select(func.count()).select_from(staff.subquery())) or 0
    ids = list(
        db.session.scalars(
            staff.order_by(Employee.name, Employee.id).limit(per_page).offset((page - 1) * per_page)
        )
    )
    rows: list[Any] = []
    if ids:
        narrowed = replace(f, employee_ids=ids)
        narrowed._unit_ids = f.unit_ids()
        rows = list(db.session.execute(q.employee_summary(narrowed, own)))
    return Page(items=rows, page=page, per_page=per_page, total=total)


# --- the completion matrix ----------------------------------------------------------------------


@dataclass
class Matrix:
    """A page of employees × the courses they are enrolled in."""

    page: Page
    courses: list[tuple[str, str]]  # (code, title)
    cells: dict[tuple[int, str], Any]  # (employee id, course code) → completion row


def matrix(f: q.ReportFilter, page: int, per_page: int, total: int) -> Matrix:
    """The completion matrix of one page of employees of the ``total`` enrolled ones (counted
    apart, see :func:`completion_counts`: a count beside the page would make the database find
    and sort every enrolled employee, where the page alone stops after ``per_page``)."""
    employees = paginate_rows(q.enrolled_employees(f), page, per_page, total=total)
    ids = [row.employee_id for row in employees.items]
    cells: dict[tuple[int, str], Any] = {}
    courses: dict[str, str] = {}
    if ids:
        for row in db.session.execute(q.completion_rows(f).where(Employee.id.in_(ids))):
            cells[(row.employee_id, row.course)] = row
            courses[row.course] = row.course_title
    return Matrix(employees, sorted(courses.items()), cells)


# --- the gap heatmap ----------------------------------------------------------------------------


@dataclass
class HeatCell:
    """Employees of a unit short of a competency's standard."""

    required: int
    short: int
    mean_gap: float

    @property
    def share(self) -> int:
        """Of those the standard asks it of, how many fall short, in percent."""
        return percent(self.short, self.required) or 0

    @property
    def heat(self) -> int:
        """A colour step 0–4 for the share."""
        if self.short == 0:
            return 0
        return min(4, 1 + self.share // 25)


@dataclass
class Heatmap:
    """Units × competencies."""

    competencies: list[Competency]
    page: Page  # items: (unit id or None, unit name, depth)
    cells: dict[tuple[int | None, int], HeatCell]
    overall: dict[int, HeatCell] = field(default_factory=dict)


KIND_ORDER = {CompetencyKind.MANAGERIAL: 0, CompetencyKind.SOCIO_CULTURAL: 1}


def _cell(row: Any) -> HeatCell:
    return HeatCell(row.required_count, row.short, float(row.mean_gap or 0))


def heatmap(f: q.ReportFilter, tree: list[tuple[Unit, int]], page: int, per_page: int) -> Heatmap:
    """The gap heatmap: every unit with employees in the filter, a page of them, in tree
    order; three queries however many units and competencies there are."""
    cells = {
        (row.unit_id, row.competency_id): _cell(row) for row in db.session.execute(q.gap_query(f))
    }
    overall = {
        row.competency_id: _cell(row)
        for row in db.session.execute(q.gap_query(f, group_by_unit=False))
    }
    competencies = sorted(
        db.session.scalars(select(Competency).where(Competency.id.in_(list(overall) or [0]))),
        key=lambda c: (KIND_ORDER.get(c.kind, 2), c.code),
    )
    present = {unit_id for unit_id, _competency in cells}
    units: list[tuple[int | None, str, int]] = [
        (unit.id, unit.name, depth) for unit, depth in tree if unit.id in present
    ]
    if None in present:
        units.append((None, "", 0))
    start = (page - 1) * per_page
    return Heatmap(
        competencies,
        Page(units[start : start + per_page], page, per_page, len(units)),
        cells,
        overall,
    )


# --- course evaluations -------------------------------------------------------------------------


@dataclass
class EvaluationGroup:
    """The evaluation results of one course, or of one trainer's courses."""

    key: int
    title: str
    subtitle: str
    responses: int
    items: list[ItemResult]
    comments: list[str]

    @property
    def mean(self) -> float | None:
        """The mean of every rating."""
        ratings = sum(item.responses for item in self.items)
        total = sum(item.mean * item.responses for item in self.items if item.mean)
        return round(total / ratings, 2) if ratings else None


#: comments shown per course or trainer
COMMENTS_SHOWN = 5


def evaluations_by_course(f: q.ReportFilter, page: int, per_page: int) -> tuple[Page, list]:
    """A page of evaluated courses with their results (one query per course on the page)."""
    found = paginate_rows(learning.evaluation_by_course(f), page, per_page)
    groups = []
    for row in found.items:
        responses, items, comments = learning.evaluation_results(f, [row.course_id])
        groups.append(
            EvaluationGroup(
                row.course_id,
                row.course_title or row.code,
                row.code,
                responses,
                items,
                comments[:COMMENTS_SHOWN],
            )
        )
    return found, groups


def evaluations_by_trainer(f: q.ReportFilter, page: int, per_page: int) -> tuple[Page, list]:
    """A page of trainers with the results of their evaluated courses together."""
    found = paginate_rows(learning.evaluation_by_trainer(f), page, per_page)
    courses = learning.trainer_courses(f, [row.user_id for row in found.items])
    groups = []
    for row in found.items:
        responses, items, comments = learning.evaluation_results(f, courses[row.user_id])
        groups.append(
            EvaluationGroup(
                row.user_id, row.trainer, "", responses, items, comments[:COMMENTS_SHOWN]
            )
        )
    return found, groups


# --- the supervisor's team ----------------------------------------------------------------------


@dataclass
class Team:
    """A supervisor's direct reports: completion, overdue items, JP and gaps."""

    totals: dict[str, int]
    members: list[Any]
    gaps: dict[int, int]
    overdue: list[Any]
    target: int


#: rows of the team's overdue list
OVERDUE_SHOWN = 100


def team(f: q.ReportFilter, target: int) -> Team:
    """The team page for the filter of a supervisor's direct reports: five queries."""
    return Team(
        totals=q.completion_totals(f),
        members=db.session.execute(q.employee_summary(f)).all(),
        gaps=dict(db.session.execute(q.gaps_by_employee(f)).all()),
        overdue=db.session.execute(q.overdue_rows(f).limit(OVERDUE_SHOWN)).all(),
        target=target,
    )
