"""Pagination of SELECT statements with one COUNT and one page query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from lms.extensions import db


@dataclass
class Page:
    """One page of results."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether a previous page exists."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a next page exists."""
        return self.page < self.pages


def parse_page(value: str | None) -> int:
    """A page number from a query string; anything malformed is page 1."""
    try:
        page = int(value or 1)
    except ValueError:
        return 1
    return min(max(page, 1), 100_000)


def paginate(query: Select[Any], page: int, per_page: int) -> Page:
    """Run ``query`` for one page, counting the total in SQL."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


def paginate_rows(
    query: Select[Any], page: int, per_page: int, *, total: int | None = None
) -> Page:
    """Like :func:`paginate` for a select of columns (the items are rows), in one statement:
    a window function counts the total beside the page. Only a page past the end, which has
    no row to carry the total, needs a separate COUNT.

    A caller that knows the total already passes it: then only the page is read, which on a
    large result is far cheaper (the window function makes the database produce and sort
    every row, where a plain LIMIT can stop after the page)."""
    if total is not None:
        items = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
        return Page(items=items, page=page, per_page=per_page, total=total)
    rows = db.session.execute(
        query.add_columns(func.count().over().label("total_rows"))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if rows:
        total = rows[0].total_rows
    elif page > 1:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    else:
        total = 0
    return Page(items=rows, page=page, per_page=per_page, total=total or 0)
