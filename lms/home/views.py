"""The home page: one section per role the user holds."""

from __future__ import annotations

import functools
from datetime import date

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload
from werkzeug.wrappers import Response

from lms.accounts import audit, policy
from lms.accounts.models import AuditEvent, Employee, Organisation, Position, Unit, User
from lms.courses import policy as course_policy
from lms.courses.models import Course, CourseTrainer
from lms.courses.pages import my_courses
from lms.extensions import db

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str | Response:
    """The user's home: learner profile, team, HR figures and admin overview as they apply."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    context: dict[str, object] = {}
    me = _profile(current_user.employee_id) if current_user.employee_id else None
    context["me"] = me
    if me is not None:
        # a tuple: the section is rendered once per process for equal courses and statuses
        context["my_courses"] = tuple(my_courses(me.id, date.today()))
    if course_policy.can_create_course(current_user) and policy.is_trainer(current_user):
        context["teaching"] = db.session.scalars(
            select(Course)
            .options(joinedload(Course.published_version), joinedload(Course.draft_version))
            .where(Course.trainers.any(CourseTrainer.user_id == current_user.id))
            .order_by(Course.code)
            .limit(50)
        ).all()
    if policy.is_supervisor(current_user):
        context["team"] = db.session.scalars(
            select(Employee)
            .options(joinedload(Employee.position), joinedload(Employee.unit))
            .where(Employee.supervisor_id == current_user.employee_id, Employee.is_active.is_(True))
            .order_by(Employee.name)
            .limit(200)
        ).all()
        context["plans_waiting"] = _plans_waiting(current_user.employee_id)
    if policy.is_hr(current_user):
        org_id = current_user.organisation_id
        context["hr"] = {
            "employees": _count(Employee, org_id, Employee.is_active.is_(True)),
            "units": _count(Unit, org_id, Unit.is_active.is_(True)),
            "positions": _count(Position, org_id, Position.is_active.is_(True)),
            "recent": _recent_audit(org_id),
        }
    if policy.is_admin(current_user):
        context["admin"] = {
            "organisations": db.session.scalar(select(func.count()).select_from(Organisation)),
            "users": db.session.scalar(select(func.count()).select_from(User)),
            "recent": _recent_audit(None),
        }
    return render_template("home/index.html", **context)


def _plans_waiting(supervisor_id: int) -> int:
    """How many development plans of direct reports wait for the supervisor's decision."""
    from lms.competencies.models import DevelopmentPlan, PlanStatus

    return db.session.scalar(
        select(func.count())
        .select_from(DevelopmentPlan)
        .join(Employee, DevelopmentPlan.employee_id == Employee.id)
        .where(
            Employee.supervisor_id == supervisor_id,
            Employee.is_active.is_(True),
            DevelopmentPlan.status == PlanStatus.SUBMITTED,
        )
    )


def _profile(employee_id: int) -> Row | None:
    """The learner's own record as the profile card shows it, in one statement."""
    return db.session.execute(_profile_query(), {"employee_id": employee_id}).one_or_none()


@functools.cache
def _profile_query() -> Select:
    # built once: building it and its cache key cost more than running it
    supervisor = aliased(Employee, name="supervisor")
    return (
        select(
            Employee.id,
            Employee.nip,
            Employee.golongan,
            Organisation.name.label("organisation"),
            Unit.name.label("unit"),
            Position.name.label("position"),
            supervisor.name.label("supervisor"),
        )
        .join(Organisation, Organisation.id == Employee.organisation_id)
        .outerjoin(Unit, Unit.id == Employee.unit_id)
        .outerjoin(Position, Position.id == Employee.position_id)
        .outerjoin(supervisor, supervisor.id == Employee.supervisor_id)
        .where(Employee.id == bindparam("employee_id"))
    )


def _count(model: type, organisation_id: int, *conditions: object) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(model)
        .where(model.organisation_id == organisation_id, *conditions)
    )


def _recent_audit(organisation_id: int | None) -> list[AuditEvent]:
    return db.session.scalars(
        audit.audit_query(organisation_id)
        .options(selectinload(AuditEvent.actor).joinedload(User.employee))
        .limit(8)
    ).all()
