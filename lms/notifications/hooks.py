"""Events that become notifications: assignments, certificates, graded essays."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from lms.core.signals import certificate_issued, enrollment_assigned, essay_graded
from lms.core.templating import format_tanggal
from lms.notifications.models import Kind
from lms.notifications.services import notify, path_for


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

    def render() -> tuple[str, str]:
        title = _("Kursus baru ditugaskan: %(course)s", course=_title(course))
        body = (
            _("Anda ditugaskan mengikuti %(course)s sampai %(date)s.",
              course=_title(course), date=format_tanggal(enrollment.due_date))
            if enrollment.due_date
            else _("Anda ditugaskan mengikuti %(course)s.", course=_title(course))
        )  # fmt: skip
        return title, body

    notify(
        user,
        Kind.ASSIGNED,
        f"enrollment:{enrollment.id}:{enrollment.due_date}",
        render,
        path_for("courses.course", code=course.code),
    )


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
