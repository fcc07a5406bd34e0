"""Certificates, their numbering per organisation and year, templates and signing keys."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Employee, Organisation, User
from lms.core.db import TimestampMixin, UTCDateTime, enum_column, utcnow
from lms.core.errors import DomainError
from lms.courses.models import Course, Enrollment
from lms.extensions import db


class CertificateStatus(enum.Enum):
    """A certificate's standing (expiry is computed from the date, not stored)."""

    VALID = "valid"
    REVOKED = "revoked"
    REPLACED = "replaced"  # reissued after a correction; the new one is valid


class RenderStatus(enum.Enum):
    """Where the PDF is."""

    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class CertificateTemplate(TimestampMixin, db.Model):
    """How an organisation's certificates look and are numbered, and who signs them."""

    __tablename__ = "certificate_templates"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the issuing organisation (one template each)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    #: number pattern: {seq}, {seq:03d}, {org}, {month_roman}, {month}, {year}
    number_pattern: Mapped[str] = mapped_column(
        String(120), default="{seq:03d}/SERT/BKPSDM-{org}/{month_roman}/{year}"
    )
    #: the signer's name and title as printed
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    #: stored paths of the signature image and the organisation's logo
    signature_path: Mapped[str | None] = mapped_column(String(300))
    logo_path: Mapped[str | None] = mapped_column(String(300))
    #: layout name (see lms.certificates.render.LAYOUTS)
    layout: Mapped[str] = mapped_column(String(30), default="klasik")
    #: accent colour as #rrggbb
    accent: Mapped[str] = mapped_column(String(7), default="#0b5d4b")

    organisation: Mapped[Organisation] = relationship()


class CertificateSequence(db.Model):
    """The last number used per organisation and year (locked while a number is taken)."""

    __tablename__ = "certificate_sequences"
    __table_args__ = (UniqueConstraint("organisation_id", "year"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the issuing organisation
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    #: the calendar year (WIB)
    year: Mapped[int] = mapped_column(Integer)
    #: the last sequence number given
    last: Mapped[int] = mapped_column(Integer, default=0)


class SigningKey(db.Model):
    """An organisation's Ed25519 key for signing credentials (public part published)."""

    __tablename__ = "signing_keys"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the organisation
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: key id in JWKS and credential headers
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    #: the public key, raw 32 bytes as base64url (JWK "x")
    public_x: Mapped[str] = mapped_column(String(64))
    #: the private key, PKCS#8 PEM encrypted with a key derived from the app's secret key
    private_pem: Mapped[str] = mapped_column(Text)
    #: when it was made (UTC); the newest active key signs
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: retired keys stay published so old credentials still verify
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Certificate(TimestampMixin, db.Model):
    """A certificate for one course completion."""

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("completion_key", "reissue"),
        Index("ix_certificates_organisation_id_issued_at", "organisation_id", "issued_at"),
        # the few revoked ones, which the JP ledger leaves out (lms.competencies.ledger)
        Index(
            "ix_certificates_revoked",
            "enrollment_id",
            "completed_at",
            postgresql_where=text("status = 'revoked'"),
            sqlite_where=text("status = 'revoked'"),
        ),
        # the few completions a recertification reopened, which the JP ledger reads here
        Index(
            "ix_certificates_reopened",
            "employee_id",
            "completed_at",
            postgresql_where=text("reopened"),
            sqlite_where=text("reopened"),
        ),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: certificate number from the issuer's pattern
    number: Mapped[str] = mapped_column(String(120), index=True)
    #: public verification code (128 random bits, base32)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    #: the issuing organisation (the course's owner)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    #: the holder
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    #: the enrolment completed
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    #: the course
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    #: one completion: ``<enrollment id>:<completed at>``; one certificate per completion
    completion_key: Mapped[str] = mapped_column(String(80))
    #: 0 for the first issue, 1, 2 … for reissues after corrections
    reissue: Mapped[int] = mapped_column(Integer, default=0)
    #: what is printed, fixed at issue: holder, NIP, course, JP, competencies, signer
    holder_name: Mapped[str] = mapped_column(String(200))
    holder_nip: Mapped[str] = mapped_column(String(30))
    course_code: Mapped[str] = mapped_column(String(30))
    course_title: Mapped[str] = mapped_column(String(200))
    jp: Mapped[int] = mapped_column(Integer)
    competencies: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    #: when the course was completed and the certificate issued (UTC)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: last day it is valid; empty for no expiry
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    #: valid, revoked or replaced
    status: Mapped[CertificateStatus] = mapped_column(
        enum_column(CertificateStatus), default=CertificateStatus.VALID, index=True
    )
    #: revocation: when, why, by whom
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    #: a recertification started the course again: the enrolment no longer holds this
    #: completion, the certificate does (its JP still counts in its year)
    reopened: Mapped[bool] = mapped_column(default=False, server_default=false())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the certificate this one replaces (reissue)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    #: the PDF: stored path and rendering status
    pdf_path: Mapped[str | None] = mapped_column(String(300))
    pdf_status: Mapped[RenderStatus] = mapped_column(
        enum_column(RenderStatus), default=RenderStatus.PENDING
    )
    #: the signed Open Badges 3.0 credential (VC-JWT)
    credential: Mapped[str | None] = mapped_column(Text)
    #: when reminders of the coming expiry were sent (learner and HR)
    expiry_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    employee: Mapped[Employee] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
    course: Mapped[Course] = relationship()
    revoked_by: Mapped[User | None] = relationship()
    replaces: Mapped[Certificate | None] = relationship(remote_side=[id])

    def state(self, today: date) -> str:
        """valid, expired, revoked or replaced, on ``today``."""
        if self.status is not CertificateStatus.VALID:
            return self.status.value
        if self.expires_on is not None and self.expires_on < today:
            return "expired"
        return "valid"

    def revoke(self, reason: str, actor: User | None, now: datetime) -> None:
        """Withdraw the certificate; verification shows it and why. Without an actor, Lentera
        itself withdrew it because the completion it attests was taken back."""
        if self.status is not CertificateStatus.VALID:
            raise DomainError(_("Sertifikat ini sudah tidak berlaku."), code="invalid_state")
        if not reason.strip():
            raise DomainError(_("Tuliskan alasan pencabutan."), field="reason")
        self.status = CertificateStatus.REVOKED
        self.revoked_at = now
        self.revoked_reason = reason.strip()[:2000]
        self.revoked_by_id = actor.id if actor is not None else None
