"""The JP ledger: jam pelajaran earned per year from completed courses and external training,
against the yearly target (20 JP by PP 11/2017 as amended, ``LMS_JP_TARGET``)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from lms.accounts import audit
from lms.accounts.models import Employee, User
from lms.certificates.models import Certificate, CertificateStatus
from lms.competencies import evidence
from lms.competencies.models import Competency, EvidenceSource, ExternalTraining
from lms.competencies.profile import refresh
from lms.core.errors import DomainError
from lms.courses.models import Course, CourseVersion, Enrollment
from lms.extensions import db
from lms.media.detect import DOCUMENT_TYPES, IMAGE_TYPES, sniff_image
from lms.media.storage import store


@dataclass(frozen=True)
class LedgerItem:
    """One line of the ledger."""

    kind: str  # "course" or "external"
    title: str
    jp: int
    on: date
    reference: str  # course code, or the training's provider


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    # the ledger year follows WIB: 1 January 00:00 WIB is 31 December 17:00 UTC
    start = datetime(year - 1, 12, 31, 17, tzinfo=UTC)
    end = datetime(year, 12, 31, 17, tzinfo=UTC)
    return start, end


def target() -> int:
    """JP each ASN is entitled to per year."""
    return current_app.config["JP_TARGET"]


def counts_for_jp() -> ColumnElement[bool]:
    """An enrolment's completion earns its JP unless its certificate was revoked (a revoked
    certificate's completion no longer counts; a later completion of the course does)."""
    return ~exists().where(
        Certificate.enrollment_id == Enrollment.id,
        Certificate.completed_at == Enrollment.completed_at,
        Certificate.status == CertificateStatus.REVOKED,
    )


def course_jp_query(year: int):  # noqa: ANN201 - a SQLAlchemy select
    """(employee_id, jp) of every course completed in the year, for aggregation in SQL."""
    start, end = _year_bounds(year)
    return (
        select(Enrollment.employee_id.label("employee_id"), CourseVersion.jp.label("jp"))
        .join(Course, Course.id == Enrollment.course_id)
        .join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Enrollment.completed_at >= start, Enrollment.completed_at < end, counts_for_jp())
    )


def _earlier_cycles(year: int) -> list[ColumnElement[bool]]:
    """Certificates of completions in the year that a recertification has since reopened
    (``Certificate.reopened``): the enrolment's current completion is another one, or none
    yet, so only the certificate remembers it. Its JP still counts in its year (a revoked
    one's does not; a reissued one counts once, as its valid copy)."""
    start, end = _year_bounds(year)
    return [
        Certificate.reopened,
        Certificate.completed_at >= start,
        Certificate.completed_at < end,
        Certificate.status == CertificateStatus.VALID,
    ]


def earlier_cycle_jp_query(year: int):  # noqa: ANN201 - a SQLAlchemy select
    """(employee_id, jp) of completions of earlier recertification cycles."""
    return select(Certificate.employee_id.label("employee_id"), Certificate.jp.label("jp")).where(
        *_earlier_cycles(year)
    )


def external_jp_query(year: int):  # noqa: ANN201 - a SQLAlchemy select
    """(employee_id, jp) of external training completed in the year."""
    return select(
        ExternalTraining.employee_id.label("employee_id"), ExternalTraining.jp.label("jp")
    ).where(
        ExternalTraining.completed_on >= date(year, 1, 1),
        ExternalTraining.completed_on <= date(year, 12, 31),
    )


def earned_by_employee(  # noqa: ANN201 - a SQLAlchemy select
    year: int, employee_ids: list[int] | Select[Any] | None = None
):
    """A select of (employee_id, earned JP) for the year, summed in SQL; only of
    ``employee_ids`` (a list, or a select of ids) when given."""
    courses, earlier = course_jp_query(year), earlier_cycle_jp_query(year)
    external = external_jp_query(year)
    if employee_ids is not None:
        # in each branch, so that for a few employees only their rows are read (by index)
        courses = courses.where(Enrollment.employee_id.in_(employee_ids))
        earlier = earlier.where(Certificate.employee_id.in_(employee_ids))
        external = external.where(ExternalTraining.employee_id.in_(employee_ids))
    both = union_all(courses, earlier, external).subquery()
    return select(both.c.employee_id, func.sum(both.c.jp).label("earned")).group_by(
        both.c.employee_id
    )


def ledger(employee: Employee, year: int) -> tuple[list[LedgerItem], int]:
    """The employee's ledger lines for the year and the JP earned."""
    start, end = _year_bounds(year)
    courses = db.session.execute(
        select(Course.code, CourseVersion.title, CourseVersion.jp, Enrollment.completed_at)
        .join(Course, Course.id == Enrollment.course_id)
        .join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(
            Enrollment.employee_id == employee.id,
            and_(Enrollment.completed_at >= start, Enrollment.completed_at < end),
            counts_for_jp(),
        )
    ).all()
    earlier = db.session.execute(
        select(
            Certificate.course_code,
            Certificate.course_title,
            Certificate.jp,
            Certificate.completed_at,
        ).where(Certificate.employee_id == employee.id, *_earlier_cycles(year))
    ).all()
    items = [
        LedgerItem("course", title, jp, evidence.local_day(done), code)
        for code, title, jp, done in [*courses, *earlier]
    ]
    external = db.session.scalars(
        select(ExternalTraining).where(
            ExternalTraining.employee_id == employee.id,
            ExternalTraining.completed_on >= date(year, 1, 1),
            ExternalTraining.completed_on <= date(year, 12, 31),
        )
    ).all()
    items += [LedgerItem("external", t.title, t.jp, t.completed_on, t.provider) for t in external]
    items.sort(key=lambda i: i.on)
    return items, sum(i.jp for i in items)


#: certificate files HR may attach: PDF or an image (a photo of the paper)
CERTIFICATE_MAX_BYTES = 10 * 1024 * 1024


def record_external(
    employee: Employee,
    *,
    title: str,
    provider: str,
    jp: int,
    completed_on: date,
    certificate: tuple[str, BinaryIO] | None,
    competency: Competency | None,
    level: int | None,
    expires_on: date | None,
    actor: User,
) -> ExternalTraining:
    """HR record training held elsewhere: it counts in the JP ledger and, with a competency
    and level, as evidence."""
    if not title.strip():
        raise DomainError(_("Nama pelatihan wajib diisi."), field="title")
    if not 1 <= jp <= 1000:
        raise DomainError(_("JP harus 1 sampai 1000."), field="jp")
    if completed_on > date.today():
        raise DomainError(_("Tanggal selesai tidak boleh di masa depan."), field="completed_on")
    if expires_on is not None and expires_on <= completed_on:
        raise DomainError(_("Masa berlaku harus setelah tanggal selesai."), field="expires_on")
    if (competency is None) != (level is None):
        raise DomainError(_("Isi kompetensi dan levelnya bersama-sama."), field="level")
    if level is not None and not 1 <= level <= 5:
        raise DomainError(_("Level harus 1 sampai 5."), field="level")
    training = ExternalTraining(
        employee_id=employee.id,
        title=title.strip()[:300],
        provider=provider.strip()[:300],
        jp=jp,
        completed_on=completed_on,
        competency_id=competency.id if competency else None,
        level=level,
        expires_on=expires_on,
        recorded_by_id=actor.id,
    )
    if certificate is not None:
        name, stream = certificate
        content = stream.read(CERTIFICATE_MAX_BYTES + 1)
        if len(content) > CERTIFICATE_MAX_BYTES:
            raise DomainError(_("Berkas sertifikat paling besar 10 MB."), field="certificate")
        kind = sniff_image(content[:64])
        if kind is not None:
            suffix = IMAGE_TYPES[kind][1]
        elif content.startswith(b"%PDF-"):
            suffix = DOCUMENT_TYPES["pdf"][1]
        else:
            raise DomainError(
                _("Sertifikat harus PDF atau gambar (PNG, JPEG, WebP)."), field="certificate"
            )
        stored = store(io.BytesIO(content), "certificates", suffix, max_bytes=CERTIFICATE_MAX_BYTES)
        training.certificate_path = stored.path
        training.certificate_name = (name or "sertifikat")[:200]
    db.session.add(training)
    db.session.flush()
    if competency is not None and level is not None:
        item = evidence.upsert(
            employee.id,
            competency,
            EvidenceSource.EXTERNAL,
            training.id,
            level,
            label=training.title,
            score=None,
            is_demonstrated=True,
            observed_on=completed_on,
            valid_until=expires_on or evidence.valid_until(completed_on),
        )
        db.session.flush()
        refresh(employee.id, item.competency_id)
    audit.record(
        "training.recorded",
        actor=actor,
        organisation_id=employee.organisation_id,
        target=employee,
        data={"title": training.title, "jp": jp, "completed_on": completed_on.isoformat()},
    )
    return training
