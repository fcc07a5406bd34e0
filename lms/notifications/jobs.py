"""Queue tasks for notifications: send an email, and the daily reminders."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from huey import crontab
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.accounts.models import Employee, Role, RoleAssignment, User
from lms.certificates.models import Certificate, CertificateStatus
from lms.core.queue import task
from lms.core.templating import format_tanggal
from lms.courses.models import Course, Enrollment
from lms.extensions import db, huey
from lms.notifications.models import Kind
from lms.notifications.services import deliver, notify, path_for

#: how long before the due date learners are reminded
DUE_SOON_DAYS = 7
#: how long before expiry certificate holders are reminded
EXPIRY_DAYS = 60


@task(retries=3, retry_delay=60, context=True)
def send_email(notification_id: int, task: Any = None) -> str:
    """Send the email of one notification (never twice); an SMTP failure is retried."""
    outcome = deliver(notification_id, final=task is None or not task.retries)
    if outcome == "retry":
        raise RuntimeError(f"notification {notification_id}: SMTP failed, retrying")
    return outcome


@task(retries=3, retry_delay=60, context=True)
def send_emails(notification_ids: list[int], task: Any = None) -> int:
    """Send the emails of many notifications (an assignment to a whole unit), each never
    twice; if the SMTP server failed for some, the task is retried and sends what is left."""
    final = task is None or not task.retries
    failed = [i for i in notification_ids if deliver(i, final=final) == "retry"]
    if failed:
        raise RuntimeError(f"{len(failed)} notifications: SMTP failed, retrying")
    return len(notification_ids)


def _title(course: Course) -> str:
    return course.published_version.title if course.published_version else course.code


def remind(today: date | None = None) -> int:
    """Due in 7 days, overdue, certificates expiring in 60 days: one notification per event.

    Safe to run any number of times a day: each event has its own key.
    """
    today = today or date.today()
    sent = 0
    pending = db.session.scalars(
        select(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .join(User, User.employee_id == Employee.id)
        .where(
            Enrollment.withdrawn_at.is_(None),
            Enrollment.completed_at.is_(None),
            Enrollment.due_date.is_not(None),
            Enrollment.due_date <= today + timedelta(days=DUE_SOON_DAYS),
            Employee.is_active.is_(True),
        )
        .options(
            joinedload(Enrollment.course),
            joinedload(Enrollment.employee).joinedload(Employee.user),
        )
    ).all()
    for enrollment in pending:
        user = enrollment.employee.user
        course = enrollment.course
        overdue = enrollment.due_date < today

        def render(course: Course = course, enrollment: Enrollment = enrollment) -> tuple:
            if enrollment.due_date < today:
                return (
                    _("Terlambat: %(course)s", course=_title(course)),
                    _("Tenggat %(course)s sudah lewat (%(date)s). Selesaikan segera.",
                      course=_title(course), date=format_tanggal(enrollment.due_date)),
                )  # fmt: skip
            return (
                _("Tenggat sepekan lagi: %(course)s", course=_title(course)),
                _("%(course)s harus selesai paling lambat %(date)s.",
                  course=_title(course), date=format_tanggal(enrollment.due_date)),
            )  # fmt: skip

        kind = Kind.OVERDUE if overdue else Kind.DUE_SOON
        key = f"enrollment:{enrollment.id}:{enrollment.due_date}"
        if notify(user, kind, key, render, path_for("courses.course", code=course.code)):
            sent += 1
    expiring = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.status == CertificateStatus.VALID,
            Certificate.expires_on.between(today, today + timedelta(days=EXPIRY_DAYS)),
        )
        .options(joinedload(Certificate.employee).joinedload(Employee.user))
    ).all()
    for certificate in expiring:
        user = certificate.employee.user
        if user is None:
            continue

        def render_expiry(certificate: Certificate = certificate) -> tuple:
            return (
                _("Sertifikat segera kedaluwarsa: %(course)s", course=certificate.course_title),
                _("Sertifikat %(number)s berlaku sampai %(date)s. Ikuti kursusnya lagi untuk "
                  "sertifikasi ulang.", number=certificate.number,
                  date=format_tanggal(certificate.expires_on)),
            )  # fmt: skip

        if notify(
            user,
            Kind.CERTIFICATE_EXPIRING,
            f"certificate:{certificate.id}:{certificate.expires_on}",
            render_expiry,
            path_for("certificates.mine"),
        ):
            sent += 1
    sent += _tell_hr_of_expiring(today, expiring)
    db.session.flush()
    return sent


def _tell_hr_of_expiring(today: date, expiring: list[Certificate]) -> int:
    """HR of each holder's organisation get one weekly digest of what expires soon."""
    by_organisation: dict[int, int] = {}
    for certificate in expiring:
        organisation_id = certificate.employee.organisation_id
        by_organisation[organisation_id] = by_organisation.get(organisation_id, 0) + 1
    week = today.isocalendar()
    sent = 0
    for organisation_id, count in by_organisation.items():
        hr_users = db.session.scalars(
            select(User)
            .join(Employee, Employee.id == User.employee_id)
            .where(
                Employee.organisation_id == organisation_id,
                User.role_assignments.any(RoleAssignment.role == Role.HR_ADMIN),
            )
        ).all()
        for user in hr_users:

            def render(count: int = count) -> tuple:
                return (
                    _("%(n)d sertifikat pegawai segera kedaluwarsa", n=count),
                    _("%(n)d sertifikat pegawai instansi Anda berakhir dalam %(days)d hari. "
                      "Lihat registri sertifikat.", n=count, days=EXPIRY_DAYS),
                )  # fmt: skip

            key = f"organisation:{organisation_id}:{week.year}-W{week.week}"
            if notify(
                user,
                Kind.CERTIFICATE_EXPIRING,
                key,
                render,
                path_for("certificates.registry_index"),
            ):
                sent += 1
    return sent


@huey.periodic_task(crontab(minute="0", hour="0"))  # 07:00 WIB
def daily_reminders() -> int:
    """Every morning: reminders of due dates, overdue training and expiring certificates."""
    from lms.core.queue import _worker_app

    if _worker_app is None:
        return 0
    with _worker_app.app_context():
        sent = remind()
        db.session.commit()
        return sent
