"""Absolute URLs that leave the site on paper and in signed credentials.

A QR code or a credential outlives the request that made it, and the PDF is rendered by the
background worker, which has no request at all. ``LMS_BASE_URL`` names the address people use
(``https://lentera.example.go.id``); without it the current request's address is used, and
outside a request ``http://localhost:5000`` (the development server).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` at the site's public address."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base or "http://localhost:5000")
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
