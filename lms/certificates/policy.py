"""Who may see, download and change certificates. Views and templates ask here.

A certificate concerns two organisations: the holder's (whose HR keeps the employee's record)
and the issuer's (the course owner, whose BKPSDM signed it); usually they are the same. Both HRs
see it; only the issuer (or a platform admin) revokes or reissues it, since the issuer's name
stands on it. Anyone else gets a 404, so another organisation's certificate looks like one that
does not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true

from lms.accounts import policy as people
from lms.accounts.models import Employee, User
from lms.certificates.models import Certificate


def _hr_clauses(user: User) -> list[ColumnElement[bool]]:
    if not people.is_hr(user):
        return []
    return [
        Certificate.organisation_id == user.organisation_id,
        Certificate.employee.has(Employee.organisation_id == user.organisation_id),
    ]


def certificate_scope(user: User | None) -> ColumnElement[bool]:
    """Certificates the user may open (PDF): their own, HR of the holder's or the issuer's
    organisation, admins."""
    if not (user and user.is_authenticated):
        return false()
    if people.is_admin(user):
        return true()
    clauses = _hr_clauses(user)
    if user.employee_id:
        clauses.append(Certificate.employee_id == user.employee_id)
    return or_(*clauses) if clauses else false()


def hr_certificate_scope(user: User | None) -> ColumnElement[bool]:
    """Certificates the user may manage in the registry (HR of either organisation, admins)."""
    if not (user and user.is_authenticated):
        return false()
    if people.is_admin(user):
        return true()
    clauses = _hr_clauses(user)
    return or_(*clauses) if clauses else false()


def can_view_registry(user: User | None, organisation_id: int | None) -> bool:
    """HR of the organisation and admins browse and export its certificate registry."""
    return people.can_manage_people(user, organisation_id)


def can_manage_template(user: User | None, organisation_id: int | None) -> bool:
    """HR of the organisation and admins set its numbering, signer and design."""
    return people.can_manage_people(user, organisation_id)


def can_revoke(user: User | None, certificate: Certificate) -> bool:
    """Revoke or reissue: the issuing organisation's HR and admins."""
    return people.can_manage_people(user, certificate.organisation_id)


def is_holder(user: User | None, certificate: Certificate) -> bool:
    """The certificate is the user's own."""
    return bool(
        user
        and user.is_authenticated
        and user.employee_id is not None
        and user.employee_id == certificate.employee_id
    )
