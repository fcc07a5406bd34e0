"""Events that become notifications: assignments, certificates, graded essays."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import User
from lms.core.signals import (
    certificate_issued,
    certificate_revoked,
    enrollment_assigned,
    enrollments_assigned,
    essay_graded,
    plan_decided,
    plan_submitted,
)
from lms.core.templating import format_tanggal
from lms.extensions import db
from lms.notifications.models import Kind
from lms.notifications.services import notify, notify_many, path_for


def _title(course: Any) -> str:
    version = course.published_version
    return version.title if version else course.code


@enrollment_assigned.connect
def course_assigned(_sender: Any, *, enrollment: Any, **_extra: Any) -> None:
    """HR (or a rule) assigned a course."""
    user = enrollment.employee.user
    if user is None:
        return
    course = enrollment.course
    notify(
        user,
        Kind.ASSIGNED,
        f"enrollment:{enrollment.id}:{enrollment.due_date}",
        lambda: _assigned_text(course, enrollment.due_date),
        path_for("courses.course", code=course.code),
    )


@enrollments_assigned.connect
def courses_assigned(
    _sender: Any, *, course: Any, enrollments: list[tuple[int, int, Any]], **_extra: Any
) -> None:
    """An assignment rule assigned a course to many employees at once."""
    users = dict(
        tuple(row)
        for row in db.session.execute(
            select(User.employee_id, User.id).where(
                User.employee_id.in_({employee_id for _id, employee_id, _due in enrollments})
            )
        )
    )
    notify_many(
        Kind.ASSIGNED,
        [
            (users[employee_id], f"enrollment:{enrollment_id}:{due_date}", due_date)
            for enrollment_id, employee_id, due_date in enrollments
            if employee_id in users
        ],
        lambda due_date: _assigned_text(course, due_date),
        path_for("courses.course", code=course.code),
    )


def _assigned_text(course: Any, due_date: Any) -> tuple[str, str]:
    title = _("Kursus baru ditugaskan: %(course)s", course=_title(course))
    body = (
        _("Anda ditugaskan mengikuti %(course)s sampai %(date)s.",
          course=_title(course), date=format_tanggal(due_date))
        if due_date
        else _("Anda ditugaskan mengikuti %(course)s.", course=_title(course))
    )  # fmt: skip
    return title, body


@certificate_issued.connect
def certificate_ready(_sender: Any, *, certificate: Any, **_extra: Any) -> None:
    """A certificate was issued (or reissued)."""
    user = certificate.employee.user
    if user is None:
        return

    def render() -> tuple[str, str]:
        return (
            _("Sertifikat terbit: %(course)s", course=certificate.course_title),
            _("Sertifikat nomor %(number)s (%(jp)d JP) dapat diunduh.",
              number=certificate.number, jp=certificate.jp),
        )  # fmt: skip

    notify(
        user,
        Kind.CERTIFICATE_ISSUED,
        f"certificate:{certificate.id}",
        render,
        path_for("certificates.mine"),
    )


@essay_graded.connect
def essay_marked(_sender: Any, *, slot: Any, attempt: Any, **_extra: Any) -> None:
    """A trainer graded the learner's essay."""
    user = attempt.user

    def render() -> tuple[str, str]:
        return (
            _("Esai Anda sudah dinilai"),
            _("Nilai percobaan Anda kini %(percent)s%%.", percent=format(attempt.percent, "g")),
        )

    notify(
        user,
        Kind.ESSAY_GRADED,
        f"slot:{slot.id}:{slot.fraction}",
        render,
        path_for("quizzes.attempt", attempt_id=attempt.id),
    )


@certificate_revoked.connect
def certificate_withdrawn(_sender: Any, *, certificate: Any, **_extra: Any) -> None:
    """HR revoked a certificate, or its completion was taken back: its holder hears why."""
    user = certificate.employee.user
    if user is None:
        return

    def render() -> tuple[str, str]:
        title = _("Sertifikat dicabut: %(course)s", course=certificate.course_title)
        if certificate.revoked_by_id is None:  # the completion was taken back
            return title, _(
                "Sertifikat nomor %(number)s tidak berlaku lagi. Alasan: %(reason)s",
                number=certificate.number, reason=certificate.revoked_reason or "–",
            )  # fmt: skip
        return (
            title,
            _("Sertifikat nomor %(number)s dicabut oleh BKPSDM. Alasan: %(reason)s",
              number=certificate.number, reason=certificate.revoked_reason or "–"),
        )  # fmt: skip

    notify(
        user,
        Kind.CERTIFICATE_REVOKED,
        f"certificate:{certificate.id}",
        render,
        path_for("certificates.mine"),
    )


@plan_submitted.connect
def plan_waiting(_sender: Any, *, plan: Any, **_extra: Any) -> None:
    """An employee sent a development plan: the direct supervisor decides on it."""
    supervisor = plan.employee.supervisor
    user = supervisor.user if supervisor is not None else None
    if user is None:
        return

    def render() -> tuple[str, str]:
        return (
            _("Rencana pengembangan menunggu keputusan Anda"),
            _("%(name)s mengirim rencana pengembangan tahun %(year)d.",
              name=plan.employee.name, year=plan.year),
        )  # fmt: skip

    notify(
        user,
        Kind.PLAN_SUBMITTED,
        f"plan:{plan.id}:{plan.submitted_at.isoformat() if plan.submitted_at else ''}",
        render,
        path_for("competency_admin.view_plan", plan_id=plan.id),
    )


@plan_decided.connect
def plan_answered(_sender: Any, *, plan: Any, approved: bool, **_extra: Any) -> None:
    """The supervisor approved or returned the plan: the employee hears it, with the note."""
    user = plan.employee.user
    if user is None:
        return

    def render() -> tuple[str, str]:
        if approved:
            title = _("Rencana pengembangan %(year)d disetujui", year=plan.year)
        else:
            title = _("Rencana pengembangan %(year)d dikembalikan untuk diperbaiki", year=plan.year)
        note = plan.supervisor_note or ""
        body = _("Catatan atasan: %(note)s", note=note) if note else ""
        return title, body

    notify(
        user,
        Kind.PLAN_DECIDED,
        f"plan:{plan.id}:{plan.decided_at.isoformat() if plan.decided_at else ''}",
        render,
        path_for("competency_admin.my_plan", tahun=plan.year),
    )
