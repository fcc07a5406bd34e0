"""Bearer-token authentication for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from lms.accounts.models import ApiToken, User
from lms.accounts.services import hash_token, user_for_token
from lms.core.db import utcnow
from lms.core.errors_views import json_error
from lms.extensions import db


class ApiError(Exception):
    """An API error with a status, a stable code and a user-facing message."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def bearer_token() -> str | None:
    """The token from ``Authorization: Bearer ...``, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def commit_token_use(token: str) -> None:
    """Write the token's ``last_used_at`` (at most once a minute) without failing the request.

    What was just loaded stays loaded (expiring it would cost a query per object when the view
    reads the user). On SQLite a reading request's transaction began deferred and has read the
    token; once another process committed, it may not start writing and SQLite refuses at once,
    whatever the busy timeout ("database is locked"): a GET with a token was a 500 under load. The
    write is then done again in a new transaction whose first statement writes, which waits its
    turn; if even that fails, the time of last use (a hint) waits for the next request.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    except OperationalError:
        session.rollback()
        try:
            session.execute(
                update(ApiToken)
                .where(ApiToken.token_hash == hash_token(token))
                .values(last_used_at=utcnow())
            )
            session.commit()
        except OperationalError:
            session.rollback()
    finally:
        session.expire_on_commit = True


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Require a valid bearer token; the user is in ``g.api_user``."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = bearer_token()
        if token is None:
            return json_error(
                401, "unauthorized", _("Sertakan header Authorization: Bearer <token>.")
            )
        user = user_for_token(token)
        # a request that writes commits the token's use with its own transaction (one commit
        # instead of two: every learner's first answer of an exam is such a request)
        if user is not None and db.session.dirty and request.method in ("GET", "HEAD"):
            commit_token_use(token)
        if user is None:
            return json_error(
                401, "invalid_token", _("Token tidak valid, kedaluwarsa, atau sudah dicabut.")
            )
        g.api_user = user
        g.api_token = token
        return view(*args, **kwargs)

    return wrapper


def api_user() -> User:
    """The user the current API request acts for."""
    return g.api_user
