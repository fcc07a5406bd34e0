"""Who may do what with organisations and people. Views, the API and templates all ask here."""

from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy import ColumnElement, Exists, exists, false, or_, select, true

from lms.accounts.models import Employee, Role, User
from lms.extensions import db


def is_admin(user: User | None) -> bool:
    """A platform administrator."""
    return bool(user and user.is_authenticated and user.has_role(Role.ADMIN))


def is_hr(user: User | None) -> bool:
    """An HR administrator (BKPSDM) of the user's own organisation."""
    return bool(
        user and user.is_authenticated and user.has_role(Role.HR_ADMIN) and user.organisation_id
    )


def is_trainer(user: User | None) -> bool:
    """A trainer (pelatih, widyaiswara, fasilitator)."""
    return bool(user and user.is_authenticated and user.has_role(Role.TRAINER))


def is_supervisor(user: User | None) -> bool:
    """Someone with at least one active direct report; worked out once per request."""
    if not (user and user.is_authenticated and user.employee_id):
        return False
    cache = g.setdefault("_is_supervisor", {})
    if user.id not in cache:
        cache[user.id] = bool(db.session.scalar(select(supervises(user.employee_id))))
    return cache[user.id]


def supervises(employee_id: Any) -> Exists:
    """An EXISTS that is true when ``employee_id`` (a value or a column) has an active direct
    report: the rule of :func:`is_supervisor`, for queries that load the user anyway."""
    return exists().where(Employee.supervisor_id == employee_id, Employee.is_active.is_(True))


def remember_supervisor(user: User, is_supervising: bool) -> None:
    """Record for this request what the user's loading query found out with :func:`supervises`."""
    g.setdefault("_is_supervisor", {})[user.id] = is_supervising


def is_learner(user: User | None) -> bool:
    """Every employee with an account learns."""
    return bool(user and user.is_authenticated and user.employee_id)


def can_manage_people(user: User | None, organisation_id: int | None) -> bool:
    """Create and edit units, positions, employees and accounts of an organisation."""
    if organisation_id is None:
        return False
    return is_admin(user) or (is_hr(user) and user.organisation_id == organisation_id)


def can_view_audit(user: User | None, organisation_id: int | None) -> bool:
    """Read the audit log of an organisation (``None``: the platform-wide log, admins only)."""
    if organisation_id is None:
        return is_admin(user)
    return can_manage_people(user, organisation_id)


def employee_scope(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause limiting employees to those the user may read.

    Admins read everyone; HR their organisation; supervisors their direct reports; everyone
    themselves. Used inside queries, so nothing outside the scope is ever loaded.
    """
    if not (user and user.is_authenticated):
        return false()
    if is_admin(user):
        return true()
    clauses = []
    if is_hr(user):
        clauses.append(Employee.organisation_id == user.organisation_id)
    if user.employee_id:
        clauses.append(Employee.id == user.employee_id)
        clauses.append(Employee.supervisor_id == user.employee_id)
    return or_(*clauses) if clauses else false()


def can_edit_employee(user: User | None, employee: Employee) -> bool:
    """Change an employee's record and account."""
    return can_manage_people(user, employee.organisation_id)


def can_manage_organisations(user: User | None) -> bool:
    """Create organisations and grant platform roles."""
    return is_admin(user)


def grantable_roles(user: User | None) -> set[Role]:
    """The roles this user may grant or take away."""
    if is_admin(user):
        return {Role.TRAINER, Role.HR_ADMIN, Role.ADMIN}
    if is_hr(user):
        return {Role.TRAINER, Role.HR_ADMIN}
    return set()
