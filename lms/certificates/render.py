"""Certificate PDFs with fpdf2: A4 landscape, fonts embedded, the organisation's design.

A PDF is rendered once, in the queue, and stored (:mod:`lms.certificates.jobs`); the template
settings page renders an unsaved design as a sample. The text is in the instance's default
language (``BABEL_DEFAULT_LOCALE``, Indonesian), never the viewer's, so every copy of a
certificate reads the same.

DejaVu Sans and Serif (Debian's ``fonts-dejavu-core``, installed by ``make system-deps``) are
embedded. Parsing a whole DejaVu file costs about 100 ms, most of a PDF's time, so each font is
cut once per process to the Latin alphabets and punctuation that names and titles use, kept in
the instance's cache folder; a text with any other character is set with the whole fonts.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from lms.certificates.models import Certificate, CertificateTemplate
from lms.certificates.services import template_for
from lms.certificates.urls import public_url
from lms.media.storage import local_copy

log = logging.getLogger(__name__)

JAKARTA = ZoneInfo("Asia/Jakarta")
#: layout names an organisation chooses from (CertificateTemplate.layout)
LAYOUTS = ("klasik", "modern")
#: where Debian's fonts-dejavu-core puts the fonts
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "serif-bold": "DejaVuSerif-Bold.ttf",
}
#: code points the cut fonts keep: Basic Latin, Latin-1, Latin Extended A and B, spacing
#: modifiers, combining accents, general punctuation and the euro sign
COVERED = frozenset([*range(0x20, 0x7F), *range(0xA0, 0x370), *range(0x2010, 0x2040), 0x20AC])
PAGE_W, PAGE_H = 297.0, 210.0
GREY = (90, 90, 90)
DARK = (25, 25, 25)
WHITE = (255, 255, 255)

_cut_fonts: dict[Path, Path] = {}
_cut_lock = threading.Lock()


class FontsMissing(RuntimeError):
    """The DejaVu fonts are not installed."""


@dataclass(frozen=True)
class Design:
    """How a certificate looks: an organisation's template with its images loaded."""

    layout: str
    accent: str
    organisation_name: str
    logo: bytes | None = None
    signature: bytes | None = None


def layout_choices() -> list[tuple[str, str]]:
    """The layouts with their names, for the settings form."""
    return [("klasik", _("Klasik (bingkai, rata tengah)")), ("modern", _("Modern (pita warna)"))]


def design_of(template: CertificateTemplate) -> Design:
    """The template's design with its logo and signature read from the store."""
    return Design(
        layout=template.layout,
        accent=template.accent,
        organisation_name=template.organisation.name,
        logo=_stored_bytes(template.logo_path),
        signature=_stored_bytes(template.signature_path),
    )


def _stored_bytes(path: str | None) -> bytes | None:
    if not path:
        return None
    try:
        with local_copy(path) as file:
            return file.read_bytes()
    except FileNotFoundError:
        # a lost image should not cost the certificate: it is printed without it
        log.warning("certificate image %s is missing from the store", path)
        return None


def render_pdf(
    certificate: Certificate, design: Design | None = None, *, sample: bool = False
) -> bytes:
    """The certificate as a PDF; ``design`` defaults to the issuer's template, ``sample``
    marks a preview as such across the page."""
    if design is None:
        design = design_of(template_for(certificate.organisation_id))
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "id")):
        text = _texts(certificate)
        pdf = _new_pdf(certificate, design, "".join(str(v) for v in text.values()))
        pdf.add_page()
        if sample:
            _watermark(pdf)
        draw = _modern if design.layout == "modern" else _klasik
        draw(pdf, text, design, _accent(design.accent), _qr_png(text["url"]))
        return bytes(pdf.output())


# --- content ------------------------------------------------------------------------------------


def _texts(certificate: Certificate) -> dict[str, str]:
    """Every string printed on the certificate, in the forced language."""
    locale = str(current_app.config.get("BABEL_DEFAULT_LOCALE", "id"))
    completed = _local_day(certificate.completed_at)
    issued = _local_day(certificate.issued_at)
    competencies = "; ".join(
        _("%(name)s (level %(level)s)", name=c.get("name") or c.get("code"), level=c.get("level"))
        for c in certificate.competencies or []
    )
    return {
        "title": _("SERTIFIKAT"),
        "number": _("Nomor: %(number)s", number=certificate.number),
        "given_to": _("diberikan kepada"),
        "name": certificate.holder_name,
        "nip": _("NIP %(nip)s", nip=format_nip(certificate.holder_nip)),
        "for": _("yang telah menyelesaikan pelatihan"),
        "course": certificate.course_title,
        "jp": _(
            "sebanyak %(jp)d jam pelajaran (JP), selesai pada %(date)s",
            jp=certificate.jp,
            date=format_date(completed, "d MMMM yyyy", locale=locale),
        ),
        "competencies": _("Kompetensi: %(list)s", list=competencies) if competencies else "",
        "valid_until": _(
            "Berlaku sampai %(date)s",
            date=format_date(certificate.expires_on, "d MMMM yyyy", locale=locale),
        )
        if certificate.expires_on
        else "",
        "issued": _("Diterbitkan %(date)s", date=format_date(issued, "d MMMM yyyy", locale=locale)),
        "signer_title": certificate.signer_title or "",
        "signer_name": certificate.signer_name or "",
        "code_label": _("Kode verifikasi"),
        "code": group_code(certificate.code),
        "scan": _("Pindai untuk memeriksa keaslian"),
        # for whoever holds the paper without a QR scanner: where to type the code
        "verify_at": _(
            "atau ketik kodenya di %(url)s",
            url=public_url("certificates.verify_form").split("://", 1)[-1],
        ),
        "url": verification_url(certificate.code),
    }


def _local_day(moment: datetime | None) -> date:
    return (moment or datetime.now(UTC)).astimezone(JAKARTA).date()


def format_nip(nip: str) -> str:
    """An 18-digit NIP as printed on official papers: ``19850315 201003 1 001``."""
    if len(nip) == 18 and nip.isdigit():
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    return nip


def group_code(code: str) -> str:
    """A verification code in groups of four, easier to type (verification ignores dashes)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def verification_url(code: str) -> str:
    """The public verification page of a code as a full URL (``LMS_BASE_URL``)."""
    return public_url("certificates.verify", code=code)


def _qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=1)
    return buffer.getvalue()


def _accent(value: str) -> tuple[int, int, int]:
    try:
        return tuple(int(value[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]
    except (TypeError, ValueError):
        return (11, 93, 75)


# --- fonts --------------------------------------------------------------------------------------


def _new_pdf(certificate: Certificate, design: Design, all_text: str) -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    # a fixed date makes the same certificate render to the same bytes
    pdf.set_creation_date(certificate.issued_at or datetime(2000, 1, 1, tzinfo=UTC))
    pdf.set_lang(str(current_app.config.get("BABEL_DEFAULT_LOCALE", "id")))
    pdf.set_title(_("Sertifikat %(number)s", number=certificate.number))
    pdf.set_author(design.organisation_name)
    pdf.set_subject(certificate.course_title)
    whole = not {ord(ch) for ch in all_text} <= COVERED
    fonts = [("sans", "", "sans"), ("sans", "B", "sans-bold")]
    if design.layout == "klasik":
        fonts.append(("serif", "B", "serif-bold"))
    for family, style, key in fonts:
        pdf.add_font(family, style, str(_font_file(FONTS[key], whole=whole)))
    return pdf


def _font_file(name: str, *, whole: bool) -> Path:
    source = FONT_DIR / name
    if not source.is_file():
        raise FontsMissing(
            f"Font {source} not found: install Debian's fonts-dejavu-core "
            "(`make system-deps` or `apt-get install fonts-dejavu-core`)."
        )
    if whole:
        return source
    with _cut_lock:
        found = _cut_fonts.get(source)
        if found is None or not found.is_file():
            found = _cut_font(source)
            _cut_fonts[source] = found
        return found


def _cut_font(source: Path) -> Path:
    """The font reduced to :data:`COVERED`, made once and kept in the instance's cache."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    stat = source.stat()
    tag = hashlib.sha256(f"{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    folder = Path(current_app.instance_path) / "cache" / "fonts"
    target = folder / f"{source.stem}-latin-{tag}.ttf"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["FFTM"]
    font = TTFont(str(source), recalcTimestamp=False)
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=sorted(COVERED))
    cutter.subset(font)
    partial = folder / f".{target.name}.{os.getpid()}.{threading.get_ident()}"
    font.save(str(partial))
    os.replace(partial, target)  # atomic: another process may be writing the same font
    return target


# --- drawing ------------------------------------------------------------------------------------


def _fit(pdf: FPDF, text: str, family: str, style: str, size: float, width: float) -> None:
    """Set the font at ``size``, smaller if needed for ``text`` to fit on one line."""
    pdf.set_font(family, style, size)
    while size > 8 and pdf.get_string_width(text) > width:
        size -= 0.5
        pdf.set_font(family, style, size)


def _lines(pdf: FPDF, text: str, width: float, most: int) -> list[str]:
    """``text`` broken into lines of ``width`` (current font), at most ``most`` of them."""
    if pdf.get_string_width(text) <= width:
        return [text]
    if most == 1:
        while text and pdf.get_string_width(text + " …") > width:
            text = text[:-1]
        return [text.rstrip() + " …"]
    lines = pdf.multi_cell(width, 5, text, dry_run=True, output="LINES")
    if len(lines) > most:
        lines = [*lines[: most - 1], lines[most - 1].rstrip(" ;,") + " …"]
    return lines


def _write(
    pdf: FPDF,
    text: str,
    *,
    x: float,
    y: float,
    width: float,
    height: float,
    align: str = "C",
    most: int = 1,
) -> float:
    """Write ``text`` at (x, y) in lines of ``height``; returns the y below it."""
    if not text:
        return y
    for line in _lines(pdf, text, width, most):
        pdf.set_xy(x, y)
        pdf.cell(width, height, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y += height
    return y


@contextmanager
def _colour(pdf: FPDF, rgb: tuple[int, int, int]) -> Iterator[None]:
    pdf.set_text_color(*rgb)
    try:
        yield
    finally:
        pdf.set_text_color(*DARK)


def _image(pdf: FPDF, content: bytes | None, x: float, y: float, w: float, h: float) -> None:
    if content:
        pdf.image(io.BytesIO(content), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)


def _watermark(pdf: FPDF) -> None:
    pdf.set_font("sans", "B", 80)
    with _colour(pdf, (232, 232, 232)), pdf.rotation(20, PAGE_W / 2, PAGE_H / 2):
        pdf.set_xy(0, PAGE_H / 2 - 20)
        pdf.cell(PAGE_W, 40, _("CONTOH"), align="C")


def _body(
    pdf: FPDF,
    text: dict[str, str],
    accent: tuple[int, int, int],
    *,
    x: float,
    y: float,
    width: float,
    align: str,
    display: str,
) -> None:
    """Holder, course, JP and competencies, from ``y`` down, in ``display`` type for names."""
    pdf.set_font("sans", "", 12)
    with _colour(pdf, GREY):
        y = _write(pdf, text["given_to"], x=x, y=y, width=width, height=7, align=align)
    _fit(pdf, text["name"], display, "B", 24, width)
    y = _write(pdf, text["name"], x=x, y=y + 1, width=width, height=11, align=align)
    pdf.set_font("sans", "", 11)
    y = _write(pdf, text["nip"], x=x, y=y, width=width, height=6, align=align)
    with _colour(pdf, GREY):
        y = _write(pdf, text["for"], x=x, y=y + 4, width=width, height=6, align=align)
    pdf.set_font(display, "B", 16)
    with _colour(pdf, accent):
        y = _write(pdf, text["course"], x=x, y=y + 1, width=width, height=8, align=align, most=2)
    pdf.set_font("sans", "", 11)
    y = _write(pdf, text["jp"], x=x, y=y + 1, width=width, height=6, align=align)
    pdf.set_font("sans", "", 9)
    with _colour(pdf, GREY):
        y = _write(pdf, text["competencies"], x=x, y=y + 2, width=width, height=4.6,
                   align=align, most=3)  # fmt: skip
    if text["valid_until"]:
        pdf.set_font("sans", "B", 10)
        with _colour(pdf, accent):
            _write(pdf, text["valid_until"], x=x, y=y + 2, width=width, height=6, align=align)


def _signature(pdf: FPDF, text: dict[str, str], design: Design, *, x: float, y: float) -> None:
    """The issue date, the signer's title, signature and name, centred on a 80 mm column."""
    width = 80
    pdf.set_font("sans", "", 10)
    y = _write(pdf, text["issued"], x=x, y=y, width=width, height=5)
    y = _write(pdf, text["signer_title"], x=x, y=y, width=width, height=5, most=2)
    _image(pdf, design.signature, x + 20, y + 1, 40, 17)
    pdf.set_font("sans", "B", 10.5)
    pdf.set_xy(x, y + 19)
    pdf.cell(width, 6, text["signer_name"], align="C")
    if text["signer_name"]:
        line = min(width, pdf.get_string_width(text["signer_name"]) + 4)
        pdf.set_line_width(0.3)
        pdf.set_draw_color(*DARK)
        pdf.line(x + (width - line) / 2, y + 24.5, x + (width + line) / 2, y + 24.5)


def _qr(pdf: FPDF, png: bytes, text: dict[str, str], *, x: float, y: float, size: float) -> None:
    pdf.image(io.BytesIO(png), x=x, y=y, w=size, h=size)
    x, width = x - 15, size + 30
    pdf.set_font("sans", "", 6.5)
    y = _write(pdf, text["code_label"], x=x, y=y + size + 0.5, width=width, height=3.4)
    pdf.set_font("sans", "B", 6.5)
    y = _write(pdf, text["code"], x=x, y=y, width=width, height=3.6)
    pdf.set_font("sans", "", 6.5)
    y = _write(pdf, text["scan"], x=x, y=y, width=width, height=3.4)
    _write(pdf, text.get("verify_at", ""), x=x, y=y, width=width, height=3.4, most=2)


def _klasik(
    pdf: FPDF, text: dict[str, str], design: Design, accent: tuple[int, int, int], qr: bytes
) -> None:
    """A double frame in the accent colour, everything centred, serif display type."""
    pdf.set_draw_color(*accent)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_line_width(0.4)
    pdf.rect(11.5, 11.5, PAGE_W - 23, PAGE_H - 23)
    if design.logo:
        _image(pdf, design.logo, (PAGE_W - 44) / 2, 16, 44, 20)
    else:  # without a logo the issuer is still named: a certificate says who gives it
        pdf.set_font("sans", "B", 12)
        with _colour(pdf, DARK):
            _write(pdf, design.organisation_name, x=20, y=24, width=PAGE_W - 40, height=6)
    pdf.set_font("serif", "B", 32)
    pdf.set_char_spacing(3)
    with _colour(pdf, accent):
        _write(pdf, text["title"], x=20, y=38, width=PAGE_W - 40, height=14)
    pdf.set_char_spacing(0)
    pdf.set_font("sans", "", 10.5)
    with _colour(pdf, GREY):
        _write(pdf, text["number"], x=20, y=52, width=PAGE_W - 40, height=6)
    _body(pdf, text, accent, x=38, y=62, width=PAGE_W - 76, align="C", display="serif")
    _qr(pdf, qr, text, x=26, y=150, size=30)
    _signature(pdf, text, design, x=PAGE_W - 26 - 80, y=150)


def _modern(
    pdf: FPDF, text: dict[str, str], design: Design, accent: tuple[int, int, int], qr: bytes
) -> None:
    """A band in the accent colour with the logo and the QR code; text aligned left."""
    band = 78
    pdf.set_fill_color(*accent)
    pdf.rect(0, 0, band, PAGE_H, style="F")
    pdf.set_fill_color(*WHITE)
    if design.logo:
        pdf.rect(12, 14, band - 24, 34, style="F", round_corners=True, corner_radius=3)
        _image(pdf, design.logo, 15, 17, band - 30, 28)
    pdf.set_font("sans", "B", 10)
    with _colour(pdf, WHITE):
        _write(pdf, design.organisation_name, x=12, y=54, width=band - 24, height=5, most=4)
    pdf.rect(12, 136, band - 24, 62, style="F", round_corners=True, corner_radius=3)
    _qr(pdf, qr, text, x=(band - 40) / 2, y=140, size=40)
    left, width = band + 16, PAGE_W - band - 32
    pdf.set_font("sans", "B", 34)
    pdf.set_char_spacing(4)
    with _colour(pdf, accent):
        _write(pdf, text["title"], x=left, y=20, width=width, height=15, align="L")
    pdf.set_char_spacing(0)
    pdf.set_draw_color(*accent)
    pdf.set_line_width(1.2)
    pdf.line(left, 37, left + 40, 37)
    pdf.set_font("sans", "", 10)
    with _colour(pdf, GREY):
        _write(pdf, text["number"], x=left, y=40, width=width, height=6, align="L")
    _body(pdf, text, accent, x=left, y=54, width=width, align="L", display="sans")
    _signature(pdf, text, design, x=PAGE_W - 16 - 80, y=150)
