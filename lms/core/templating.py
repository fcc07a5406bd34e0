"""Jinja filters and globals: fingerprinted static URLs and Indonesian dates in WIB."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

from flask import Flask, url_for
from flask_babel import format_date, format_datetime, get_locale


def init_templating(app: Flask) -> None:
    """Register the template helpers."""
    fingerprints: dict[str, tuple[float, str]] = {}
    static_root = Path(app.static_folder or "")

    def static_url(filename: str) -> str:
        """The URL of a static file with its content hash, so it can be cached for a year."""
        path = static_root / filename
        mtime = path.stat().st_mtime
        cached = fingerprints.get(filename)
        if cached is None or cached[0] != mtime:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            fingerprints[filename] = cached = (mtime, digest)
        return url_for("static", filename=filename, v=cached[1])

    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "id")
    app.jinja_env.filters["tanggal"] = format_tanggal
    app.jinja_env.filters["waktu"] = format_waktu


def format_tanggal(value: date | datetime | None) -> str:
    """A date in the user's language, e.g. ``24 November 2026`` (datetimes shown in WIB)."""
    if value is None:
        return "–"
    return format_date(value, "d MMMM yyyy")


def format_waktu(value: datetime | None) -> str:
    """A date and time in WIB, e.g. ``24 November 2026 16.05 WIB``."""
    if value is None:
        return "–"
    return format_datetime(value, "d MMMM yyyy HH.mm") + " WIB"
