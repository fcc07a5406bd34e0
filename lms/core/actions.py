"""Running a service call from an HTML view: commit it, or tell the user why a rule refused it."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash

from lms.core.errors import DomainError
from lms.extensions import db


def commit_or_flash(change: Callable[[], object], done: str | None = None) -> bool:
    """Run ``change`` (a service call) and commit, flashing ``done`` when given; when a rule
    refuses it, roll back and flash the reason instead. Whether the change was saved."""
    try:
        change()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return False
    db.session.commit()
    if done is not None:
        flash(done, "success")
    return True
