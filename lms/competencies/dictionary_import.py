"""Importing the competency dictionary from CSV: a preview that writes nothing, then the whole
file in one transaction. Technical competencies go to the organisation; managerial and
socio-cultural ones are the national dictionary, which only platform admins change (an HR file
may carry them unchanged, as the export writes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.competencies import dictionary
from lms.competencies.models import Competency, CompetencyKind
from lms.core.errors import DomainError
from lms.extensions import db

#: what importing an entry does
CREATE, CHANGE, UNCHANGED = "create", "change", "unchanged"


@dataclass(frozen=True)
class ImportRow:
    """One competency of the file and what importing it would do."""

    line: int
    code: str
    name: str
    kind: str
    action: str


@dataclass
class ImportPreview:
    """The competencies of a file and its problems as (line, message)."""

    rows: list[ImportRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def changes(self) -> int:
        """How many competencies importing would create or change."""
        return sum(1 for row in self.rows if row.action != UNCHANGED)

    @property
    def can_import(self) -> bool:
        """The whole file is good and changes something."""
        return not self.problems and self.changes > 0


def _is_national(entry: dict[str, Any]) -> bool:
    return entry.get("kind") in (
        CompetencyKind.MANAGERIAL.value,
        CompetencyKind.SOCIO_CULTURAL.value,
    )


def _existing(organisation_id: int | None, code: str) -> Competency | None:
    owner = (
        Competency.organisation_id.is_(None)
        if organisation_id is None
        else Competency.organisation_id == organisation_id
    )
    return db.session.scalar(
        select(Competency)
        .options(selectinload(Competency.levels))
        .where(Competency.code == code, owner)
    )


def _unchanged(competency: Competency, entry: dict[str, Any]) -> bool:
    levels = sorted(
        (item["level"], item.get("title", "").strip(), [i.strip() for i in item["indicators"]])
        for item in entry.get("level", [])
    )
    return (
        competency.name == entry.get("name", "").strip()
        and competency.kind.value == entry.get("kind")
        and competency.definition == entry.get("definition", "").strip()
        and levels == [(lvl.level, lvl.title, list(lvl.indicators)) for lvl in competency.levels]
    )


def _plan(
    organisation_id: int, entry: dict[str, Any], national: bool
) -> tuple[int | None, Competency | None, str]:
    """Where an entry goes (owner, existing competency) and what importing it does, or a
    DomainError naming the problem."""
    code = dictionary.check_code(entry.get("code", ""))
    owner = None if _is_national(entry) else organisation_id
    existing = _existing(owner, code)
    if existing is not None and _unchanged(existing, entry):
        return owner, existing, UNCHANGED
    if owner is None and not national:
        raise DomainError(
            _("Kompetensi %(code)s termasuk kamus nasional; hanya admin platform yang dapat "
              "mengubahnya.", code=code),
            field="kind",
        )  # fmt: skip
    dictionary.check_entry(owner, existing, entry)
    return owner, existing, CHANGE if existing is not None else CREATE


def preview(organisation_id: int, content: bytes, *, national: bool) -> ImportPreview:
    """What importing a CSV file would do, with every problem and its line; writes nothing.

    ``national``: the importer may change the national dictionary (platform admins).
    """
    entries, problems = dictionary.parse_csv(content)
    result = ImportPreview(problems=list(problems))
    for entry in entries:
        try:
            _owner, _existing_row, action = _plan(organisation_id, entry, national)
        except DomainError as error:
            result.problems.append((entry["line"], error.message))
            continue
        result.rows.append(
            ImportRow(entry["line"], entry["code"], entry["name"], entry["kind"], action)
        )
    if not entries and not problems:
        result.problems.append((1, _("Berkas tidak berisi kompetensi.")))
    result.problems.sort()
    return result


def apply(organisation_id: int, content: bytes, *, national: bool, actor: User) -> dict[str, int]:
    """Import a whole CSV file; the first problem raises a DomainError naming its line, and the
    caller rolls back, so a file is imported completely or not at all. Returns the counts."""
    entries, problems = dictionary.parse_csv(content)
    if problems:
        line, message = min(problems)
        raise DomainError(_("Baris %(line)d: %(message)s", line=line, message=message))
    if not entries:
        raise DomainError(_("Berkas tidak berisi kompetensi."))
    counts = {CREATE: 0, CHANGE: 0, UNCHANGED: 0}
    for entry in entries:
        try:
            owner, existing, action = _plan(organisation_id, entry, national)
            if action != UNCHANGED:
                dictionary.save_competency(owner, existing, entry, actor=actor)
        except DomainError as error:
            raise DomainError(
                _("Baris %(line)d: %(message)s", line=entry["line"], message=error.message)
            ) from error
        counts[action] += 1
    return counts
