"""Employee import from CSV and XLSX files with SIASN-like columns.

A file is first read and checked as a whole (:func:`preview_import`): every bad row is listed by
line and column and nothing is written. :func:`apply_import` then writes the good rows in one
transaction; importing the same file again updates employees instead of duplicating them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts import audit
from lms.accounts.models import Employee, EmployeeType, Organisation, Position, Unit, User
from lms.accounts.nip import NipError, normalise_nip, parse_nip
from lms.accounts.reference import normalise_golongan
from lms.accounts.services import ensure_account
from lms.core import signals
from lms.core.errors import DomainError
from lms.core.validation import is_email
from lms.extensions import db

#: accepted header spellings, normalised (lower case, single spaces), for each column
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "nip": ("nip", "nip baru", "nomor induk pegawai"),
    "nama": ("nama", "nama lengkap", "nama pegawai"),
    "email": ("email", "e-mail", "surel"),
    "unit": ("unit", "unit kerja", "kode unit", "perangkat daerah", "unor"),
    "jabatan": ("jabatan", "nama jabatan"),
    "golongan": ("golongan", "gol", "golongan/ruang", "gol/ruang", "pangkat/golongan"),
    "nip_atasan": ("nip atasan", "atasan", "nip atasan langsung"),
    "jenis": ("jenis", "jenis pegawai", "status kepegawaian", "jenis asn"),
    "aktif": ("aktif", "status aktif"),
}
REQUIRED_COLUMNS = ("nip", "nama")
COLUMN_LABELS = {
    "nip": "NIP",
    "nama": "nama",
    "email": "email",
    "unit": "unit",
    "jabatan": "jabatan",
    "golongan": "golongan",
    "nip_atasan": "NIP atasan",
    "jenis": "jenis",
    "aktif": "aktif",
}
#: the most an XLSX may unpack to, against zip bombs
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
#: a NIP that went through a spreadsheet number: ``1.99101312015031E+17``, ``1,99101E+17``
_NIP_AS_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?[eE]\+?\d+$")


@dataclass
class RowError:
    """One problem in the file: its line (1 = header), column and message."""

    line: int
    column: str | None
    message: str


@dataclass
class ImportRow:
    """One valid row, resolved against the organisation."""

    line: int
    nip: str
    name: str
    employee_type: EmployeeType
    email: str | None
    unit_id: int | None
    position_id: int | None
    golongan: str | None
    supervisor_nip: str | None
    is_active: bool
    action: str = "create"  # create, update or unchanged


@dataclass
class ImportPreview:
    """What importing a file would do."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """How many rows would be created, updated, left unchanged, or are bad."""
        result = {"create": 0, "update": 0, "unchanged": 0}
        for row in self.rows:
            result[row.action] += 1
        result["error_rows"] = len({e.line for e in self.errors if e.line > 1})
        return result

    @property
    def file_error(self) -> bool:
        """The file as a whole could not be read (no row is usable)."""
        return any(e.line <= 1 for e in self.errors)


# --- reading ------------------------------------------------------------------------------------


def _norm_header(value: Any) -> str:
    return " ".join(str(value or "").replace("_", " ").strip().lower().split())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 10**15:
        # An 18-digit NIP typed as a number has lost its last digits in the spreadsheet (it
        # keeps 15 significant digits): show it as the spreadsheet does, so it is refused.
        return f"{value:.15G}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _nip_as_number(value: str) -> str:
    return _(
        "NIP %(value)s tersimpan sebagai angka sehingga digit terakhirnya hilang (Excel hanya "
        "menyimpan 15 digit angka). Format kolom NIP sebagai Teks lalu ketik ulang NIP-nya.",
        value=value,
    )


def read_rows(filename: str, content: bytes) -> Iterator[list[str]]:
    """The file's rows as lists of strings, header first. Raises DomainError if unreadable."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        yield from _read_xlsx(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        yield from _read_csv(content)
    else:
        raise DomainError(_("Format berkas tidak didukung. Gunakan CSV atau XLSX."), code="format")


def _read_csv(content: bytes) -> Iterator[list[str]]:
    # anywhere in the file: PostgreSQL cannot keep a NUL character in a name
    if b"\x00" in content:
        raise DomainError(_("Berkas CSV tidak valid: berisi data biner."), code="format")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for row in reader:
            yield [cell.strip() for cell in row]
    except csv.Error:  # the module's own message is English
        raise DomainError(csv_error_message(reader.line_num), code="format") from None


def csv_error_message(line: int) -> str:
    """Why a CSV file stopped being readable at ``line`` (Python's csv refuses little else)."""
    return _(
        "Berkas CSV tidak dapat dibaca (berhenti di baris %(line)d): ada sel yang lebih panjang "
        "dari 128 KB, atau tanda kutip pembuka sebelumnya yang tidak ditutup.",
        line=line,
    )


def _read_xlsx(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
                raise DomainError(_("Berkas XLSX terlalu besar setelah dibuka."), code="too_large")
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except DomainError:
        raise
    except Exception:  # openpyxl raises many kinds on damaged files
        raise DomainError(_("Berkas XLSX rusak atau bukan XLSX yang sah."), code="format") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(value) for value in row]
    except Exception:
        raise DomainError(_("Berkas XLSX rusak atau bukan XLSX yang sah."), code="format") from None
    finally:
        workbook.close()


# --- checking -----------------------------------------------------------------------------------


class _Lookups:
    """The organisation's units, positions and existing employees, loaded once."""

    def __init__(self, organisation: Organisation, nips: set[str]) -> None:
        self.units_by_code: dict[str, Unit] = {}
        self.units_by_name: dict[str, list[Unit]] = {}
        for unit in db.session.scalars(select(Unit).where(Unit.organisation_id == organisation.id)):
            self.units_by_code[unit.code.lower()] = unit
            self.units_by_name.setdefault(unit.name.lower(), []).append(unit)
        self.positions_by_name: dict[str, list[Position]] = {}
        for position in db.session.scalars(
            select(Position).where(Position.organisation_id == organisation.id)
        ):
            self.positions_by_name.setdefault(position.name.lower(), []).append(position)
        self.employees: dict[str, Employee] = {}
        nip_list = sorted(nips)
        for start in range(0, len(nip_list), 500):
            chunk = nip_list[start : start + 500]
            for employee in db.session.scalars(select(Employee).where(Employee.nip.in_(chunk))):
                self.employees[employee.nip] = employee
        self.emails_taken: dict[str, int | None] = {}
        self.organisation = organisation

    def load_emails(self, emails: set[str]) -> None:
        email_list = sorted(emails)
        for start in range(0, len(email_list), 500):
            chunk = email_list[start : start + 500]
            for user_email, employee_id in db.session.execute(
                select(User.email, User.employee_id).where(User.email.in_(chunk))
            ):
                self.emails_taken[user_email] = employee_id


def _map_header(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    mapping: dict[str, int] = {}
    errors: list[RowError] = []
    for index, raw in enumerate(header):
        normalised = _norm_header(raw)
        for column, aliases in COLUMN_ALIASES.items():
            if normalised in aliases and column not in mapping:
                mapping[column] = index
    missing = [COLUMN_LABELS[c] for c in REQUIRED_COLUMNS if c not in mapping]
    if missing:
        errors.append(
            RowError(
                1,
                None,
                _(
                    "Kolom wajib tidak ada: %(columns)s. Baris pertama harus berisi judul kolom "
                    "(NIP, nama, email, unit, jabatan, golongan, NIP atasan).",
                    columns=", ".join(missing),
                ),
            )
        )
    return mapping, errors


def preview_import(organisation: Organisation, filename: str, content: bytes) -> ImportPreview:
    """Check a file against the organisation; nothing is written."""
    preview = ImportPreview()
    max_rows = current_app.config["IMPORT_MAX_ROWS"]
    try:
        iterator = read_rows(filename, content)
        header = next(iterator, None)
        if header is None or not any(header):
            preview.errors.append(RowError(1, None, _("Berkas kosong.")))
            return preview
        mapping, header_errors = _map_header(header)
        if header_errors:
            preview.errors.extend(header_errors)
            return preview
        raw_rows: list[tuple[int, dict[str, str]]] = []
        for line, values in enumerate(iterator, start=2):
            if not any(values):
                continue
            if len(raw_rows) >= max_rows:
                preview.errors.append(
                    RowError(1, None, _("Berkas berisi lebih dari %(n)d baris data.", n=max_rows))
                )
                return preview
            row = {
                column: values[index] if index < len(values) else ""
                for column, index in mapping.items()
            }
            raw_rows.append((line, row))
    except DomainError as error:
        preview.errors.append(RowError(1, None, error.message))
        return preview
    preview.total_rows = len(raw_rows)
    if not raw_rows:
        preview.errors.append(RowError(1, None, _("Berkas tidak berisi baris data.")))
        return preview
    _check_rows(organisation, raw_rows, preview, frozenset(mapping))
    return preview


def _check_rows(
    organisation: Organisation,
    raw_rows: list[tuple[int, dict[str, str]]],
    preview: ImportPreview,
    present: frozenset[str],
) -> None:
    """Check every row; a column the file lacks keeps an existing employee's current value."""
    nips = {normalise_nip(r.get("nip", "")) for _line, r in raw_rows}
    nips |= {normalise_nip(r.get("nip_atasan", "")) for _line, r in raw_rows} - {""}
    lookups = _Lookups(organisation, nips)
    lookups.load_emails({r.get("email", "").strip().lower() for _l, r in raw_rows} - {""})
    seen: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    candidates: dict[str, ImportRow] = {}
    bad_nips: set[str] = set()

    for line, row in raw_rows:
        errors: list[RowError] = []

        def fail(
            column: str, message: str, _errors: list[RowError] = errors, _line: int = line
        ) -> None:
            _errors.append(RowError(_line, COLUMN_LABELS[column], message))

        known = lookups.employees.get(normalise_nip(row.get("nip", "")))
        default_kind = known.employee_type.value.upper() if known is not None else "PNS"
        kind = row.get("jenis", "").strip().upper() or default_kind
        if kind not in ("PNS", "PPPK", "CPNS"):
            fail("jenis", _("Jenis pegawai harus PNS atau PPPK, bukan %(value)s.", value=kind))
        employee_type = EmployeeType.PPPK if kind == "PPPK" else EmployeeType.PNS
        nip = normalise_nip(row.get("nip", ""))
        try:
            if _NIP_AS_NUMBER.match(row.get("nip", "").strip()):
                raise NipError(_nip_as_number(row.get("nip", "").strip()))
            nip = parse_nip(nip, employee_type).nip
        except NipError as error:
            fail("nip", str(error))
            bad_nips.add(nip)
        if nip in seen:
            fail("nip", _("NIP %(nip)s duplikat: sudah ada di baris %(line)d.", nip=nip,
                          line=seen[nip]))  # fmt: skip
        else:
            seen[nip] = line
        existing = lookups.employees.get(nip)
        if existing is not None and existing.organisation_id != organisation.id:
            fail("nip", _("NIP %(nip)s terdaftar di instansi lain.", nip=nip))
        name = " ".join(row.get("nama", "").split())
        if not name:
            fail("nama", _("Nama wajib diisi."))
        elif len(name) > 200:
            fail("nama", _("Nama terlalu panjang (maksimal 200 karakter)."))
        email = row.get("email", "").strip().lower() or None
        if email and not is_email(email):
            fail("email", _("Alamat email %(email)s tidak valid.", email=email))
        elif email and email in seen_emails:
            fail("email", _("Email %(email)s duplikat: sudah ada di baris %(line)d.",
                            email=email, line=seen_emails[email]))  # fmt: skip
        elif email and email in lookups.emails_taken:
            owner = lookups.emails_taken[email]
            if owner is None or existing is None or owner != existing.id:
                fail("email", _("Email %(email)s sudah dipakai akun lain.", email=email))
        if email:
            seen_emails.setdefault(email, line)
        unit_id = None
        unit_value = row.get("unit", "").strip()
        if unit_value:
            unit = lookups.units_by_code.get(unit_value.lower())
            if unit is None:
                matches = lookups.units_by_name.get(unit_value.lower(), [])
                if len(matches) > 1:
                    fail(
                        "unit", _("Nama unit %(unit)s ambigu; gunakan kode unit.", unit=unit_value)
                    )
                unit = matches[0] if len(matches) == 1 else None
                if not matches:
                    fail("unit", _("Unit kerja %(unit)s tidak dikenal.", unit=unit_value))
            unit_id = unit.id if unit else None
        position_id = None
        position_value = row.get("jabatan", "").strip()
        if position_value:
            matches = lookups.positions_by_name.get(position_value.lower(), [])
            if len(matches) > 1 and unit_id is not None:
                matches = [p for p in matches if p.unit_id == unit_id] or matches
            if not matches:
                fail("jabatan", _("Jabatan %(name)s tidak dikenal.", name=position_value))
            else:
                position_id = matches[0].id
        golongan = None
        golongan_value = row.get("golongan", "").strip()
        if golongan_value:
            golongan = normalise_golongan(golongan_value, employee_type)
            if golongan is None:
                fail("golongan", _("Golongan %(value)s tidak dikenal.", value=golongan_value))
        supervisor_nip = normalise_nip(row.get("nip_atasan", "")) or None
        if _NIP_AS_NUMBER.match(row.get("nip_atasan", "").strip()):
            fail("nip_atasan", _nip_as_number(row.get("nip_atasan", "").strip()))
        if supervisor_nip and supervisor_nip == nip:
            fail("nip_atasan", _("Pegawai tidak boleh menjadi atasannya sendiri."))
        active_value = row.get("aktif", "").strip().lower()
        if active_value and active_value not in ("ya", "y", "1", "aktif", "tidak", "t", "0",
                                                 "nonaktif", "true", "false"):  # fmt: skip
            fail("aktif", _("Kolom aktif harus ya atau tidak."))
        is_active = active_value not in ("tidak", "t", "0", "nonaktif", "false")
        if errors:
            preview.errors.extend(errors)
            bad_nips.add(nip)
            continue
        candidates[nip] = ImportRow(
            line=line, nip=nip, name=name, employee_type=employee_type, email=email,
            unit_id=unit_id, position_id=position_id, golongan=golongan,
            supervisor_nip=supervisor_nip, is_active=is_active,
        )  # fmt: skip

    # Refuse loops first, so that rows reporting to a refused loop are refused below too.
    _refuse_cycles(candidates, lookups, preview)
    # Supervisors must exist in the organisation or be a good row of this file; rows whose
    # supervisor is bad become bad themselves, until nothing changes.
    changed = True
    while changed:
        changed = False
        for nip, candidate in list(candidates.items()):
            sup = candidate.supervisor_nip
            if sup is None or sup in candidates:
                continue
            existing_sup = lookups.employees.get(sup)
            if existing_sup is not None and existing_sup.organisation_id == organisation.id:
                continue
            message = (
                _("Atasan dengan NIP %(nip)s ada di baris yang bermasalah.", nip=sup)
                if sup in bad_nips or sup in seen
                else _("Atasan dengan NIP %(nip)s tidak dikenal.", nip=sup)
            )
            preview.errors.append(RowError(candidate.line, COLUMN_LABELS["nip_atasan"], message))
            bad_nips.add(nip)
            del candidates[nip]
            changed = True

    for candidate in candidates.values():
        existing = lookups.employees.get(candidate.nip)
        if existing is None:
            candidate.action = "create"
        else:
            _keep_unsaid(candidate, existing, present)
            sup_existing = lookups.employees.get(candidate.supervisor_nip or "")
            same = (
                existing.name == candidate.name
                and existing.employee_type == candidate.employee_type
                and (existing.email or None) == candidate.email
                and existing.unit_id == candidate.unit_id
                and existing.position_id == candidate.position_id
                and existing.golongan == candidate.golongan
                and existing.is_active == candidate.is_active
                and existing.supervisor_id == (sup_existing.id if sup_existing else None)
            )
            candidate.action = "unchanged" if same else "update"
        preview.rows.append(candidate)
    preview.rows.sort(key=lambda r: r.line)
    preview.errors.sort(key=lambda e: e.line)


def _keep_unsaid(candidate: ImportRow, existing: Employee, present: frozenset[str]) -> None:
    """Columns missing from the file leave an existing employee's values as they are."""
    if "email" not in present:
        candidate.email = existing.email
    if "unit" not in present:
        candidate.unit_id = existing.unit_id
    if "jabatan" not in present:
        candidate.position_id = existing.position_id
    if "golongan" not in present:
        candidate.golongan = existing.golongan
    if "aktif" not in present:
        candidate.is_active = existing.is_active
    if "nip_atasan" not in present:
        candidate.supervisor_nip = existing.supervisor.nip if existing.supervisor else None


def _refuse_cycles(
    candidates: dict[str, ImportRow], lookups: _Lookups, preview: ImportPreview
) -> None:
    """Rows whose supervisor chain loops back to themselves are refused."""

    def supervisor_of(nip: str) -> str | None:
        if nip in candidates:
            return candidates[nip].supervisor_nip
        employee = lookups.employees.get(nip)
        if employee is None or employee.supervisor_id is None:
            return None
        return employee.supervisor.nip if employee.supervisor else None

    looping: list[str] = []
    for nip in candidates:
        visited = {nip}
        current = supervisor_of(nip)
        while current is not None:
            if current == nip:
                looping.append(nip)
                break
            if current in visited:
                break
            visited.add(current)
            current = supervisor_of(current)
    for nip in looping:
        row = candidates.pop(nip)
        preview.errors.append(
            RowError(row.line, COLUMN_LABELS["nip_atasan"],
                     _("Rantai atasan membentuk lingkaran (pegawai menjadi atasan atasannya)."))
        )  # fmt: skip


# --- writing ------------------------------------------------------------------------------------


def apply_import(
    organisation: Organisation, preview: ImportPreview, *, actor: User | None, filename: str
) -> dict[str, int]:
    """Write the good rows of a preview in the caller's transaction; return the counts."""
    employees: dict[str, Employee] = {}
    nips = [row.nip for row in preview.rows]
    for start in range(0, len(nips), 500):
        for employee in db.session.scalars(
            select(Employee).where(Employee.nip.in_(nips[start : start + 500]))
        ):
            employees[employee.nip] = employee
    for row in preview.rows:
        if row.action == "unchanged":
            continue
        info = parse_nip(row.nip, row.employee_type)
        employee = employees.get(row.nip)
        if employee is None:
            employee = Employee(organisation_id=organisation.id, nip=row.nip)
            db.session.add(employee)
            employees[row.nip] = employee
        employee.employee_type, employee.name, employee.email = (
            row.employee_type, row.name, row.email,
        )  # fmt: skip
        employee.birth_date, employee.sex = info.birth_date, info.sex
        employee.unit_id, employee.position_id = row.unit_id, row.position_id
        employee.golongan, employee.is_active = row.golongan, row.is_active
    db.session.flush()
    supervisor_nips = {r.supervisor_nip for r in preview.rows if r.supervisor_nip} - set(employees)
    if supervisor_nips:
        for employee in db.session.scalars(
            select(Employee).where(Employee.nip.in_(sorted(supervisor_nips)))
        ):
            employees[employee.nip] = employee
    for row in preview.rows:
        if row.action == "unchanged":
            continue
        employee = employees[row.nip]
        employee.supervisor_id = employees[row.supervisor_nip].id if row.supervisor_nip else None
        user = ensure_account(employee, row.email)
        if row.email and user.email != row.email:
            user.email = row.email
    db.session.flush()
    signals.employees_changed.send(
        None, employee_ids=[employees[r.nip].id for r in preview.rows if r.action != "unchanged"]
    )
    counts = preview.counts
    audit.record(
        "employee.imported",
        actor=actor,
        organisation_id=organisation.id,
        target_type="organisations",
        target_id=organisation.id,
        data={"file": filename[:200], **counts},
    )
    return counts
