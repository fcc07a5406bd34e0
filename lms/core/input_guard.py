"""Refuse request data that no part of Lentera can keep, before any view sees it.

* NUL characters: PostgreSQL refuses them in text ("A string literal cannot contain NUL"), so a
  search, a login, a JSON field or an uploaded file's name with ``%00`` in it was a 500 there.
* lone UTF-16 surrogates (``"\\ud800"`` in JSON): they cannot be encoded as UTF-8, to a database
  or a password hash.
* JSON nested too deep for the parser (``[[[[…``): a ``RecursionError``, not a ``ValueError``,
  so it escaped every view's "not valid JSON" answer.
* addresses longer than :data:`MAX_URI_LENGTH`: no page needs one, and a search or filter that
  long is not one a person typed (414; gunicorn itself refuses request lines past its
  ``--limit-request-line``, in English, so that limit is set well above this one).

Each is answered once here with a 4xx and an Indonesian message (JSON for the API), instead of
in every view. The bodies of uploaded files are the importers' concern: they name the line.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, abort, request
from flask_babel import gettext as _

from lms.core.errors_views import error_response

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: the longest path and query string a request may have (bytes, as sent)
MAX_URI_LENGTH = 2048
_UNKEEPABLE = re.compile("[\x00\ud800-\udfff]")


def has_unkeepable(text: str) -> bool:
    """Whether ``text`` holds a NUL character or a lone surrogate."""
    return _UNKEEPABLE.search(text) is not None


def _json_strings(value: Any) -> Any:
    """Every string (keys too) in a parsed JSON value, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _form_strings() -> Any:
    yield from request.form.keys()
    for values in request.form.listvalues():
        yield from values
    for name, upload in request.files.items(multi=True):
        yield name
        yield upload.filename or ""


def bad_characters_message() -> str:
    """What a request with a NUL character or a lone surrogate is told."""
    return _(
        "Data yang dikirim memuat karakter yang tidak sah (karakter NUL atau kode Unicode "
        "yang terputus). Hapus karakter itu lalu kirim lagi."
    )


def _bad_characters() -> Response:
    return error_response(400, bad_characters_message(), code="invalid_characters")


def check_request() -> Response | None:
    """A 4xx response when the request carries data no view can keep, else None."""
    environ = request.environ
    if len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) > MAX_URI_LENGTH:
        abort(414)  # the error handlers answer it, in the user's language
    if has_unkeepable(request.path):
        return _bad_characters()
    for key, values in request.args.lists():
        if has_unkeepable(key) or any(has_unkeepable(v) for v in values):
            return _bad_characters()
    if request.mimetype in _FORM_TYPES:
        # The API's multipart uploads raise the size limit in the view, after the token check,
        # so their body is not parsed here; the file names they keep are checked there.
        if request.blueprint != "api" and any(has_unkeepable(t) for t in _form_strings()):
            return _bad_characters()
    elif request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            return error_response(
                400, _("Isi permintaan JSON bersarang terlalu dalam."), code="bad_json"
            )
        if any(has_unkeepable(text) for text in _json_strings(body)):
            return _bad_characters()
    return None


def init_input_guard(app: Flask) -> None:
    """Check every request's path, query, form fields, file names and JSON first."""
    app.before_request(check_request)
