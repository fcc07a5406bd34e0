"""Quiz results feed the competency profile: evidence, the current level, gaps, regrades."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from lms.competencies import evidence, profile
from lms.competencies.models import EmployeeCompetency, Evidence, EvidenceSource
from lms.core.db import utcnow
from lms.quizzes import attempts as taking
from lms.quizzes import bank
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.grading import correct_answer


def row(employee, code):
    return next(r for r in profile.profile(employee) if r.competency.code == code)


def take(setup, learner, right: int):
    """An attempt with ``right`` of its questions answered correctly."""
    attempt, _created = taking.start_or_resume(setup.quiz, learner)
    for slot in attempt.slots[:right]:
        taking.save_answer(attempt, slot.slot, correct_answer(slot.question.data()), now=utcnow())
    taking.submit(attempt, now=utcnow())
    return attempt


def test_the_demo_learner_has_gaps_the_demo_courses_close(db, demo):
    learner = demo["learner"]
    mproy = row(learner.employee, "T-MPROY")
    assert (mproy.required, mproy.current, mproy.gap) == (3, 1, 2)
    assert row(learner.employee, "M-OPH").gap == 1
    assert mproy.evidence and mproy.evidence[0].source is EvidenceSource.ASSESSOR


def test_passing_above_the_threshold_raises_the_level_and_a_regrade_takes_it_back(
    db, quizzes, courses
):
    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.TRUEFALSE] * 5, enrol=learner, pass_percent=60)
    for question in setup.questions:
        question.competency, question.level = "T-MPROY", 3
    db.session.flush()
    attempt = take(setup, learner, right=4)  # 80 %: exactly the mastery threshold
    mproy = row(learner.employee, "T-MPROY")
    assert (mproy.current, mproy.gap) == (3, 0)
    quiz_evidence = [e for e in mproy.evidence if e.source is EvidenceSource.QUIZ]
    assert [(e.level, e.score, e.is_demonstrated) for e in quiz_evidence] == [(3, 80.0, True)]
    stored = db.session.scalar(
        select(EmployeeCompetency.level).where(
            EmployeeCompetency.employee_id == learner.employee_id,
            EmployeeCompetency.competency_id == mproy.competency.id,
        )
    )
    assert stored == 3
    # the key of one answered question was wrong: the regrade drops the score to 60 %
    question = next(s.question for s in attempt.slots if s.answer is not None)
    data = question.data()
    data.correct = not data.correct
    bank.update_question(question, data, actor=quizzes.trainer())
    taking.regrade(question, actor=quizzes.trainer())
    assert attempt.percent == 60.0
    mproy = row(learner.employee, "T-MPROY")
    assert (mproy.current, mproy.gap) == (1, 2)
    [kept] = [e for e in mproy.evidence if e.source is EvidenceSource.QUIZ]
    assert (kept.score, kept.is_demonstrated) == (60.0, False)  # recorded, not demonstrated


def test_a_stored_level_already_loaded_shows_the_new_level_and_its_validity(db, demo):
    """The level is written with one upsert; a row the session already holds follows it."""
    learner = demo["learner"].employee
    mproy = row(learner, "T-MPROY").competency
    held = db.session.scalar(
        select(EmployeeCompetency).where(
            EmployeeCompetency.employee_id == learner.id,
            EmployeeCompetency.competency_id == mproy.id,
        )
    )
    assert held is not None and held.level == 1
    observed = date.today() - timedelta(days=10)
    evidence.record_rating(
        learner, mproy, 4, "Asesmen proyek", observed_on=observed, actor=demo["hr_solok"]
    )
    assert (held.level, held.valid_until) == (4, evidence.valid_until(observed))
    stored = db.session.execute(
        select(EmployeeCompetency.level, EmployeeCompetency.valid_until).where(
            EmployeeCompetency.employee_id == learner.id,
            EmployeeCompetency.competency_id == mproy.id,
        )
    ).one()
    assert tuple(stored) == (4, evidence.valid_until(observed))
    # a competency without a stored level yet gets its row
    assert (
        profile.refresh(learner.id, row(learner, "M-OPH").competency.id)
        == row(learner, "M-OPH").current
    )


def test_a_deleted_attempt_leaves_no_evidence(db, quizzes):
    learner = quizzes.learner()
    setup = quizzes.setup([QuestionType.TRUEFALSE], enrol=learner)
    setup.questions[0].competency, setup.questions[0].level = "T-MPROY", 3
    attempt = take(setup, learner, right=1)
    assert row(learner.employee, "T-MPROY").current == 3
    taking.delete_attempt(attempt, actor=quizzes.trainer())
    assert row(learner.employee, "T-MPROY").current == 1
    assert not db.session.scalar(
        select(Evidence.id).where(
            Evidence.source == EvidenceSource.QUIZ, Evidence.source_id == attempt.id
        )
    )


def test_expired_evidence_stops_counting(db, demo, app):
    learner = demo["learner"]
    mproy = row(learner.employee, "T-MPROY").competency
    old = date.today() - timedelta(days=365 * 4)
    evidence.record_rating(
        learner.employee, mproy, 4, "Asesmen lama", observed_on=old, actor=demo["hr_solok"]
    )
    assert row(learner.employee, "T-MPROY").current == 1  # 4 years old: past the 3-year validity
    evidence.record_rating(
        learner.employee,
        mproy,
        4,
        "Asesmen baru",
        observed_on=date.today() - timedelta(days=3),
        actor=demo["hr_solok"],
    )
    assert row(learner.employee, "T-MPROY").current == 4
    app.config["COMPETENCY_RULE"] = "latest"
    try:
        evidence.record_rating(
            learner.employee,
            mproy,
            2,
            "Asesmen ulang",
            observed_on=date.today(),
            actor=demo["trainer"],
        )
        assert row(learner.employee, "T-MPROY").current == 2
    finally:
        app.config["COMPETENCY_RULE"] = "highest"


def test_completion_evidence_follows_the_certificate(db, courses, demo):
    from lms.certificates import services as certificates
    from lms.certificates.models import Certificate
    from tests.fixtures.courses import text

    learner = demo["learner"]
    course = courses.course(competencies=[("T-MPROY", 3)], modules=[("M", [text("Satu")])])
    course.completion_is_evidence = True
    course.certificate_months = 12
    enrollment = courses.enrol(course, learner)
    courses.complete(enrollment, courses.lessons(course)[0])
    mproy = row(learner.employee, "T-MPROY")
    assert mproy.current == 3
    [from_course] = [e for e in mproy.evidence if e.source is EvidenceSource.COURSE]
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    assert from_course.valid_until == certificate.expires_on  # expires with the certificate
    certificates.revoke(certificate, "Data kelulusan keliru", actor=demo["hr_solok"])
    assert row(learner.employee, "T-MPROY").current == 1  # a revoked completion counts no more


def test_a_revoked_certificate_earns_no_jp_until_the_course_is_completed_again(db, courses, demo):
    from lms.certificates import services as certificates
    from lms.certificates.models import Certificate
    from lms.competencies import ledger
    from tests.fixtures.courses import text

    employee = demo["learner"].employee
    year = date.today().year
    _, before = ledger.ledger(employee, year)
    course = courses.course(jp=5, modules=[("M", [text("Satu")])])
    course.certificate_months = 12
    enrollment = courses.enrol(course, demo["learner"])
    courses.complete(enrollment, courses.lessons(course)[0])
    earned = dict(db.session.execute(ledger.earned_by_employee(year, [employee.id])).all())
    assert ledger.ledger(employee, year)[1] == before + 5 == earned[employee.id]

    certificate = db.session.scalar(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    certificates.revoke(certificate, "Data kelulusan keliru", actor=demo["hr_solok"])
    items, total = ledger.ledger(employee, year)
    assert total == before and course.code not in {item.reference for item in items}
    earned = dict(db.session.execute(ledger.earned_by_employee(year, [employee.id])).all())
    assert earned.get(employee.id, 0) == before  # the reports' sum agrees with the ledger

    from lms.courses.enrollment import restart

    restart(enrollment, actor=None)  # recertification: a new completion counts again
    courses.complete(enrollment, courses.lessons(course)[0])
    assert ledger.ledger(employee, year)[1] == before + 5


def test_a_recertification_keeps_the_earlier_completions_jp(db, courses, demo):
    from lms.certificates.models import Certificate
    from lms.certificates.records import recertify
    from lms.competencies import ledger
    from tests.fixtures.courses import text

    employee = demo["learner"].employee
    year = date.today().year
    _, before = ledger.ledger(employee, year)
    course = courses.course(jp=4, modules=[("M", [text("Satu")])])
    course.certificate_months = 12
    enrollment = courses.enrol(course, demo["learner"])
    courses.complete(enrollment, courses.lessons(course)[0])
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    certificate.expires_on = date.today() + timedelta(days=10)  # expiring: may recertify

    def summed() -> int:
        rows = db.session.execute(ledger.earned_by_employee(year, [employee.id])).all()
        return dict(rows).get(employee.id, 0)

    recertify(certificate, actor=demo["learner"], today=date.today())
    assert enrollment.completed_at is None and certificate.reopened
    items, total = ledger.ledger(employee, year)  # the first completion still counts
    assert total == before + 4 == summed()
    assert [i.reference for i in items].count(course.code) == 1
    courses.complete(enrollment, courses.lessons(course)[0])  # taken again: both count
    assert ledger.ledger(employee, year)[1] == before + 8 == summed()
