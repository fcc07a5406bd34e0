"""Read-only report queries for HR and supervisors: everything aggregated in SQL.

The filter (:class:`ReportFilter`) is the same for every report: one organisation (always, so
HR of one organisation never reads another's data), a period, a unit with its sub-units, a
course, a position, a golongan, or an explicit set of employees (a supervisor's team).

An enrolment belongs to a period when it was assigned, due or completed in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, String, and_, case, func, literal, or_, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

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
    status = status_expression(today)
    return [
        func.count().label("total"),
        func.count().filter(status == "completed").label("completed"),
        func.count().filter(status == "overdue").label("overdue"),
        func.count().filter(status == "in_progress").label("in_progress"),
    ]


def completion_totals(f: ReportFilter) -> dict[str, int]:
    """How many enrolments in the filter are completed, overdue, in progress, not started."""
    row = db.session.execute(
        select(*_counts(f.today))
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .where(*enrollment_conditions(f))
    ).one()
    total, completed, overdue, in_progress = row
    return {
        "total": total,
        "completed": completed,
        "overdue": overdue,
        "in_progress": in_progress,
        "not_started": total - completed - overdue - in_progress,
    }


def completion_by_unit(f: ReportFilter) -> list[Any]:
    """Per unit: enrolments, completed, overdue (rows with unit id and name)."""
    return db.session.execute(
        select(Unit.id, Unit.name, *_counts(f.today))
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .join(Unit, Unit.id == Employee.unit_id)
        .where(*enrollment_conditions(f))
        .group_by(Unit.id, Unit.name)
        .order_by(Unit.name)
    ).all()


def completion_by_course(f: ReportFilter) -> list[Any]:
    """Per course: enrolments, completed, overdue."""
    return db.session.execute(
        select(Course.id, Course.code, CourseVersion.title, *_counts(f.today))
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .join(Course, Course.id == Enrollment.course_id)
        .join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(*enrollment_conditions(f))
        .group_by(Course.id, Course.code, CourseVersion.title)
        .order_by(Course.code)
    ).all()


def completion_rows(f: ReportFilter) -> Select[Any]:
    """One row per enrolment: employee, unit, course, status, due date, completion (a select to
    paginate or stream)."""
    return (
        select(
            Employee.id.label("employee_id"),
            Employee.nip,
            Employee.name,
            Unit.name.label("unit"),
            Course.code.label("course"),
            CourseVersion.title.label("course_title"),
            CourseVersion.jp,
            status_expression(f.today).label("status"),
            Enrollment.due_date,
            Enrollment.completed_at,
            Enrollment.progress_percent,
            Enrollment.source,
        )
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .outerjoin(Unit, Unit.id == Employee.unit_id)
        .join(Course, Course.id == Enrollment.course_id)
        .join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(*enrollment_conditions(f))
        .order_by(Employee.name, Employee.id, Course.code)
    )


def overdue_rows(f: ReportFilter) -> Select[Any]:
    """Overdue mandatory training: not completed and past the due date."""
    return completion_rows(f).where(
        Enrollment.completed_at.is_(None),
        Enrollment.due_date.is_not(None),
        Enrollment.due_date < f.today,
    )


def jp_rows(f: ReportFilter) -> Select[Any]:
    """One row per employee in the filter: JP earned in the year (0 when none) and the target."""
    earned = ledger.earned_by_employee(f.year).subquery()
    return (
        select(
            Employee.id.label("employee_id"),
            Employee.nip,
            Employee.name,
            Unit.name.label("unit"),
            func.coalesce(earned.c.earned, 0).label("earned"),
            literal(ledger.target()).label("target"),
        )
        .select_from(Employee)
        .outerjoin(Unit, Unit.id == Employee.unit_id)
        .outerjoin(earned, earned.c.employee_id == Employee.id)
        .where(*employee_conditions(f))
        .order_by(Employee.name, Employee.id)
    )


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


def _gap_pairs(f: ReportFilter) -> Subquery:
    """(employee, unit, competency, required level, gap) for each employee of the filter and
    each active competency of the organisation's dictionary."""
    required, joins = required_level_expression(f.organisation_id)
    current = func.coalesce(EmployeeCompetency.level, 0)
    gap = case((required > current, required - current), else_=0)
    pairs = (
        select(
            Employee.id.label("employee_id"),
            Employee.unit_id.label("unit_id"),
            Competency.id.label("competency_id"),
            required.label("required"),
            gap.label("gap"),
        )
        .select_from(Employee)
        .join(Position, Position.id == Employee.position_id)
        .join(Competency, and_(dictionary_scope(f.organisation_id), Competency.is_active.is_(True)))
    )
    for table, condition in joins:
        pairs = pairs.outerjoin(table, condition)
    pairs = pairs.outerjoin(
        EmployeeCompetency,
        and_(
            EmployeeCompetency.employee_id == Employee.id,
            EmployeeCompetency.competency_id == Competency.id,
        ),
    ).where(*employee_conditions(f))
    return pairs.subquery()


def gap_query(f: ReportFilter, group_by_unit: bool = True) -> Select[Any]:
    """Competency gaps of the filter's employees, summed in SQL: per unit (or overall) and
    competency, the number of employees required to have it, how many fall short, and the mean
    gap in levels."""
    pairs = _gap_pairs(f)
    keys = [pairs.c.unit_id] if group_by_unit else []
    return (
        select(
            *keys,
            pairs.c.competency_id,
            func.count().filter(pairs.c.required > 0).label("required_count"),
            func.count().filter(pairs.c.gap > 0).label("short"),
            func.avg(case((pairs.c.required > 0, pairs.c.gap))).label("mean_gap"),
        )
        .group_by(*keys, pairs.c.competency_id)
        .having(func.count().filter(pairs.c.required > 0) > 0)
    )


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
    """Per employee of the filter: how many competencies fall short of the standard."""
    pairs = _gap_pairs(f)
    return select(
        pairs.c.employee_id, func.count().filter(pairs.c.gap > 0).label("short")
    ).group_by(pairs.c.employee_id)


def employee_summary(f: ReportFilter, *where: ColumnElement[bool]) -> Select[Any]:
    """One row per employee of the filter (and ``where``): enrolments by status and the JP
    earned in the year."""
    counts = (
        select(Enrollment.employee_id.label("employee_id"), *_counts(f.today))
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .where(*enrollment_conditions(f), *where)
        .group_by(Enrollment.employee_id)
    ).subquery()
    earned = ledger.earned_by_employee(f.year).subquery()
    return (
        select(
            Employee.id.label("employee_id"),
            Employee.nip,
            Employee.name,
            Unit.name.label("unit"),
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
        select(
            Employee.id.label("employee_id"), Employee.nip, Employee.name, Unit.name.label("unit")
        )
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
