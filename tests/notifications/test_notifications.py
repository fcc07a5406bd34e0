"""Notifications: in-app, by email through a real SMTP server, once per event, mutable."""

from __future__ import annotations

import socket
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.core.errors import DomainError
from lms.courses.models import EnrollmentSource
from lms.notifications import services
from lms.notifications.jobs import remind
from lms.notifications.models import EmailStatus, Kind, Notification
from tests.fixtures.courses import text


def count(db, user, kind) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.kind == kind)
    )


def test_assignment_is_notified_in_app_and_by_email_once(db, courses, demo, smtp, monkeypatch):
    # deliver() commits; keep the test's transaction by sending inside a savepoint-safe call
    monkeypatch.setattr(db.session, "commit", db.session.flush)
    learner = demo["learner"]
    course = courses.course(modules=[("M", [text("Satu")])])
    courses.enrol(
        course, learner, source=EnrollmentSource.ASSIGNED, due_date=date.today() + timedelta(10)
    )
    [notice] = db.session.scalars(
        select(Notification).where(Notification.user_id == learner.id)
    ).all()
    assert notice.kind is Kind.ASSIGNED and course.code in notice.link
    assert notice.email_status is EmailStatus.PENDING
    assert services.deliver(notice.id) == "sent"
    assert services.deliver(notice.id) == "skipped"  # never twice
    deadline = time.monotonic() + 5
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    [mail] = smtp.messages
    assert mail.rcpt_tos == [learner.email]
    assert b"ditugaskan" in mail.content
    assert services.unread_count(learner.id) == 1
    services.mark_read(learner)
    assert services.unread_count(learner.id) == 0


def test_daily_reminders_once_per_event_and_muting(db, courses, demo):
    learner = demo["learner"]
    today = date.today()
    soon = courses.course(modules=[("M", [text("Satu")])])
    late = courses.course(modules=[("M", [text("Satu")])])
    courses.enrol(soon, learner, due_date=today + timedelta(days=5))
    overdue = courses.enrol(late, learner, due_date=today + timedelta(days=1))
    overdue.due_date = today - timedelta(days=2)
    db.session.flush()
    remind(today)
    remind(today)  # the job ran twice: nobody is told twice
    assert count(db, learner, Kind.DUE_SOON) == 1
    assert count(db, learner, Kind.OVERDUE) == 1
    services.set_muted(learner, Kind.DUE_SOON, True)
    third = courses.course(modules=[("M", [text("Satu")])])
    courses.enrol(third, learner, due_date=today + timedelta(days=3))
    remind(today)
    assert count(db, learner, Kind.DUE_SOON) == 1  # muted
    with pytest.raises(DomainError):
        services.set_muted(learner, Kind.OVERDUE, True)  # not optional


def test_an_smtp_failure_is_retried_then_kept_failed(db, courses, demo, app, monkeypatch):
    monkeypatch.setattr(db.session, "commit", db.session.flush)
    saved = {k: app.config.get(k) for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS")}
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=dead_port, SMTP_STARTTLS=False)
    try:
        course = courses.course(modules=[("M", [text("Satu")])])
        courses.enrol(course, demo["learner"], source=EnrollmentSource.ASSIGNED)
        notice = db.session.scalar(
            select(Notification).where(Notification.user_id == demo["learner"].id)
        )
        assert services.deliver(notice.id, final=False) == "retry"
        assert notice.email_status is EmailStatus.PENDING and notice.email_error
        assert services.deliver(notice.id) == "failed"
        assert notice.email_status is EmailStatus.FAILED
    finally:
        app.config.update(saved)


def test_expiring_certificates_reach_the_holder_and_hr_once(db, courses, demo):
    learner, hr = demo["learner"], demo["hr_solok"]
    course = courses.course(modules=[("M", [text("Satu")])])
    course.certificate_months = 1
    enrollment = courses.enrol(course, learner)
    courses.complete(enrollment, courses.lessons(course)[0])  # a certificate valid one month
    remind(date.today())
    remind(date.today())
    assert count(db, learner, Kind.CERTIFICATE_EXPIRING) == 1
    assert count(db, hr, Kind.CERTIFICATE_EXPIRING) == 1
    assert count(db, demo["hr_serang"], Kind.CERTIFICATE_EXPIRING) == 0


def test_a_revoked_certificate_is_notified_to_its_holder_with_the_reason(db, courses, demo):
    from lms.certificates import services as certificates
    from lms.certificates.models import Certificate

    learner = demo["learner"]
    course = courses.course(modules=[("M", [text("Satu")])])
    enrollment = courses.enrol(course, learner)
    courses.complete(enrollment, courses.lessons(course)[0])
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    certificates.revoke(certificate, "Data kelulusan keliru", actor=demo["hr_solok"])
    [notice] = db.session.scalars(
        select(Notification).where(
            Notification.user_id == learner.id, Notification.kind == Kind.CERTIFICATE_REVOKED
        )
    ).all()
    assert certificate.number in notice.body and "Data kelulusan keliru" in notice.body
    assert notice.link == "/sertifikat"
    assert Kind.CERTIFICATE_REVOKED not in services.OPTIONAL  # it cannot be muted


def test_a_unit_assignment_emails_everyone_once_from_one_job(db, courses, demo, smtp, factory):
    from lms.courses import enrollment as enrolment
    from lms.courses.models import TargetType
    from lms.notifications.jobs import send_emails

    unit = factory.unit(demo["solok"], name="Bidang Surat")
    people = [
        factory.user(factory.employee(demo["solok"], name=f"Penerima {n}", unit_id=unit.id))
        for n in range(3)
    ]
    course = courses.course(title="Surat Dinas Uji", modules=[("M", [text("Satu")])])
    enrolment.create_rule(
        demo["solok"],
        course,
        TargetType.UNIT,
        target_id=unit.id,
        due_date=date.today() + timedelta(days=20),
        actor=demo["hr_solok"],
    )
    notices = db.session.scalars(
        select(Notification).where(Notification.user_id.in_([p.id for p in people]))
    ).all()
    assert len(notices) == 3
    assert {n.email_status for n in notices} == {EmailStatus.PENDING}
    # the job the commit queues: one for the whole unit
    jobs = db.session().info["after_commit"]
    [ids] = [args[0] for function, args in jobs if function is send_emails]
    assert sorted(ids) == sorted(n.id for n in notices)
    assert send_emails.call_local(ids) == 3
    mails = smtp.wait(3)
    assert sorted(m.rcpt_tos[0] for m in mails) == sorted(p.email for p in people)
    assert send_emails.call_local(ids) == 3  # the queue ran it again: nobody gets a second
    time.sleep(0.3)
    assert len(smtp.messages) == 3
