"""The demo's mandatory training: after the course library's import, `flask lms
seed-demo-assignments` has Solok's and Serang's HR assign courses with due dates, so a demo
learner's home shows an assigned course on the first visit; running it again gives nothing new."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from lms.accounts.models import AuditEvent, Employee, Unit
from lms.config import PROJECT_ROOT
from lms.courses.library import import_course
from lms.courses.models import AssignmentRule, Enrollment, EnrollmentSource
from lms.extensions import db as _db

LIBRARY = PROJECT_ROOT / "courses"


def _import(*folders: str) -> None:
    for name in folders:
        import_course(LIBRARY / name)


def _enrolments(employee_id: int) -> dict[str, Enrollment]:
    rows = _db.session.scalars(select(Enrollment).where(Enrollment.employee_id == employee_id))
    return {row.course.code: row for row in rows}


def test_demo_learners_find_assigned_courses_with_due_dates(app, db, demo, client, auth):
    _import(
        "manajemen-proyek-pemerintahan",
        "literasi-digital-keamanan-informasi",
        "komunikasi-efektif-pelayanan-prima",
    )
    result = app.test_cli_runner().invoke(args=["lms", "seed-demo-assignments"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Penugasan demo:") == 3

    today = date.today()
    solok = _enrolments(demo["learner"].employee_id)
    assert set(solok) == {"MPP-101", "LDK-101"}
    assert solok["MPP-101"].source is EnrollmentSource.RULE
    assert solok["MPP-101"].due_date == today + timedelta(days=30)
    assert solok["LDK-101"].due_date == today + timedelta(days=60)
    assert set(_enrolments(demo["learner_serang"].employee_id)) == {"KOM-101"}

    # the unit rule reached every active employee of the health office, and nobody outside it
    health = db.session.scalar(
        select(Unit).where(Unit.name == "Dinas Kesehatan", Unit.organisation_id == demo["solok"].id)
    )
    rule = db.session.scalar(select(AssignmentRule).where(AssignmentRule.target_id == health.id))
    assert (rule.organisation_id, rule.created_by_id) == (demo["solok"].id, demo["hr_solok"].id)
    enrolled = db.session.scalar(
        select(func.count()).select_from(Enrollment).where(Enrollment.rule_id == rule.id)
    )
    assert enrolled >= 2
    outside = db.session.scalar(
        select(func.count())
        .select_from(Enrollment)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .where(Enrollment.rule_id == rule.id, Employee.organisation_id != demo["solok"].id)
    )
    assert outside == 0
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "assignment.created")
        )
        == 3
    )

    # the learner's home lists them with their due dates
    auth.login("pegawai.solok@lentera.test")
    page = client.get("/").get_data(as_text=True)
    assert "Manajemen Proyek Pemerintahan" in page
    assert "Literasi Digital dan Keamanan Informasi" in page
    assert "Anda belum mengikuti kursus" not in page

    # again: nothing new
    again = app.test_cli_runner().invoke(args=["lms", "seed-demo-assignments"])
    assert again.exit_code == 0 and "Penugasan demo" not in again.output
    assert db.session.scalar(select(func.count()).select_from(AssignmentRule)) == 3


def test_without_the_courses_nothing_is_assigned(app, db, demo):
    result = app.test_cli_runner().invoke(args=["lms", "seed-demo-assignments"])
    assert result.exit_code == 0 and result.output == ""
    assert db.session.scalar(select(func.count()).select_from(AssignmentRule)) == 0
