"""Individual development plans (rencana pengembangan individu): drafted by the employee,
approved or returned by the supervisor, tracked to completion and linked to evidence."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts import audit
from lms.accounts.models import Employee, User
from lms.competencies.models import (
    ActivityKind,
    ActivityStatus,
    Competency,
    DevelopmentPlan,
    Evidence,
    PlanActivity,
    PlanGoal,
    PlanStatus,
)
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.core.signals import plan_decided, plan_submitted
from lms.courses.models import Course
from lms.extensions import db


def plan_for(employee: Employee, year: int, *, create: bool = False) -> DevelopmentPlan | None:
    """The employee's plan for the year (created as a draft when asked)."""
    plan = db.session.scalar(
        select(DevelopmentPlan).where(
            DevelopmentPlan.employee_id == employee.id, DevelopmentPlan.year == year
        )
    )
    if plan is None and create:
        plan = DevelopmentPlan(employee_id=employee.id, year=year)
        db.session.add(plan)
        db.session.flush()
    return plan


def _editable(plan: DevelopmentPlan) -> None:
    if not plan.is_editable:
        raise DomainError(
            _("Rencana yang sudah dikirim atau disetujui tidak dapat diubah."), code="invalid_state"
        )


def add_goal(
    plan: DevelopmentPlan, competency: Competency, target_level: int, note: str
) -> PlanGoal:
    """A goal: reach ``target_level`` in a competency."""
    _editable(plan)
    if not 1 <= target_level <= 5:
        raise DomainError(_("Level sasaran harus 1 sampai 5."), field="target_level")
    if any(g.competency_id == competency.id for g in plan.goals):
        raise DomainError(_("Kompetensi ini sudah menjadi sasaran."), field="competency")
    goal = PlanGoal(competency=competency, target_level=target_level, note=note.strip()[:2000])
    plan.goals.append(goal)
    db.session.flush()
    return goal


def remove_goal(goal: PlanGoal) -> None:
    """Drop a goal with its activities."""
    _editable(goal.plan)
    goal.plan.goals.remove(goal)
    db.session.flush()


def add_activity(
    goal: PlanGoal,
    kind: ActivityKind,
    description: str,
    *,
    course: Course | None = None,
    due_on: date | None = None,
) -> PlanActivity:
    """An activity towards a goal; course activities name the course."""
    _editable(goal.plan)
    if kind is ActivityKind.COURSE and course is None:
        raise DomainError(_("Pilih kursusnya."), field="course")
    if kind is not ActivityKind.COURSE and not description.strip():
        raise DomainError(_("Uraikan kegiatannya."), field="description")
    if due_on is not None and due_on.year != goal.plan.year:
        raise DomainError(
            _("Target waktu harus di tahun %(year)d.", year=goal.plan.year), field="due_on"
        )
    activity = PlanActivity(
        kind=kind,
        course_id=course.id if course else None,
        description=description.strip()[:2000],
        due_on=due_on,
    )
    goal.activities.append(activity)
    db.session.flush()
    return activity


def remove_activity(activity: PlanActivity) -> None:
    """Drop an activity of a plan still being drafted."""
    _editable(activity.goal.plan)
    activity.goal.activities.remove(activity)
    db.session.flush()


def submit(plan: DevelopmentPlan, *, actor: User) -> None:
    """The employee sends the plan to the supervisor."""
    if plan.employee.supervisor_id is None:
        raise DomainError(
            _("Atasan langsung Anda belum tercatat; hubungi BKPSDM sebelum mengirim rencana."),
            code="no_supervisor",
        )
    plan.submit(utcnow())
    audit.record(
        "plan.submitted",
        actor=actor,
        organisation_id=plan.employee.organisation_id,
        target=plan,
        data={"year": plan.year},
    )
    plan_submitted.send(None, plan=plan)


def decide(plan: DevelopmentPlan, approve: bool, note: str, *, actor: User) -> None:
    """The direct supervisor approves or returns the plan; audited."""
    supervisor = plan.employee.supervisor
    if actor.employee_id is None or supervisor is None or supervisor.id != actor.employee_id:
        raise DomainError(_("Hanya atasan langsung yang dapat memutuskan."), code="forbidden")
    plan.decide(approve, note, actor, utcnow())
    audit.record(
        "plan.approved" if approve else "plan.returned",
        actor=actor,
        organisation_id=plan.employee.organisation_id,
        target=plan,
        data={"year": plan.year, "note": plan.supervisor_note[:200]},
    )
    plan_decided.send(None, plan=plan, approved=approve)


def update_activity(
    activity: PlanActivity,
    status: ActivityStatus,
    *,
    evidence: Evidence | None = None,
    today: date | None = None,
) -> None:
    """Track an activity of an approved plan; the plan completes when every activity is done."""
    plan = activity.goal.plan
    if plan.status not in (PlanStatus.APPROVED, PlanStatus.COMPLETED):
        raise DomainError(_("Kegiatan dicatat setelah rencana disetujui."), code="invalid_state")
    if evidence is not None and (
        evidence.employee_id != plan.employee_id
        or evidence.competency_id != activity.goal.competency_id
    ):
        raise DomainError(_("Bukti itu bukan untuk sasaran ini."), field="evidence")
    activity.status = status
    activity.completed_on = (today or date.today()) if status is ActivityStatus.DONE else None
    if evidence is not None:
        activity.evidence_id = evidence.id
    every = [a for g in plan.goals for a in g.activities]
    plan.status = (
        PlanStatus.COMPLETED
        if every and all(a.status is ActivityStatus.DONE for a in every)
        else PlanStatus.APPROVED
    )
    db.session.flush()


def course_done(employee_id: int, course_id: int) -> int:
    """A completed course marks the plan activities that named it done; returns how many."""
    activities = db.session.scalars(
        select(PlanActivity)
        .join(PlanGoal)
        .join(DevelopmentPlan)
        .where(
            DevelopmentPlan.employee_id == employee_id,
            DevelopmentPlan.status == PlanStatus.APPROVED,
            PlanActivity.course_id == course_id,
            PlanActivity.status != ActivityStatus.DONE,
        )
    ).all()
    for activity in activities:
        update_activity(activity, ActivityStatus.DONE)
    return len(activities)
