"""Queue tasks for reports: count kept aggregates again."""

from __future__ import annotations

from huey import crontab

from lms.core.queue import task
from lms.extensions import huey
from lms.reports import snapshots


@task(retries=1, retry_delay=60)
def refresh_snapshot(snapshot_id: int) -> bool:
    """Count one kept aggregate again (queued when a view finds it past its time)."""
    from lms.reports import pages  # noqa: F401 - registers the aggregates

    return snapshots.refresh(snapshot_id)


@huey.periodic_task(crontab(minute="*/5"))
def refresh_snapshots() -> int:
    """Every five minutes: keep the aggregates HR looked at this week fresh."""
    from lms.core.queue import _worker_app

    if _worker_app is None:
        return 0
    with _worker_app.app_context():
        from lms.reports import pages  # noqa: F401 - registers the aggregates

        return snapshots.refresh_due()
