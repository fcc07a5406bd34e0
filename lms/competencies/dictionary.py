"""The competency dictionary: the national seed, organisations' technical competencies, editing,
CSV import and export, and the standards of positions."""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts import audit
from lms.accounts.importing import csv_error_message
from lms.accounts.models import Position, PositionType, User
from lms.competencies.models import (
    Competency,
    CompetencyKind,
    CompetencyLevel,
    PositionStandard,
    TypeStandard,
)
from lms.core.errors import DomainError
from lms.extensions import db

#: the dictionary shipped with Lentera (PermenPANRB 38/2017 and demo technical competencies)
SEED = Path(__file__).resolve().parent / "data" / "dictionary.toml"
#: columns of the CSV export and import, one row per competency level
CSV_COLUMNS = ["kode", "nama", "jenis", "definisi", "level", "deskripsi_level", "indikator"]
#: the longest name and definition a competency keeps (as the edit form allows)
NAME_MAX = 200
DEFINITION_MAX = 5000
#: CSV cells hold the indicators of a level separated by this
INDICATOR_SEPARATOR = " | "


def seed_entries(kinds: set[CompetencyKind] | None = None) -> list[dict[str, Any]]:
    """The competencies of the shipped dictionary file (optionally of some kinds only)."""
    data = tomllib.loads(SEED.read_text(encoding="utf-8"))
    entries = data.get("competency", [])
    if kinds is not None:
        entries = [e for e in entries if CompetencyKind(e["kind"]) in kinds]
    return entries


def _apply_entry(competency: Competency, entry: dict[str, Any]) -> None:
    competency.name = entry["name"].strip()[:200]
    competency.kind = CompetencyKind(entry["kind"])
    competency.definition = entry.get("definition", "").strip()
    levels = {lvl.level: lvl for lvl in competency.levels}
    for item in entry.get("level", []):
        level = levels.get(item["level"])
        if level is None:
            level = CompetencyLevel(level=item["level"])
            competency.levels.append(level)
        level.title = item.get("title", "").strip()
        level.indicators = [i.strip() for i in item.get("indicators", []) if i.strip()]


def load_seed(organisation_id: int | None, kinds: set[CompetencyKind]) -> int:
    """Create or update competencies from the shipped file (idempotent); returns how many."""
    count = 0
    for entry in seed_entries(kinds):
        competency = db.session.scalar(
            select(Competency).where(
                Competency.code == entry["code"],
                Competency.organisation_id.is_(None)
                if organisation_id is None
                else Competency.organisation_id == organisation_id,
            )
        )
        if competency is None:
            competency = Competency(code=entry["code"], organisation_id=organisation_id)
            db.session.add(competency)
        _apply_entry(competency, entry)
        count += 1
    db.session.flush()
    return count


def load_national() -> int:
    """The managerial and socio-cultural dictionary of PermenPANRB 38/2017 (idempotent)."""
    return load_seed(None, {CompetencyKind.MANAGERIAL, CompetencyKind.SOCIO_CULTURAL})


def check_code(code: str) -> str:
    """A competency code in its stored form, or a DomainError."""
    cleaned = (code or "").strip().upper()
    if not cleaned or len(cleaned) > 20 or not all(ch.isalnum() or ch == "-" for ch in cleaned):
        raise DomainError(
            _("Kode kompetensi hanya huruf, angka dan tanda hubung (maks. 20)."), field="code"
        )
    return cleaned


def check_entry(
    organisation_id: int | None, competency: Competency | None, entry: dict[str, Any]
) -> tuple[str, CompetencyKind]:
    """The code and kind of an entry :func:`save_competency` would accept, or a DomainError;
    nothing is written (the CSV import previews with it)."""
    code = check_code(entry.get("code", ""))
    if not entry.get("name", "").strip():
        raise DomainError(_("Nama kompetensi wajib diisi."), field="name")
    if len(entry["name"].strip()) > NAME_MAX:
        raise DomainError(
            _("Nama kompetensi paling panjang %(n)d karakter.", n=NAME_MAX), field="name"
        )
    if len(entry.get("definition", "").strip()) > DEFINITION_MAX:
        raise DomainError(
            _("Definisi paling panjang %(n)d karakter.", n=DEFINITION_MAX), field="definition"
        )
    try:
        kind = CompetencyKind(entry.get("kind"))
    except ValueError:
        raise DomainError(_("Jenis kompetensi tidak dikenal."), field="kind") from None
    if organisation_id is not None and kind is not CompetencyKind.TECHNICAL:
        raise DomainError(
            _("Instansi menambah kompetensi teknis; kompetensi manajerial dan sosial kultural "
              "mengikuti kamus nasional."),
            field="kind",
        )  # fmt: skip
    levels = entry.get("level", [])
    if sorted(item.get("level") for item in levels) != [1, 2, 3, 4, 5]:
        raise DomainError(_("Setiap kompetensi punya tepat lima level (1–5)."), field="level")
    clash = db.session.scalar(
        select(Competency.id).where(
            Competency.code == code,
            Competency.organisation_id.is_(None)
            if organisation_id is None
            else Competency.organisation_id == organisation_id,
            Competency.id != (competency.id if competency else 0),
        )
    )
    if clash:
        raise DomainError(_("Kode %(code)s sudah dipakai.", code=code), field="code")
    return code, kind


def save_competency(
    organisation_id: int | None,
    competency: Competency | None,
    entry: dict[str, Any],
    *,
    actor: User,
) -> Competency:
    """Create or change a competency with its levels; HR change only their technical ones."""
    code, kind = check_entry(organisation_id, competency, entry)
    created = competency is None
    if competency is None:
        competency = Competency(code=code, organisation_id=organisation_id)
        db.session.add(competency)
    competency.code = code
    _apply_entry(competency, {**entry, "kind": kind.value})
    db.session.flush()
    audit.record(
        "competency.created" if created else "competency.changed",
        actor=actor,
        organisation_id=organisation_id,
        target=competency,
        data={"code": code},
    )
    return competency


def set_active(competency: Competency, active: bool, *, actor: User) -> None:
    """Retire a competency (its evidence stays, it gets no new standards) or bring it back."""
    if competency.is_active == active:
        return
    competency.is_active = active
    db.session.flush()
    audit.record(
        "competency.activated" if active else "competency.deactivated",
        actor=actor,
        organisation_id=competency.organisation_id,
        target=competency,
        data={"code": competency.code},
    )


def export_csv(competencies: list[Competency]) -> Iterator[str]:
    """The dictionary as CSV rows (one per level), streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for competency in competencies:
        for level in competency.levels:
            writer.writerow(
                [
                    competency.code,
                    competency.name,
                    competency.kind.value,
                    competency.definition,
                    level.level,
                    level.title,
                    INDICATOR_SEPARATOR.join(level.indicators),
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def parse_csv(content: bytes) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Competency entries from a CSV file, with problems as (line, message); nothing saved."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(1, _("Berkas CSV harus teks UTF-8."))]
    if "\x00" in text:  # a binary file; PostgreSQL cannot keep the character either
        line = text.count("\n", 0, text.index("\x00")) + 1
        return [], [(line, _("Berkas CSV memuat karakter NUL; simpan ulang sebagai teks UTF-8."))]
    header = text.split("\n", 1)[0]
    # a spreadsheet set to Indonesian saves CSV with semicolons
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        return _read_entries(reader)
    except csv.Error:  # the module's own message is English
        line = reader.reader.line_num  # the DictReader's own count stops at the last good row
        return [], [(line, csv_error_message(line))]


def _read_entries(reader: csv.DictReader) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [(1, _("Kolom wajib tidak ada: %(cols)s.", cols=", ".join(missing)))]
    entries: dict[str, dict[str, Any]] = {}
    problems: list[tuple[int, str]] = []
    for row in reader:
        line = reader.line_num
        try:
            code = check_code(row["kode"] or "")
            level = int((row["level"] or "").strip())
            if not 1 <= level <= 5:
                raise ValueError
        except DomainError as error:
            problems.append((line, error.message))
            continue
        except ValueError:
            problems.append((line, _("Level harus angka 1 sampai 5.")))
            continue
        entry = entries.setdefault(
            code,
            {
                "code": code,
                "name": (row["nama"] or "").strip(),
                "kind": (row["jenis"] or "").strip(),
                "definition": (row["definisi"] or "").strip(),
                "level": [],
                "line": line,
            },
        )
        indicators = [i.strip() for i in (row["indikator"] or "").split("|") if i.strip()]
        entry["level"].append(
            {
                "level": level,
                "title": (row["deskripsi_level"] or "").strip(),
                "indicators": indicators,
            }
        )
    return list(entries.values()), problems


def set_position_standard(
    position: Position, competency: Competency, level: int | None, *, actor: User
) -> None:
    """HR set the required level of a competency for one position (0 takes it out of the
    position's standard; ``None`` drops the position's own level, so the defaults apply)."""
    if level is not None and not 0 <= level <= 5:
        raise DomainError(_("Level harus 0 sampai 5."), field="level")
    row = db.session.scalar(
        select(PositionStandard).where(
            PositionStandard.position_id == position.id,
            PositionStandard.competency_id == competency.id,
        )
    )
    if row is None and level is None:
        return
    before = row.level if row is not None else None
    if level is None:
        db.session.delete(row)
    elif row is None:
        db.session.add(
            PositionStandard(position_id=position.id, competency_id=competency.id, level=level)
        )
    else:
        row.level = level
    db.session.flush()
    audit.record(
        "position.standard_changed",
        actor=actor,
        organisation_id=position.organisation_id,
        target=position,
        data={"competency": competency.code, "before": before, "after": level},
    )


def set_type_standard(
    organisation_id: int,
    position_type: PositionType,
    jenjang: str,
    competency: Competency,
    level: int,
    *,
    actor: User,
) -> None:
    """HR set the organisation's default level for a position type (0 removes it)."""
    if not 0 <= level <= 5:
        raise DomainError(_("Level harus 0 sampai 5."), field="level")
    row = db.session.scalar(
        select(TypeStandard).where(
            TypeStandard.organisation_id == organisation_id,
            TypeStandard.position_type == position_type,
            TypeStandard.jenjang == jenjang,
            TypeStandard.competency_id == competency.id,
        )
    )
    if row is None:
        row = TypeStandard(
            organisation_id=organisation_id,
            position_type=position_type,
            jenjang=jenjang,
            competency_id=competency.id,
            level=level,
        )
        db.session.add(row)
    row.level = level
    db.session.flush()
    audit.record(
        "standard.default_changed",
        actor=actor,
        organisation_id=organisation_id,
        target=None,
        data={
            "type": position_type.value,
            "jenjang": jenjang,
            "competency": competency.code,
            "level": level,
        },
    )
