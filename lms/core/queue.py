"""The background queue (Huey): SQLite in the instance folder, or Redis when configured.

Tasks are plain functions taking ids, run inside an application context, and safe to run twice.
The web processes only enqueue; ``flask lms worker`` (started by ``make run``) runs them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.extensions import db, huey

#: the application tasks run in, set by :func:`init_queue`
_worker_app: Flask | None = None


def after_commit(function: Callable[..., Any], *args: Any) -> None:
    """Call ``function(*args)`` once the current transaction has committed.

    Tasks read what the transaction wrote, so they are enqueued only after it is visible; a
    rollback drops them.
    """
    db.session().info.setdefault("after_commit", []).append((function, args))


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for function, args in session.info.pop("after_commit", []):
        function(*args)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop("after_commit", None)


def init_queue(app: Flask) -> None:
    """Point the queue at the instance's SQLite file, or at Redis when ``LMS_REDIS_URL`` is set."""
    global _worker_app
    if app.config.get("QUEUE_IMMEDIATE"):
        huey.immediate = True
    elif app.config.get("REDIS_URL"):
        huey.storage_class = RedisStorage
        huey.storage_kwargs = {"url": app.config["REDIS_URL"]}
        huey.storage = huey.create_storage()
    else:
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": str(Path(app.config["INSTANCE_DIR"]) / "queue.db")}
        huey.storage = huey.create_storage()
    _worker_app = app


def task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """A Huey task whose body runs in an application context."""

    def decorate(function: Callable[..., Any]) -> Any:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            if has_app_context():
                return function(*args, **kwargs)
            app = _worker_app or current_app._get_current_object()
            with app.app_context():
                return function(*args, **kwargs)

        return huey.task(**options)(run)

    return decorate


def run_worker(workers: int = 2) -> None:
    """Run a consumer in this process until interrupted (``flask lms worker``)."""
    import lms.certificates.jobs
    import lms.competencies.jobs
    import lms.media.jobs
    import lms.notifications.jobs
    import lms.quizzes.jobs
    import lms.reports.jobs  # noqa: F401

    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()
