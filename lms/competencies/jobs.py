"""Queue tasks for competency profiles: levels whose evidence expired are recomputed daily."""

from __future__ import annotations

from huey import crontab

from lms.competencies.profile import refresh_expired
from lms.extensions import db, huey


def refresh_expired_levels() -> int:
    """Recompute every current level whose evidence has expired, in committed batches."""
    total = 0
    while True:
        done = refresh_expired(limit=500)
        db.session.commit()
        total += done
        if done < 500:
            return total


@huey.periodic_task(crontab(minute="15", hour="17"))  # 00:15 WIB
def expire_evidence() -> int:
    """Every night: evidence past its validity stops counting."""
    from lms.core.queue import _worker_app

    if _worker_app is None:
        return 0
    with _worker_app.app_context():
        return refresh_expired_levels()
