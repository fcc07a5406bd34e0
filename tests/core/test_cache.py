"""The per-process cache: built once per key, bounded, least recently used goes first."""

from __future__ import annotations

from lms.core.cache import KeyedCache, app_cache


def test_values_are_built_once_and_the_least_recently_used_goes_first():
    cache = KeyedCache(size=2)
    built: list[str] = []

    def get(key: str) -> str:
        return cache.get_or_build(key, lambda: built.append(key) or key.upper())

    assert get("a") == "A" and get("b") == "B" and get("a") == "A"
    assert built == ["a", "b"]
    get("c")  # "b" was used least recently
    get("a")
    get("b")
    assert built == ["a", "b", "c", "b"]


def test_an_application_keeps_each_cache_by_name(app):
    with app.app_context():
        first = app_cache("example")
        assert app_cache("example") is first
        assert app_cache("other") is not first
