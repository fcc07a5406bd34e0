"""Report numbers against hand-computed data, and scoping by organisation."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select, update

from lms.accounts.models import Employee, Organisation
from lms.competencies import profile
from lms.courses.models import Enrollment
from lms.extensions import db as _db
from lms.reports import queries as q
from tests.fixtures.courses import text


def org(code: str) -> Organisation:
    return _db.session.scalar(select(Organisation).where(Organisation.code == code))


def staff(code: str, n: int) -> list[Employee]:
    return list(
        _db.session.scalars(
            select(Employee)
            .where(Employee.organisation_id == org(code).id)
            .order_by(Employee.id)
            .limit(n)
        )
    )


def test_completion_numbers(db, courses):
    today = date.today()
    course = courses.course(modules=[("M", [text("Satu")])])
    solok = staff("SLK", 4)
    enrolled = [courses.enrol(course, e, due_date=today + timedelta(days=30)) for e in solok]
    courses.complete(enrolled[0], courses.lessons(course)[0])  # completed
    db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrolled[1].id)
        .values(due_date=today - timedelta(days=1))
    )  # overdue
    enrolled[2].started_at = enrolled[0].started_at  # in progress
    courses.enrol(course, staff("SRG", 1)[0])  # another organisation: never counted
    db.session.flush()
    f = q.ReportFilter.for_year(org("SLK").id, today.year, course_id=course.id)
    assert q.completion_totals(f) == {
        "total": 4,
        "completed": 1,
        "overdue": 1,
        "in_progress": 1,
        "not_started": 1,
    }
    [by_course] = q.completion_by_course(f)
    assert (by_course.code, by_course.total, by_course.completed) == (course.code, 4, 1)
    assert sum(r.total for r in q.completion_by_unit(f)) == 4
    rows = db.session.execute(q.completion_rows(f)).all()
    assert sorted(r.status for r in rows) == ["completed", "in_progress", "not_started", "overdue"]
    assert [r.nip for r in db.session.execute(q.overdue_rows(f))] == [solok[1].nip]
    last_year = q.ReportFilter.for_year(org("SLK").id, today.year - 1, course_id=course.id)
    assert q.completion_totals(last_year)["total"] == 0


def test_jp_rows_count_courses_and_external_training(db, courses, demo):
    learner = demo["learner"].employee
    course = courses.course(jp=6, modules=[("M", [text("Satu")])])
    enrollment = courses.enrol(course, learner)
    courses.complete(enrollment, courses.lessons(course)[0])
    f = q.ReportFilter(org("SLK").id, employee_ids=[learner.id])
    [row] = db.session.execute(q.jp_rows(f)).all()
    assert row.earned == 6 + 8  # the course and the demo's external training
    assert row.target == 20
    assert q.jp_attainment(f) == {
        "employees": 1,
        "reached": 1 if row.earned >= 20 else 0,
        "target": 20,
    }


def test_gap_report_agrees_with_the_profiles(db, demo):
    for code in ("SLK", "SRG"):
        f = q.ReportFilter(org(code).id)
        in_sql = {
            r.competency_id: (r.required_count, r.short)
            for r in db.session.execute(q.gap_query(f, group_by_unit=False))
        }
        required, short = Counter(), Counter()
        employees = _db.session.scalars(
            select(Employee).where(
                Employee.organisation_id == f.organisation_id, Employee.is_active.is_(True)
            )
        )
        for employee in employees:
            for row in profile.profile(employee):
                if row.required:
                    required[row.competency.id] += 1
                    short[row.competency.id] += row.gap > 0
        assert in_sql == {k: (required[k], short[k]) for k in required}
    top = q.largest_gaps(q.ReportFilter(org("SLK").id), limit=3)
    assert len(top) == 3 and top[0].short >= top[-1].short


def test_a_page_of_jp_agrees_with_the_whole_list(db, demo, solok):
    """jp_page sums only the page's employees; its rows are those of jp_rows, page by page."""
    from lms.reports import queries as q

    for unit_id in (None, solok.dinkes_id):
        f = q.ReportFilter.for_year(demo["solok"].id, date.today().year, unit_id=unit_id)
        everyone = [tuple(row) for row in db.session.execute(q.jp_rows(f))]
        assert len(everyone) > 4 and any(row[-2] for row in everyone)  # some earned JP
        paged = [tuple(row) for n in range(1, 20) for row in q.jp_page(f, n, 3)]
        assert paged == everyone
        assert q.jp_page(f, 99, 3) == []
