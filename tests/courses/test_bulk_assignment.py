"""Assigning a course to a unit, position or golongan of thousands: the same few statements
whatever the number of employees, and for each of them what a single assignment does (the
enrolment with the due date, an audit event with the NIP, one notification)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from lms.accounts.models import AuditEvent
from lms.courses import enrollment as enrolment
from lms.courses.models import Enrollment, EnrollmentSource, TargetType
from lms.extensions import db as _db
from lms.notifications.models import Kind, Notification
from tests.fixtures.courses import text


def _unit_with_staff(factory, demo, size: int, name: str):
    unit = factory.unit(demo["solok"], name=name)
    people = []
    for n in range(size):
        employee = factory.employee(demo["solok"], name=f"{name} {n}", unit_id=unit.id)
        factory.user(employee)
        people.append(employee)
    return unit, people


def _assign(course, unit, demo, due):
    found = enrolment.create_rule(
        demo["solok"],
        course,
        TargetType.UNIT,
        target_id=unit.id,
        due_date=due,
        actor=demo["hr_solok"],
    )
    _db.session.flush()  # the rule's own audit event too
    return found


def test_a_unit_of_60_costs_the_statements_of_a_unit_of_6(
    db, courses, demo, factory, count_queries
):
    course = courses.course(modules=[("M", [text("Satu"), text("Dua")])])
    due = date.today() + timedelta(days=30)
    small, _few = _unit_with_staff(factory, demo, 6, "Bidang Kecil")
    large, many = _unit_with_staff(factory, demo, 60, "Bidang Besar")

    with count_queries() as few_cost:
        _rule, enrolled_small = _assign(course, small, demo, due)
    with count_queries() as many_cost:
        rule, enrolled_large = _assign(course, large, demo, due)
    assert (enrolled_small, enrolled_large) == (6, 60)
    assert many_cost.count == few_cost.count, many_cost.statements

    rows = db.session.scalars(select(Enrollment).where(Enrollment.rule_id == rule.id)).all()
    assert sorted(r.employee_id for r in rows) == sorted(e.id for e in many)
    assert {(r.source, r.due_date, r.progress_percent, r.withdrawn_at) for r in rows} == {
        (EnrollmentSource.RULE, due, 0, None)
    }
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "enrollment.assigned",
            AuditEvent.target_id.in_([str(r.id) for r in rows]),
        )
    ).all()
    assert len(events) == 60
    assert {e.data["nip"] for e in events} == {e.nip for e in many}
    assert {(e.actor_id, e.organisation_id, e.target_type) for e in events} == {
        (demo["hr_solok"].id, demo["solok"].id, "enrollments")
    }
    notices = db.session.scalars(
        select(Notification).where(
            Notification.kind == Kind.ASSIGNED,
            Notification.user_id.in_([e.user.id for e in many]),
        )
    ).all()
    assert len(notices) == 60 and len({n.user_id for n in notices}) == 60
    assert all(course.code in n.link and "sampai" in n.body for n in notices)

    # running the rule again (an employee import, a move) changes nothing and tells nobody twice
    assert enrolment.apply_rule(rule, actor=None) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) >= 66
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id.in_([e.user.id for e in many]))
        )
        == 60
    )


def test_a_rule_makes_self_enrolments_mandatory_and_takes_back_withdrawn_ones(
    db, courses, demo, factory
):
    course = courses.course(modules=[("M", [text("Satu"), text("Dua")])])
    first, _second = courses.lessons(course)
    unit, (keen, left, new) = _unit_with_staff(factory, demo, 3, "Bidang Campur")
    own = courses.enrol(course, keen, source=EnrollmentSource.SELF)
    gone = courses.enrol(course, left, source=EnrollmentSource.SELF)
    enrolment.mark_done(gone, first)
    enrolment.unenrol(gone, actor=left.user, by_hr=False)
    assert gone.withdrawn_at is not None
    db.session.flush()

    due = date.today() + timedelta(days=14)
    rule, enrolled = _assign(course, unit, demo, due)
    assert enrolled == 3
    db.session.refresh(own)
    db.session.refresh(gone)
    assert (own.source, own.due_date, own.rule_id) == (EnrollmentSource.RULE, due, rule.id)
    assert (gone.source, gone.due_date, gone.withdrawn_at) == (EnrollmentSource.RULE, due, None)
    assert gone.progress_percent == 50  # the lesson done before leaving still counts
    fresh = db.session.scalar(select(Enrollment).where(Enrollment.employee_id == new.id))
    assert (fresh.source, fresh.rule_id) == (EnrollmentSource.RULE, rule.id)
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == Kind.ASSIGNED)
    ).all()
    assert {keen.user.id, left.user.id, new.user.id} <= set(told)

    # an enrolment already mandatory keeps its own due date
    later = date.today() + timedelta(days=90)
    _other, again = _assign(course, unit, demo, later)
    assert again == 0
    db.session.refresh(own)
    assert own.due_date == due


def test_inactive_employees_and_other_organisations_are_left_out(db, courses, demo, factory):
    course = courses.course(modules=[("M", [text("Satu")])])
    unit, (active, inactive) = _unit_with_staff(factory, demo, 2, "Bidang Sepi")
    inactive.is_active = False
    db.session.flush()
    _rule, enrolled = _assign(course, unit, demo, None)
    assert enrolled == 1
    enrolled_ids = db.session.scalars(
        select(Enrollment.employee_id).where(Enrollment.course_id == course.id)
    ).all()
    assert enrolled_ids == [active.id]
