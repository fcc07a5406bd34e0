"""The demo loop on the real course library: pegawai.solok completes Manajemen Proyek
Pemerintahan with its quiz passed, their project-management level rises, a certificate is
issued with the course's JP, and HR's reports count it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.competencies import profile
from lms.config import PROJECT_ROOT
from lms.core.db import utcnow
from lms.courses import enrollment as enrolment
from lms.courses.library import import_course
from lms.courses.models import LessonType
from lms.quizzes import attempts as taking
from lms.quizzes.grading import correct_answer
from lms.quizzes.models import Quiz
from lms.reports import queries


def test_completing_mpp_101_closes_the_project_management_gap(db, courses, demo):
    learner = demo["learner"]
    before = {r.competency.code: r for r in profile.profile(learner.employee)}
    assert (before["T-MPROY"].current, before["T-MPROY"].gap) == (1, 2)

    course, _outcome = import_course(PROJECT_ROOT / "courses" / "manajemen-proyek-pemerintahan")
    enrollment = courses.enrol(course, learner)
    lessons = courses.lessons(course)
    for lesson in lessons:
        if lesson.lesson_type is not LessonType.QUIZ:
            enrolment.mark_done(enrollment, lesson)  # videos count as watched here
    quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))
    attempt, _created = taking.start_or_resume(quiz, learner)
    for slot in attempt.slots:
        taking.save_answer(attempt, slot.slot, correct_answer(slot.question.data()), now=utcnow())
    taking.submit(attempt, now=utcnow())
    assert attempt.is_passed and attempt.percent == 100.0

    after = {r.competency.code: r for r in profile.profile(learner.employee)}
    assert (after["T-MPROY"].current, after["T-MPROY"].gap) == (3, 0)
    assert after["M-OPH"].gap == 0  # results orientation reached its standard too

    enrollment = courses.enrollment(course, learner.employee)
    assert enrollment.completed_at is not None
    [certificate] = db.session.scalars(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    ).all()
    assert certificate.jp == course.published_version.jp
    assert {c["code"] for c in certificate.competencies} == {"T-MPROY", "M-OPH", "M-KS"}

    f = queries.ReportFilter.for_year(learner.employee.organisation_id, date.today().year)
    f.course_id = course.id
    assert queries.completion_totals(f)["completed"] == 1
