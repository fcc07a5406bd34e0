"""A completion taken back by a corrected quiz key takes its certificate with it; completing
the course again issues a new one."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import AuditEvent
from lms.certificates import services
from lms.certificates.models import Certificate, CertificateStatus
from lms.core.db import utcnow
from lms.notifications.models import Notification
from lms.quizzes import attempts as taking
from lms.quizzes import bank
from lms.quizzes.formats.model import QuestionType


def _set_key(question, trainer, right_text: str) -> None:
    data = question.data()
    for choice in data.choices:
        choice.fraction = 1.0 if choice.text == right_text else 0.0
    assert bank.update_question(question, data, actor=trainer)
    taking.regrade(question, actor=trainer)


def _certificates(db, enrollment):
    return db.session.scalars(
        select(Certificate)
        .where(Certificate.enrollment_id == enrollment.id)
        .order_by(Certificate.reissue)
    ).all()


def _answered(courses, quizzes, learner, text: str):
    """The learner read the course's text and submitted its one-question quiz (pass mark
    100 %) choosing the option ``text``: the enrolment, the attempt and the question."""
    setup = quizzes.setup([QuestionType.MULTICHOICE], enrol=learner, pass_percent=100)
    enrollment = courses.enrollment(setup.course, learner.employee)
    courses.complete(enrollment, courses.lessons(setup.course)[0])
    attempt, _ = taking.start_or_resume(setup.quiz, learner)
    question = setup.questions[0]
    chosen = next(c["key"] for c in question.choices if c["text"] == text)
    taking.save_answer(attempt, 1, chosen, now=utcnow())
    taking.submit(attempt, now=utcnow())
    return enrollment, attempt, question


def test_a_regrade_that_fails_the_learner_revokes_the_certificate_and_a_new_pass_reissues(
    db, courses, quizzes
):
    learner, trainer = quizzes.learner(), quizzes.trainer()
    enrollment, attempt, question = _answered(courses, quizzes, learner, "Salah satu")
    assert attempt.is_passed is False and _certificates(db, enrollment) == []

    _set_key(question, trainer, "Salah satu")  # the key was wrong: the learner passed
    assert enrollment.completed_at is not None
    [first] = _certificates(db, enrollment)
    assert first.status is CertificateStatus.VALID

    _set_key(question, trainer, "Benar")  # and back: the completion is taken back
    assert enrollment.completed_at is None
    [first] = _certificates(db, enrollment)
    assert first.status is CertificateStatus.REVOKED
    assert first.revoked_by_id is None
    assert "hasil kuisnya berubah" in first.revoked_reason
    assert first.state(utcnow().date()) == "revoked"
    logged = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "certificate.revoked", AuditEvent.target_id == str(first.id)
        )
    )
    assert logged is not None and logged.actor_id is None
    told = db.session.scalars(select(Notification).where(Notification.user_id == learner.id)).all()
    assert any(first.number in n.body and "tidak berlaku lagi" in n.body for n in told)

    _set_key(question, trainer, "Salah satu")  # passed again: a new certificate, new number
    assert enrollment.completed_at is not None
    first_again, second = _certificates(db, enrollment)
    assert first_again.id == first.id and first_again.status is CertificateStatus.REVOKED
    assert second.status is CertificateStatus.VALID
    assert second.number != first.number and second.code != first.code
    assert second.completion_key == first.completion_key
    assert services.issue_for(enrollment).id == second.id  # idempotent from here on
    assert [c.id for c in services.history(second)] == [second.id, first.id]


def test_a_certificate_hr_revoked_stays_revoked_after_the_completion_comes_back(
    db, courses, quizzes, demo
):
    learner, trainer = quizzes.learner(), quizzes.trainer()
    enrollment, _attempt, question = _answered(courses, quizzes, learner, "Benar")
    [certificate] = _certificates(db, enrollment)
    services.revoke(certificate, "Peserta digantikan orang lain.", actor=demo["hr_solok"])

    _set_key(question, trainer, "Salah satu")  # failed: nothing valid to take back
    _set_key(question, trainer, "Benar")  # passed again: HR's decision stands
    assert enrollment.completed_at is not None
    [certificate] = _certificates(db, enrollment)
    assert certificate.status is CertificateStatus.REVOKED
    assert certificate.revoked_reason == "Peserta digantikan orang lain."
