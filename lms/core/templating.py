"""Jinja filters and globals: fingerprinted static URLs, Indonesian dates in WIB and numbers."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

from babel.support import NullTranslations
from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context

from lms.core.fragments import render_fragment


def init_templating(app: Flask) -> None:
    """Register the template helpers."""
    fingerprints: dict[str, tuple[float, str]] = {}
    urls: dict[tuple[str, str], str] = {}
    static_root = Path(app.static_folder or "")

    def fingerprint(filename: str) -> str:
        path = static_root / filename
        mtime = path.stat().st_mtime
        cached = fingerprints.get(filename)
        if cached is None or cached[0] != mtime:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            fingerprints[filename] = cached = (mtime, digest)
        return cached[1]

    def static_url(filename: str) -> str:
        """The URL of a static file with its content hash, so it can be cached for a year."""
        # Files change under a running server only in development; elsewhere a deployment
        # restarts the workers, so each URL is worked out once (six of them on every page).
        key = (request.script_root, filename)
        url = urls.get(key)
        if url is None or app.debug:
            url = urls[key] = url_for("static", filename=filename, v=fingerprint(filename))
        return url

    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["fragment"] = render_fragment
    _install_gettext(app)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "id")
    app.jinja_env.filters["tanggal"] = format_tanggal
    app.jinja_env.filters["waktu"] = format_waktu
    app.jinja_env.filters["angka"] = format_angka


def _install_gettext(app: Flask) -> None:
    """Templates translate with the catalog looked up once per render.

    Flask-Babel's own template callables look the request's locale and catalog up again for
    each string, through several context-local proxies: with about forty strings a page, that
    was a tenth of its time. A context processor now puts the catalog into the template
    context; templates rendered without one (macros imported without context) fall back to
    Flask-Babel's lookup.
    """

    def catalog(context: Context) -> NullTranslations:
        found = context.get("_translations")
        return found if found is not None else get_translations()

    @pass_context
    def gettext(context: Context, string: str) -> str:
        return catalog(context).ugettext(string)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, n: int) -> str:
        return catalog(context).ungettext(singular, plural, n)

    @pass_context
    def pgettext(context: Context, msgctxt: str, string: str) -> str:
        return catalog(context).upgettext(msgctxt, string)

    @pass_context
    def npgettext(context: Context, msgctxt: str, singular: str, plural: str, n: int) -> str:
        return catalog(context).unpgettext(msgctxt, singular, plural, n)

    app.jinja_env.install_gettext_callables(
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    app.context_processor(lambda: {"_translations": get_translations()})


def format_tanggal(value: date | datetime | None) -> str:
    """A date in the user's language, e.g. ``24 November 2026`` (datetimes shown in WIB)."""
    if value is None:
        return "–"
    return format_date(value, "d MMMM yyyy")


def format_angka(value: float | int | None, digits: int | None = None) -> str:
    """A number in the user's language: ``0,4`` and ``1.250`` in Indonesian, ``0.4`` in English.

    ``digits`` fixes the decimals shown (``|angka(1)`` → ``2,0``); without it up to three are
    shown and trailing zeros dropped (``1,5``, ``2``).
    """
    if value is None:
        return "–"
    if digits is None:
        return format_decimal(value)
    return format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""))


def format_waktu(value: datetime | None) -> str:
    """A date and time in WIB, e.g. ``24 November 2026 16.05 WIB``."""
    if value is None:
        return "–"
    return format_datetime(value, "d MMMM yyyy HH.mm") + " WIB"
