"""Streaming exports: CSV and XLSX of any report query with constant memory.

Rows are fetched from the database in batches (``yield_per``), so neither the rows nor the file
is ever whole in memory: CSV goes out line by line; XLSX is written by openpyxl's write-only
workbook into a spooled temporary file, which is then streamed in chunks.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, stream_with_context
from openpyxl import Workbook
from sqlalchemy import Select

from lms.extensions import db

JAKARTA = ZoneInfo("Asia/Jakarta")
#: rows fetched per round trip
BATCH = 2000
#: bytes per streamed chunk of an XLSX file
CHUNK = 256 * 1024


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: UTC times in WIB without zone, enums by value."""
    if isinstance(value, datetime):
        return value.astimezone(JAKARTA).replace(tzinfo=None)
    if hasattr(value, "value") and not isinstance(value, date | int | float | str):
        return value.value
    return value


def rows_of(query: Select[Any], columns: list[tuple[str, Callable[[Any], Any]]]) -> Iterator[list]:
    """The query's rows as lists of cells, fetched in batches."""
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    for row in result:
        yield [cell(get(row)) for _title, get in columns]


def _csv_safe(value: Any) -> Any:
    # a cell starting with = + - @ would run as a formula in a spreadsheet program
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def csv_response(
    name: str, headers: list[str], rows: Iterable[list], *, bom: bool = True
) -> Response:
    """A streamed CSV download (UTF-8 with a BOM so spreadsheet programs read it right)."""

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if bom:
            buffer.write("\ufeff")
        writer.writerow(headers)
        for index, row in enumerate(rows, start=1):
            writer.writerow([_csv_safe(v) for v in row])
            if index % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def xlsx_response(name: str, sheet: str, headers: list[str], rows: Iterable[list]) -> Response:
    """A streamed XLSX download written with constant memory."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.append(headers)
    for row in rows:
        worksheet.append([_xlsx_safe(v) for v in row])
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - streamed
    workbook.save(spool)
    spool.seek(0)

    def generate() -> Iterator[bytes]:
        try:
            while chunk := spool.read(CHUNK):
                yield chunk
        finally:
            spool.close()

    response = Response(
        generate(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _xlsx_safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] == "=":
        return "'" + value  # never a formula
    return value
