"""The province-scale dataset generator, run small inside the test transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Employee, Organisation, Role, Unit, User
from lms.accounts.nip import parse_nip
from lms.certificates.models import Certificate
from lms.competencies.models import EmployeeCompetency, Evidence
from lms.courses.models import Course, Enrollment, LessonProgress
from lms.extensions import db as _db
from lms.quizzes.models import Attempt, AttemptSlot, AttemptState
from lms.reports import pages
from lms.reports import queries as q
from lms.reports.dataset import DatasetError, DatasetOptions, generate


def count(model: type, *where: object) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def dataset(db):
    """60 employees and 3 courses in a new organisation ``UJI``."""
    summary = generate(DatasetOptions(employees=60, courses=3, organisation_code="UJI", seed=7))
    return summary


def test_counts_match_what_was_written(db, dataset):
    org_id = dataset.organisation_id
    staff = select(Employee.id).where(Employee.organisation_id == org_id)
    assert count(Employee, Employee.organisation_id == org_id) == 60
    assert count(User, User.organisation_id == org_id) == 60
    assert count(Course, Course.organisation_id == org_id) == 3
    enrolments = count(Enrollment, Enrollment.employee_id.in_(staff))
    assert enrolments == dataset.counts["enrollments"] > 60
    assert count(Certificate, Certificate.employee_id.in_(staff)) == dataset.counts["certificates"]
    assert count(LessonProgress) >= dataset.counts["lesson_progress"] > 0
    graded = count(Attempt, Attempt.employee_id.in_(staff), Attempt.state == AttemptState.GRADED)
    assert graded > 0
    answers = count(
        AttemptSlot,
        AttemptSlot.attempt_id.in_(select(Attempt.id).where(Attempt.employee_id.in_(staff))),
    )
    # ten answers an attempt (open attempts keep their unanswered slots too)
    assert answers == dataset.counts["attempt_slots"] == 10 * dataset.counts["attempts"]
    assert count(Evidence, Evidence.employee_id.in_(staff)) == dataset.counts["evidence"]
    assert count(EmployeeCompetency, EmployeeCompetency.employee_id.in_(staff)) > 60
    completed = count(
        Enrollment, Enrollment.employee_id.in_(staff), Enrollment.completed_at.is_not(None)
    )
    assert 0.3 * enrolments < completed < 0.9 * enrolments


def test_nips_are_valid_and_unique(db, dataset):
    employees = _db.session.scalars(
        select(Employee).where(Employee.organisation_id == dataset.organisation_id)
    ).all()
    nips = [e.nip for e in employees]
    assert len(set(nips)) == len(nips) == 60
    for employee in employees:
        info = parse_nip(employee.nip, employee.employee_type)
        assert (info.birth_date, info.sex) == (employee.birth_date, employee.sex)
        assert employee.golongan


def test_reporting_lines_follow_the_unit_tree(db, dataset):
    org_id = dataset.organisation_id
    units = {
        u.id: u for u in _db.session.scalars(select(Unit).where(Unit.organisation_id == org_id))
    }
    assert max(_depth(u, units) for u in units.values()) == 2  # agency → bidang → seksi
    employees = _db.session.scalars(
        select(Employee).where(Employee.organisation_id == org_id)
    ).all()
    by_id = {e.id: e for e in employees}
    heads = {}
    for unit in units.values():
        [head] = [e for e in employees if e.position.unit_id == unit.id]
        heads[unit.id] = head
    top = [e for e in employees if e.supervisor_id is None]
    assert len(top) == 1  # the Sekretaris Daerah
    for employee in employees:
        unit = units[employee.unit_id]
        if employee is heads[unit.id]:
            above = heads[unit.parent_id] if unit.parent_id else top[0]
            assert employee.supervisor_id == (None if employee is top[0] else above.id)
        else:
            assert employee.supervisor_id == heads[unit.id].id
        # every chain ends at the top
        seen, current = set(), employee
        while current.supervisor_id is not None:
            assert current.id not in seen
            seen.add(current.id)
            current = by_id[current.supervisor_id]
        assert current is top[0]


def _depth(unit: Unit, units: dict[int, Unit]) -> int:
    depth = 0
    while unit.parent_id is not None:
        unit, depth = units[unit.parent_id], depth + 1
    return depth


def test_hr_logs_in_and_the_reports_run(db, dataset):
    hr = _db.session.scalar(select(User).where(User.email == dataset.hr_email))
    assert hr.has_role(Role.HR_ADMIN)
    assert hr.check_password(dataset.password)
    f = q.ReportFilter(dataset.organisation_id)  # the whole history
    totals = q.completion_totals(f)
    assert totals["total"] > 0
    assert sum(r.total for r in q.completion_by_unit(f)) == totals["total"]
    assert sum(r.total for r in q.completion_by_course(f)) == totals["total"]
    assert len(_db.session.execute(q.completion_rows(f)).all()) == totals["total"]
    assert q.jp_attainment(f)["employees"] == 60
    gaps = q.largest_gaps(f)
    assert gaps and gaps[0].short > 0  # the assessments leave gaps to the standards
    _db.session.execute(q.expiring_certificates(f)).all()
    tree = [
        (u, 0)
        for u in _db.session.scalars(select(Unit).where(Unit.organisation_id == f.organisation_id))
    ]
    assert pages.dashboard(f, tree).totals == totals


def test_an_existing_organisation_code_is_refused(db, dataset):
    assert (
        _db.session.scalar(
            select(Organisation.code).where(Organisation.id == dataset.organisation_id)
        )
        == "UJI"
    )
    with pytest.raises(DatasetError):
        generate(DatasetOptions(employees=60, courses=3, organisation_code="uji"))
