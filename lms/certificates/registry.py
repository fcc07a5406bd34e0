"""HR's certificate registry: every certificate held by an organisation's employees, Lentera's
and external ones, filtered by course, unit (with its sub-units), period and state, on pages
and as the rows of CSV and XLSX exports (streamed by :mod:`lms.core.exports`).

Both kinds come from one ``UNION ALL`` so that filters, counts, ordering and pagination happen
in SQL. States are worked out in SQL from the day (WIB): a valid certificate expiring within
:data:`~lms.certificates.records.EXPIRING_DAYS` is "expiring". Reissued certificates appear as
their current issue; the replaced ones are on the detail page's history.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    String,
    and_,
    case,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from lms.accounts.models import Employee, Organisation, Unit
from lms.accounts.tree import unit_subtree_ids
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.records import expiring_by, state_label
from lms.certificates.services import JAKARTA
from lms.certificates.urls import public_url
from lms.competencies.models import ExternalTraining
from lms.core.db import UTCDateTime
from lms.core.exports import batched
from lms.core.urls import MAX_ID
from lms.extensions import db

#: the states the registry filters by
STATES = ("valid", "expiring", "expired", "revoked")


@dataclass(frozen=True)
class Filters:
    """What the registry is narrowed to; each empty when not given or not understood."""

    course_id: int | None = None
    unit_id: int | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    state: str | None = None

    @classmethod
    def parse(cls, args: Any) -> Filters:
        """From the query string (``kursus``, ``unit``, ``dari``, ``sampai``, ``status``)."""
        return cls(
            course_id=_id(args.get("kursus")),
            unit_id=_id(args.get("unit")),
            issued_from=_day(args.get("dari")),
            issued_to=_day(args.get("sampai")),
            state=args.get("status") if args.get("status") in STATES else None,
        )

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for export links and the pager)."""
        values = {
            "kursus": self.course_id,
            "unit": self.unit_id,
            "dari": self.issued_from.isoformat() if self.issued_from else None,
            "sampai": self.issued_to.isoformat() if self.issued_to else None,
            "status": self.state,
        }
        return {key: str(value) for key, value in values.items() if value is not None}


def _id(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    """Midnight WIB of ``day`` in UTC (issue times are stored in UTC)."""
    return datetime.combine(day, time(), JAKARTA).astimezone(UTC)


def _state_conditions(expires_on: Any, state: str, today: date) -> ColumnElement[bool]:
    soon = expiring_by(today)
    if state == "expired":
        return and_(expires_on.is_not(None), expires_on < today)
    if state == "expiring":
        return expires_on.between(today, soon)
    return or_(expires_on.is_(None), expires_on >= today)  # valid, expiring included


def _state_column(expires_on: Any, today: date, *, revoked: Any = None) -> Any:
    whens = [] if revoked is None else [(revoked, "revoked")]
    whens += [(expires_on < today, "expired"), (expires_on <= expiring_by(today), "expiring")]
    return case(*whens, else_="valid")


def _columns(**expressions: Any) -> list[Any]:
    """The expressions labelled by their keywords, in order: both halves of the ``UNION ALL``
    name the same columns in the same order."""
    return [expression.label(name) for name, expression in expressions.items()]


def _certificates(organisation_id: int, filters: Filters, units: set[int] | None, today: date):
    revoked = Certificate.status == CertificateStatus.REVOKED
    query = (
        select(
            *_columns(
                kind=literal_column("'lentera'", String),
                id=Certificate.id,
                employee_id=Certificate.employee_id,
                name=Certificate.holder_name,
                # certificates this organisation issued to another's employees: NIP masked
                nip=case(
                    (Employee.organisation_id == organisation_id, Certificate.holder_nip),
                    else_=type_coerce(func.substr(Certificate.holder_nip, 1, 6), String)
                    + "**********"
                    + type_coerce(func.substr(Certificate.holder_nip, 17, 2), String),
                ),
                unit=case((Employee.organisation_id == organisation_id, Unit.name)),
                title=Certificate.course_title,
                issuer=Organisation.name,
                number=Certificate.number,
                code=Certificate.code,
                jp=Certificate.jp,
                issued_at=Certificate.issued_at,
                completed_on=type_coerce(null(), Date),
                sort_at=Certificate.issued_at,
                expires_on=Certificate.expires_on,
                state=_state_column(Certificate.expires_on, today, revoked=revoked),
            )
        )
        .join(Employee, Employee.id == Certificate.employee_id)
        .join(Organisation, Organisation.id == Certificate.organisation_id)
        .outerjoin(Unit, Unit.id == Employee.unit_id)
        .where(
            or_(
                Employee.organisation_id == organisation_id,
                Certificate.organisation_id == organisation_id,  # issued by us
            ),
            Certificate.status != CertificateStatus.REPLACED,
        )
    )
    if filters.course_id is not None:
        query = query.where(Certificate.course_id == filters.course_id)
    if units is not None:
        query = query.where(Employee.unit_id.in_(units))
    if filters.issued_from:
        query = query.where(Certificate.issued_at >= _start_of(filters.issued_from))
    if filters.issued_to:
        query = query.where(Certificate.issued_at < _start_of(filters.issued_to + timedelta(1)))
    if filters.state == "revoked":
        query = query.where(revoked)
    elif filters.state:
        query = query.where(
            Certificate.status == CertificateStatus.VALID,
            _state_conditions(Certificate.expires_on, filters.state, today),
        )
    return query


def _external(organisation_id: int, filters: Filters, units: set[int] | None, today: date):
    query = (
        select(
            *_columns(
                kind=literal_column("'external'", String),
                id=ExternalTraining.id,
                employee_id=ExternalTraining.employee_id,
                name=Employee.name,
                nip=Employee.nip,
                unit=Unit.name,
                title=ExternalTraining.title,
                issuer=ExternalTraining.provider,
                number=type_coerce(null(), String),
                code=type_coerce(null(), String),
                jp=ExternalTraining.jp,
                issued_at=type_coerce(null(), UTCDateTime()),
                completed_on=ExternalTraining.completed_on,
                # dates sort among the certificates' times (as midnight)
                sort_at=type_coerce(ExternalTraining.completed_on, UTCDateTime()),
                expires_on=ExternalTraining.expires_on,
                state=_state_column(ExternalTraining.expires_on, today),
            )
        )
        .join(Employee, Employee.id == ExternalTraining.employee_id)
        .outerjoin(Unit, Unit.id == Employee.unit_id)
        .where(
            Employee.organisation_id == organisation_id,
            ExternalTraining.certificate_path.is_not(None),
        )
    )
    if filters.course_id is not None or filters.state == "revoked":
        query = query.where(false())  # a course filter means Lentera's; nothing external revokes
    if units is not None:
        query = query.where(Employee.unit_id.in_(units))
    if filters.issued_from:
        query = query.where(ExternalTraining.completed_on >= filters.issued_from)
    if filters.issued_to:
        query = query.where(ExternalTraining.completed_on <= filters.issued_to)
    if filters.state and filters.state != "revoked":
        query = query.where(_state_conditions(ExternalTraining.expires_on, filters.state, today))
    return query


def registry_query(organisation_id: int, filters: Filters, today: date) -> Select[Any]:
    """Rows of the registry, newest first: ``kind`` (``lentera`` or ``external``), ``id``,
    ``employee_id``, ``name``, ``nip``, ``unit``, ``title``, ``issuer``, ``number``, ``code``,
    ``jp``, ``issued_at`` / ``completed_on``, ``expires_on`` and ``state``."""
    units = None
    if filters.unit_id is not None:
        units = unit_subtree_ids(filters.unit_id, organisation_id)
    both = union_all(
        _certificates(organisation_id, filters, units, today),
        _external(organisation_id, filters, units, today),
    ).subquery("registry")
    columns = [c for c in both.c if c.name != "sort_at"]
    return select(*columns).order_by(both.c.sort_at.desc(), both.c.kind, both.c.id.desc())


def state_counts(organisation_id: int, today: date) -> dict[str, int]:
    """How many of the organisation's certificates are in each state (both kinds); "valid"
    counts the expiring ones too."""
    both = union_all(
        _certificates(organisation_id, Filters(), None, today),
        _external(organisation_id, Filters(), None, today),
    ).subquery("registry")
    rows = db.session.execute(select(both.c.state, func.count()).group_by(both.c.state))
    counts = dict.fromkeys(STATES, 0)
    counts.update({state: count for state, count in rows})  # noqa: C416 - rows, not pairs
    counts["valid"] += counts["expiring"]  # expiring ones are still valid, as in the filter
    return counts


def course_choices(organisation_id: int) -> list[tuple[int, str]]:
    """Courses the organisation's employees hold certificates of, for the filter."""
    rows = db.session.execute(
        select(Certificate.course_id, Certificate.course_code, func.max(Certificate.course_title))
        .join(Employee, Employee.id == Certificate.employee_id)
        .where(Employee.organisation_id == organisation_id)
        .group_by(Certificate.course_id, Certificate.course_code)
        .order_by(Certificate.course_code)
    )
    return [(course_id, f"{code} — {title}") for course_id, code, title in rows]


# --- exports ------------------------------------------------------------------------------------


def export_headers() -> list[str]:
    """Column titles of the exports."""
    return [
        _("Jenis"),
        _("Nomor"),
        _("Nama"),
        _("NIP"),
        _("Unit kerja"),
        _("Pelatihan"),
        _("Penerbit / penyelenggara"),
        _("JP"),
        _("Tanggal"),
        _("Berlaku sampai"),
        _("Status"),
        _("Tautan verifikasi"),
    ]


def export_rows(query: Select[Any]) -> Iterator[list[Any]]:
    """The registry's rows as export cells, fetched in batches."""
    kinds = {"lentera": _("Lentera"), "external": _("Eksternal")}
    labels = {state: state_label(state) for state in (*STATES, "replaced")}
    for row in batched(query):
        day = row.issued_at.astimezone(JAKARTA).date() if row.issued_at else row.completed_on
        yield [
            kinds.get(row.kind, row.kind),
            row.number or "",
            row.name,
            row.nip,
            row.unit or "",
            row.title,
            row.issuer or "",
            row.jp,
            day,
            row.expires_on,
            labels.get(row.state, row.state),
            public_url("certificates.verify", code=row.code) if row.code else "",
        ]
