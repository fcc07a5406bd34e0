"""The unit tree: ordered listings and sub-tree look-ups in one query each."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import Unit
from lms.extensions import db


def units_in_tree_order(organisation_id: int) -> list[tuple[Unit, int]]:
    """Every unit of the organisation, parents before children, with its depth."""
    units = db.session.scalars(
        select(Unit).where(Unit.organisation_id == organisation_id).order_by(Unit.name)
    ).all()
    children: dict[int | None, list[Unit]] = {}
    ids = {unit.id for unit in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    ordered: list[tuple[Unit, int]] = []
    stack: list[tuple[Unit, int]] = [(u, 0) for u in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        unit, depth = stack.pop()
        if unit.id in seen:
            continue
        seen.add(unit.id)
        ordered.append((unit, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.id, [])))
    return ordered


def unit_subtree_ids(unit_id: int, organisation_id: int | None = None) -> set[int]:
    """The unit and all units below it (a recursive query), limited to one organisation."""
    start = select(Unit.id).where(Unit.id == unit_id)
    if organisation_id is not None:
        start = start.where(Unit.organisation_id == organisation_id)
    tree = start.cte("subtree", recursive=True)
    tree = tree.union(select(Unit.id).where(Unit.parent_id == tree.c.id))
    return set(db.session.scalars(select(tree.c.id)))
