"""Queue tasks for quizzes: submit attempts whose time ran out."""

from __future__ import annotations

from huey import crontab

from lms.core.db import utcnow
from lms.extensions import db, huey
from lms.quizzes.attempts import finish_overdue


def submit_overdue_attempts() -> int:
    """Submit every attempt past its deadline, in batches, each batch committed."""
    total = 0
    while True:
        done = finish_overdue(now=utcnow(), limit=200)
        db.session.commit()
        total += done
        if done < 200:
            return total


@huey.periodic_task(crontab(minute="*"))
def submit_overdue() -> int:
    """Every minute: learners who never came back still get their attempt submitted."""
    from lms.core.queue import _worker_app

    if _worker_app is None:
        return 0
    with _worker_app.app_context():
        return submit_overdue_attempts()
