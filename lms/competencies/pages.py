"""What the competency pages and the API read besides the profile itself: the level indicators
of a profile's competencies, the supervisor's team overview and HR's JP overview of an
organisation, each in a number of statements that does not grow with the data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import Employee, Position, Unit
from lms.competencies import ledger
from lms.competencies.models import Competency, CompetencyLevel, EmployeeCompetency
from lms.competencies.profile import dictionary, required_levels
from lms.core.pagination import Page, paginate_rows
from lms.extensions import db

#: the earliest ledger year the pages and the API accept
FIRST_YEAR = 2000
#: most direct reports the team view lists
TEAM_LIMIT = 200


def parse_year(raw: str | None, today: date) -> int | None:
    """The year a query string names (empty: this year); None when it is malformed or outside
    2000 to next year."""
    if raw is None or raw.strip() == "":
        return today.year
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        return None
    year = int(raw)
    return year if FIRST_YEAR <= year <= today.year + 1 else None


def levels_by_competency(competency_ids: Iterable[int]) -> dict[int, list[CompetencyLevel]]:
    """The levels with their indicators of several competencies, in one statement."""
    ids = list(competency_ids)
    found: dict[int, list[CompetencyLevel]] = {i: [] for i in ids}
    if not ids:
        return found
    for level in db.session.scalars(
        select(CompetencyLevel)
        .where(CompetencyLevel.competency_id.in_(ids))
        .order_by(CompetencyLevel.competency_id, CompetencyLevel.level)
    ):
        found[level.competency_id].append(level)
    return found


# --- the supervisor's team ------------------------------------------------------------------------


@dataclass
class TeamGap:
    """A competency where a team member is below the position's standard."""

    competency: Competency
    required: int
    current: int

    @property
    def gap(self) -> int:
        """Levels missing."""
        return self.required - self.current


@dataclass
class TeamMember:
    """A direct report with the JP earned this year and the gaps to the position's standard."""

    employee: Employee
    earned: int
    gaps: list[TeamGap] = field(default_factory=list)

    @property
    def largest(self) -> list[TeamGap]:
        """The three largest gaps."""
        return self.gaps[:3]


def team(supervisor_id: int, year: int) -> list[TeamMember]:
    """The supervisor's active direct reports, by name, with JP and gaps.

    Current levels are the stored ones (:class:`EmployeeCompetency`, kept by
    :func:`lms.competencies.profile.refresh`); required levels are worked out once per position
    and dictionary once per organisation, so more reports in the same positions cost nothing.
    """
    reports = db.session.scalars(
        select(Employee)
        .options(joinedload(Employee.position), joinedload(Employee.unit))
        .where(Employee.supervisor_id == supervisor_id, Employee.is_active.is_(True))
        .order_by(Employee.name, Employee.id)
        .limit(TEAM_LIMIT)
    ).all()
    if not reports:
        return []
    ids = [e.id for e in reports]
    earned = {row[0]: row[1] for row in db.session.execute(ledger.earned_by_employee(year, ids))}
    current: dict[tuple[int, int], int] = {
        (employee_id, competency_id): level
        for employee_id, competency_id, level in db.session.execute(
            select(
                EmployeeCompetency.employee_id,
                EmployeeCompetency.competency_id,
                EmployeeCompetency.level,
            ).where(EmployeeCompetency.employee_id.in_(ids))
        )
    }
    dictionaries: dict[int, dict[int, Competency]] = {}
    standards: dict[int, dict[int, int]] = {}
    members = []
    for employee in reports:
        by_id = dictionaries.get(employee.organisation_id)
        if by_id is None:
            by_id = dictionaries[employee.organisation_id] = {
                c.id: c for c in dictionary(employee.organisation_id)
            }
        position = employee.position
        if position is None:
            required: dict[int, int] = {}
        elif position.id in standards:
            required = standards[position.id]
        else:
            required = standards[position.id] = required_levels(position, list(by_id.values()))
        gaps = [
            TeamGap(by_id[cid], level, current.get((employee.id, cid), 0))
            for cid, level in required.items()
            if cid in by_id and level > current.get((employee.id, cid), 0)
        ]
        gaps.sort(key=lambda g: (-g.gap, g.competency.code))
        members.append(TeamMember(employee, int(earned.get(employee.id) or 0), gaps))
    return members


# --- HR's JP overview -----------------------------------------------------------------------------


@dataclass
class JpSummary:
    """How an organisation (or a unit) stands against the yearly JP target."""

    employees: int
    reached: int
    total_jp: int

    @property
    def reached_percent(self) -> int:
        """Share of employees at or above the target."""
        return round(100 * self.reached / self.employees) if self.employees else 0


def organisation_jp(
    organisation_id: int,
    year: int,
    unit_ids: set[int] | None,
    page: int,
    per_page: int,
) -> tuple[Page, JpSummary]:
    """A page of the organisation's active employees with their JP of the year, and the summary;
    summed in SQL (two statements)."""
    in_scope = [Employee.organisation_id == organisation_id, Employee.is_active.is_(True)]
    if unit_ids is not None:
        in_scope.append(Employee.unit_id.in_(unit_ids))
    members = select(Employee.id).where(*in_scope)
    earned_sq = ledger.earned_by_employee(year, members).subquery()  # type: ignore[arg-type]
    earned = func.coalesce(earned_sq.c.earned, 0)
    rows = (
        select(
            Employee.id,
            Employee.nip,
            Employee.name,
            Unit.name.label("unit"),
            Position.name.label("position"),
            earned.label("earned"),
        )
        .outerjoin(Unit, Unit.id == Employee.unit_id)
        .outerjoin(Position, Position.id == Employee.position_id)
        .outerjoin(earned_sq, earned_sq.c.employee_id == Employee.id)
        .where(*in_scope)
        .order_by(Employee.name, Employee.id)
    )
    result = paginate_rows(rows, page, per_page)
    count, reached, total = db.session.execute(
        select(
            func.count(Employee.id),
            func.coalesce(func.sum(case((earned >= ledger.target(), 1), else_=0)), 0),
            func.coalesce(func.sum(earned), 0),
        )
        .select_from(Employee)
        .outerjoin(earned_sq, earned_sq.c.employee_id == Employee.id)
        .where(*in_scope)
    ).one()
    return result, JpSummary(int(count), int(reached), int(total))
