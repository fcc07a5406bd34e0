"""URL helpers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter, Map


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


#: the largest id a table holds: PostgreSQL's INTEGER (SQLite's are wider). A larger number in a
#: URL, a query or a form names nothing, and PostgreSQL refuses to compare a column with it
#: ("integer out of range", a 500), so it must not reach a query.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` capped at the largest id, so a huge number is a 404, not a 500."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
