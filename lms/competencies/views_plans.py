"""Individual development plans (rencana pengembangan individu), on the ``competency_admin``
blueprint: the employee drafts goals with activities and submits the plan; the direct supervisor
approves it or returns it with a note; after approval the employee tracks the activities."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from lms.accounts import policy as people
from lms.accounts.forms import ConfirmForm
from lms.accounts.models import AuditEvent, Employee, User
from lms.competencies import pages, plans, policy
from lms.competencies.forms import (
    EVIDENCE_SOURCE_LABELS,
    PLAN_EVENT_LABELS,
    ActivityForm,
    ActivityStatusForm,
    DecisionForm,
    GoalForm,
)
from lms.competencies.models import (
    ActivityKind,
    DevelopmentPlan,
    Evidence,
    PlanActivity,
    PlanGoal,
    PlanStatus,
)
from lms.competencies.profile import ProfileRow, profile
from lms.competencies.views_manage import bp
from lms.core.actions import commit_or_flash
from lms.core.forms import BaseForm, choices
from lms.core.templating import format_tanggal
from lms.courses.models import Course
from lms.courses.queries import catalog_query
from lms.extensions import db

#: courses offered per goal: those that target its competency, then other catalog courses
MATCHING_COURSES = 50
OTHER_COURSES = 100
#: direct reports the team page lists
TEAM_LIMIT = 200


def _year() -> int:
    year = pages.parse_year(request.args.get("tahun"), date.today())
    if year is None:
        abort(400)
    return year


def _years() -> list[int]:
    """The years a plan page offers: next year, this year and the two before."""
    this_year = date.today().year
    return [this_year + 1, this_year, this_year - 1, this_year - 2]


def _own() -> Employee:
    """The user's own employee record; users who are not employees have no plan."""
    employee = policy.own_employee(current_user)
    if employee is None:
        abort(403)
    return employee


def _plan_query():
    return select(DevelopmentPlan).options(
        joinedload(DevelopmentPlan.employee).joinedload(Employee.position),
        selectinload(DevelopmentPlan.goals).joinedload(PlanGoal.competency),
        selectinload(DevelopmentPlan.goals)
        .selectinload(PlanGoal.activities)
        .joinedload(PlanActivity.evidence),
    )


def _own_plan(plan_id: int) -> DevelopmentPlan:
    employee_id = current_user.employee_id or 0
    return db.session.scalar(
        _plan_query().where(
            DevelopmentPlan.id == plan_id, DevelopmentPlan.employee_id == employee_id
        )
    ) or abort(404)


def _own_goal(goal_id: int) -> PlanGoal:
    employee_id = current_user.employee_id or 0
    return db.session.scalar(
        select(PlanGoal)
        .join(DevelopmentPlan)
        .options(joinedload(PlanGoal.plan), joinedload(PlanGoal.competency))
        .where(PlanGoal.id == goal_id, DevelopmentPlan.employee_id == employee_id)
    ) or abort(404)


def _own_activity(activity_id: int) -> PlanActivity:
    employee_id = current_user.employee_id or 0
    return db.session.scalar(
        select(PlanActivity)
        .join(PlanGoal)
        .join(DevelopmentPlan)
        .options(joinedload(PlanActivity.goal).joinedload(PlanGoal.plan))
        .where(PlanActivity.id == activity_id, DevelopmentPlan.employee_id == employee_id)
    ) or abort(404)


def _back(year: int) -> Response:
    return redirect(url_for(".my_plan", tahun=year))


def _problem(form: BaseForm) -> str:
    """The first thing wrong with a posted form, for a flash message."""
    for field in form:
        if field.errors:
            return f"{field.label.text}: {field.errors[0]}"
    return form.form_errors[0] if form.form_errors else _("Formulir tidak valid.")


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


# --- what the plan pages show ---------------------------------------------------------------------


def _courses_of(plan: DevelopmentPlan | None) -> dict[int, Course]:
    ids = {a.course_id for g in (plan.goals if plan else []) for a in g.activities if a.course_id}
    if not ids:
        return {}
    found = db.session.scalars(
        select(Course).options(joinedload(Course.published_version)).where(Course.id.in_(ids))
    )
    return {course.id: course for course in found}


def _history(plan: DevelopmentPlan | None) -> list[AuditEvent]:
    if plan is None:
        return []
    return list(
        db.session.scalars(
            select(AuditEvent)
            .options(joinedload(AuditEvent.actor).joinedload(User.employee))
            .where(
                AuditEvent.target_type == DevelopmentPlan.__tablename__,
                AuditEvent.target_id == str(plan.id),
                AuditEvent.action.in_(list(PLAN_EVENT_LABELS)),
            )
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )


def _course_label(course: Course) -> str:
    title = course.published_version.title if course.published_version else course.code
    return f"{course.code} · {title}"


def _course_choices(goal: PlanGoal, others: list[Course]) -> list[SelectChoice]:
    """The catalog courses for a goal: those that target its competency, then the others."""
    matching = list(
        db.session.scalars(
            catalog_query(current_user, competency=goal.competency.code).limit(MATCHING_COURSES)
        )
    )
    seen = {course.id for course in matching}
    group = _("Sesuai kompetensi %(code)s", code=goal.competency.code)
    options = [SelectChoice(c.id, _course_label(c), optgroup=group) for c in matching]
    options += [
        SelectChoice(c.id, _course_label(c), optgroup=_("Kursus lain"))
        for c in others
        if c.id not in seen
    ]
    return options


def _evidence_choices(activity: PlanActivity, evidence: list[Evidence]) -> list:
    """The employee's demonstrated evidence of the goal's competency, to link to an activity."""
    options: list[tuple[object, str]] = [("", _("— tidak ada —"))]
    for item in evidence:
        if item.competency_id == activity.goal.competency_id and item.is_demonstrated:
            source = EVIDENCE_SOURCE_LABELS[item.source]
            when = format_tanggal(item.observed_on)
            level = _("level %(n)d", n=item.level)
            options.append((item.id, f"{source} · {item.label} · {level} · {when}"))
    return choices(options)


def _goal_choices(rows: list[ProfileRow], taken: set[int]) -> list:
    options = []
    for row in rows:
        if row.competency.id in taken or not row.competency.is_active:
            continue
        label = _(
            "%(code)s · %(name)s (saat ini %(current)d, standar %(required)d)",
            code=row.competency.code,
            name=row.competency.name,
            current=row.current,
            required=row.required,
        )
        options.append((row.competency.id, label))
    return choices(options)


def _activity_form(goal: PlanGoal, others: list[Course]) -> ActivityForm:
    form = ActivityForm(prefix=f"g{goal.id}")
    form.course_id.choices = _course_choices(goal, others)
    return form


def _status_form(activity: PlanActivity, evidence: list[Evidence]) -> ActivityStatusForm:
    form = ActivityStatusForm(prefix=f"a{activity.id}")
    form.evidence_id.choices = _evidence_choices(activity, evidence)
    return form


# --- the employee's own plan ----------------------------------------------------------------------


@bp.get("/rencana")
@login_required
def my_plan() -> str:
    """The employee's development plan for a year: drafting, its status and history, tracking."""
    employee = _own()
    year = _year()
    plan = db.session.scalar(
        _plan_query().where(
            DevelopmentPlan.employee_id == employee.id, DevelopmentPlan.year == year
        )
    )
    rows = profile(employee)
    taken = {goal.competency_id for goal in plan.goals} if plan else set()
    editable = plan is None or plan.is_editable
    goal_form = activity_forms = status_forms = None
    if editable:
        goal_form = GoalForm(formdata=None, year=year)
        goal_form.competency_id.choices = _goal_choices(rows, taken)
        others = list(db.session.scalars(catalog_query(current_user).limit(OTHER_COURSES)))
        activity_forms = (
            {goal.id: _activity_form(goal, others) for goal in plan.goals} if plan else {}
        )
    elif plan.status in (PlanStatus.APPROVED, PlanStatus.COMPLETED):
        evidence = list(
            db.session.scalars(
                select(Evidence)
                .where(Evidence.employee_id == employee.id)
                .order_by(Evidence.observed_on.desc(), Evidence.id.desc())
            )
        )
        status_forms = {}
        for goal in plan.goals:
            for activity in goal.activities:
                form = _status_form(activity, evidence)
                form.status.data = activity.status.value
                form.evidence_id.data = activity.evidence_id
                status_forms[activity.id] = form
    suggestions = sorted(
        (r for r in rows if r.gap > 0 and r.competency.id not in taken),
        key=lambda r: (-r.gap, r.competency.code),
    )
    return render_template(
        "competencies/manage/plan.html",
        employee=employee,
        year=year,
        years=_years(),
        plan=plan,
        editable=editable,
        suggestions=suggestions,
        goal_form=goal_form,
        activity_forms=activity_forms,
        status_forms=status_forms,
        courses=_courses_of(plan),
        history=_history(plan),
        event_labels=PLAN_EVENT_LABELS,
        confirm=ConfirmForm(),
    )


@bp.post("/rencana/sasaran")
@login_required
def add_goal() -> Response:
    """Add a goal (a competency and the level to reach) to the plan of a year."""
    employee = _own()
    rows = profile(employee)
    form = GoalForm()
    form.competency_id.choices = _goal_choices(rows, set())
    if not form.validate_on_submit():
        flash(_problem(form), "danger")
        return _back(date.today().year)
    year = form.year.data
    if pages.parse_year(str(year), date.today()) is None:
        abort(400)
    competency = next(r.competency for r in rows if r.competency.id == form.competency_id.data)
    plan = plans.plan_for(employee, year, create=True)
    commit_or_flash(
        lambda: plans.add_goal(plan, competency, form.target_level.data, form.note.data or ""),
        _("Sasaran %(name)s ditambahkan.", name=competency.name),
    )
    return _back(year)


@bp.post("/rencana/sasaran/<int:goal_id>/hapus")
@login_required
def remove_goal(goal_id: int) -> Response:
    """Drop a goal of a plan being drafted."""
    goal = _own_goal(goal_id)
    _confirmed()
    year = goal.plan.year
    commit_or_flash(lambda: plans.remove_goal(goal), _("Sasaran dihapus."))
    return _back(year)


@bp.post("/rencana/sasaran/<int:goal_id>/kegiatan")
@login_required
def add_activity(goal_id: int) -> Response:
    """Add an activity (course, mentoring, assignment, rotation, study) towards a goal."""
    goal = _own_goal(goal_id)
    year = goal.plan.year
    form = ActivityForm(prefix=f"g{goal.id}")
    if not form.validate_on_submit():
        flash(_problem(form), "danger")
        return _back(year)
    course = None
    if form.course_id.data is not None and form.parsed_kind() is ActivityKind.COURSE:
        course = db.session.scalar(
            catalog_query(current_user).where(Course.id == form.course_id.data)
        )
        if course is None:
            flash(_("Kursus itu tidak ada di katalog Anda."), "danger")
            return _back(year)
    commit_or_flash(
        lambda: plans.add_activity(
            goal,
            form.parsed_kind(),
            form.description.data or "",
            course=course,
            due_on=form.due_on.data,
        ),
        _("Kegiatan ditambahkan."),
    )
    return _back(year)


@bp.post("/rencana/kegiatan/<int:activity_id>/hapus")
@login_required
def remove_activity(activity_id: int) -> Response:
    """Drop an activity of a plan being drafted."""
    activity = _own_activity(activity_id)
    _confirmed()
    year = activity.goal.plan.year
    commit_or_flash(lambda: plans.remove_activity(activity), _("Kegiatan dihapus."))
    return _back(year)


@bp.post("/rencana/kegiatan/<int:activity_id>/status")
@login_required
def track_activity(activity_id: int) -> Response:
    """Record the progress of an activity of an approved plan, optionally with its evidence."""
    activity = _own_activity(activity_id)
    year = activity.goal.plan.year
    evidence = list(
        db.session.scalars(
            select(Evidence).where(
                Evidence.employee_id == activity.goal.plan.employee_id,
                Evidence.competency_id == activity.goal.competency_id,
            )
        )
    )
    form = _status_form(activity, evidence)
    if not form.validate_on_submit():
        flash(_problem(form), "danger")
        return _back(year)
    linked = next((e for e in evidence if e.id == form.evidence_id.data), None)
    if not commit_or_flash(
        lambda: plans.update_activity(activity, form.parsed_status(), evidence=linked)
    ):
        return _back(year)
    if activity.goal.plan.status is PlanStatus.COMPLETED:
        flash(_("Semua kegiatan selesai: rencana %(year)d tuntas.", year=year), "success")
    else:
        flash(_("Status kegiatan disimpan."), "success")
    return _back(year)


@bp.post("/rencana/<int:plan_id>/kirim")
@login_required
def submit_plan(plan_id: int) -> Response:
    """Send the plan to the direct supervisor; it cannot be changed while it waits."""
    plan = _own_plan(plan_id)
    _confirmed()
    commit_or_flash(
        lambda: plans.submit(plan, actor=current_user),
        _("Rencana dikirim ke atasan langsung untuk disetujui."),
    )
    return _back(plan.year)


# --- the supervisor -------------------------------------------------------------------------------


@bp.get("/rencana/tim")
@login_required
def team_plans() -> str:
    """The plans of the supervisor's direct reports for a year, those waiting first."""
    if not people.is_supervisor(current_user):
        abort(403)
    year = _year()
    reports = db.session.scalars(
        select(Employee)
        .options(joinedload(Employee.position))
        .where(Employee.supervisor_id == current_user.employee_id, Employee.is_active.is_(True))
        .order_by(Employee.name, Employee.id)
        .limit(TEAM_LIMIT)
    ).all()
    found = db.session.scalars(
        select(DevelopmentPlan)
        .options(selectinload(DevelopmentPlan.goals))
        .where(
            DevelopmentPlan.employee_id.in_([e.id for e in reports]),
            DevelopmentPlan.year == year,
        )
    ).all()
    by_employee = {plan.employee_id: plan for plan in found}
    members = sorted(
        ((employee, by_employee.get(employee.id)) for employee in reports),
        key=lambda pair: (
            pair[1] is None or pair[1].status is not PlanStatus.SUBMITTED,
            pair[0].name,
        ),
    )
    return render_template(
        "competencies/manage/team_plans.html",
        year=year,
        years=_years(),
        members=members,
        waiting=sum(1 for p in found if p.status is PlanStatus.SUBMITTED),
    )


def _readable_plan(plan_id: int) -> DevelopmentPlan:
    """A plan of someone whose record the user may read (self, direct reports, HR), or 404."""
    return db.session.scalar(
        _plan_query()
        .join(Employee, Employee.id == DevelopmentPlan.employee_id)
        .where(DevelopmentPlan.id == plan_id, people.employee_scope(current_user))
    ) or abort(404)


@bp.get("/rencana/<int:plan_id>")
@login_required
def view_plan(plan_id: int) -> str | Response:
    """A plan as the supervisor (who decides on it) or HR reads it."""
    plan = _readable_plan(plan_id)
    if plan.employee_id == current_user.employee_id:
        return _back(plan.year)
    can_decide = policy.can_decide_plan(current_user, plan) and (
        plan.status is PlanStatus.SUBMITTED
    )
    return render_template(
        "competencies/manage/plan_view.html",
        plan=plan,
        employee=plan.employee,
        courses=_courses_of(plan),
        history=_history(plan),
        event_labels=PLAN_EVENT_LABELS,
        decision=DecisionForm(formdata=None) if can_decide else None,
    )


@bp.post("/rencana/<int:plan_id>/keputusan")
@login_required
def decide_plan(plan_id: int) -> Response:
    """The direct supervisor approves the plan or returns it with a note."""
    plan = _readable_plan(plan_id)
    if not policy.can_decide_plan(current_user, plan):
        abort(403)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    approve = form.decision.data == "setujui"
    if not commit_or_flash(
        lambda: plans.decide(plan, approve, form.note.data or "", actor=current_user)
    ):
        return redirect(url_for(".view_plan", plan_id=plan.id))
    if approve:
        flash(_("Rencana %(name)s disetujui.", name=plan.employee.name), "success")
    else:
        flash(_("Rencana %(name)s dikembalikan dengan catatan.", name=plan.employee.name), "info")
    return redirect(url_for(".team_plans", tahun=plan.year))
