"""A fast streaming writer of one-sheet XLSX files.

openpyxl's write-only mode builds every cell as an XML element in pure Python; for a report of
50,000 rows that is most of the export's time. This writer formats the sheet's XML as text,
row by row, into a ZIP archive that is written to a stream (``zipfile`` uses data descriptors
when it cannot seek), so the first bytes can go out before the last row is read. It writes
what reports need: text (as inline strings, never formulas), numbers, booleans, dates and
times (as spreadsheet dates with a date format) and empty cells.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

#: characters XML 1.0 does not allow, dropped from text
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: characters a sheet name may not contain
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
#: day 0 of spreadsheet dates (the 1900 system as Excel counts it after February 1900)
_EPOCH = datetime(1899, 12, 30)
#: style indexes in styles.xml
_DATETIME, _DATE, _HEADER = 1, 2, 3
#: rows per chunk handed to the caller
ROWS_PER_CHUNK = 1000

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column_letters(count: int) -> list[str]:
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, remainder = divmod(index - 1, 26)
            name = chr(65 + remainder) + name
        letters.append(name)
    return letters


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


def _serial(value: date | datetime) -> float:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=None)
    else:
        moment = datetime.combine(value, time())
    delta = moment - _EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000


def _cell(ref: str, value: Any, style: int = 0) -> str:
    if value is None:
        return ""
    attribute = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{attribute}><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"{attribute}><v>{value}</v></c>'
    if isinstance(value, datetime):
        return f'<c r="{ref}" s="{_DATETIME}"><v>{_serial(value)!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{_DATE}"><v>{_serial(value)!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"{attribute}><is><t xml:space="preserve">{_text(str(value))}</t></is></c>'  # noqa: E501


class _Pipe(io.RawIOBase):
    """A write-only stream whose bytes are taken out in chunks."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def stream_xlsx(sheet: str, headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """The XLSX file of one sheet named ``sheet`` (a bold header row, then ``rows``), in
    chunks as it is written."""
    name = _SHEET_NAME.sub(" ", sheet)[:31] or "Sheet1"
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_NS}" '
            f'xmlns:r="{_REL}"><sheets><sheet name="{_text(name)}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        yield pipe.take()
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            letters = _column_letters(len(headers))
            head = "".join(
                _cell(f"{letter}1", title, _HEADER)
                for letter, title in zip(letters, headers, strict=True)
            )
            part.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                f'xmlns="{_NS}"><sheetData><row r="1">{head}</row>'.encode()
            )
            lines: list[str] = []
            for number, row in enumerate(rows, start=2):
                cells = "".join(
                    _cell(f"{letter}{number}", value)
                    for letter, value in zip(letters, row, strict=False)
                )
                lines.append(f'<row r="{number}">{cells}</row>')
                if len(lines) >= ROWS_PER_CHUNK:
                    part.write("".join(lines).encode())
                    lines.clear()
                    yield pipe.take()
            part.write(("".join(lines) + "</sheetData></worksheet>").encode())
    yield pipe.take()
