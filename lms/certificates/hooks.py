"""What certificates hear from lower domains: a completed course issues its certificate, and a
completion taken back revokes it."""

from __future__ import annotations

from typing import Any

from lms.certificates.services import issue_for, withdraw_with_completion
from lms.core.signals import completion_withdrawn, course_completed


@course_completed.connect
def issue_certificate(_sender: Any, *, enrollment: Any, **_extra: Any) -> None:
    """Exactly one certificate per completion, in the completing transaction."""
    issue_for(enrollment)


@completion_withdrawn.connect
def revoke_certificate(_sender: Any, *, enrollment: Any, **_extra: Any) -> None:
    """The completion was taken back: its certificate no longer stands."""
    withdraw_with_completion(enrollment)
