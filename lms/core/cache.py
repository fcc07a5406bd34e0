"""A per-process cache for values that never change under their key."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app


class KeyedCache:
    """A bounded, thread-safe least-recently-used map.

    Only for values whose key names something immutable (a published course version, say):
    then every gunicorn process may keep its own copy, and nothing ever has to be invalidated,
    because changed data comes with a new key.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The value under ``key``, built (outside the lock, so perhaps twice) if missing."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = build()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value


def app_cache(name: str, size: int = 256) -> KeyedCache:
    """The current application's cache called ``name``, created on first use."""
    caches = current_app.extensions.setdefault("lms_caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, KeyedCache(size))
    return cache
