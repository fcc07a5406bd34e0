"""What certificates hear from lower domains: a completed course issues its certificate."""

from __future__ import annotations

from typing import Any

from lms.certificates.services import issue_for
from lms.core.signals import course_completed


@course_completed.connect
def issue_certificate(_sender: Any, *, enrollment: Any, **_extra: Any) -> None:
    """Exactly one certificate per completion, in the completing transaction."""
    issue_for(enrollment)
