"""Never two certificates for one completion, and numbers without gaps, under concurrent requests.

These tests commit for real from many threads and run only on PostgreSQL: see
``tests/fixtures/concurrency.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from lms.accounts.models import AuditEvent, Employee, Organisation
from lms.accounts.services import issue_api_token
from lms.certificates.models import Certificate, CertificateSequence
from lms.certificates.services import JAKARTA
from lms.courses import enrollment as enrolment
from lms.courses.models import Enrollment, Lesson
from lms.extensions import db as _db
from tests.fixtures.concurrency import THREADS, race, real_commits, reply
from tests.fixtures.courses import CourseFactory, bearer, text


@pytest.fixture
def committed(app: Any) -> Iterator[None]:
    """Commit for real; afterwards delete every row committed meanwhile and put the
    certificate sequences back as they were."""
    with real_commits(app):
        with app.app_context(), _db.engine.connect() as connection:
            sequences = {
                row.id: row.last
                for row in connection.execute(
                    sa.select(CertificateSequence.id, CertificateSequence.last)
                )
            }
        try:
            yield
        finally:
            with app.app_context(), _db.engine.begin() as connection:
                for row_id, last in sequences.items():
                    connection.execute(
                        sa.update(CertificateSequence)
                        .where(CertificateSequence.id == row_id)
                        .values(last=last)
                    )


def last_number(organisation_id: int) -> int:
    year = datetime.now(JAKARTA).year
    return (
        _db.session.scalar(
            sa.select(CertificateSequence.last).where(
                CertificateSequence.organisation_id == organisation_id,
                CertificateSequence.year == year,
            )
        )
        or 0
    )


def test_racing_completions_of_the_last_lesson_issue_one_certificate(app, committed):
    with app.app_context():
        courses = CourseFactory(_db)
        learner = courses.user("pegawai.solok@lentera.test")
        course = courses.course(org="SLK", modules=[("Modul", [text("Satu"), text("Dua")])])
        enrollment = courses.enrol(course, learner)
        first, last = courses.lessons(course)
        courses.complete(enrollment, first)
        token, _record = issue_api_token(learner, "race")
        _db.session.commit()
        enrollment_id, lesson_id = enrollment.id, last.id
        numbered = last_number(course.organisation_id)

    def complete(client: Any) -> tuple[int, Any]:
        return reply(client.post(f"/api/v1/lessons/{lesson_id}/complete", headers=bearer(token)))

    results = race(app, [complete] * THREADS)
    assert [status for status, _body in results] == [200] * THREADS, results
    assert all(body["status"] == "completed" for _status, body in results)
    with app.app_context():
        issued = _db.session.scalars(
            sa.select(Certificate).where(Certificate.enrollment_id == enrollment_id)
        ).all()
        assert len(issued) == 1
        assert int(issued[0].number.split("/")[0]) == numbered + 1
        assert last_number(issued[0].organisation_id) == numbered + 1  # no number wasted
        events = _db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "certificate.issued",
                AuditEvent.target_id == str(issued[0].id),
            )
        )
        assert events == 1


def test_simultaneous_completions_get_consecutive_numbers(app, committed):
    with app.app_context():
        courses = CourseFactory(_db)
        solok = _db.session.scalar(sa.select(Organisation).where(Organisation.code == "SLK"))
        course = courses.course(org=solok, modules=[("Modul", [text("Satu-satunya")])])
        people = _db.session.scalars(
            sa.select(Employee)
            .where(Employee.organisation_id == solok.id, Employee.is_active.is_(True))
            .order_by(Employee.id)
            .limit(THREADS)
        ).all()
        assert len(people) == THREADS
        enrollment_ids = [courses.enrol(course, person).id for person in people]
        lesson_id = courses.lessons(course)[0].id
        _db.session.commit()
        numbered = last_number(solok.id)

    def complete(enrollment_id: int) -> Any:
        def call(_client: Any) -> None:
            with app.app_context():
                enrollment = _db.session.get(Enrollment, enrollment_id)
                assert enrolment.complete_lesson(enrollment, _db.session.get(Lesson, lesson_id))
                _db.session.commit()

        return call

    race(app, [complete(enrollment_id) for enrollment_id in enrollment_ids])
    with app.app_context():
        numbers = _db.session.scalars(
            sa.select(Certificate.number).where(Certificate.enrollment_id.in_(enrollment_ids))
        ).all()
        assert sorted(int(n.split("/")[0]) for n in numbers) == list(
            range(numbered + 1, numbered + THREADS + 1)
        )
        assert last_number(solok.id) == numbered + THREADS
