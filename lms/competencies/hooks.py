"""What the competency profile hears from lower domains (graded attempts, deleted attempts,
completed and withdrawn courses; receivers run inside the sender's transaction), and the
competency names it lends them."""

from __future__ import annotations

from typing import Any

from lms.competencies import evidence, plans, profile
from lms.competencies.models import EvidenceSource
from lms.core.labels import provide_competency_name
from lms.core.signals import (
    attempt_deleted,
    attempt_graded,
    certificate_revoked,
    completion_withdrawn,
    course_completed,
)


@attempt_graded.connect
def evidence_from_attempt(
    _sender: Any, *, attempt: Any, competencies: list, first: bool = False, **_extra: Any
) -> None:
    """A graded (or regraded) attempt: its per-competency scores become evidence."""
    course = attempt.quiz.course
    title = course.published_version.title if course.published_version else course.code
    evidence.from_attempt(
        attempt_id=attempt.id,
        employee=attempt.employee,
        label=f"{course.code} · {title}",
        graded_at=attempt.graded_at,
        scores=competencies,
        first=first,
    )


@attempt_deleted.connect
def forget_attempt(_sender: Any, *, attempt_id: int, **_extra: Any) -> None:
    """A deleted attempt leaves no evidence behind."""
    evidence.withdraw(EvidenceSource.QUIZ, attempt_id)


@course_completed.connect
def evidence_from_completion(_sender: Any, *, enrollment: Any, **_extra: Any) -> None:
    """A completed course ticks off plan activities and, when it says so, evidences its
    targeted competencies."""
    course = enrollment.course
    plans.course_done(enrollment.employee_id, course.id)
    if not course.completion_is_evidence or not course.competencies:
        return
    title = course.published_version.title if course.published_version else course.code
    evidence.from_completion(
        enrollment_id=enrollment.id,
        employee=enrollment.employee,
        label=f"{course.code} · {title}",
        completed_at=enrollment.completed_at,
        targets=[(c.code, c.level) for c in course.competencies],
        expires_on=course.certificate_expiry(enrollment.completed_at),
    )


@completion_withdrawn.connect
def forget_completion(_sender: Any, *, enrollment: Any, **_extra: Any) -> None:
    """A completion taken back (a regrade) takes its evidence back too."""
    evidence.withdraw(EvidenceSource.COURSE, enrollment.id)


@certificate_revoked.connect
def forget_revoked(_sender: Any, *, certificate: Any, **_extra: Any) -> None:
    """A revoked certificate's completion no longer evidences anything."""
    evidence.withdraw(EvidenceSource.COURSE, certificate.enrollment_id)


provide_competency_name(profile.competency_name)
