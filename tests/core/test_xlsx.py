"""The streaming XLSX writer: what openpyxl reads back from its files."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from lms.core import xlsx


def read(chunks) -> list[tuple]:
    data = b"".join(chunks)
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        sheet = workbook.active
        return [sheet.title, *sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def test_cells_of_every_kind_read_back_as_written():
    rows = [
        [
            "Budi & Sari <ASN>",
            42,
            2.5,
            True,
            None,
            date(2026, 11, 24),
            datetime(2026, 11, 24, 9, 30),
        ],
        ["=1+1", -3, Decimal("1.25"), False, "", date(1999, 12, 31), datetime(2000, 1, 1, 0, 0)],
        ["tab\tand\nnew line\x01", 0, 0.0, False, "x", None, None],
    ]
    title, head, *body = read(
        xlsx.stream_xlsx("Laporan: 2026/11", ["Nama", "A", "B", "C", "D", "E", "F"], rows)
    )
    assert title == "Laporan  2026 11"  # characters a sheet name may not hold are replaced
    assert head == ("Nama", "A", "B", "C", "D", "E", "F")
    first = ("Budi & Sari <ASN>", 42, 2.5, True, None)
    assert body[0] == (*first, datetime(2026, 11, 24), datetime(2026, 11, 24, 9, 30))
    # text stays text (never a formula); control characters XML cannot carry are dropped
    assert body[1][:3] == ("=1+1", -3, 1.25) and body[1][5:] == (
        datetime(1999, 12, 31),
        datetime(2000, 1, 1),
    )
    assert body[2][0] == "tab\tand\nnew line"


def test_streams_many_rows_in_chunks():
    count = 3 * xlsx.ROWS_PER_CHUNK + 7
    chunks = list(xlsx.stream_xlsx("Data", ["n", "kuadrat"], ([n, n * n] for n in range(count))))
    assert len(chunks) > 3  # the file goes out while rows are still being read
    _title, head, *body = read(chunks)
    assert head == ("n", "kuadrat") and len(body) == count
    assert body[-1] == (count - 1, (count - 1) ** 2)
