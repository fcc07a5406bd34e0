"""The certification record: template settings, the learner's certificates and PDFs, HR's
registry with filters and exports, revocation and reissue with their history, recertification,
and the daily notice of coming expiries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pypdf
from openpyxl import load_workbook
from sqlalchemy import func, select

from lms.accounts.models import AuditEvent
from lms.certificates import registry, services
from lms.certificates.jobs import notice_expiring, render_now
from lms.certificates.models import Certificate, CertificateStatus, CertificateTemplate
from lms.certificates.verification import today
from lms.competencies import ledger
from lms.courses.models import Enrollment
from tests.certificates.helpers import earn, jpeg, png
from tests.fixtures.courses import PDF_BYTES, post_multipart

HR_SOLOK = "bkpsdm.solok@lentera.test"
HR_SERANG = "bkpsdm.serang@lentera.test"
LEARNER = "pegawai.solok@lentera.test"


def login(auth, who: str) -> None:
    assert auth.login(who).status_code == 302


def audits(db, action: str, target_id: int | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if target_id is not None:
        query = query.where(AuditEvent.target_id == str(target_id))
    return db.session.scalar(query)


def external(db, employee, hr, title: str, *, completed_on: date | None = None,
             expires_on: date | None = None):  # fmt: skip
    """An external training HR records with its certificate file."""
    training = ledger.record_external(
        employee,
        title=title,
        provider="BPSDM Provinsi Uji",
        jp=8,
        completed_on=completed_on or date.today(),
        certificate=("sertifikat-luar.pdf", io.BytesIO(PDF_BYTES)),
        competency=None,
        level=None,
        expires_on=expires_on,
        actor=hr,
    )
    db.session.flush()
    return training


def file_of(training) -> str:
    """The certificate file of an external training (a route of the competency pages)."""
    nip = training.employee.nip
    return f"/kompetensi/pegawai/{nip}/pelatihan-eksternal/{training.id}/sertifikat"


# --- the template ---------------------------------------------------------------------------------

GOOD = {
    "number_pattern": "{seq:03d}/SERT/BKPSDM-{org}/{month_roman}/{year}",
    "signer_name": "Drs. Kepala Uji, M.Si.",
    "signer_title": "Kepala BKPSDM Kota Solok",
    "layout": "modern",
    "accent": "#1a2b3c",
}


def test_template_settings_refuse_bad_values(client, db, auth, demo):
    login(auth, HR_SOLOK)
    page = client.get("/sertifikat/templat")
    assert page.status_code == 200
    assert "Nomor berikutnya:" in page.text
    for change, message in (
        ({"number_pattern": "SERT/{org}/{year}"}, "harus memuat {seq}"),
        ({"number_pattern": "{seq:03d}/{bulan}"}, "Pola nomor tidak valid"),
        ({"accent": "hijau"}, "#rrggbb"),
        ({"accent": "#12345g"}, "#rrggbb"),
        ({"layout": "mewah"}, ""),
        ({"signature": ("ttd.png", PDF_BYTES)}, "PNG atau JPEG"),
        ({"signature": ("ttd.png", b"\x89PNG\r\n\x1a\nrusak")}, "tidak dapat dibaca"),
        ({"logo": ("logo.gif", b"GIF89a" + b"\x00" * 20)}, "PNG atau JPEG"),
        ({"logo": ("besar.png", png(4100, 10))}, "4000"),
    ):
        response = post_multipart(client, auth, "/sertifikat/templat", {**GOOD, **change})
        assert response.status_code == 400, change
        assert message in response.text, change
    template = db.session.scalar(
        select(CertificateTemplate).where(CertificateTemplate.organisation_id == demo["solok"].id)
    )
    assert template is None or (template.accent, template.signature_path) != ("hijau", None)
    assert template is None or "{seq" in template.number_pattern
    assert audits(db, "certificate.template_updated") == 0


def test_template_settings_save_images_and_preview_without_saving(client, db, auth, demo):
    login(auth, HR_SOLOK)
    response = post_multipart(
        client,
        auth,
        "/sertifikat/templat",
        {**GOOD, "signature": ("ttd.jpg", jpeg()), "logo": ("logo.png", png())},
    )
    assert response.status_code == 302
    db.session.expire_all()
    template = services.template_for(demo["solok"].id)
    assert template.layout == "modern" and template.accent == "#1a2b3c"
    assert template.signer_name == "Drs. Kepala Uji, M.Si."
    assert template.signature_path.endswith(".jpg") and template.logo_path.endswith(".png")
    assert audits(db, "certificate.template_updated", template.id) == 1
    assert "/SERT/BKPSDM-SLK/" in client.get("/sertifikat/templat").text

    preview = post_multipart(
        client, auth, "/sertifikat/templat", {**GOOD, "accent": "#ff0000", "pratinjau": "1"}
    )
    assert preview.status_code == 200
    assert preview.mimetype == "application/pdf"
    assert preview.data.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(preview.data)).pages[0].extract_text()
    assert "CONTOH" in text and "Drs. Kepala Uji, M.Si." in text
    db.session.expire_all()
    assert services.template_for(demo["solok"].id).accent == "#1a2b3c"  # not saved
    assert audits(db, "certificate.template_updated", template.id) == 1


def test_template_settings_are_for_hr_and_admins(client, db, auth):
    login(auth, LEARNER)
    assert client.get("/sertifikat/templat").status_code == 403
    assert client.get("/sertifikat/registri").status_code == 403
    assert client.get("/sertifikat/registri/ekspor.csv").status_code == 403


# --- the learner ----------------------------------------------------------------------------------


def test_learner_sees_own_certificates_and_no_one_elses_pdf(client, db, auth, courses, demo,
                                                            factory):  # fmt: skip
    mine = earn(courses, demo["learner"], title="Kursus Catatan Saya")
    colleague = factory.employee(demo["solok"], name="Rekan Kerja Uji")
    factory.user(colleague)
    theirs = earn(courses, colleague, title="Kursus Milik Rekan")
    training = external(db, demo["learner"].employee, demo["hr_solok"], "Pelatihan Luar Saya")
    login(auth, LEARNER)

    page = client.get("/sertifikat")
    assert page.status_code == 200
    assert "Kursus Catatan Saya" in page.text and mine.number in page.text
    assert "Kursus Milik Rekan" not in page.text
    assert "Pelatihan Luar Saya" in page.text
    assert f"/verify/{mine.code}" in page.text

    pending = client.get(f"/sertifikat/{mine.id}/pdf")
    assert pending.status_code == 202
    assert "sedang dibuat" in pending.text
    render_now(mine)
    render_now(theirs)
    db.session.flush()
    ready = client.get(f"/sertifikat/{mine.id}/pdf")
    assert ready.status_code == 200
    assert ready.mimetype == "application/pdf" and ready.data.startswith(b"%PDF")
    ready.close()
    refused = client.get(f"/sertifikat/{theirs.id}/pdf")
    assert refused.status_code == 404
    assert "Rekan Kerja Uji" not in refused.text

    file_url = file_of(training)
    assert file_url in page.text
    own_file = client.get(file_url)
    assert own_file.status_code == 200 and own_file.data == PDF_BYTES
    own_file.close()
    auth.logout()

    login(auth, HR_SOLOK)  # HR of the holder's organisation opens both
    for certificate in (mine, theirs):
        response = client.get(f"/sertifikat/{certificate.id}/pdf")
        assert response.status_code == 200
        response.close()
    auth.logout()
    login(auth, HR_SERANG)
    assert client.get(f"/sertifikat/{mine.id}/pdf").status_code == 404
    assert client.get(file_url).status_code == 404


def test_a_failed_pdf_is_rendered_again(client, db, auth, courses, demo, monkeypatch, tmp_path):
    from lms.certificates import render

    certificate = earn(courses, demo["learner"])
    monkeypatch.setattr(render, "FONT_DIR", tmp_path)
    render_now(certificate)
    assert certificate.pdf_status.value == "failed"
    db.session.flush()
    login(auth, LEARNER)
    response = client.get(f"/sertifikat/{certificate.id}/pdf")
    assert response.status_code == 202
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).pdf_status.value == "pending"


# --- HR's registry --------------------------------------------------------------------------------


def registry_names(response) -> set[str]:
    assert response.status_code == 200
    return {name for name in NAMES if name in response.text}


NAMES = ("Pemegang Dinkes Uji", "Pemegang Puskesmas Uji", "Pemegang Unit Lain Uji")


def registry_setup(db, courses, factory, demo) -> dict:
    solok = demo["solok"]
    dinkes = courses.unit("SLK", "DINKES")
    sub = factory.unit(solok, "Puskesmas Registri Uji", parent=dinkes)
    elsewhere = factory.unit(solok, "Dinas Registri Lain")
    people = {
        "dinkes": factory.employee(solok, name=NAMES[0], unit=dinkes),
        "sub": factory.employee(solok, name=NAMES[1], unit=sub),
        "other": factory.employee(solok, name=NAMES[2], unit=elsewhere),
    }
    course_a = earn(courses, people["dinkes"], title="Registri Kursus A").course
    enrollment = courses.enrol(course_a, people["sub"])
    courses.complete(enrollment, *courses.lessons(course_a))
    sub_certificate = db.session.scalar(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    sub_certificate.expires_on = today() + timedelta(days=30)
    other_certificate = earn(courses, people["other"], title="Registri Kursus B")
    other_certificate.issued_at = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    training = external(db, people["other"], demo["hr_solok"], "Pelatihan Luar Registri",
                        completed_on=date(2025, 6, 1))  # fmt: skip
    db.session.flush()
    return {"course_a": course_a, "dinkes_unit": dinkes, "other_certificate": other_certificate,
            "training": training,
            "sub_certificate": sub_certificate, **people}  # fmt: skip


def test_registry_filters(client, db, auth, courses, factory, demo):
    setup = registry_setup(db, courses, factory, demo)
    services.revoke(setup["other_certificate"], "Data peserta tidak sah.", actor=demo["hr_solok"])
    db.session.flush()
    login(auth, HR_SOLOK)

    everything = client.get("/sertifikat/registri")
    assert registry_names(everything) == set(NAMES)
    assert "Pelatihan Luar Registri" in everything.text and "Eksternal" in everything.text

    url = "/sertifikat/registri?"
    assert registry_names(client.get(f"{url}kursus={setup['course_a'].id}")) == set(NAMES[:2])
    by_course = client.get(f"{url}kursus={setup['course_a'].id}")
    assert "Pelatihan Luar Registri" not in by_course.text
    assert registry_names(client.get(f"{url}unit={setup['dinkes_unit'].id}")) == set(NAMES[:2])
    assert registry_names(client.get(f"{url}status=expiring")) == {NAMES[1]}
    assert registry_names(client.get(f"{url}status=revoked")) == {NAMES[2]}
    revoked = client.get(f"{url}status=revoked")
    assert "Pelatihan Luar Registri" not in revoked.text
    period = client.get(f"{url}dari=2025-03-01&sampai=2025-03-31")
    assert registry_names(period) == {NAMES[2]}
    assert "Pelatihan Luar Registri" not in period.text
    june = client.get(f"{url}dari=2025-06-01&sampai=2025-06-01")
    assert "Pelatihan Luar Registri" in june.text and registry_names(june) == {NAMES[2]}
    # junk in the query string is ignored, never an error
    junk = client.get(f"{url}kursus=x&unit=99999999999999999999&dari=kemarin&status=semua&page=-3")
    assert registry_names(junk) == set(NAMES)


def test_registry_counts_on_the_page(client, db, auth, courses, factory, demo):
    registry_setup(db, courses, factory, demo)
    counts = registry.state_counts(demo["solok"].id, today())
    assert counts["expiring"] >= 1 and counts["valid"] >= 4  # 3 certificates and 1 external
    login(auth, HR_SOLOK)
    page = client.get("/sertifikat/registri")
    assert f'data-count="expiring">{counts["expiring"]}<' in page.text


def test_registry_exports_xlsx_and_csv(client, db, auth, courses, factory, demo):
    setup = registry_setup(db, courses, factory, demo)
    login(auth, HR_SOLOK)
    # buffered: the test client reads the streamed body while the request is still open
    response = client.get(
        f"/sertifikat/registri/ekspor.csv?unit={setup['dinkes_unit'].id}", buffered=True
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Jenis", "Nomor", "Nama", "NIP"]
    ours = {row[2]: row for row in body if row[2] in NAMES}
    assert set(ours) == set(NAMES[:2])
    row = ours[NAMES[1]]
    assert row[0] == "Lentera"
    assert row[1] == setup["sub_certificate"].number
    assert row[3] == setup["sub"].nip
    assert row[5] == "Registri Kursus A"
    assert row[10] == "Akan kedaluwarsa"
    assert row[11].endswith(f"/verify/{setup['sub_certificate'].code}")

    response = client.get("/sertifikat/registri/ekspor.xlsx", buffered=True)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    sheet = workbook.worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    assert values[0] == registry.export_headers()
    names = {row[2] for row in values[1:]}
    assert set(NAMES) <= names
    externals = [row for row in values[1:] if row[5] == "Pelatihan Luar Registri"]
    assert len(externals) == 1
    assert externals[0][0] == "Eksternal" and externals[0][1] in (None, "")
    assert externals[0][7] == 8

    filtered = client.get(
        f"/sertifikat/registri/ekspor.xlsx?kursus={setup['course_a'].id}", buffered=True
    )
    workbook = load_workbook(io.BytesIO(filtered.data), read_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)][1:]
    workbook.close()
    assert {row[2] for row in rows} == set(NAMES[:2])


def test_serang_hr_sees_nothing_of_solok(client, db, auth, courses, demo):
    certificate = earn(courses, demo["learner"], title="Kursus Rahasia Registri")
    render_now(certificate)
    training = external(db, demo["learner"].employee, demo["hr_solok"], "Pelatihan Luar Rahasia")
    db.session.flush()
    name = demo["learner"].employee.name
    login(auth, HR_SERANG)
    for url in ("/sertifikat/registri", "/sertifikat/registri/ekspor.csv",
                f"/sertifikat/registri?unit={demo['learner'].employee.unit_id}"):  # fmt: skip
        response = client.get(url, buffered=True)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert name not in body and "Kursus Rahasia Registri" not in body
        assert "Pelatihan Luar Rahasia" not in body
    for url in (f"/sertifikat/registri/{certificate.id}", f"/sertifikat/{certificate.id}/pdf",
                file_of(training)):  # fmt: skip
        assert client.get(url).status_code == 404
    for url in (f"/sertifikat/registri/{certificate.id}/cabut",
                f"/sertifikat/registri/{certificate.id}/terbitkan-ulang"):  # fmt: skip
        response = auth.post(url, {"reason": "x", "confirm": "y", "holder_name": "Diretas"})
        assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status is CertificateStatus.VALID


# --- revocation and reissue -----------------------------------------------------------------------


def test_revoke_and_reissue_keep_the_number_history(client, db, auth, courses, demo):
    certificate = earn(courses, demo["learner"], title="Kursus Riwayat Nomor")
    login(auth, HR_SOLOK)
    detail = client.get(f"/sertifikat/registri/{certificate.id}")
    assert detail.status_code == 200 and certificate.number in detail.text

    response = auth.post(f"/sertifikat/registri/{certificate.id}/terbitkan-ulang",
                         {"holder_name": "Nama Pemegang Diperbaiki"})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    copy = db.session.scalar(select(Certificate).where(Certificate.replaces_id == certificate.id))
    assert urlsplit(response.headers["Location"]).path == f"/sertifikat/registri/{copy.id}"
    old = db.session.get(Certificate, certificate.id)
    assert old.status is CertificateStatus.REPLACED
    assert copy.number == old.number and copy.code != old.code
    assert copy.holder_name == "Nama Pemegang Diperbaiki" and copy.reissue == 1
    assert audits(db, "certificate.reissued", copy.id) == 1

    history = client.get(f"/sertifikat/registri/{copy.id}")
    assert f'data-history="{old.id}"' in history.text
    assert f'data-history="{copy.id}"' in history.text
    assert old.code in history.text and copy.code in history.text
    # the registry lists the current issue only
    listed = client.get(f"/sertifikat/registri?kursus={copy.course_id}")
    assert f'data-id="{copy.id}"' in listed.text and f'data-id="{old.id}"' not in listed.text

    url = f"/sertifikat/registri/{copy.id}/cabut"
    assert auth.post(url, {"reason": "", "confirm": "y"}).status_code == 400
    assert auth.post(url, {"reason": "Peserta tidak hadir."}).status_code == 400  # no confirm
    db.session.expire_all()
    assert db.session.get(Certificate, copy.id).status is CertificateStatus.VALID
    response = auth.post(url, {"reason": "Peserta tidak hadir.", "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    revoked = db.session.get(Certificate, copy.id)
    assert revoked.status is CertificateStatus.REVOKED
    assert revoked.revoked_reason == "Peserta tidak hadir."
    assert revoked.revoked_by_id == demo["hr_solok"].id
    assert audits(db, "certificate.revoked", copy.id) == 1
    # a revoked certificate can be neither revoked again nor reissued
    assert auth.post(url, {"reason": "Lagi.", "confirm": "y"}).status_code == 400
    again = auth.post(f"/sertifikat/registri/{copy.id}/terbitkan-ulang", {"holder_name": "X"})
    assert again.status_code == 400
    assert services.history(revoked) == [revoked, old]


def test_only_the_issuer_revokes(client, db, auth, courses, demo):
    """A Sawahlunto course taken by a Solok employee: Solok's HR sees it, Sawahlunto revokes."""
    certificate = earn(courses, demo["learner"], org="SWL", title="Kursus Sawahlunto Terbuka")
    assert certificate.organisation_id == demo["sawahlunto"].id
    login(auth, HR_SOLOK)
    detail = client.get(f"/sertifikat/registri/{certificate.id}")
    assert detail.status_code == 200
    assert "Hanya BKPSDM instansi penerbit" in detail.text
    response = auth.post(f"/sertifikat/registri/{certificate.id}/cabut",
                         {"reason": "Tidak berhak.", "confirm": "y"})  # fmt: skip
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status is CertificateStatus.VALID


# --- recertification ------------------------------------------------------------------------------


def test_recertify_starts_a_new_cycle_and_keeps_the_history(client, db, auth, courses, demo):
    first = earn(courses, demo["learner"], title="Kursus Sertifikasi Ulang")
    course = first.course
    login(auth, LEARNER)
    # a valid certificate far from expiry is not renewed
    assert auth.post(f"/sertifikat/{first.id}/sertifikasi-ulang").status_code == 302
    db.session.expire_all()
    assert db.session.get(Enrollment, first.enrollment_id).cycle == 1

    first = db.session.get(Certificate, first.id)
    first.expires_on = today() - timedelta(days=1)
    db.session.flush()
    page = client.get("/sertifikat")
    assert "Sertifikasi ulang" in page.text
    response = auth.post(f"/sertifikat/{first.id}/sertifikasi-ulang")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/kursus/{course.code}"
    db.session.expire_all()
    enrollment = db.session.get(Enrollment, first.enrollment_id)
    assert enrollment.cycle == 2 and enrollment.completed_at is None

    courses.complete(enrollment, *courses.lessons(course))
    issued = db.session.scalars(
        select(Certificate)
        .where(Certificate.enrollment_id == enrollment.id)
        .order_by(Certificate.id)
    ).all()
    assert len(issued) == 2
    old, new = issued
    assert old.id == first.id and old.status is CertificateStatus.VALID
    assert new.number != old.number and new.completion_key != old.completion_key
    page = client.get("/sertifikat")
    assert f'data-certificate="{old.id}"' in page.text
    assert f'data-certificate="{new.id}"' in page.text
    # the old certificate belongs to a finished cycle: it cannot start another one
    assert auth.post(f"/sertifikat/{old.id}/sertifikasi-ulang").status_code == 302
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).cycle == 2


def test_only_the_holder_recertifies(client, db, auth, courses, demo):
    certificate = earn(courses, demo["learner"])
    certificate.expires_on = today() - timedelta(days=3)
    db.session.flush()
    login(auth, HR_SOLOK)
    assert auth.post(f"/sertifikat/{certificate.id}/sertifikasi-ulang").status_code == 404
    db.session.expire_all()
    assert db.session.get(Enrollment, certificate.enrollment_id).cycle == 1


# --- expiry notices -------------------------------------------------------------------------------


def test_expiry_job_marks_and_audits_once(client, db, auth, courses, demo):
    day = today()
    soon = earn(courses, demo["learner"], title="Kursus Segera Kedaluwarsa")
    later = earn(courses, demo["learner"])
    past = earn(courses, demo["learner"])
    revoked = earn(courses, demo["learner"])
    soon.expires_on = day + timedelta(days=30)
    later.expires_on = day + timedelta(days=90)
    past.expires_on = day - timedelta(days=1)
    revoked.expires_on = day + timedelta(days=10)
    services.revoke(revoked, "Dicabut untuk uji.", actor=demo["hr_solok"])
    db.session.flush()

    assert notice_expiring(day) == 1
    db.session.expire_all()
    assert db.session.get(Certificate, soon.id).expiry_notified_at is not None
    for other in (later, past, revoked):
        assert db.session.get(Certificate, other.id).expiry_notified_at is None
    assert audits(db, "certificate.expiring", soon.id) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.expiring"))
    assert event.organisation_id == demo["solok"].id
    assert event.data["number"] == soon.number
    assert notice_expiring(day) == 0
    assert audits(db, "certificate.expiring") == 1

    login(auth, LEARNER)
    page = client.get("/sertifikat")
    assert f'data-expiring="{soon.id}"' in page.text
    assert "akan kedaluwarsa" in page.text.lower()
    assert f'data-expiring="{later.id}"' not in page.text


def test_record_and_registry_pages_take_a_fixed_number_of_queries(
    client, db, auth, courses, demo, count_queries
):
    def queries(url: str) -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    def more(expires_in: int, title: str) -> None:
        for _ in range(2):
            earn(courses, demo["learner"]).expires_on = today() + timedelta(days=expires_in)
        external(db, demo["learner"].employee, demo["hr_solok"], title)
        db.session.flush()

    more(-1, "Pelatihan Luar Hitung")
    login(auth, LEARNER)
    before = queries("/sertifikat")
    more(5, "Pelatihan Luar Hitung Lagi")
    assert queries("/sertifikat") == before
    auth.logout()
    login(auth, HR_SOLOK)
    before = queries("/sertifikat/registri")
    more(400, "Pelatihan Luar Hitung Ketiga")
    assert queries("/sertifikat/registri") == before
