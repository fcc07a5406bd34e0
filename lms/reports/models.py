"""Kept report aggregates: the numbers of a report filter that take too long to count per view."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import UTCDateTime, utcnow
from lms.extensions import db


class ReportSnapshot(db.Model):
    """One kind of aggregate (the dashboard's numbers, the completion totals, …) for one
    organisation and filter, as counted at ``computed_at``; kept only for organisations whose
    numbers take long to count (see :mod:`lms.reports.snapshots`)."""

    __tablename__ = "report_snapshots"
    __table_args__ = (
        UniqueConstraint("organisation_id", "kind", "key"),
        Index("ix_report_snapshots_viewed_at", "viewed_at"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: whose numbers these are (always one organisation)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    #: which aggregate, e.g. ``dashboard``
    kind: Mapped[str] = mapped_column(String(40))
    #: SHA-256 of the filter (``params``), hex
    key: Mapped[str] = mapped_column(String(64))
    #: the filter, to count it again: period, unit, course, position, golongan
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the numbers, as :mod:`lms.reports.snapshots` writes them
    payload: Mapped[Any] = mapped_column(JSON)
    #: when they were counted, and for which WIB day (overdue depends on the day)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    day: Mapped[date] = mapped_column(Date)
    #: how long counting took, in milliseconds
    duration_ms: Mapped[int] = mapped_column(default=0)
    #: the last time someone looked at them (to the hour): unseen ones are not refreshed
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when a refresh was queued, until it is done
    refresh_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
