"""Queue tasks for certificates: render the PDF, and the daily notice of coming expiries (both
safe to run twice)."""

from __future__ import annotations

import io
import logging
from datetime import date

from huey import crontab
from sqlalchemy import select, update

from lms.accounts import audit
from lms.accounts.models import Employee
from lms.certificates.models import Certificate, CertificateStatus, RenderStatus
from lms.core.db import utcnow
from lms.core.queue import task
from lms.extensions import db, huey
from lms.media.storage import store

log = logging.getLogger(__name__)


def render_now(certificate: Certificate) -> None:
    """Render and store the PDF of a certificate, recording the outcome on it."""
    from lms.certificates.render import render_pdf

    try:
        content = render_pdf(certificate)
    except Exception:  # a broken logo or signature image must not lose the certificate
        log.exception("certificate %s: PDF rendering failed", certificate.id)
        certificate.pdf_status = RenderStatus.FAILED
        return
    stored = store(io.BytesIO(content), "certificates", ".pdf", max_bytes=50 * 1024 * 1024)
    certificate.pdf_path = stored.path
    certificate.pdf_status = RenderStatus.READY


@task(retries=2, retry_delay=10)
def render_certificate(certificate_id: int) -> str:
    """Render a certificate's PDF in the background."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        return "missing"
    if certificate.pdf_status is RenderStatus.READY and certificate.pdf_path:
        return "ready"
    render_now(certificate)
    db.session.commit()
    return certificate.pdf_status.value


@huey.periodic_task(crontab(minute="*/5"))
def render_pending() -> int:
    """Pick up certificates whose rendering was never queued or whose worker died."""
    from lms.core.queue import _worker_app

    if _worker_app is None:
        return 0
    with _worker_app.app_context():
        waiting = db.session.scalars(
            select(Certificate.id).where(Certificate.pdf_status == RenderStatus.PENDING).limit(200)
        ).all()
        for certificate_id in waiting:
            render_certificate(certificate_id)
        return len(waiting)


#: certificates claimed per statement by the expiry notice
EXPIRY_BATCH = 500


def notice_expiring(today: date) -> int:
    """Note once each valid certificate that expires within
    :data:`~lms.certificates.records.EXPIRING_DAYS`: ``expiry_notified_at`` is set and a
    ``certificate.expiring`` audit event recorded for the holder's organisation, which the
    learner's record and HR's registry show; returns how many were noted.

    The learner's in-app notice and the email to learner and HR go out with issue 8's
    notification module (:func:`lms.notifications.jobs.remind`), not from here. Each certificate
    is claimed by an UPDATE that only succeeds while the mark is empty, so two runs at once still
    note it once. The caller commits.
    """
    from lms.certificates.records import expiring_by

    now = utcnow()
    noted = 0
    waiting = (
        select(Certificate.id)
        .where(
            Certificate.status == CertificateStatus.VALID,
            Certificate.expires_on.between(today, expiring_by(today)),
            Certificate.expiry_notified_at.is_(None),
        )
        .order_by(Certificate.id)
        .limit(EXPIRY_BATCH)
    )
    while ids := db.session.scalars(waiting).all():
        claimed = set(
            db.session.scalars(
                update(Certificate)
                .where(Certificate.id.in_(ids), Certificate.expiry_notified_at.is_(None))
                .values(expiry_notified_at=now)
                .returning(Certificate.id),
                execution_options={"synchronize_session": False},
            )
        )
        rows = db.session.execute(
            select(
                Certificate.id,
                Certificate.number,
                Certificate.holder_nip,
                Certificate.course_code,
                Certificate.expires_on,
                Employee.organisation_id,
            )
            .join(Employee, Employee.id == Certificate.employee_id)
            .where(Certificate.id.in_(claimed))
            .order_by(Certificate.id)
        )
        for row in rows:
            audit.record(
                "certificate.expiring",
                actor=None,
                organisation_id=row.organisation_id,
                target_type="certificates",
                target_id=row.id,
                data={
                    "number": row.number,
                    "nip": row.holder_nip,
                    "course": row.course_code,
                    "expires_on": row.expires_on.isoformat(),
                },
            )
            noted += 1
        db.session.flush()
    return noted


@huey.periodic_task(crontab(minute="0", hour="1"))  # 08:00 WIB
def notice_expiring_daily() -> int:
    """Every morning: note the certificates that expire within the notice period."""
    from lms.certificates.verification import today
    from lms.core.queue import _worker_app

    if _worker_app is None:
        return 0
    with _worker_app.app_context():
        noted = notice_expiring(today())
        db.session.commit()
        return noted
