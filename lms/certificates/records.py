"""The learner's certification record: Lentera certificates and external training certificates,
by state, with recertification of those that expire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.services import completion_key
from lms.competencies.models import ExternalTraining
from lms.core.errors import DomainError
from lms.courses import enrollment as enrolment
from lms.courses.models import Course, Enrollment
from lms.extensions import db

#: a valid certificate expiring within this many days is "expiring": the learner and HR are told
EXPIRING_DAYS = 60


def state_label(state: str) -> str:
    """A state in words, for pages and exports."""
    return {
        "valid": _("Berlaku"),
        "expiring": _("Akan kedaluwarsa"),
        "expired": _("Kedaluwarsa"),
        "revoked": _("Dicabut"),
        "replaced": _("Diganti"),
    }.get(state, state)


def expiring_by(today: date) -> date:
    """The last expiry date that counts as expiring on ``today``."""
    return today + timedelta(days=EXPIRING_DAYS)


def state_on(expires_on: date | None, base_state: str, today: date) -> str:
    """valid, expiring, expired, revoked or replaced: a valid one close to its expiry is
    expiring."""
    if base_state == "valid" and expires_on is not None and expires_on <= expiring_by(today):
        return "expiring"
    return base_state


def certificate_state(certificate: Certificate, today: date) -> str:
    """The certificate's state on ``today``, expiring included."""
    return state_on(certificate.expires_on, certificate.state(today), today)


def external_state(training: ExternalTraining, today: date) -> str:
    """An external certificate's state on ``today`` (it cannot be revoked here)."""
    if training.expires_on is not None and training.expires_on < today:
        return "expired"
    return state_on(training.expires_on, "valid", today)


@dataclass
class RecordItem:
    """A Lentera certificate on the learner's record."""

    certificate: Certificate
    state: str
    can_recertify: bool


@dataclass
class ExternalItem:
    """An external training with its certificate file on the learner's record."""

    training: ExternalTraining
    state: str


@dataclass
class LearnerRecord:
    """Everything on the learner's certificates page."""

    items: list[RecordItem]
    external: list[ExternalItem]

    @property
    def expiring(self) -> list[RecordItem]:
        """Certificates to renew soon or already expired that can still be renewed."""
        return [i for i in self.items if i.state == "expiring"]


def learner_record(employee_id: int, today: date) -> LearnerRecord:
    """The employee's certificates (the current issue of each; reissued ones are history) and
    external certificates, newest first."""
    certificates = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.employee_id == employee_id,
            Certificate.status != CertificateStatus.REPLACED,
        )
        .options(joinedload(Certificate.course), joinedload(Certificate.enrollment))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ).all()
    external = db.session.scalars(
        select(ExternalTraining)
        .where(
            ExternalTraining.employee_id == employee_id,
            ExternalTraining.certificate_path.is_not(None),
        )
        .options(joinedload(ExternalTraining.competency))
        .order_by(ExternalTraining.completed_on.desc(), ExternalTraining.id.desc())
    ).all()
    return LearnerRecord(
        items=[
            RecordItem(c, certificate_state(c, today), can_recertify(c, today))
            for c in certificates
        ],
        external=[ExternalItem(t, external_state(t, today)) for t in external],
    )


def can_recertify(certificate: Certificate, today: date) -> bool:
    """An expiring or expired certificate of the enrolment's latest completion, whose course is
    still open to the holder: taking the course again issues a new certificate."""
    if certificate_state(certificate, today) not in ("expiring", "expired"):
        return False
    enrollment: Enrollment = certificate.enrollment
    course: Course = certificate.course
    return (
        enrollment.completed_at is not None
        and enrollment.withdrawn_at is None
        and certificate.completion_key == completion_key(enrollment)
        and enrolment.course_open_to(course, enrollment.employee)
    )


def recertify(certificate: Certificate, *, actor: User, today: date) -> Course:
    """Start the course again for a new certificate; the old one stays in the history."""
    if not can_recertify(certificate, today):
        raise DomainError(
            _("Sertifikasi ulang hanya untuk sertifikat yang akan atau sudah kedaluwarsa dari "
              "kursus yang masih terbit."),
            code="invalid_state",
        )  # fmt: skip
    # the enrolment forgets this completion; the certificate keeps its JP in the ledger
    certificate.reopened = True
    enrolment.restart(certificate.enrollment, actor=actor)
    return certificate.course
