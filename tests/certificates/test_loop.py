"""The certification loop end to end: a demo learner completes a course (lessons and a passed
quiz) → exactly one certificate with the course's JP and the next number of the year → its PDF
opens, names the holder and carries a QR code of the verification URL → verification shows it
valid → HR revokes it → verification and API show it revoked, with the reason."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pypdf
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from lms.certificates import services
from lms.certificates.jobs import render_now
from lms.certificates.models import Certificate, CertificateSequence, RenderStatus
from lms.certificates.services import JAKARTA, ROMAN
from lms.certificates.urls import public_url
from lms.core.signals import course_completed
from lms.media.storage import local_copy

REASON = "Peserta tidak mengikuti evaluasi secara langsung."


def pdf_of(certificate: Certificate) -> pypdf.PdfReader:
    """The stored PDF, opened."""
    assert certificate.pdf_status is RenderStatus.READY, certificate.pdf_status
    with local_copy(certificate.pdf_path) as path:
        return pypdf.PdfReader(io.BytesIO(path.read_bytes()))


def qr_codes(reader: pypdf.PdfReader) -> list[str]:
    """The text of every QR code among the images of the PDF's pages."""
    found = []
    for page in reader.pages:
        for picture in page.images:
            image = Image.open(io.BytesIO(picture.data)).convert("L")
            # a quiet zone around the code, as a scanner sees it on paper
            framed = Image.new("L", (image.width + 80, image.height + 80), 255)
            framed.paste(image, (40, 40))
            found.extend(
                code.text
                for code in zxingcpp.read_barcodes(framed)
                if code.format == zxingcpp.BarcodeFormat.QRCode
            )
    return found


def certificates_of(db, enrollment) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Certificate)
        .where(Certificate.enrollment_id == enrollment.id)
    )


def test_the_certification_loop(app, client, db, certificates, courses, demo):
    learner = demo["learner"]
    assert learner.email == "pegawai.solok@lentera.test"
    solok = demo["solok"]
    year = datetime.now(JAKARTA).year
    assert (
        db.session.scalar(
            select(CertificateSequence.last).where(
                CertificateSequence.organisation_id == solok.id,
                CertificateSequence.year == year,
            )
        )
        is None
    ), "the test database already numbered Solok certificates this year"

    # the learner reads the lesson: no certificate yet
    setup = certificates.course(jp=6, competencies=[("M-PP", 2)], title="Pelayanan Prima Uji")
    enrollment = certificates.enrol(setup, learner)
    certificates.read(setup, enrollment)
    assert certificates.of(enrollment) is None
    assert enrollment.completed_at is None

    # then passes the quiz: the course is complete and exactly one certificate is issued
    certificates.pass_quiz(setup, learner)
    enrollment = courses.enrollment(setup.course, learner.employee)
    assert enrollment.completed_at is not None
    certificate = certificates.of(enrollment)
    assert certificate is not None
    month = ROMAN[certificate.issued_at.astimezone(JAKARTA).month - 1]
    assert certificate.number == f"001/SERT/BKPSDM-SLK/{month}/{year}"
    assert re.fullmatch(r"[A-Z2-7]{26}", certificate.code)
    assert certificate.jp == 6
    assert certificate.holder_name == learner.employee.name
    assert certificate.holder_nip == learner.employee.nip
    assert certificate.course_title == "Pelayanan Prima Uji"
    assert [(c["code"], c["level"]) for c in certificate.competencies] == [("M-PP", 2)]
    assert certificate.credential and certificate.credential.count(".") == 2

    # completing again (the signal twice, the service twice) never makes a second
    course_completed.send(None, enrollment=enrollment)
    assert services.issue_for(enrollment).id == certificate.id
    assert certificates_of(db, enrollment) == 1

    # the PDF opens, names the holder and its number, and its QR code leads to verification
    render_now(certificate)
    db.session.flush()
    reader = pdf_of(certificate)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert learner.employee.name in " ".join(text.split())
    assert certificate.number in text
    verify_url = public_url("certificates.verify", code=certificate.code)
    assert verify_url.endswith(f"/verify/{certificate.code}")
    assert qr_codes(reader) == [verify_url]

    # anyone with the code sees it valid
    page = client.get(f"/verify/{certificate.code}")
    assert page.status_code == 200
    assert 'data-status="valid"' in page.text
    assert certificate.number in page.text
    assert learner.employee.nip not in page.text
    api = client.get(f"/api/v1/certificates/{certificate.code}").get_json()
    assert api["status"] == "valid"
    assert (api["number"], api["jp"], api["pdf_available"]) == (certificate.number, 6, True)
    assert api["holder"]["name"] == learner.employee.name

    # HR revokes it: the page and the API say so, with the reason
    services.revoke(certificate, REASON, actor=demo["hr_solok"])
    db.session.flush()
    page = client.get(f"/verify/{certificate.code}")
    assert page.status_code == 200
    assert 'data-status="revoked"' in page.text and 'data-status="valid"' not in page.text
    assert REASON in page.text
    api = client.get(f"/api/v1/certificates/{certificate.code}").get_json()
    assert api["status"] == "revoked"
    assert api["revoked_reason"] == REASON
    assert api["revoked_at"] is not None


def test_numbers_follow_each_other_within_the_organisation(db, certificates, demo):
    first = certificates.complete(certificates.course(), demo["learner"])
    second = certificates.complete(certificates.course(), demo["learner"])
    assert int(second.number.split("/")[0]) == int(first.number.split("/")[0]) + 1
    # another organisation counts on its own
    serang = certificates.complete(certificates.course(org="SRG"), demo["learner_serang"])
    assert serang.number.startswith("001/SERT/BKPSDM-SRG/")
