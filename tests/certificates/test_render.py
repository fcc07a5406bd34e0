"""Certificate PDFs: a certificate issued by completing a course renders an A4 landscape PDF with
the holder, number, JP and competencies in its text, the fonts embedded, the organisation's
images and design, quickly and the same way every time."""

from __future__ import annotations

import io
import time

import pypdf
import pytest
from sqlalchemy import select

from lms.certificates import render, services, settings
from lms.certificates.jobs import render_now
from lms.certificates.models import Certificate, RenderStatus
from lms.media.storage import local_copy
from tests.certificates.helpers import earn, jpeg, png
from tests.fixtures.courses import text


def pdf_text(content: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def embedded_fonts(reader: pypdf.PdfReader) -> dict[str, bool]:
    """Each font of the first page and whether its file is embedded."""
    fonts = reader.pages[0]["/Resources"]["/Font"]
    found = {}
    for ref in fonts.values():
        font = ref.get_object()
        if "/DescendantFonts" in font:  # a Type0 (CID) font keeps its file in its descendant
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font["/FontDescriptor"].get_object()
        found[str(font["/BaseFont"])] = "/FontFile2" in descriptor or "/FontFile" in descriptor
    return found


def test_issued_certificate_renders_a_pdf_with_its_data(db, courses, demo):
    certificate = earn(courses, demo["learner"], jp=7, title="Kursus Pelayanan Uji Render")
    render_now(certificate)
    assert certificate.pdf_status is RenderStatus.READY
    with local_copy(certificate.pdf_path) as path:
        content = path.read_bytes()
    reader, words = pdf_text(content)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    assert certificate.holder_name in words
    assert certificate.number in words
    assert "7 jam pelajaran (JP)" in words
    assert "Kursus Pelayanan Uji Render" in words
    assert "Pelayanan Publik (level 2)" in words
    assert render.format_nip(certificate.holder_nip) in words
    assert render.group_code(certificate.code) in words
    local = certificate.completed_at.astimezone(services.JAKARTA).date()
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
              "September", "Oktober", "November", "Desember"]  # fmt: skip
    assert f"{local.day} {months[local.month - 1]} {local.year}" in words
    assert "Berlaku sampai" not in words  # the course gives no validity
    fonts = embedded_fonts(reader)
    assert fonts and all(fonts.values()), fonts
    assert any("DejaVuSans" in name for name in fonts)


def test_validity_and_signer_are_printed(db, courses, demo):
    template = services.template_for(demo["solok"].id)
    template.signer_name, template.signer_title = "Drs. Penanda Tangan, M.Si.", "Kepala BKPSDM"
    course = courses.course(org="SLK", modules=[("M", [text("Bacaan")])])
    course.certificate_months = 24
    enrollment = courses.enrol(course, demo["learner"])
    courses.complete(enrollment, *courses.lessons(course))
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    assert certificate.expires_on is not None
    _reader, words = pdf_text(render.render_pdf(certificate))
    assert "Berlaku sampai" in words
    assert str(certificate.expires_on.year) in words
    assert "Drs. Penanda Tangan, M.Si." in words
    assert "Kepala BKPSDM" in words


@pytest.mark.parametrize("layout", render.LAYOUTS)
def test_every_layout_names_the_issuer_and_the_demo_signer(db, courses, demo, layout):
    """Without a logo the organisation is still printed; the demo's head of BKPSDM signs."""
    certificate = earn(courses, demo["learner"])
    template = services.template_for(demo["solok"].id)
    assert template.logo_path is None
    assert template.signer_title == "Kepala BKPSDM Kota Solok" and template.signer_name
    template.layout = layout
    _reader, words = pdf_text(render.render_pdf(certificate))
    assert "Pemerintah Kota Solok" in words
    assert certificate.signer_name == template.signer_name
    assert template.signer_name in words and "Kepala BKPSDM Kota Solok" in words


def test_rendering_is_deterministic_and_fast(db, courses, demo):
    certificate = earn(courses, demo["learner"])
    first = render.render_pdf(certificate)
    assert render.render_pdf(certificate) == first
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        render.render_pdf(certificate)
        timings.append(time.perf_counter() - started)
    # about 0.1 s on a quiet machine; generous, as the test machine's CPU is shared
    assert min(timings) < 0.4, timings


@pytest.mark.parametrize("layout", render.LAYOUTS)
def test_layouts_use_the_accent_colour_logo_and_signature(db, courses, demo, layout):
    certificate = earn(courses, demo["learner"])
    template = services.template_for(demo["solok"].id)
    settings.update_template(
        template,
        settings.TemplateSettings(
            number_pattern=template.number_pattern,
            signer_name="Nama Penanda",
            signer_title="Kepala",
            layout=layout,
            accent="#123456",
            logo=png(),
            signature=jpeg(),
        ),
        actor=demo["hr_solok"],
    )
    content = render.render_pdf(certificate)
    reader, words = pdf_text(content)
    assert certificate.holder_name in words
    assert len(reader.pages[0].images) == 3  # logo, signature, QR code
    stream = reader.pages[0].get_contents().get_data().decode("latin-1")
    assert "0.0706 0.2039 0.3373" in stream  # #123456
    other = "modern" if layout == "klasik" else "klasik"
    template.layout = other
    assert render.render_pdf(certificate) != content


def test_a_name_beyond_latin_is_set_with_the_whole_fonts(db, courses, factory, demo):
    employee = factory.employee(demo["solok"], name="Nguyễn Thị Hồng")
    certificate = earn(courses, employee)
    reader, words = pdf_text(render.render_pdf(certificate))
    assert "Nguyễn Thị Hồng" in words
    assert all(embedded_fonts(reader).values())


def test_a_sample_is_marked_and_names_the_next_number(db, demo):
    template = services.template_for(demo["solok"].id)
    wanted = settings.TemplateSettings(
        number_pattern="{seq:04d}/UJI/{org}/{year}",
        signer_name="",
        signer_title="",
        layout="modern",
        accent="#0b5d4b",
    )
    sample = settings.sample_certificate(wanted, demo["solok"])
    content = render.render_pdf(
        sample, settings.preview_design(template, wanted, demo["solok"]), sample=True
    )
    _reader, words = pdf_text(content)
    assert "CONTOH" in words
    assert "/UJI/SLK/" in words
    assert sample not in db.session


def test_missing_fonts_fail_with_a_clear_error(db, courses, demo, monkeypatch, tmp_path):
    certificate = earn(courses, demo["learner"])
    monkeypatch.setattr(render, "FONT_DIR", tmp_path)
    with pytest.raises(render.FontsMissing, match="fonts-dejavu-core"):
        render.render_pdf(certificate)
    render_now(certificate)  # the queue task records the failure and keeps the certificate
    assert certificate.pdf_status is RenderStatus.FAILED
    assert certificate.pdf_path is None
