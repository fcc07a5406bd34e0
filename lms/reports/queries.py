"""Read-only report queries for HR and supervisors: everything aggregated in SQL.

The filter (:class:`ReportFilter`) is the same for every report: one organisation (always, so
HR of one organisation never reads another's data), a period, a unit with its sub-units, a
course, a position, a golongan, or an explicit set of employees (a supervisor's team).

An enrolment belongs to a period when it was assigned, due or completed in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    Float,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import CTE, Subquery

from lms.accounts.models import Employee, Position, Unit
from lms.accounts.tree import unit_subtree_ids
from lms.certificates.models import Certificate, CertificateStatus
from lms.competencies import ledger
from lms.competencies.models import (
    Competency,
    CompetencyKind,
    EmployeeCompetency,
    PositionStandard,
    TypeStandard,
)
from lms.competencies.profile import NATIONAL_DEFAULT, dictionary_scope
from lms.courses.models import Course, CourseVersion, Enrollment
from lms.extensions import db


@dataclass
class ReportFilter:
    """What a report covers."""

    organisation_id: int
    start: date | None = None
    end: date | None = None  # inclusive
    unit_id: int | None = None
    course_id: int | None = None
    position_id: int | None = None
    golongan: str | None = None
    employee_ids: list[int] | None = None
    today: date = field(default_factory=date.today)
    #: the unit and its sub-units, looked up once per filter rather than once per query
    _unit_ids: set[int] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def for_year(cls, organisation_id: int, year: int, **kwargs: Any) -> ReportFilter:
        """The filter for one calendar year."""
        return cls(organisation_id, date(year, 1, 1), date(year, 12, 31), **kwargs)

    @property
    def year(self) -> int:
        """The year of the period (for the JP ledger), the current year without a period."""
        return (self.start or self.today).year

    def unit_ids(self) -> set[int]:
        """The filter's unit with all units below it, within the organisation."""
        if self._unit_ids is None:
            self._unit_ids = (
                unit_subtree_ids(self.unit_id, self.organisation_id)
                if self.unit_id is not None
                else set()
            )
        return self._unit_ids


def _utc(day: date) -> datetime:
    # a WIB day starts at 17:00 UTC the day before
    return datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=7)


def utc_bounds(f: ReportFilter) -> tuple[datetime, datetime] | None:
    """The filter's period as UTC instants ``[start, end)`` of whole WIB days, if it has one."""
    if f.start is None or f.end is None:
        return None
    return _utc(f.start), _utc(f.end + timedelta(days=1))


def employee_conditions(f: ReportFilter) -> list[ColumnElement[bool]]:
    """Conditions on :class:`Employee` for the filter (organisation always)."""
    conditions = [Employee.organisation_id == f.organisation_id, Employee.is_active.is_(True)]
    if f.unit_id is not None:
        conditions.append(Employee.unit_id.in_(f.unit_ids()))
    if f.position_id is not None:
        conditions.append(Employee.position_id == f.position_id)
    if f.golongan:
        conditions.append(Employee.golongan == f.golongan)
    if f.employee_ids is not None:
        conditions.append(Employee.id.in_(f.employee_ids or [0]))
    return conditions


def enrollment_conditions(f: ReportFilter) -> list[ColumnElement[bool]]:
    """Conditions on :class:`Enrollment` (joined with Employee) for the filter."""
    conditions = [Enrollment.withdrawn_at.is_(None), *employee_conditions(f)]
    if f.course_id is not None:
        conditions.append(Enrollment.course_id == f.course_id)
    if f.start is not None and f.end is not None:
        start, end = _utc(f.start), _utc(f.end + timedelta(days=1))
        conditions.append(
            or_(
                and_(Enrollment.created_at >= start, Enrollment.created_at < end),
                Enrollment.due_date.between(f.start, f.end),
                and_(Enrollment.completed_at >= start, Enrollment.completed_at < end),
            )
        )
    return conditions


def status_expression(today: date) -> Any:
    """The enrolment status as an SQL expression (same rule as Enrollment.status)."""
    return case(
        (Enrollment.completed_at.is_not(None), literal("completed")),
        (
            and_(Enrollment.due_date.is_not(None), Enrollment.due_date < today),
            literal("overdue"),
        ),
        (Enrollment.started_at.is_not(None), literal("in_progress")),
        else_=literal("not_started"),
    )


def _counts(today: date) -> list[Any]:
    # the conditions of status_expression written out: cheaper than comparing its result
    # three times for each of a million rows
    is_open = Enrollment.completed_at.is_(None)
    is_overdue = and_(is_open, Enrollment.due_date < today)
    not_due = or_(Enrollment.due_date.is_(None), Enrollment.due_date >= today)
    return [
        func.count().label("total"),
        func.count().filter(Enrollment.completed_at.is_not(None)).label("completed"),
        func.count().filter(is_overdue).label("overdue"),
        func.count()
        .filter(is_open, not_due, Enrollment.started_at.is_not(None))
        .label("in_progress"),
    ]


def _enrolments(f: ReportFilter, *columns: Any) -> Select[Any]:
    """``columns`` of the enrolments in the filter, joined with their employee."""
    return (
        select(*columns)
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .where(*enrollment_conditions(f))
    )


def _employee_columns() -> list[Any]:
    """Who a per-employee row is about (the query joins the employee's unit)."""
    return [Employee.id.label("employee_id"), Employee.nip, Employee.name, Unit.name.label("unit")]


#: the keys of a totals dict
STATUS_COUNTS = ("total", "completed", "overdue", "in_progress", "not_started")


def _totals(total: int, completed: int, overdue: int, in_progress: int) -> dict[str, int]:
    return {
        "total": total,
        "completed": completed,
        "overdue": overdue,
        "in_progress": in_progress,
        "not_started": total - completed - overdue - in_progress,
    }


def completion_totals(f: ReportFilter) -> dict[str, int]:
    """How many enrolments in the filter are completed, overdue, in progress, not started."""
    return _totals(*db.session.execute(_enrolments(f, *_counts(f.today))).one())


# Grouping by the id alone and joining the names to the few groups afterwards is much cheaper
# than grouping a million rows by names and titles.


def _by_unit(counts: Any) -> Select[Any]:
    """Unit id and name with the counts of a subquery grouped by ``unit_id``, by name."""
    return (
        select(Unit.id, Unit.name, *_sums(counts))
        .join(counts, counts.c.unit_id == Unit.id)
        .order_by(Unit.name)
    )


def _by_course(counts: Any) -> Select[Any]:
    """Course id, code and title with the counts of a subquery grouped by ``course_id``."""
    return (
        select(Course.id, Course.code, CourseVersion.title, *_sums(counts))
        .join(counts, counts.c.course_id == Course.id)
        .join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .order_by(Course.code)
    )


def _sums(counts: Any) -> list[Any]:
    return [counts.c.total, counts.c.completed, counts.c.overdue, counts.c.in_progress]


def completion_by_unit(f: ReportFilter) -> list[Any]:
    """Per unit: enrolments, completed, overdue (rows with unit id and name)."""
    counts = (
        _enrolments(f, Employee.unit_id.label("unit_id"), *_counts(f.today))
        .group_by(Employee.unit_id)
        .subquery()
    )
    return db.session.execute(_by_unit(counts)).all()


def completion_by_course(f: ReportFilter) -> list[Any]:
    """Per course: enrolments, completed, overdue."""
    counts = (
        _enrolments(f, Enrollment.course_id.label("course_id"), *_counts(f.today))
        .group_by(Enrollment.course_id)
        .subquery()
    )
    return db.session.execute(_by_course(counts)).all()


class UnitCounts(NamedTuple):
    """Enrolments of a unit's employees by status."""

    id: int
    name: str
    total: int
    completed: int
    overdue: int
    in_progress: int


class CourseCounts(NamedTuple):
    """Enrolments in a course by status."""

    id: int
    code: str
    title: str
    total: int
    completed: int
    overdue: int
    in_progress: int


@dataclass
class Overview:
    """The enrolments of a filter counted by status in total, per unit and per course."""

    totals: dict[str, int]
    units: list[UnitCounts]
    courses: list[CourseCounts]


def completion_overview(f: ReportFilter) -> Overview:
    """:func:`completion_totals`, :func:`completion_by_unit` and :func:`completion_by_course`
    in one statement that reads the enrolments once: counted per unit and course, then summed
    three ways."""
    cells = (
        _enrolments(
            f,
            Employee.unit_id.label("unit_id"),
            Enrollment.course_id.label("course_id"),
            *_counts(f.today),
        )
        .group_by(Employee.unit_id, Enrollment.course_id)
        .cte("cells")
    )
    sums = [cast(func.sum(c), Integer).label(c.name) for c in _sums(cells)]
    per_unit = select(cells.c.unit_id, *sums).group_by(cells.c.unit_id).subquery()
    per_course = select(cells.c.course_id, *sums).group_by(cells.c.course_id).subquery()
    none = null().label("id")
    rows = db.session.execute(
        union_all(
            select(literal("total").label("kind"), none, null(), null(), *sums),
            select(literal("unit"), Unit.id, Unit.name, null(), *_sums(per_unit)).join(
                per_unit, per_unit.c.unit_id == Unit.id
            ),
            select(
                literal("course"), Course.id, Course.code, CourseVersion.title, *_sums(per_course)
            )
            .join(per_course, per_course.c.course_id == Course.id)
            .join(CourseVersion, CourseVersion.id == Course.published_version_id),
        )
    ).all()
    [total] = [row[4:] for row in rows if row.kind == "total"]
    units = [UnitCounts(*row[1:3], *row[4:]) for row in rows if row.kind == "unit"]
    courses = [CourseCounts(*row[1:]) for row in rows if row.kind == "course"]
    return Overview(
        totals=_totals(*(n or 0 for n in total)),
        units=sorted(units, key=lambda u: (u.name, u.id)),
        courses=sorted(courses, key=lambda c: c.code),
    )


def completion_rows(f: ReportFilter) -> Select[Any]:
    """One row per enrolment: employee, unit, course, status, due date, completion (a select to
    paginate or stream)."""
    return (
        _enrolments(
            f,
            *_employee_columns(),
            Course.code.label("course"),
            CourseVersion.title.label("course_title"),
            CourseVersion.jp,
            status_expression(f.today).label("status"),
            Enrollment.due_date,
            Enrollment.completed_at,
            Enrollment.progress_percent,
            Enrollment.source,
        )
        .outerjoin(Unit, Unit.id == Employee.unit_id)
        .join(Course, Course.id == Enrollment.course_id)
        .join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .order_by(Employee.name, Employee.id, Course.code)
    )


def overdue_rows(f: ReportFilter) -> Select[Any]:
    """Overdue mandatory training: not completed and past the due date."""
    return completion_rows(f).where(
        Enrollment.completed_at.is_(None),
        Enrollment.due_date.is_not(None),
        Enrollment.due_date < f.today,
    )


def _earned(f: ReportFilter) -> Subquery:
    """(employee_id, earned) for the year of the filter. A filter narrower than the whole
    organisation sums only its employees' JP (a unit's staff, a team); for the whole of it
    summing everyone's is cheaper than checking each row against the organisation."""
    narrowed = f.unit_id or f.position_id or f.golongan or f.employee_ids is not None
    staff = select(Employee.id).where(*employee_conditions(f)) if narrowed else None
    return ledger.earned_by_employee(f.year, staff).subquery()


def jp_rows(f: ReportFilter) -> Select[Any]:
    """One row per employee in the filter: JP earned in the year (0 when none) and the target."""
    earned = _earned(f)
    return (
        select(
            *_employee_columns(),
            func.coalesce(earned.c.earned, 0).label("earned"),
            literal(ledger.target()).label("target"),
        )
        .select_from(Employee)
        .outerjoin(Unit, Unit.id == Employee.unit_id)
        .outerjoin(earned, earned.c.employee_id == Employee.id)
        .where(*employee_conditions(f))
        .order_by(Employee.name, Employee.id)
    )


def jp_page(f: ReportFilter, page: int, per_page: int) -> list[Any]:
    """One page of :func:`jp_rows`: the page's employees are found first (by name, an index
    walk), then only their JP is summed, instead of everyone's for a page of 25."""
    ids = list(
        db.session.scalars(
            select(Employee.id)
            .where(*employee_conditions(f))
            .order_by(Employee.name, Employee.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    if not ids:
        return []
    narrowed = replace(f, employee_ids=ids)
    narrowed._unit_ids = f._unit_ids
    return list(db.session.execute(jp_rows(narrowed)))


def jp_attainment(f: ReportFilter) -> dict[str, int]:
    """How many employees reached the yearly JP target, of how many."""
    rows = jp_rows(f).order_by(None).subquery()
    total, reached = db.session.execute(
        select(func.count(), func.count().filter(rows.c.earned >= ledger.target()))
    ).one()
    return {"employees": total, "reached": reached, "target": ledger.target()}


def expiring_certificates(f: ReportFilter, days: int = 60) -> Select[Any]:
    """Valid certificates of the filter's employees expiring within ``days``."""
    return (
        select(Certificate)
        .join(Employee, Employee.id == Certificate.employee_id)
        .where(
            *employee_conditions(f),
            Certificate.status == CertificateStatus.VALID,
            Certificate.expires_on.between(f.today, f.today + timedelta(days=days)),
        )
        .order_by(Certificate.expires_on, Certificate.id)
    )


def required_level_expression(organisation_id: int) -> tuple[Any, list[Any]]:
    """The required level of (Employee's position, Competency) as an SQL expression, with the
    outer joins it needs: the position's own standard, else the organisation's default for the
    position type (jenjang-specific before any jenjang), else the national default for
    managerial and socio-cultural competencies."""
    own = PositionStandard.__table__.alias("own")
    by_jenjang = TypeStandard.__table__.alias("by_jenjang")
    by_type = TypeStandard.__table__.alias("by_type")
    national = case(
        *[
            (
                and_(
                    Position.position_type == kind,
                    func.coalesce(type_coerce(Position.jenjang, String), "") == jenjang,
                ),
                level,
            )
            for (kind, jenjang), level in NATIONAL_DEFAULT.items()
            if jenjang
        ],
        *[
            (Position.position_type == kind, level)
            for (kind, jenjang), level in NATIONAL_DEFAULT.items()
            if not jenjang
        ],
        else_=1,
    )
    national_for_kind = case(
        (Competency.kind.in_([CompetencyKind.MANAGERIAL, CompetencyKind.SOCIO_CULTURAL]), national),
        else_=0,
    )
    expression = func.coalesce(own.c.level, by_jenjang.c.level, by_type.c.level, national_for_kind)
    joins = [
        (
            own,
            and_(own.c.position_id == Position.id, own.c.competency_id == Competency.id),
        ),
        (
            by_jenjang,
            and_(
                by_jenjang.c.organisation_id == organisation_id,
                by_jenjang.c.position_type == Position.position_type,
                by_jenjang.c.jenjang == func.coalesce(type_coerce(Position.jenjang, String), ""),
                by_jenjang.c.jenjang != "",
                by_jenjang.c.competency_id == Competency.id,
            ),
        ),
        (
            by_type,
            and_(
                by_type.c.organisation_id == organisation_id,
                by_type.c.position_type == Position.position_type,
                by_type.c.jenjang == "",
                by_type.c.competency_id == Competency.id,
            ),
        ),
    ]
    return expression, joins


def _requirements(f: ReportFilter) -> CTE:
    """(position, competency, required level) for the positions of the filter's employees and
    the active competencies of the organisation's dictionary, where a level is required: a few
    thousand rows, against which the employees are counted."""
    required, joins = required_level_expression(f.organisation_id)
    levels = (
        select(
            Position.id.label("position_id"),
            Competency.id.label("competency_id"),
            required.label("required"),
        )
        .select_from(Position)
        .join(Competency, and_(dictionary_scope(f.organisation_id), Competency.is_active.is_(True)))
    )
    for table, condition in joins:
        levels = levels.outerjoin(table, condition)
    levels = levels.where(
        Position.id.in_(select(Employee.position_id).where(*employee_conditions(f)))
    ).subquery("levels")
    # a common table expression read twice, so PostgreSQL works it out once rather than
    # joining the standards to every current level
    return select(levels).where(levels.c.required > 0).cte("needs")


def _staff(f: ReportFilter) -> Subquery:
    return (
        select(Employee.id, Employee.unit_id, Employee.position_id)
        .where(*employee_conditions(f))
        .subquery("staff")
    )


def gap_query(f: ReportFilter, group_by_unit: bool = True) -> Select[Any]:
    """Competency gaps of the filter's employees, summed in SQL: per unit (or overall) and
    competency, the number of employees required to have it, how many fall short, and the mean
    gap in levels.

    An employee falls short by ``required - current`` levels (the current level is 0 without a
    record), so per group: the employees asked for the competency and their required levels come
    from counting employees per position against :func:`_requirements`; those meeting it and the
    levels they cover (``min(current, required)``) from their current levels alone. No
    employee × competency pairs are formed.
    """
    needs, staff = _requirements(f), _staff(f)
    by = [staff.c.unit_id] if group_by_unit else []
    heads = (
        select(*by, staff.c.position_id, func.count().label("n"))
        .group_by(*by, staff.c.position_id)
        .subquery("heads")
    )
    head_by = [heads.c.unit_id] if group_by_unit else []
    asked = (
        select(
            *head_by,
            needs.c.competency_id,
            cast(func.sum(heads.c.n), Integer).label("required_count"),
            func.sum(heads.c.n * needs.c.required).label("required_levels"),
        )
        .join(needs, needs.c.position_id == heads.c.position_id)
        .group_by(*head_by, needs.c.competency_id)
        .subquery("asked")
    )
    # the current levels counted per position, competency and level first (a few thousand
    # groups), then compared with the required level of each group
    levels = (
        select(
            *by,
            staff.c.position_id,
            EmployeeCompetency.competency_id,
            EmployeeCompetency.level,
            func.count().label("n"),
        )
        .join(staff, staff.c.id == EmployeeCompetency.employee_id)
        .group_by(
            *by, staff.c.position_id, EmployeeCompetency.competency_id, EmployeeCompetency.level
        )
        .subquery("current")
    )
    level_by = [levels.c.unit_id] if group_by_unit else []
    met = (
        select(
            *level_by,
            needs.c.competency_id,
            func.coalesce(
                func.sum(case((levels.c.level >= needs.c.required, levels.c.n), else_=0)), 0
            ).label("met"),
            func.sum(
                levels.c.n
                * case((levels.c.level < needs.c.required, levels.c.level), else_=needs.c.required)
            ).label("covered"),
        )
        .join(
            needs,
            and_(
                needs.c.position_id == levels.c.position_id,
                needs.c.competency_id == levels.c.competency_id,
            ),
        )
        .group_by(*level_by, needs.c.competency_id)
        .subquery("met")
    )
    same = [met.c.competency_id == asked.c.competency_id]
    if group_by_unit:
        same.append(met.c.unit_id.is_not_distinct_from(asked.c.unit_id))
    missing = asked.c.required_levels - func.coalesce(met.c.covered, 0)
    return select(
        *([asked.c.unit_id] if group_by_unit else []),
        asked.c.competency_id,
        asked.c.required_count,
        (asked.c.required_count - cast(func.coalesce(met.c.met, 0), Integer)).label("short"),
        (cast(missing, Float) / asked.c.required_count).label("mean_gap"),
    ).outerjoin(met, and_(*same))


def largest_gaps(f: ReportFilter, limit: int = 5) -> list[Any]:
    """The competencies with the most employees below their standard."""
    rows = gap_query(f, group_by_unit=False).subquery()
    return db.session.execute(
        select(
            Competency.code, Competency.name, rows.c.required_count, rows.c.short, rows.c.mean_gap
        )
        .join(rows, rows.c.competency_id == Competency.id)
        .order_by(rows.c.short.desc(), rows.c.mean_gap.desc(), Competency.code)
        .limit(limit)
    ).all()


def gaps_by_employee(f: ReportFilter) -> Select[Any]:
    """Per employee of the filter: how many competencies fall short of the standard (for a
    team; it pairs each employee with each required competency)."""
    needs, staff = _requirements(f), _staff(f)
    current = func.coalesce(EmployeeCompetency.level, 0)
    return (
        select(staff.c.id.label("employee_id"), func.count().filter(current < needs.c.required))
        .join(needs, needs.c.position_id == staff.c.position_id)
        .outerjoin(
            EmployeeCompetency,
            and_(
                EmployeeCompetency.employee_id == staff.c.id,
                EmployeeCompetency.competency_id == needs.c.competency_id,
            ),
        )
        .group_by(staff.c.id)
    )


def employee_summary(f: ReportFilter, *where: ColumnElement[bool]) -> Select[Any]:
    """One row per employee of the filter (and ``where``): enrolments by status and the JP
    earned in the year."""
    counts = (
        _enrolments(f, Enrollment.employee_id.label("employee_id"), *_counts(f.today))
        .where(*where)
        .group_by(Enrollment.employee_id)
    ).subquery()
    earned = _earned(f)
    return (
        select(
            *_employee_columns(),
            Position.name.label("position"),
            func.coalesce(counts.c.total, 0).label("total"),
            func.coalesce(counts.c.completed, 0).label("completed"),
            func.coalesce(counts.c.overdue, 0).label("overdue"),
            func.coalesce(counts.c.in_progress, 0).label("in_progress"),
            func.coalesce(earned.c.earned, 0).label("earned"),
        )
        .select_from(Employee)
        .outerjoin(Unit, Unit.id == Employee.unit_id)
        .outerjoin(Position, Position.id == Employee.position_id)
        .outerjoin(counts, counts.c.employee_id == Employee.id)
        .outerjoin(earned, earned.c.employee_id == Employee.id)
        .where(*employee_conditions(f), *where)
        .order_by(Employee.name, Employee.id)
    )


def enrolled_employees(f: ReportFilter) -> Select[Any]:
    """The employees with at least one enrolment in the filter, by name (the rows of the
    completion matrix)."""
    return (
        select(*_employee_columns())
        .select_from(Employee)
        .outerjoin(Unit, Unit.id == Employee.unit_id)
        .where(
            *employee_conditions(f),
            select(Enrollment.id)
            .where(Enrollment.employee_id == Employee.id, *enrollment_conditions(f))
            .exists(),
        )
        .order_by(Employee.name, Employee.id)
    )


def jp_bands(f: ReportFilter) -> dict[str, int]:
    """How many employees of the filter earned no JP in the year, under half the target,
    under the target, and the target or more."""
    target = ledger.target()
    rows = jp_rows(f).order_by(None).subquery()
    earned = rows.c.earned
    none, under_half, under_target, reached = db.session.execute(
        select(
            func.count().filter(earned <= 0, earned < target),
            func.count().filter(earned > 0, earned * 2 < target),
            func.count().filter(earned > 0, earned * 2 >= target, earned < target),
            func.count().filter(earned >= target),
        )
    ).one()
    return {
        "none": none,
        "under_half": under_half,
        "under_target": under_target,
        "reached": reached,
        "employees": none + under_half + under_target + reached,
        "target": target,
    }


def gap_rows(f: ReportFilter) -> Select[Any]:
    """The gap heatmap in long form, for exports: unit, competency, employees the standard
    asks it of, how many fall short, and the mean gap."""
    rows = gap_query(f).subquery()
    return (
        select(
            Unit.name.label("unit"),
            Competency.code,
            Competency.name,
            rows.c.required_count,
            rows.c.short,
            rows.c.mean_gap,
        )
        .select_from(rows)
        .join(Competency, Competency.id == rows.c.competency_id)
        .outerjoin(Unit, Unit.id == rows.c.unit_id)
        .order_by(Unit.name, Competency.code)
    )
