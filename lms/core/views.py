"""Health check and the language switch."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, request, session
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response as BaseResponse

from lms.core.urls import safe_next
from lms.extensions import db, limiter

bp = Blueprint("core", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[Response, int]:
    """Report whether the application and its database answer."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # the point is to report any failure, not to raise it
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        database = "unreachable"
    status = "ok" if database == "ok" else "error"
    return jsonify(status=status, database=database), 200 if status == "ok" else 503


@bp.post("/bahasa")
def set_language() -> BaseResponse:
    """Switch the interface language (kept on the account when logged in)."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or "/")
