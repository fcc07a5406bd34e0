"""In-app notifications, their emails, and what users muted."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import UTCDateTime, enum_column, utcnow
from lms.extensions import db


class Kind(enum.Enum):
    """What a notification is about."""

    ASSIGNED = "assigned"  # HR assigned a course
    DUE_SOON = "due_soon"  # mandatory training due in 7 days
    OVERDUE = "overdue"  # mandatory training past its due date
    CERTIFICATE_ISSUED = "certificate_issued"
    CERTIFICATE_EXPIRING = "certificate_expiring"
    ESSAY_GRADED = "essay_graded"
    CERTIFICATE_REVOKED = "certificate_revoked"  # HR withdrew a certificate
    PLAN_SUBMITTED = "plan_submitted"  # to the supervisor: a plan waits for a decision
    PLAN_DECIDED = "plan_decided"  # to the employee: the plan was approved or returned


#: kinds a user may mute (assignments and overdue training always reach them)
OPTIONAL = (
    Kind.DUE_SOON,
    Kind.CERTIFICATE_ISSUED,
    Kind.CERTIFICATE_EXPIRING,
    Kind.ESSAY_GRADED,
    Kind.PLAN_SUBMITTED,
)


class EmailStatus(enum.Enum):
    """Where a notification's email is."""

    NONE = "none"  # no email address, or email not configured
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Notification(db.Model):
    """A message to one user about one event (never twice for the same event)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "event_key"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the recipient
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: what it is about
    kind: Mapped[Kind] = mapped_column(enum_column(Kind, 30))
    #: identifies the event, e.g. ``enrollment:12:2026-12-01``; unique per user and kind
    event_key: Mapped[str] = mapped_column(String(120))
    #: the message, in the recipient's language
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    #: where to go (a path on this site)
    link: Mapped[str] = mapped_column(String(500), default="")
    #: when it was created and read (UTC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the email copy
    email_status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus), default=EmailStatus.NONE, index=True
    )
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_error: Mapped[str] = mapped_column(String(300), default="")


class Mute(db.Model):
    """A kind of notification a user does not want."""

    __tablename__ = "notification_mutes"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the user
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: the muted kind (optional kinds only)
    kind: Mapped[Kind] = mapped_column(enum_column(Kind, 30))
