"""Rendered pieces of the learner's busiest pages, kept per process under what they show.

Rendering the catalog's cards, a course's facts and syllabus, or the home page's course list
cost about as much as reading them from the database. A fragment's HTML is a function of its
key alone: the values it shows, the language, and the application root its links start with.
Equal keys therefore get equal HTML, changed data simply makes a new key, and nothing is ever
invalidated. Nothing shown to one learner can reach another unless it is exactly what the
other would be shown.

A fragment template must read only the values it is given (and translations, ``url_for`` and
filters): never ``current_user``, ``request``, ``session``, ``g`` or a CSRF token, whose values
are not part of the key.
"""

from __future__ import annotations

from collections.abc import Hashable

from flask import render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from lms.core.cache import app_cache

#: rendered fragments each process keeps (a few KB each)
FRAGMENT_CACHE_SIZE = 2048


def render_fragment(template: str, **values: Hashable) -> Markup:
    """``template`` rendered with ``values`` (hashable: tuples, frozen dataclasses, rows),
    from this process's cache when the same values were rendered before in this language."""
    key = (template, str(get_locale()), request.script_root, tuple(sorted(values.items())))
    return app_cache("page_fragments", FRAGMENT_CACHE_SIZE).get_or_build(
        key, lambda: _render(template, values)
    )


def _render(template: str, values: dict[str, Hashable]) -> Markup:
    return Markup(render_template(template, **values))  # noqa: S704 - an autoescaped template
