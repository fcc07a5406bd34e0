"""Who may read which reports."""

from __future__ import annotations

from lms.accounts import policy as people
from lms.accounts.models import User


def can_view_reports(user: User | None, organisation_id: int | None) -> bool:
    """HR of the organisation (BKPSDM) and platform admins read its reports and exports."""
    return people.can_manage_people(user, organisation_id)


def can_view_team(user: User | None) -> bool:
    """Supervisors follow their direct reports' training, JP and gaps."""
    return people.is_supervisor(user)
