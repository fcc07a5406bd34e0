"""Database helpers shared by every domain."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import DateTime, Enum, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def enum_column(cls: type[enum.Enum], length: int = 20) -> Enum:
    """An enum stored as its value in a VARCHAR, portable across SQLite and PostgreSQL."""
    return Enum(
        cls,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone; PostgreSQL keeps ``timestamptz``. Both read back as aware UTC values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    """``created_at`` and ``updated_at`` in UTC."""

    #: when the row was created (UTC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    #: when the row last changed (UTC)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys, real SAVEPOINTs and write locks taken up front.

    WAL with a busy timeout lets several gunicorn workers and the queue worker share one file.
    The driver's own transaction handling is switched off so SQLAlchemy emits BEGIN itself,
    which nested transactions (and the tests' per-test rollback) need.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")


def _writing_request() -> bool:
    """Whether this is a web request that may write (POST, PUT, PATCH, DELETE).

    A plain (deferred) BEGIN reads a snapshot first; when another process commits before this
    transaction writes, SQLite refuses the write at once with "database is locked", whatever
    the busy timeout (SQLITE_BUSY_SNAPSHOT). Four quiz answers sent together when a phone comes
    back online were enough to lose one. Requests that change data therefore take the write
    lock when they begin and wait their turn; pages that only read stay concurrent.
    """
    return has_request_context() and request.method not in {"GET", "HEAD", "OPTIONS"}


def render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write :class:`UTCDateTime` columns into migrations as plain timezone-aware DateTime."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def dialect_insert(table: Any, dialect_name: str) -> Any:
    """``INSERT`` for ``table`` in the database's own dialect (PostgreSQL or SQLite), which has
    ``on_conflict_do_nothing`` and ``on_conflict_do_update``."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql if dialect_name == "postgresql" else sqlite).insert(table)


def contains(column: Any, text: str) -> Any:
    """A case-insensitive "contains" condition; ``%`` and ``_`` in ``text`` match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
