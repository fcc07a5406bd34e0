"""Markdown to safe HTML: CommonMark rendered by markdown-it-py, then cleaned by nh3."""

from __future__ import annotations

import re
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li",
    "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
}

#: checklist items ("- [ ] step") shown as ballot boxes
_TASK_OPEN = re.compile(r"^(\s*(?:[-*+]|\d+[.)]) )\[ \] ", re.MULTILINE)
_TASK_DONE = re.compile(r"^(\s*(?:[-*+]|\d+[.)]) )\[[xX]\] ", re.MULTILINE)

_parser = (
    MarkdownIt("commonmark", {"html": True, "linkify": False})
    .enable("table")
    .enable("strikethrough")
)


_HEADING = re.compile(r"<(/?)h([1-6])>")


def render_markdown(
    text: str,
    rewrite_url: Callable[[str], str] | None = None,
    *,
    title: str | None = None,
) -> Markup:
    """Sanitised HTML for Markdown ``text``; scripts, event handlers and styles are removed.

    ``rewrite_url`` maps relative image and link targets (``../media/x.png``) to served URLs.
    Headings move one level down, because the page around the text has its own ``<h1>``; a
    first heading repeating ``title`` is left out.
    """
    if title:
        first, _sep, rest = (text or "").lstrip().partition("\n")
        if first.startswith("# ") and first[2:].strip().casefold() == title.strip().casefold():
            text = rest
    text = _TASK_OPEN.sub("\\1\u2610 ", text or "")
    text = _TASK_DONE.sub("\\1\u2611 ", text)
    html = _HEADING.sub(
        lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}>", _parser.render(text)
    )

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src") and rewrite_url is not None:
            return rewrite_url(value)
        return value

    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=attribute_filter,
    )
    return Markup(cleaned)  # noqa: S704 - cleaned by nh3 just above


def clean_html(text: str, rewrite_url: Callable[[str], str] | None = None) -> Markup:
    """Sanitised HTML for HTML ``text`` (questions imported from Moodle), as Markdown gets."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src") and rewrite_url is not None:
            return rewrite_url(value)
        return value

    cleaned = nh3.clean(
        text or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=attribute_filter,
    )
    return Markup(cleaned)  # noqa: S704 - cleaned by nh3 just above
