"""SQLite: requests that write wait for each other instead of failing with "database is locked"."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.core.db import configure_sqlite


def _engine(path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{path}")
    configure_sqlite(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE answers (slot INTEGER PRIMARY KEY, answer TEXT)")
        connection.exec_driver_sql("INSERT INTO answers VALUES (1, NULL), (2, NULL)")
    return engine


def _read_then_write(engine: sa.Engine, app: Flask, method: str, slot: int, barrier, errors):
    """What a quiz answer request does: read the attempt, then write the answer."""
    with app.test_request_context(method=method):
        try:
            with engine.connect() as connection, connection.begin():
                connection.exec_driver_sql("SELECT count(*) FROM answers").all()
                # both have read before either writes, unless the other one waits for our
                # write lock to begin at all (then the barrier breaks after a while)
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait(timeout=2)
                update = "UPDATE answers SET answer = 'x' WHERE slot = ?"
                connection.exec_driver_sql(update, (slot,))
        except sa.exc.OperationalError as error:
            errors.append(str(error))


def _race(tmp_path: Path, method: str) -> tuple[list[str], list]:
    engine = _engine(tmp_path / "race.db")
    app = Flask(__name__)
    errors: list[str] = []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=_read_then_write, args=(engine, app, method, slot, barrier, errors))
        for slot in (1, 2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT slot, answer FROM answers ORDER BY slot").all()
    engine.dispose()
    return errors, rows


def test_concurrent_writing_requests_both_succeed(tmp_path: Path):
    errors, rows = _race(tmp_path, "PUT")
    assert errors == []
    assert [tuple(row) for row in rows] == [(1, "x"), (2, "x")]


@pytest.mark.parametrize("method", ["GET"])
def test_reading_requests_still_start_deferred(tmp_path: Path, method: str):
    """The race the write lock prevents: two deferred readers that both go on to write."""
    errors, _rows = _race(tmp_path, method)
    assert len(errors) == 1 and "database is locked" in errors[0]
