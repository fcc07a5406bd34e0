"""Required and current levels: the competency profile of an employee and of a team.

The rule for the current level lives in :func:`current_level` and nowhere else:
by default (``LMS_COMPETENCY_RULE=highest``) the highest level demonstrated by evidence still
valid; with ``latest`` the level of the most recent valid demonstrated evidence (an assessor can
then lower it). Evidence counts ``LMS_EVIDENCE_VALID_YEARS`` years after it was shown.
Required levels come from three layers, the most specific winning: the position's own standard,
the organisation's default for the position type (and jenjang), the national default of
PermenPANRB 38/2017 for managerial and socio-cultural competencies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from lms.accounts.models import Employee, Jenjang, Position, PositionType
from lms.competencies.models import (
    Competency,
    CompetencyKind,
    EmployeeCompetency,
    Evidence,
    PositionStandard,
    TypeStandard,
)
from lms.core.db import dialect_insert, utcnow
from lms.extensions import db

#: PermenPANRB 38/2017: the managerial and socio-cultural level each position type requires
NATIONAL_DEFAULT: dict[tuple[PositionType, str], int] = {
    (PositionType.JPT, Jenjang.UTAMA.value): 5,
    (PositionType.JPT, Jenjang.MADYA.value): 4,
    (PositionType.JPT, Jenjang.PRATAMA.value): 4,
    (PositionType.JPT, ""): 4,
    (PositionType.ADMINISTRATOR, ""): 3,
    (PositionType.PENGAWAS, ""): 2,
    (PositionType.PELAKSANA, ""): 1,
    (PositionType.FUNGSIONAL, Jenjang.AHLI_UTAMA.value): 4,
    (PositionType.FUNGSIONAL, Jenjang.AHLI_MADYA.value): 3,
    (PositionType.FUNGSIONAL, Jenjang.AHLI_MUDA.value): 2,
    (PositionType.FUNGSIONAL, Jenjang.AHLI_PERTAMA.value): 1,
    (PositionType.FUNGSIONAL, ""): 1,
}


def dictionary_scope(organisation_id: int | None) -> object:
    """The competencies an organisation uses: the national ones and its own technical ones."""
    national = Competency.organisation_id.is_(None)
    if organisation_id is None:
        return national
    return or_(national, Competency.organisation_id == organisation_id)


def dictionary(organisation_id: int | None, *, active_only: bool = True) -> list[Competency]:
    """The organisation's dictionary, managerial first, then socio-cultural, then technical."""
    query = select(Competency).where(dictionary_scope(organisation_id))
    if active_only:
        query = query.where(Competency.is_active.is_(True))
    order = {CompetencyKind.MANAGERIAL: 0, CompetencyKind.SOCIO_CULTURAL: 1}
    found = list(db.session.scalars(query))
    return sorted(found, key=lambda c: (order.get(c.kind, 2), c.code))


def _by_code(code: Any, organisation_id: Any) -> Select[Any]:
    # the organisation's own technical competency before the national one
    return (
        select(Competency)
        .where(Competency.code == code, dictionary_scope(organisation_id))
        .order_by(Competency.organisation_id.is_(None))
        .limit(1)
    )


def competency_by_code(code: str, organisation_id: int | None) -> Competency | None:
    """The competency with that code for the organisation (its own before the national one)."""
    return db.session.scalar(_by_code(code, organisation_id))


def competency_name(code: Any, organisation_id: Any) -> ColumnElement[Any]:
    """The name :func:`competency_by_code` finds, as a scalar subquery over columns (the
    courses' statements use it through :mod:`lms.core.labels`)."""
    return _by_code(code, organisation_id).with_only_columns(Competency.name).scalar_subquery()


#: where a required level comes from, the most specific layer winning
LAYER_POSITION = "position"  # the position's own standard
LAYER_TYPE = "type"  # the organisation's default for the position type (and jenjang)
LAYER_NATIONAL = "national"  # PermenPANRB 38/2017, managerial and socio-cultural only


def standard_layers(
    organisation_id: int,
    position_type: PositionType,
    jenjang: str,
    competencies: list[Competency],
    *,
    position_id: int | None = None,
) -> dict[int, tuple[int, str]]:
    """(level, layer) per competency id for a position type and jenjang of an organisation,
    and for one position when ``position_id`` is given; level 0 means not required."""
    national = NATIONAL_DEFAULT.get((position_type, jenjang)) or NATIONAL_DEFAULT.get(
        (position_type, ""), 1
    )
    layers = {
        c.id: (national, LAYER_NATIONAL)
        for c in competencies
        if c.kind in (CompetencyKind.MANAGERIAL, CompetencyKind.SOCIO_CULTURAL)
    }
    defaults = db.session.execute(
        select(TypeStandard.competency_id, TypeStandard.jenjang, TypeStandard.level).where(
            TypeStandard.organisation_id == organisation_id,
            TypeStandard.position_type == position_type,
            TypeStandard.jenjang.in_(["", jenjang]),
        )
    ).all()
    # the jenjang-specific default wins over the one for any jenjang
    for competency_id, _jenjang, level in sorted(defaults, key=lambda r: r[1] != ""):
        layers[competency_id] = (level, LAYER_TYPE)
    if position_id is not None:
        own = db.session.execute(
            select(PositionStandard.competency_id, PositionStandard.level).where(
                PositionStandard.position_id == position_id
            )
        ).all()
        for competency_id, level in own:
            layers[competency_id] = (level, LAYER_POSITION)
    return layers


def required_levels(position: Position | None, competencies: list[Competency]) -> dict[int, int]:
    """Required level per competency id for a position (0 or missing: not required)."""
    if position is None:
        return {}
    layers = standard_layers(
        position.organisation_id,
        position.position_type,
        position.jenjang.value if position.jenjang else "",
        competencies,
        position_id=position.id,
    )
    return {cid: level for cid, (level, _layer) in layers.items() if level > 0}


def current_level(evidence: Iterable[Evidence], today: date) -> int:
    """The current level from a competency's evidence, by the configured rule."""
    valid = [e for e in evidence if e.is_demonstrated and e.is_valid(today)]
    if not valid:
        return 0
    if current_app.config["COMPETENCY_RULE"] == "latest":
        latest = max(valid, key=lambda e: (e.observed_on, e.created_at or e.observed_on, e.id or 0))
        return latest.level
    return max(e.level for e in valid)


@dataclass
class ProfileRow:
    """One competency of a profile."""

    competency: Competency
    required: int
    current: int
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def gap(self) -> int:
        """Levels missing to the position's standard (0 when met or not required)."""
        return max(0, self.required - self.current)


def profile(employee: Employee, today: date | None = None) -> list[ProfileRow]:
    """Every competency the position requires and any other with evidence (two queries)."""
    today = today or date.today()
    competencies = dictionary(employee.organisation_id, active_only=False)
    by_id = {c.id: c for c in competencies}
    required = required_levels(employee.position, [c for c in competencies if c.is_active])
    evidence = db.session.scalars(
        select(Evidence)
        .where(Evidence.employee_id == employee.id)
        .order_by(Evidence.observed_on.desc(), Evidence.id.desc())
    ).all()
    grouped: dict[int, list[Evidence]] = {}
    for item in evidence:
        grouped.setdefault(item.competency_id, []).append(item)
    rows = []
    for competency_id in list(required) + [c for c in grouped if c not in required]:
        competency = by_id.get(competency_id)
        if competency is None:
            continue
        items = grouped.get(competency_id, [])
        rows.append(
            ProfileRow(
                competency, required.get(competency_id, 0), current_level(items, today), items
            )
        )
    order = {CompetencyKind.MANAGERIAL: 0, CompetencyKind.SOCIO_CULTURAL: 1}
    rows.sort(key=lambda r: (order.get(r.competency.kind, 2), r.competency.code))
    return rows


#: what :func:`refresh` writes of a current level
_STORED = ("level", "valid_until", "updated_at")


def refresh(employee_id: int, competency_id: int, today: date | None = None) -> int:
    """Recompute and store one current level (called whenever its evidence changes): the
    evidence read, the level written with one INSERT … ON CONFLICT DO UPDATE."""
    today = today or date.today()
    items = db.session.scalars(
        select(Evidence).where(
            Evidence.employee_id == employee_id, Evidence.competency_id == competency_id
        )
    ).all()
    level = current_level(items, today)
    making = [
        e.valid_until
        for e in items
        if e.is_demonstrated and e.is_valid(today) and e.level == level and e.valid_until
    ]
    values = {
        "employee_id": employee_id,
        "competency_id": competency_id,
        "level": level,
        "valid_until": max(making) if making else None,
        "updated_at": utcnow(),
    }
    table = EmployeeCompetency.__table__
    statement = dialect_insert(table, db.session.get_bind().dialect.name).values(values)
    row_id = db.session.scalar(
        statement.on_conflict_do_update(
            index_elements=[table.c.employee_id, table.c.competency_id],
            set_={name: statement.excluded[name] for name in _STORED},
        ).returning(table.c.id)
    )
    # the row, if this session already holds it, shows what was just stored
    held = db.session.identity_map.get(identity_key(EmployeeCompetency, row_id))
    if held is not None:
        for name in _STORED:
            set_committed_value(held, name, values[name])
    return level


def refresh_expired(today: date | None = None, limit: int = 1000) -> int:
    """Recompute current levels whose evidence has expired (a daily job)."""
    today = today or date.today()
    rows = db.session.execute(
        select(EmployeeCompetency.employee_id, EmployeeCompetency.competency_id)
        .where(EmployeeCompetency.valid_until < today)
        .limit(limit)
    ).all()
    for employee_id, competency_id in rows:
        refresh(employee_id, competency_id, today)
    return len(rows)
