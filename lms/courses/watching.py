"""Watch tracking: a video lesson is done once enough of it was really watched.

The player reports stretches it played (``from``–``to``). Each second counts once, and a report
is credited no more than the real time since the previous one allows at up to double speed, so
one forged request cannot complete a video.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.courses.enrollment import mark_done
from lms.courses.models import Enrollment, Lesson, LessonType, WatchRecord
from lms.extensions import db

#: the fastest playback credited
MAX_SPEED = 2.0
#: seconds credited for a first report (the player reports about every 10 s)
FIRST_REPORT_SECONDS = 20.0
#: slack for network delays between reports
SLACK_SECONDS = 2.0


@dataclass
class WatchResult:
    """What the player is told after a report."""

    watched_percent: float
    completed: bool
    position: float


def merge(intervals: list[list[float]], start: float, end: float) -> list[list[float]]:
    """Add ``[start, end]`` to sorted, non-overlapping intervals."""
    merged: list[list[float]] = []
    for low, high in sorted([*intervals, [start, end]]):
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return merged


def record_watch(
    enrollment: Enrollment,
    lesson: Lesson,
    start: float,
    end: float,
    position: float,
    *,
    now: datetime | None = None,
) -> WatchResult:
    """Credit a played stretch of a video lesson and complete the lesson past the threshold."""
    if lesson.lesson_type is not LessonType.VIDEO or lesson.media is None:
        raise DomainError(_("Pelajaran ini bukan video."), code="not_video")
    duration = lesson.media.duration
    if not duration:
        raise DomainError(_("Video belum selesai diproses."), code="not_ready")
    if enrollment.withdrawn_at is not None:
        raise DomainError(_("Anda tidak terdaftar di kursus ini."), code="not_enrolled")
    values = (start, end, position)
    if any(not isinstance(v, int | float) or v != v or v < 0 for v in values) or end < start:
        raise DomainError(
            _("from, to dan position harus angka detik yang sah (from ≤ to)."), code="invalid"
        )
    now = now or utcnow()
    record = db.session.scalar(
        select(WatchRecord).where(
            WatchRecord.enrollment_id == enrollment.id, WatchRecord.lesson_key == lesson.key
        )
    )
    if record is None:
        record = WatchRecord(
            enrollment_id=enrollment.id, lesson_key=lesson.key, intervals=[], watched_seconds=0.0
        )
        db.session.add(record)
        allowed = FIRST_REPORT_SECONDS
    else:
        elapsed = max(0.0, (now - record.reported_at).total_seconds()) if record.reported_at else 0
        allowed = elapsed * MAX_SPEED + SLACK_SECONDS
    start, end = min(start, duration), min(end, duration)
    credited_end = min(end, start + allowed)
    if credited_end > start:
        record.intervals = merge(list(record.intervals or []), start, credited_end)
        record.watched_seconds = sum(high - low for low, high in record.intervals)
    record.position = min(position, duration)
    record.reported_at = now
    percent = min(100.0, record.watched_seconds * 100 / duration)
    enrolment_done = False
    if percent >= current_app.config["VIDEO_COMPLETE_PERCENT"]:
        mark_done(enrollment, lesson)
        enrolment_done = True
    db.session.flush()
    return WatchResult(round(percent, 1), enrolment_done, round(record.position, 1))


def resume_position(enrollment: Enrollment | None, lesson: Lesson) -> float:
    """Where the learner stopped in a video, on whatever device."""
    if enrollment is None:
        return 0.0
    record = db.session.scalar(
        select(WatchRecord).where(
            WatchRecord.enrollment_id == enrollment.id, WatchRecord.lesson_key == lesson.key
        )
    )
    return record.position if record else 0.0
