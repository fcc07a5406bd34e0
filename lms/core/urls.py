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


class IdConverter(IntegerConverter):
    """``<int:...>`` capped at the largest 64-bit id, so a huge number is a 404, not a 500."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)
