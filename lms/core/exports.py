"""Streaming exports: CSV and XLSX downloads of any query with constant memory.

Rows are fetched from the database in batches (``yield_per``), so neither the rows nor the file
is ever whole in memory: CSV goes out line by line, XLSX as its compressed parts are written
(:mod:`lms.core.xlsx`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, stream_with_context
from sqlalchemy import Result, Select

from lms.core.xlsx import stream_xlsx
from lms.extensions import db

JAKARTA = ZoneInfo("Asia/Jakarta")
#: rows fetched per round trip
BATCH = 2000
#: CSV rows written between two streamed chunks
CSV_ROWS_PER_CHUNK = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: UTC times in WIB without zone, enums by value."""
    if isinstance(value, datetime):
        return value.astimezone(JAKARTA).replace(tzinfo=None)
    if hasattr(value, "value") and not isinstance(value, date | int | float | str):
        return value.value
    return value


def batched(query: Select[Any]) -> Result[Any]:
    """The query's result, fetched from the database in batches of :data:`BATCH` rows."""
    return db.session.execute(query.execution_options(yield_per=BATCH))


def rows_of(query: Select[Any], columns: list[tuple[str, Callable[[Any], Any]]]) -> Iterator[list]:
    """The query's rows as lists of cells, one per ``(title, getter)`` column."""
    for row in batched(query):
        yield [cell(get(row)) for _title, get in columns]


def _csv_safe(value: Any) -> Any:
    # a cell starting with = + - @ would run as a formula in a spreadsheet program
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def _xlsx_safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] == "=":
        return "'" + value  # openpyxl writes a string starting with = as a formula
    return value


def _download(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_response(name: str, headers: list[str], rows: Iterable[list]) -> Response:
    """A CSV download ``name.csv`` written as the rows arrive (UTF-8 with a BOM, so spreadsheet
    programs read the names right)."""

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(headers)
        for index, row in enumerate(rows, start=1):
            writer.writerow([_csv_safe(value) for value in row])
            if index % CSV_ROWS_PER_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return _download(Response(stream_with_context(generate()), mimetype="text/csv"), f"{name}.csv")


def xlsx_response(name: str, sheet: str, headers: list[str], rows: Iterable[list]) -> Response:
    """An XLSX download ``name.xlsx`` of one sheet, streamed as it is written (constant
    memory; see :mod:`lms.core.xlsx`)."""
    safe = ([_xlsx_safe(value) for value in row] for row in rows)
    response = Response(
        stream_with_context(stream_xlsx(sheet, headers, safe)), mimetype=XLSX_MIMETYPE
    )
    return _download(response, f"{name}.xlsx")
