"""Issuing, numbering, revoking and reissuing certificates.

Exactly one certificate per completion: a completion is identified by the enrolment and its
cycle (``completion_key``; a recertification starts a new cycle), unique together with the
reissue number, and the enrolment row is locked while issuing, so two requests completing the
same course at once cannot both issue. Numbers come from a per
organisation and year sequence row that is locked while a number is taken.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts import audit
from lms.accounts.models import User
from lms.certificates.models import (
    Certificate,
    CertificateSequence,
    CertificateStatus,
    CertificateTemplate,
    RenderStatus,
)
from lms.competencies.profile import competency_by_code
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.core.queue import after_commit
from lms.core.signals import certificate_issued, certificate_revoked
from lms.courses.models import Enrollment
from lms.extensions import db

JAKARTA = ZoneInfo("Asia/Jakarta")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def new_code() -> str:
    """A verification code: 128 random bits in base32 (26 letters and digits)."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


def template_for(organisation_id: int) -> CertificateTemplate:
    """The organisation's certificate template, created with defaults when missing."""
    template = db.session.scalar(
        select(CertificateTemplate).where(CertificateTemplate.organisation_id == organisation_id)
    )
    if template is None:
        try:
            with db.session.begin_nested():
                template = CertificateTemplate(organisation_id=organisation_id)
                db.session.add(template)
        except IntegrityError:
            # made a moment ago by a concurrent first issue of the organisation: use that one
            template = db.session.scalar(
                select(CertificateTemplate).where(
                    CertificateTemplate.organisation_id == organisation_id
                )
            )
    return template


def format_number(pattern: str, seq: int, org_code: str, moment: datetime) -> str:
    """A number from a pattern such as ``{seq:03d}/SERT/BKPSDM-{org}/{month_roman}/{year}``."""
    local = moment.astimezone(JAKARTA)
    try:
        return pattern.format(
            seq=seq,
            org=org_code,
            month=local.month,
            month_roman=ROMAN[local.month - 1],
            year=local.year,
        )[:120]
    except (KeyError, IndexError, ValueError):
        raise DomainError(
            _("Pola nomor tidak valid; gunakan {seq}, {org}, {month}, {month_roman}, {year}."),
            field="number_pattern",
        ) from None


def check_pattern(pattern: str) -> None:
    """Refuse a number pattern that cannot be formatted or has no sequence number."""
    if "{seq" not in pattern:
        raise DomainError(_("Pola nomor harus memuat {seq}."), field="number_pattern")
    format_number(pattern, 1, "ORG", utcnow())


def _next_seq(organisation_id: int, year: int) -> int:
    """Take the next sequence number (the row stays locked until the transaction ends)."""
    for _attempt in range(3):
        taken = db.session.execute(
            update(CertificateSequence)
            .where(
                CertificateSequence.organisation_id == organisation_id,
                CertificateSequence.year == year,
            )
            .values(last=CertificateSequence.last + 1)
            .returning(CertificateSequence.last)
        ).scalar()
        if taken is not None:
            return taken
        try:
            with db.session.begin_nested():
                db.session.add(
                    CertificateSequence(organisation_id=organisation_id, year=year, last=0)
                )
        except IntegrityError:
            continue  # created by a concurrent issue: take the number from it
    raise DomainError(_("Nomor sertifikat tidak dapat dibuat; coba lagi."), code="conflict")


def completion_key(enrollment: Enrollment) -> str:
    """The identity of one completion: the enrolment and its cycle (recertification +1)."""
    return f"{enrollment.id}:{enrollment.cycle}"


def issue_for(enrollment: Enrollment, *, now: datetime | None = None) -> Certificate:
    """The certificate of an enrolment's current completion, issued once (idempotent)."""
    if enrollment.completed_at is None:
        raise DomainError(_("Kursus belum selesai."), code="not_completed")
    # concurrent completions of the same enrolment wait here, then find the certificate
    db.session.execute(
        select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update()
    )
    key = completion_key(enrollment)
    existing = _latest_issue(key)
    if existing is not None and not _withdrawn_with_completion(existing):
        return existing
    # a new completion after the one this key had was taken back: a new certificate, with a
    # new number, in the same history
    reissue = existing.reissue + 1 if existing is not None else 0
    now = now or utcnow()
    course = enrollment.course
    employee = enrollment.employee
    version = course.published_version
    template = template_for(course.organisation_id)
    competencies = []
    for target in course.competencies:
        found = competency_by_code(target.code, employee.organisation_id)
        competencies.append(
            {
                "code": target.code,
                "name": found.name if found else target.code,
                "level": target.level,
            }
        )
    seq = _next_seq(course.organisation_id, now.astimezone(JAKARTA).year)
    certificate = Certificate(
        number=format_number(template.number_pattern, seq, course.organisation.code, now),
        code=new_code(),
        organisation_id=course.organisation_id,
        employee_id=employee.id,
        enrollment_id=enrollment.id,
        course_id=course.id,
        completion_key=key,
        reissue=reissue,
        holder_name=employee.name,
        holder_nip=employee.nip,
        course_code=course.code,
        course_title=version.title if version else course.code,
        jp=version.jp if version else 0,
        competencies=competencies,
        signer_name=template.signer_name,
        signer_title=template.signer_title,
        completed_at=enrollment.completed_at,
        issued_at=now,
        expires_on=course.certificate_expiry(enrollment.completed_at),
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
            db.session.flush()
    except IntegrityError:
        # issued a moment ago by a concurrent request for the same completion
        return _latest_issue(key)
    _finish_issue(certificate, actor=None, action="certificate.issued")
    return certificate


def _latest_issue(key: str) -> Certificate | None:
    """The newest certificate of one completion (reissues and re-completions count up)."""
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.completion_key == key)
        .order_by(Certificate.reissue.desc())
    )


def _finish_issue(certificate: Certificate, *, actor: User | None, action: str) -> None:
    from lms.certificates import credentials
    from lms.certificates.jobs import render_certificate

    certificate.credential = credentials.sign(certificate)
    certificate.pdf_status = RenderStatus.PENDING
    db.session.flush()
    audit.record(
        action,
        actor=actor,
        organisation_id=certificate.organisation_id,
        target=certificate,
        data={"number": certificate.number, "nip": certificate.holder_nip},
    )
    after_commit(render_certificate, certificate.id)
    certificate_issued.send(None, certificate=certificate)


def revoke(certificate: Certificate, reason: str, *, actor: User | None) -> None:
    """HR or admin withdraw a certificate with a reason (no actor: Lentera did); audited."""
    certificate.revoke(reason, actor, utcnow())
    db.session.flush()
    audit.record(
        "certificate.revoked",
        actor=actor,
        organisation_id=certificate.organisation_id,
        target=certificate,
        data={"number": certificate.number, "reason": certificate.revoked_reason[:200]},
    )
    certificate_revoked.send(None, certificate=certificate)


def _withdrawn_with_completion(certificate: Certificate) -> bool:
    return certificate.status is CertificateStatus.REVOKED and certificate.revoked_by_id is None


def withdraw_with_completion(enrollment: Enrollment) -> Certificate | None:
    """The completion a certificate attests was taken back (a corrected quiz key or a deleted
    attempt undid a required lesson): its valid certificate is revoked, by Lentera and with the
    reason, so it no longer verifies or earns JP. Completing the course again issues a new one
    (:func:`issue_for`); a certificate HR revoked stays revoked."""
    current = _latest_issue(completion_key(enrollment))
    if current is None or current.status is not CertificateStatus.VALID:
        return None
    # stored text, read by the holder, HR and anyone verifying: in the platform's language
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "id")):
        reason = _(
            "Penyelesaian kursus dibatalkan karena hasil kuisnya berubah (kunci jawaban "
            "dikoreksi atau percobaan dihapus). Sertifikat baru terbit bila kursus "
            "diselesaikan kembali."
        )
    revoke(current, reason, actor=None)
    return current


def reissue(
    certificate: Certificate, *, actor: User, holder_name: str | None = None
) -> Certificate:
    """A corrected copy (e.g. a misspelt name) with the same number and a new code; the old one
    is marked replaced and keeps pointing to its history."""
    if certificate.status is not CertificateStatus.VALID:
        raise DomainError(
            _("Hanya sertifikat yang berlaku yang dapat diterbitkan ulang."), code="invalid_state"
        )
    employee = certificate.employee
    name = (holder_name or employee.name).strip()
    if not name:
        raise DomainError(_("Nama pemegang wajib diisi."), field="holder_name")
    template = template_for(certificate.organisation_id)
    copy = Certificate(
        number=certificate.number,
        code=new_code(),
        organisation_id=certificate.organisation_id,
        employee_id=certificate.employee_id,
        enrollment_id=certificate.enrollment_id,
        course_id=certificate.course_id,
        completion_key=certificate.completion_key,
        reissue=certificate.reissue + 1,
        holder_name=name[:200],
        holder_nip=employee.nip,
        course_code=certificate.course_code,
        course_title=certificate.course_title,
        jp=certificate.jp,
        competencies=certificate.competencies,
        signer_name=template.signer_name,
        signer_title=template.signer_title,
        completed_at=certificate.completed_at,
        issued_at=utcnow(),
        expires_on=certificate.expires_on,
        replaces_id=certificate.id,
        reopened=certificate.reopened,
    )
    certificate.status = CertificateStatus.REPLACED
    db.session.add(copy)
    db.session.flush()
    _finish_issue(copy, actor=actor, action="certificate.reissued")
    return copy


def history(certificate: Certificate) -> list[Certificate]:
    """Every issue of the same completion, newest first (reissues keep the number)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.completion_key == certificate.completion_key)
            .order_by(Certificate.reissue.desc())
        )
    )


def by_code(code: str) -> Certificate | None:
    """The certificate with a verification code (any case, spaces and dashes ignored)."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if not 16 <= len(cleaned) <= 32:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == cleaned))
