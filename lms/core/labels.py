"""Names that a lower domain shows but a higher domain owns.

Courses list the competencies they target by code; the dictionary that names them belongs to
the competencies domain, which depends on courses, not the other way round. The owner registers
here how to look a name up in SQL, and the lower domain puts that expression into its own
statements: no extra query, and no import upwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, null

#: builds the name of the competency ``code`` as the organisation ``organisation_id`` uses it
CompetencyName = Callable[[Any, Any], ColumnElement[Any]]

_competency_name: list[CompetencyName] = []


def provide_competency_name(build: CompetencyName) -> None:
    """Register how competency names are looked up (the competencies domain does, on import)."""
    _competency_name[:] = [build]


def competency_name(code: Any, organisation_id: Any) -> ColumnElement[Any]:
    """A scalar SQL expression: the name of the competency ``code`` (a column) in the
    dictionary of ``organisation_id`` (a column), NULL when it is unknown."""
    if not _competency_name:
        return null()
    return _competency_name[0](code, organisation_id)
