"""Creating notifications (once per event), sending their emails (once), muting.

A notification is unique per (user, kind, event key): a second attempt to announce the same
event is ignored, so a job that runs twice or two processes racing never notify twice. Its email
is claimed by one sender with a conditional update (pending → sending) before it goes out.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from typing import Any

from flask import current_app, g, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ScalarSelect, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState

from lms.accounts.models import User
from lms.core.db import dialect_insert, utcnow
from lms.core.errors import DomainError
from lms.core.queue import after_commit
from lms.extensions import db
from lms.notifications.models import OPTIONAL, EmailStatus, Kind, Mute, Notification


def path_for(endpoint: str, **values: object) -> str:
    """The path of a page, also outside a request (queue jobs, the command line)."""
    return current_app.url_map.bind("").build(endpoint, values)


def email_enabled() -> bool:
    """Whether an SMTP server is configured."""
    return bool(current_app.config.get("SMTP_HOST"))


def is_muted(user_id: int, kind: Kind) -> bool:
    """The user muted this (optional) kind."""
    if kind not in OPTIONAL:
        return False
    return (
        db.session.scalar(select(Mute.id).where(Mute.user_id == user_id, Mute.kind == kind))
        is not None
    )


def notify(
    user: User, kind: Kind, event_key: str, render: object, link: str = ""
) -> Notification | None:
    """Notify a user of an event once; ``render()`` gives (title, body) in their language.

    Returns None when the user muted the kind or was already told about this event.
    """
    if is_muted(user.id, kind):
        return None
    exists = db.session.scalar(
        select(Notification.id).where(
            Notification.user_id == user.id,
            Notification.kind == kind,
            Notification.event_key == event_key,
        )
    )
    if exists is not None:
        return None
    with force_locale(user.locale or "id"):
        title, body = render()  # type: ignore[operator]
    notification = Notification(
        user_id=user.id,
        kind=kind,
        event_key=event_key[:120],
        title=str(title)[:300],
        body=str(body),
        link=link[:500],
        email_status=EmailStatus.PENDING
        if email_enabled() and user.email and user.is_active
        else EmailStatus.NONE,
    )
    try:
        with db.session.begin_nested():
            db.session.add(notification)
            db.session.flush()
    except IntegrityError:
        return None  # announced a moment ago by another process
    if notification.email_status is EmailStatus.PENDING:
        from lms.notifications.jobs import send_email

        after_commit(send_email, notification.id)
    return notification


def notify_many(
    kind: Kind,
    recipients: Sequence[tuple[int, str, Any]],
    render: Callable[[Any], tuple[str, str]],
    link: str = "",
) -> int:
    """:func:`notify` for many users at once, in a bounded number of statements: each
    recipient is ``(user id, event key, detail)``, and ``render(detail)`` gives the title and body
    (called once per language and detail). Returns how many were notified."""
    if not recipients:
        return 0
    user_ids = {user_id for user_id, _key, _detail in recipients}
    users = {
        row.id: row
        for row in db.session.execute(
            select(User.id, User.locale, User.email, User.is_active).where(User.id.in_(user_ids))
        )
    }
    muted: set[int] = set()
    if kind in OPTIONAL:
        muted = set(
            db.session.scalars(
                select(Mute.user_id).where(Mute.kind == kind, Mute.user_id.in_(user_ids))
            )
        )
    keys = {key[:120] for _user_id, key, _detail in recipients}
    told = {
        tuple(row)
        for row in db.session.execute(
            select(Notification.user_id, Notification.event_key).where(
                Notification.kind == kind,
                Notification.user_id.in_(user_ids),
                Notification.event_key.in_(keys),
            )
        )
    }
    emailing = email_enabled()
    texts: dict[tuple[str, Any], tuple[str, str]] = {}
    rows = []
    for user_id, key, detail in recipients:
        user = users.get(user_id)
        if user is None or user_id in muted or (user_id, key[:120]) in told:
            continue
        language = user.locale or "id"
        if (language, detail) not in texts:
            with force_locale(language):
                title, body = render(detail)
            texts[language, detail] = (str(title)[:300], str(body))
        title, body = texts[language, detail]
        rows.append(
            {
                "user_id": user_id,
                "kind": kind,
                "event_key": key[:120],
                "title": title,
                "body": body,
                "link": link[:500],
                "email_status": EmailStatus.PENDING
                if emailing and user.email and user.is_active
                else EmailStatus.NONE,
                "created_at": utcnow(),
            }
        )
    if not rows:
        return 0
    # another process announcing the same event a moment ago wins: its row stays, ours is skipped
    statement = (
        dialect_insert(Notification.__table__, db.session.get_bind().dialect.name)
        .on_conflict_do_nothing()
        .returning(Notification.id, Notification.email_status)
    )
    written = db.session.execute(statement, rows).all()
    pending = [row.id for row in written if row.email_status is EmailStatus.PENDING]
    if pending:
        from lms.notifications.jobs import send_emails

        after_commit(send_emails, pending)
    return len(written)


def deliver(notification_id: int, *, final: bool = True) -> str:
    """Send one notification's email if nobody else is sending or has sent it.

    When the SMTP server fails and this is not the ``final`` try, the email goes back to
    pending and "retry" is returned (the queue tries again later); the last failure is kept.
    """
    claimed = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.email_status == EmailStatus.PENDING,
        )
        .values(email_status=EmailStatus.SENDING)
    ).rowcount
    db.session.commit()
    if not claimed:
        return "skipped"
    notification = db.session.get(Notification, notification_id)
    user = db.session.get(User, notification.user_id)
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = f"[Lentera] {notification.title}"
    message["From"] = config["MAIL_FROM"]
    message["To"] = user.email
    link = ""
    if notification.link and config.get("BASE_URL"):
        link = "\n\n" + config["BASE_URL"].rstrip("/") + notification.link
    message.set_content(f"{notification.body}{link}\n\n— Lentera")
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        notification.email_status = EmailStatus.FAILED if final else EmailStatus.PENDING
        notification.email_error = str(error)[:300]
        db.session.commit()
        return "failed" if final else "retry"
    notification.email_status = EmailStatus.SENT
    notification.emailed_at = utcnow()
    db.session.commit()
    return "sent"


def set_muted(user: User, kind: Kind, muted: bool) -> None:
    """Mute or unmute an optional kind for the user."""
    if kind not in OPTIONAL:
        raise DomainError(_("Pemberitahuan ini tidak dapat dimatikan."), code="invalid")
    found = db.session.scalar(select(Mute).where(Mute.user_id == user.id, Mute.kind == kind))
    if muted and found is None:
        db.session.add(Mute(user_id=user.id, kind=kind))
    elif not muted and found is not None:
        db.session.delete(found)
    db.session.flush()


def unread_count(user_id: int) -> int:
    """Notifications the user has not read."""
    return db.session.scalar(select(unread_count_of(user_id)))


def unread_count_of(user_id: Any) -> ScalarSelect[int]:
    """A scalar subquery counting what :func:`unread_count` counts, for ``user_id`` (a value or a
    column): queries that load the user anyway get the bell's number with it."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def remember_unread(count: int) -> None:
    """Keep for this request the bell's number that the user's loading query counted; the page
    shows it unless the session writes before then (:func:`forget_unread`)."""
    g.unread_notifications = count


def forget_unread(*_args: object) -> None:
    """Drop the remembered number once the session writes (listens to its flushes): a
    notification created or read by this request is then counted again when the page shows it."""
    if has_app_context():
        g.pop("unread_notifications", None)


def forget_unread_on_write(orm_execute_state: ORMExecuteState) -> None:
    """:func:`forget_unread` for statements the session runs itself (``mark_read``'s UPDATE)."""
    if not orm_execute_state.is_select:
        forget_unread()


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one (or every) notification of the user read."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(query.values(read_at=utcnow())).rowcount
