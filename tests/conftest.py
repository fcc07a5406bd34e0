"""Fixtures: one migrated database per run, a rolled-back transaction per test, real logins."""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from lms import create_app
from lms.extensions import db as _db
from lms.extensions import limiter

pytest_plugins = [
    "tests.fixtures.accounts",
    "tests.fixtures.courses",
    "tests.fixtures.quizzes",
    "tests.fixtures.certificates",
]

CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def _database_url(tmp_dir: str) -> str:
    return os.environ.get("LMS_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir}/test.db"


def _reset_database(url: str) -> None:
    """Start from an empty schema, so the migrations build everything."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application on a freshly migrated test database."""
    instance = tmp_path_factory.mktemp("instance")
    url = _database_url(str(instance))
    _reset_database(url)
    application = create_app(
        {
            "TESTING": True,
            "INSTANCE_DIR": str(instance),
            "SQLALCHEMY_DATABASE_URI": url,
            "LOGIN_RATE_LIMIT": "10000 per minute",
            "DEMO_MODE": True,
            # numbers are always counted live, however slow the machine (tests/reports/
            # test_snapshots.py turns keeping on)
            "REPORT_SNAPSHOT_MS": -1,
        }
    )
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
        from lms.accounts.demo import seed_demo
        from lms.competencies.demo import seed_profiles

        seed_demo()
        seed_profiles()
        _db.session.commit()
        _db.session.remove()
    application.test_client_class = IsolatedClient
    yield application
    with application.app_context():
        _db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own application context.

    The ``db`` fixture keeps an application context open for the test body; without this,
    Flask would reuse it for requests and share ``g`` (the logged-in user, the CSRF token)
    between requests, which a real server never does.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            _cv_app.set(None)  # type: ignore[arg-type]
            return FlaskClient.open(self, *args, **kwargs)

        return contextvars.copy_context().run(run)


class _BoundSession(FlaskSession):
    """A Flask-SQLAlchemy session that honours an explicit connection bind."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kw: Any) -> Any:
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kw)


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """The database inside a transaction that is rolled back after the test."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session(
            {
                "class_": _BoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            transaction.rollback()
            connection.close()
            _db.session = original
            limiter.reset()


@pytest.fixture
def client(app: Flask, db: Any) -> FlaskClient:
    """A test client whose requests share the test's transaction."""
    return app.test_client()


def extract_csrf(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class AuthActions:
    """Log in and out through the real forms, and post forms with a valid CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client
        self.csrf: str | None = None

    def login(self, login: str, password: str = "lentera-demo") -> Any:
        page = self._client.get("/masuk")
        response = self._client.post(
            "/masuk",
            data={"login": login, "password": password, "csrf_token": extract_csrf(page.text)},
        )
        if response.status_code == 302:
            self.refresh_csrf()
        return response

    def refresh_csrf(self) -> str:
        page = self._client.get("/akun/kata-sandi")
        self.csrf = extract_csrf(page.text)
        return self.csrf

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf or self.refresh_csrf())
        return self._client.post(url, data=payload, **kwargs)

    def logout(self) -> Any:
        return self.post("/keluar")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Login helpers bound to the test client."""
    return AuthActions(client)


class QueryCounter:
    """Counts SQL statements sent while active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask, db: Any) -> Iterator[Any]:
    """Use as ``with count_queries() as counter:``; ``counter.count`` is the statements run."""
    from contextlib import contextmanager

    engine = _db.engine

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)

    yield counting
