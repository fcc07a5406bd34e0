"""Kept aggregates for large organisations: count once, show many times, refresh in the queue.

A province's dashboard counts a million enrolments per view (about a second of database time).
Numbers that take longer than ``REPORT_SNAPSHOT_MS`` to count are kept per organisation, kind
and filter (:class:`~lms.reports.models.ReportSnapshot`) and shown with the time they were
counted. Kept numbers older than ``REPORT_SNAPSHOT_MINUTES``, or of an earlier day, are still
shown once while the queue counts them again (:func:`refresh`); a periodic job
(:func:`lms.reports.jobs.refresh_snapshots`) keeps the filters HR looked at during the last week
fresh, and HR may ask for a recount at once (:func:`recount`). Numbers older than a day are
never shown: they are counted live. Small organisations, whose numbers take a few milliseconds,
are always counted live and keep nothing.

A team filter (a supervisor's explicit employees) is always counted live.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from flask import current_app, g, has_request_context
from sqlalchemy import delete, select

from lms.core.db import dialect_insert, utcnow
from lms.core.queue import after_commit
from lms.extensions import db
from lms.reports.models import ReportSnapshot
from lms.reports.queries import ReportFilter

log = logging.getLogger(__name__)

T = TypeVar("T")

#: kept numbers older than this are counted again, live, before they are shown
MAX_AGE = timedelta(hours=24)
#: kept numbers nobody looked at for this long are no longer refreshed, then deleted
UNSEEN = timedelta(days=7)
#: ``viewed_at`` is written at most this often per snapshot
VIEW_RESOLUTION = timedelta(hours=1)


@dataclass(frozen=True)
class Aggregate(Generic[T]):
    """One kind of kept numbers: how to count them and how to write and read them as JSON."""

    kind: str
    compute: Callable[[ReportFilter], T]
    dump: Callable[[T], Any]
    load: Callable[[Any], T]


@dataclass
class Counted(Generic[T]):
    """Numbers, and when they were counted if they were kept (None: counted for this view)."""

    value: T
    as_of: datetime | None = None


_KINDS: dict[str, Aggregate[Any]] = {}


def register(aggregate: Aggregate[T]) -> Aggregate[T]:
    """Make ``aggregate`` known, so the queue can count it again by its kind."""
    _KINDS[aggregate.kind] = aggregate
    return aggregate


def params(f: ReportFilter) -> dict[str, Any] | None:
    """The filter as JSON (without the day), or None for a filter never kept (a team)."""
    if f.employee_ids is not None:
        return None
    return {
        "organisation_id": f.organisation_id,
        "start": f.start.isoformat() if f.start else None,
        "end": f.end.isoformat() if f.end else None,
        "unit_id": f.unit_id,
        "course_id": f.course_id,
        "position_id": f.position_id,
        "golongan": f.golongan,
    }


def filter_from(data: dict[str, Any], today: date) -> ReportFilter:
    """The filter of :func:`params`, for the day ``today``."""
    return ReportFilter(
        int(data["organisation_id"]),
        date.fromisoformat(data["start"]) if data.get("start") else None,
        date.fromisoformat(data["end"]) if data.get("end") else None,
        unit_id=data.get("unit_id"),
        course_id=data.get("course_id"),
        position_id=data.get("position_id"),
        golongan=data.get("golongan"),
        today=today,
    )


def key_of(data: dict[str, Any]) -> str:
    """The SHA-256 of a filter's :func:`params`."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _threshold_ms() -> int:
    return int(current_app.config.get("REPORT_SNAPSHOT_MS", 250))


def _ttl() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("REPORT_SNAPSHOT_MINUTES", 10)))


def _timed(aggregate: Aggregate[T], f: ReportFilter) -> tuple[T, int]:
    started = clock.perf_counter()
    value = aggregate.compute(f)
    return value, round((clock.perf_counter() - started) * 1000)


def read(aggregate: Aggregate[T], f: ReportFilter) -> Counted[T]:
    """The numbers of ``aggregate`` for ``f``: kept ones if there are recent enough ones,
    otherwise counted now (and kept if counting took long). One extra statement per view; what
    has to be written is written when the response is done."""
    data = params(f)
    if data is None or _threshold_ms() < 0:
        return Counted(aggregate.compute(f))
    key = key_of(data)
    snapshot = db.session.execute(
        select(ReportSnapshot).where(
            ReportSnapshot.organisation_id == f.organisation_id,
            ReportSnapshot.kind == aggregate.kind,
            ReportSnapshot.key == key,
        )
    ).scalar_one_or_none()
    now = utcnow()
    if snapshot is not None and now - snapshot.computed_at < MAX_AGE:
        try:
            value = aggregate.load(snapshot.payload)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError):
            log.warning("report snapshot %s unreadable; counting live", snapshot.id)
        else:
            _after_view(snapshot, f.today, now)
            return Counted(value, snapshot.computed_at)
    value, took = _timed(aggregate, f)
    if snapshot is not None or took >= _threshold_ms():
        _later(_store, aggregate, f, data, key, value, took)
    return Counted(value)


def _after_view(snapshot: ReportSnapshot, today: date, now: datetime) -> None:
    """Note the view; queue a recount of numbers past their time (once per time)."""
    changes: dict[str, Any] = {}
    if now - snapshot.viewed_at >= VIEW_RESOLUTION:
        changes["viewed_at"] = now
    stale = now - snapshot.computed_at >= _ttl() or snapshot.day != today
    queued = snapshot.refresh_queued_at
    if stale and (queued is None or now - queued >= _ttl()):
        changes["refresh_queued_at"] = now
    if changes:
        _later(_update, snapshot.id, changes)


def _later(function: Callable[..., None], *args: Any) -> None:
    """Write after the response was rendered (so the page's objects are not expired by a
    commit while it renders); outside a request, at once."""
    if not has_request_context():
        function(*args)
        db.session.commit()
        return
    pending = g.setdefault("report_snapshot_writes", [])
    if not pending:
        from flask import after_this_request

        after_this_request(_write_pending)
    pending.append((function, args))


def _write_pending(response: Any) -> Any:
    pending = g.pop("report_snapshot_writes", [])
    try:
        for function, args in pending:
            function(*args)
        db.session.commit()
    except Exception:  # a kept number is a convenience: never fail the page for it
        log.exception("report snapshot not written")
        db.session.rollback()
    return response


def _update(snapshot_id: int, changes: dict[str, Any]) -> None:
    db.session.execute(
        ReportSnapshot.__table__.update().where(ReportSnapshot.id == snapshot_id).values(changes)
    )
    if "refresh_queued_at" in changes:
        from lms.reports.jobs import refresh_snapshot

        after_commit(refresh_snapshot, snapshot_id)


def _store(
    aggregate: Aggregate[Any],
    f: ReportFilter,
    data: dict[str, Any],
    key: str,
    value: Any,
    took: int,
) -> None:
    """Insert or replace the kept numbers (two workers may count the same filter at once)."""
    now = utcnow()
    values = {
        "organisation_id": f.organisation_id,
        "kind": aggregate.kind,
        "key": key,
        "params": data,
        "payload": aggregate.dump(value),
        "computed_at": now,
        "day": f.today,
        "duration_ms": took,
        "viewed_at": now,
        "refresh_queued_at": None,
    }
    statement = dialect_insert(ReportSnapshot.__table__, db.session.get_bind().dialect.name)
    statement = statement.values(values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["organisation_id", "kind", "key"],
            set_={
                name: statement.excluded[name]
                for name in ("payload", "computed_at", "day", "duration_ms", "refresh_queued_at")
            },
        )
    )


def refresh(snapshot_id: int, today: date | None = None) -> bool:
    """Count one kept aggregate again (the queue's job). False if it is gone or unknown."""
    snapshot = db.session.get(ReportSnapshot, snapshot_id)
    if snapshot is None or snapshot.kind not in _KINDS:
        return False
    aggregate = _KINDS[snapshot.kind]
    f = filter_from(snapshot.params, today or date.today())
    value, took = _timed(aggregate, f)
    snapshot.payload = aggregate.dump(value)
    snapshot.computed_at = utcnow()
    snapshot.day = f.today
    snapshot.duration_ms = took
    snapshot.refresh_queued_at = None
    db.session.commit()
    return True


def recount(f: ReportFilter) -> int:
    """Count again, now, every kept aggregate of the filter (HR's "refresh now")."""
    data = params(f)
    if data is None:
        return 0
    ids = db.session.scalars(
        select(ReportSnapshot.id).where(
            ReportSnapshot.organisation_id == f.organisation_id,
            ReportSnapshot.key == key_of(data),
        )
    ).all()
    return sum(refresh(snapshot_id, f.today) for snapshot_id in ids)


def refresh_due(today: date | None = None, limit: int = 50) -> int:
    """Count again the kept aggregates that are past their time and were looked at in the last
    week; delete those nobody looked at for a week. Returns how many were counted."""
    now = utcnow()
    today = today or date.today()
    db.session.execute(delete(ReportSnapshot).where(ReportSnapshot.viewed_at < now - UNSEEN))
    db.session.commit()
    due = db.session.scalars(
        select(ReportSnapshot.id)
        .where((ReportSnapshot.computed_at <= now - _ttl()) | (ReportSnapshot.day != today))
        .order_by(ReportSnapshot.viewed_at.desc())
        .limit(limit)
    ).all()
    return sum(refresh(snapshot_id, today) for snapshot_id in due)
