"""Who may see whose competency profile, JP ledger and recommendations.

A profile is read by exactly the people who may read the employee record
(:func:`lms.accounts.policy.employee_scope`): the employee, their direct supervisor (atasan
langsung — not supervisors further up the chain, who see their own direct reports, as on the
employee page), HR of the employee's organisation, and platform admins. Anyone else gets a 404,
so a NIP of another organisation looks like one that does not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import joinedload

from lms.accounts import policy as people
from lms.accounts.models import Employee, User
from lms.accounts.nip import normalise_nip
from lms.competencies.models import Competency, DevelopmentPlan, ExternalTraining
from lms.extensions import db


def clean_nip(raw: str) -> str | None:
    """The NIP in a URL as 18 ASCII digits, or None when it cannot be one."""
    nip = normalise_nip(raw or "")
    return nip if len(nip) == 18 and nip.isascii() and nip.isdigit() else None


def _profile_query(user: User | None) -> Select[tuple[Employee]]:
    return (
        select(Employee)
        .options(
            joinedload(Employee.organisation),
            joinedload(Employee.unit),
            joinedload(Employee.position),
            joinedload(Employee.supervisor),
        )
        .where(people.employee_scope(user))
    )


def employee_by_nip(user: User | None, nip: str) -> Employee | None:
    """The employee with that NIP if the user may see their profile (scoped in the query)."""
    clean = clean_nip(nip)
    if clean is None:
        return None
    return db.session.scalar(_profile_query(user).where(Employee.nip == clean))


def own_employee(user: User | None) -> Employee | None:
    """The user's own employee record, loaded as the profile pages need it."""
    if not (user and user.is_authenticated and user.employee_id):
        return None
    return db.session.scalar(_profile_query(user).where(Employee.id == user.employee_id))


def is_own(user: User | None, employee: Employee) -> bool:
    """The profile is the user's own: only then are one-click enrolments offered."""
    return bool(user and user.is_authenticated and user.employee_id == employee.id)


def can_view_team(user: User | None) -> bool:
    """Supervisors follow their direct reports' JP and gaps."""
    return people.is_supervisor(user)


def can_view_organisation_jp(user: User | None, organisation_id: int | None) -> bool:
    """HR of the organisation and admins see everyone's JP."""
    return people.can_manage_people(user, organisation_id)


# --- editing: the dictionary, standards, ratings, external training, development plans ---------


def can_manage_dictionary(user: User | None, organisation_id: int | None) -> bool:
    """Add and change an organisation's technical competencies, its standards and its CSV."""
    return people.can_manage_people(user, organisation_id)


def can_edit_competency(user: User | None, competency: Competency) -> bool:
    """HR change their organisation's competencies; the national dictionary only admins."""
    if competency.organisation_id is None:
        return people.is_admin(user)
    return people.can_manage_people(user, competency.organisation_id)


def rating_scope(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause limiting employees to those the user may rate as an assessor: admins
    everyone, HR their organisation, supervisors their direct reports; never oneself."""
    if not (user and user.is_authenticated):
        return false()
    clauses: list[ColumnElement[bool]] = []
    if people.is_admin(user):
        clauses.append(true())
    elif people.is_hr(user):
        clauses.append(Employee.organisation_id == user.organisation_id)
    if user.employee_id:
        clauses.append(Employee.supervisor_id == user.employee_id)
    if not clauses:
        return false()
    scope = or_(*clauses)
    return and_(scope, Employee.id != user.employee_id) if user.employee_id else scope


def can_record_training(user: User | None, employee: Employee) -> bool:
    """HR of the employee's organisation (and admins) record external training."""
    return people.can_manage_people(user, employee.organisation_id)


def can_download_certificate(user: User | None, training: ExternalTraining) -> bool:
    """HR of the organisation and the employee themselves open a training's certificate."""
    return people.can_manage_people(user, training.employee.organisation_id) or bool(
        user and user.is_authenticated and user.employee_id == training.employee_id
    )


def can_decide_plan(user: User | None, plan: DevelopmentPlan) -> bool:
    """Only the employee's direct supervisor approves or returns a development plan."""
    return bool(
        user
        and user.is_authenticated
        and user.employee_id is not None
        and plan.employee.supervisor_id == user.employee_id
    )
