"""The NIP (Nomor Induk Pegawai): 18 digits whose parts must each be real.

PNS: birth date ``YYYYMMDD`` + TMT CPNS ``YYYYMM`` + sex digit (1 male, 2 female) + sequence
``NNN``.
PPPK numbers also start with the birth date and end with the sex digit and sequence, but their
middle six digits are the appointment year followed by a type code instead of a month, so for them
only the year is checked there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from lms.accounts.models import EmployeeType

#: youngest age at which anyone is appointed
MIN_APPOINTMENT_AGE = 17
#: the earliest birth year still plausible for an employee record
EARLIEST_BIRTH_YEAR = 1930


class NipError(ValueError):
    """The NIP is malformed; ``str(error)`` is an Indonesian message for the user."""


@dataclass(frozen=True)
class NipInfo:
    """What a valid NIP says about its holder."""

    nip: str
    employee_type: EmployeeType
    birth_date: date
    appointment_year: int
    appointment_month: int | None
    sex: str  # "L" or "P"
    sequence: int


def parse_nip(
    value: str, employee_type: EmployeeType = EmployeeType.PNS, *, today: date | None = None
) -> NipInfo:
    """Validate ``value`` in full and return its parts, or raise :class:`NipError`."""
    today = today or date.today()
    nip = (value or "").strip().replace(" ", "").replace(".", "")
    if not nip:
        raise NipError(_("NIP wajib diisi."))
    if not (nip.isascii() and nip.isdigit()):  # "²" or "١" are digits to str.isdigit()
        raise NipError(_("NIP hanya boleh berisi angka."))
    if len(nip) != 18:
        raise NipError(_("NIP harus 18 digit, bukan %(count)d.", count=len(nip)))
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise NipError(
            _("8 digit pertama NIP (%(part)s) bukan tanggal lahir yang sah.", part=nip[:8])
        ) from None
    if birth.year < EARLIEST_BIRTH_YEAR or birth > today:
        raise NipError(_("Tanggal lahir pada NIP (%(part)s) tidak masuk akal.", part=nip[:8]))
    year = int(nip[8:12])
    month_part = int(nip[12:14])
    if employee_type is EmployeeType.PNS:
        if not 1 <= month_part <= 12:
            raise NipError(_("Bulan TMT CPNS pada NIP (%(part)s) tidak sah.", part=nip[8:14]))
        appointment_month: int | None = month_part
    else:
        appointment_month = None
    earliest = birth.year + MIN_APPOINTMENT_AGE
    if (
        year < earliest
        or year > today.year
        or (appointment_month is not None and (year, appointment_month) > (today.year, today.month))
    ):
        if employee_type is EmployeeType.PNS:
            raise NipError(_("TMT CPNS pada NIP (%(part)s) tidak masuk akal.", part=nip[8:14]))
        raise NipError(
            _("Tahun pengangkatan PPPK pada NIP (%(part)s) tidak masuk akal.", part=nip[8:12])
        )
    sex_digit = nip[14]
    if sex_digit not in "12":
        raise NipError(
            _("Digit ke-15 NIP (jenis kelamin) harus 1 atau 2, bukan %(digit)s.", digit=sex_digit)
        )
    sequence = int(nip[15:18])
    if sequence == 0:
        raise NipError(_("Nomor urut pada NIP tidak boleh 000."))
    return NipInfo(
        nip=nip,
        employee_type=employee_type,
        birth_date=birth,
        appointment_year=year,
        appointment_month=appointment_month,
        sex="L" if sex_digit == "1" else "P",
        sequence=sequence,
    )


def normalise_nip(value: str) -> str:
    """Strip the spaces and dots people type into NIPs."""
    return (value or "").strip().replace(" ", "").replace(".", "")
