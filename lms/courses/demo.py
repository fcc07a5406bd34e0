"""Demo assignments: mandatory training the demo organisations' HR have already given, so that a
demo learner finds an assigned course with a due date on their first visit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import select

from lms.accounts.models import Employee, Unit, User
from lms.courses import enrollment as enrolment
from lms.courses.models import AssignmentRule, Course, CourseStatus, TargetType
from lms.extensions import db


class DemoAssignment(NamedTuple):
    """One assignment rule: whose HR gives it, which course, to whom, due in how many days."""

    hr_email: str
    course: str
    target: TargetType
    #: the employee's account email (EMPLOYEE) or the unit's name (UNIT)
    who: str
    due_in_days: int


#: Solok closes pegawai.solok's project-management gap with Sawahlunto's shared course (an
#: agency's course opened to others) and makes the digital-security course mandatory for the
#: health office; Serang trains its people in communication for public services.
DEMO_ASSIGNMENTS = (
    DemoAssignment(
        "bkpsdm.solok@lentera.test",
        "MPP-101",
        TargetType.EMPLOYEE,
        "pegawai.solok@lentera.test",
        30,
    ),
    DemoAssignment("bkpsdm.solok@lentera.test", "LDK-101", TargetType.UNIT, "Dinas Kesehatan", 60),
    DemoAssignment(
        "bkpsdm.serang@lentera.test",
        "KOM-101",
        TargetType.EMPLOYEE,
        "pegawai.serang@lentera.test",
        45,
    ),
)


def seed_assignments() -> list[str]:
    """Give the demo assignments whose HR account, course and target exist and that the
    organisation has not given yet (so it is safe to run again); returns what was given."""
    given = []
    for item in DEMO_ASSIGNMENTS:
        hr = db.session.scalar(select(User).where(User.email == item.hr_email))
        course = db.session.scalar(select(Course).where(Course.code == item.course))
        if hr is None or hr.organisation is None or course is None:
            continue
        if course.status is not CourseStatus.PUBLISHED:
            continue
        target_id = _target_id(item, hr.organisation_id)
        if target_id is None:
            continue
        exists = db.session.scalar(
            select(AssignmentRule.id).where(
                AssignmentRule.organisation_id == hr.organisation_id,
                AssignmentRule.course_id == course.id,
                AssignmentRule.target_type == item.target,
                AssignmentRule.target_id == target_id,
            )
        )
        if exists is not None:
            continue
        _rule, enrolled = enrolment.create_rule(
            hr.organisation,
            course,
            item.target,
            target_id=target_id,
            due_date=date.today() + timedelta(days=item.due_in_days),
            actor=hr,
        )
        given.append(f"{item.course} → {item.who} ({enrolled})")
    return given


def _target_id(item: DemoAssignment, organisation_id: int) -> int | None:
    if item.target is TargetType.EMPLOYEE:
        return db.session.scalar(
            select(Employee.id)
            .join(User, User.employee_id == Employee.id)
            .where(User.email == item.who, Employee.organisation_id == organisation_id)
        )
    return db.session.scalar(
        select(Unit.id)
        .where(Unit.name == item.who, Unit.organisation_id == organisation_id)
        .order_by(Unit.id)
        .limit(1)
    )
