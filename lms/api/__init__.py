"""The JSON API under ``/api/v1``: bearer tokens, no cookies, errors as JSON."""

from __future__ import annotations

from flask import Blueprint

from lms.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, never cookies, authenticate the API, so CSRF cannot reach it. The one exception,
# the resumable video upload of the lesson editor, checks the CSRF token itself (lms.api.uploads).
csrf.exempt(bp)

from lms.api import certificates, competencies, courses, quizzes, reports, uploads, views  # noqa: E402,F401
