"""The competency editing pages: the dictionary and its CSV round trip, position standards,
assessor ratings and external training, each scoped to the organisation."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from lms.accounts.models import AuditEvent, Employee, Position, User
from lms.competencies import dictionary, ledger
from lms.competencies.models import (
    Competency,
    EvidenceSource,
    ExternalTraining,
    PositionStandard,
)
from lms.competencies.profile import LAYER_POSITION, LAYER_TYPE, profile, standard_layers
from lms.competencies.profile import dictionary as organisation_dictionary
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.courses import post_multipart

TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]+)"')
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def competency(db, organisation_id: int | None, code: str) -> Competency:
    owner = (
        Competency.organisation_id.is_(None)
        if organisation_id is None
        else Competency.organisation_id == organisation_id
    )
    db.session.expire_all()
    found = db.session.scalar(select(Competency).where(Competency.code == code, owner))
    assert found is not None, code
    return found


def row(employee: Employee, code: str):
    return next((r for r in profile(employee) if r.competency.code == code), None)


def competency_form(code: str, name: str, titles: list[str]) -> dict[str, str]:
    data = {"code": code, "name": name, "definition": "Kemampuan melayani secara digital."}
    for index, title in enumerate(titles):
        data[f"levels-{index}-title"] = title
        data[f"levels-{index}-indicators"] = f"Indikator {index + 1}a\n\n  Indikator {index + 1}b  "
    return data


def audit_actions(db, target_type: str, target_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == target_type, AuditEvent.target_id == str(target_id))
            .order_by(AuditEvent.id)
        )
    )


def login_as(db, auth, employee: Employee) -> User:
    """Log in as any demo employee (their account gets a known password)."""
    user = employee.user
    user.set_password(PASSWORD)
    db.session.flush()
    assert auth.login(employee.nip, PASSWORD).status_code == 302
    return user


# --- the dictionary -------------------------------------------------------------------------------


def test_hr_creates_and_edits_a_technical_competency(client, db, auth, demo):
    auth.login("bkpsdm.solok@lentera.test")
    assert client.get("/kamus-kompetensi/baru").status_code == 200
    titles = [f"Level {n}: memahami layanan digital" for n in range(1, 6)]
    response = auth.post(
        "/kamus-kompetensi/baru", competency_form("t-laydig", "Layanan Digital", titles)
    )
    assert response.status_code == 302, response.text
    created = competency(db, demo["solok"].id, "T-LAYDIG")
    assert (created.name, created.kind.value, created.is_active) == (
        "Layanan Digital",
        "teknis",
        True,
    )
    assert [lvl.level for lvl in created.levels] == [1, 2, 3, 4, 5]
    assert created.levels[0].indicators == ["Indikator 1a", "Indikator 1b"]
    listing = client.get("/kamus-kompetensi?jenis=teknis")
    assert "Layanan Digital" in listing.text and "Indikator 1b" in listing.text

    # edit: a new name and a new level 3; the code stays what it was
    titles[2] = "Level 3: merancang layanan digital"
    form = competency_form("T-LAIN", "Layanan Digital Pemerintah", titles)
    edit_url = f"/kamus-kompetensi/{created.id}/ubah"
    assert "Level 1: memahami" in client.get(edit_url).text
    assert auth.post(edit_url, form).status_code == 302
    edited = competency(db, demo["solok"].id, "T-LAYDIG")
    assert edited.id == created.id
    assert edited.name == "Layanan Digital Pemerintah"
    assert edited.levels[2].title == "Level 3: merancang layanan digital"
    assert audit_actions(db, "competencies", created.id) == [
        "competency.created",
        "competency.changed",
    ]

    # a level without its description is refused and nothing changes
    form["levels-4-title"] = ""
    refused = auth.post(edit_url, form)
    assert refused.status_code == 400
    assert "Wajib diisi" in refused.text

    # retiring it keeps it listed for HR, marked, and hides it from learners
    assert auth.post(f"/kamus-kompetensi/{created.id}/status", {"active": "0"}).status_code == 302
    assert competency(db, demo["solok"].id, "T-LAYDIG").is_active is False
    assert "competency.deactivated" in audit_actions(db, "competencies", created.id)
    auth.logout()
    auth.login("pegawai.solok@lentera.test")
    assert "Layanan Digital" not in client.get("/kamus-kompetensi").text
    assert client.get(edit_url).status_code == 403


def test_national_competencies_are_for_admins_only(client, db, auth, demo):
    integrity = competency(db, None, "M-INT")
    auth.login("bkpsdm.solok@lentera.test")
    assert client.get(f"/kamus-kompetensi/{integrity.id}/ubah").status_code == 403
    assert auth.post(f"/kamus-kompetensi/{integrity.id}/status", {"active": "0"}).status_code == 403
    auth.logout()
    auth.login("admin@lentera.test")
    page = client.get(f"/kamus-kompetensi/{integrity.id}/ubah")
    assert page.status_code == 200
    titles = [lvl.title for lvl in integrity.levels]
    titles[0] = "Jujur dalam pekerjaan sehari-hari."
    form = competency_form("M-INT", integrity.name, titles)
    assert auth.post(f"/kamus-kompetensi/{integrity.id}/ubah", form).status_code == 302
    changed = competency(db, None, "M-INT")
    assert changed.levels[0].title == "Jujur dalam pekerjaan sehari-hari."
    assert changed.kind.value == "manajerial"


def _export(client, url: str = "/kamus-kompetensi/ekspor") -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=dictionary.CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_csv_export_then_import_of_an_edited_file_changes_a_level(client, db, auth, demo):
    auth.login("bkpsdm.solok@lentera.test")
    rows = _export(client)
    codes = {r["kode"] for r in rows}
    assert {"M-INT", "SK-PB", "T-MPROY"} <= codes  # national and Solok's technical ones
    assert len([r for r in rows if r["kode"] == "T-MPROY"]) == 5
    for item in rows:
        if item["kode"] == "T-MPROY" and item["level"] == "2":
            item["deskripsi_level"] = "Menyusun jadwal dan anggaran proyek kecil."
            item["indikator"] = "Membuat jadwal kegiatan | Menghitung anggaran"
    preview = post_multipart(
        client, auth, "/kamus-kompetensi/impor", {"file": ("k.csv", _csv(rows))}
    )
    assert preview.status_code == 200, preview.text
    assert "diubah" in preview.text and "Impor 1 kompetensi" in preview.text
    # nothing is saved by the preview
    mproy = competency(db, demo["solok"].id, "T-MPROY")
    assert mproy.levels[1].title != "Menyusun jadwal dan anggaran proyek kecil."
    token = TOKEN_RE.search(preview.text).group(1)
    done = auth.post("/kamus-kompetensi/impor/konfirmasi", {"token": token})
    assert done.status_code == 302
    mproy = competency(db, demo["solok"].id, "T-MPROY")
    assert mproy.levels[1].title == "Menyusun jadwal dan anggaran proyek kecil."
    assert mproy.levels[1].indicators == ["Membuat jadwal kegiatan", "Menghitung anggaran"]
    assert "competency.changed" in audit_actions(db, "competencies", mproy.id)
    # Serang's T-MPROY is another competency and stays as it was
    serang = competency(db, demo["serang"].id, "T-MPROY")
    assert serang.levels[1].title != mproy.levels[1].title
    # the token is spent
    again = auth.post("/kamus-kompetensi/impor/konfirmasi", {"token": token})
    assert again.status_code == 302
    assert "tidak berlaku" in client.get("/kamus-kompetensi/impor").text


def test_a_malformed_csv_shows_its_lines_and_saves_nothing(client, db, auth, demo):
    auth.login("bkpsdm.solok@lentera.test")
    good = [
        {"kode": "T-ARSIP", "nama": "Kearsipan", "jenis": "teknis", "definisi": "",
         "level": str(n), "deskripsi_level": f"Level {n}", "indikator": "a | b"}
        for n in range(1, 6)
    ]  # fmt: skip
    bad_level = {**good[0], "kode": "T-RUSAK", "level": "7"}  # line 7
    short = [{**good[0], "kode": "T-PENDEK", "level": str(n)} for n in (1, 2, 3)]  # lines 8-10
    national = {**good[0], "kode": "M-INT", "jenis": "manajerial", "level": "1"}  # line 11
    content = _csv([*good, bad_level, *short, national])
    preview = post_multipart(client, auth, "/kamus-kompetensi/impor", {"file": ("k.csv", content)})
    assert preview.status_code == 422
    problems = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td></tr>", preview.text)
    lines = {int(line) for line, _message in problems}
    assert {7, 8, 11} <= lines, problems
    assert "Level harus angka 1 sampai 5" in preview.text
    assert "tepat lima level" in preview.text
    assert "hanya admin platform" in preview.text
    assert not TOKEN_RE.search(preview.text)  # no confirm button
    for code in ("T-ARSIP", "T-PENDEK"):
        assert not db.session.scalar(select(Competency.id).where(Competency.code == code))
    # not CSV at all
    garbage = post_multipart(
        client, auth, "/kamus-kompetensi/impor", {"file": ("k.csv", b"\xff\xfe\x00bukan csv")}
    )
    assert garbage.status_code == 422 and "UTF-8" in garbage.text


def test_an_import_that_fails_on_confirmation_saves_nothing(client, db, auth, demo):
    """Between preview and confirmation the national dictionary changed: the HR file now
    changes a national competency, so nothing of it is imported, not even its good rows."""
    auth.login("bkpsdm.solok@lentera.test")
    rows = [r for r in _export(client) if r["kode"] == "M-INT"]
    rows += [
        {**rows[0], "kode": "T-ARSIP", "nama": "Kearsipan", "jenis": "teknis", "level": str(n)}
        for n in range(1, 6)
    ]
    preview = post_multipart(
        client, auth, "/kamus-kompetensi/impor", {"file": ("k.csv", _csv(rows))}
    )
    assert preview.status_code == 200
    token = TOKEN_RE.search(preview.text).group(1)
    integrity = competency(db, None, "M-INT")
    entry = {
        "code": "M-INT",
        "name": integrity.name,
        "kind": "manajerial",
        "definition": integrity.definition,
        "level": [
            {"level": lvl.level, "title": f"{lvl.title} (revisi)", "indicators": lvl.indicators}
            for lvl in integrity.levels
        ],
    }
    dictionary.save_competency(None, integrity, entry, actor=demo["admin"])
    db.session.flush()
    response = auth.post(
        "/kamus-kompetensi/impor/konfirmasi", {"token": token}, follow_redirects=True
    )
    assert "Tidak ada yang diimpor" in response.text
    assert "Baris 2" in response.text
    assert not db.session.scalar(select(Competency.id).where(Competency.code == "T-ARSIP"))


def test_serang_hr_gets_404_on_solok_objects(client, db, auth, demo):
    solok = demo["solok"]
    learner = demo["learner"].employee
    mine = competency(db, solok.id, "T-MPROY")
    dictionary.save_competency(
        solok.id,
        None,
        {
            "code": "T-RAHASIA",
            "name": "Kompetensi Rahasia Solok",
            "kind": "teknis",
            "level": [{"level": n, "title": f"L{n}", "indicators": []} for n in range(1, 6)],
        },
        actor=demo["hr_solok"],
    )
    training = ledger.record_external(
        learner,
        title="Diklat Solok",
        provider="BPSDM",
        jp=8,
        completed_on=date.today(),
        certificate=("s.pdf", io.BytesIO(PDF)),
        competency=None,
        level=None,
        expires_on=None,
        actor=demo["hr_solok"],
    )
    db.session.flush()
    auth.login("bkpsdm.serang@lentera.test")
    for url in (
        f"/kamus-kompetensi/{mine.id}/ubah",
        f"/standar-kompetensi/jabatan/{learner.position_id}",
        f"/kompetensi/pegawai/{learner.nip}/penilaian",
        f"/kompetensi/pegawai/{learner.nip}/pelatihan-eksternal",
        f"/kompetensi/pegawai/{learner.nip}/pelatihan-eksternal/{training.id}/sertifikat",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert learner.name not in response.text
    posted = auth.post(f"/kamus-kompetensi/{mine.id}/status", {"active": "0"})
    assert posted.status_code == 404
    assert auth.post(f"/standar-kompetensi/jabatan/{learner.position_id}", {}).status_code == 404
    assert competency(db, solok.id, "T-MPROY").is_active
    listing = client.get("/kamus-kompetensi").text + client.get("/kamus-kompetensi/ekspor").text
    assert "Kompetensi Rahasia Solok" not in listing


# --- standards ------------------------------------------------------------------------------------


def _position_form(db, position: Position, changes: dict[int, str]) -> dict[str, str]:
    own = dict(
        db.session.execute(
            select(PositionStandard.competency_id, PositionStandard.level).where(
                PositionStandard.position_id == position.id
            )
        ).all()
    )
    data = {}
    for item in organisation_dictionary(position.organisation_id):
        data[f"level-{item.id}"] = str(own[item.id]) if item.id in own else ""
    data.update({f"level-{cid}": value for cid, value in changes.items()})
    return data


def test_a_position_standard_changes_the_learners_required_level(client, db, auth, demo):
    learner = demo["learner"].employee
    position = learner.position
    mproy = competency(db, demo["solok"].id, "T-MPROY")
    assert row(learner, "T-MPROY").required == 3
    auth.login("bkpsdm.solok@lentera.test")
    page = client.get(f"/standar-kompetensi/jabatan/{position.id}")
    assert page.status_code == 200 and "standar jabatan ini" in page.text
    response = auth.post(
        f"/standar-kompetensi/jabatan/{position.id}", _position_form(db, position, {mproy.id: "4"})
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (row(learner, "T-MPROY").required, row(learner, "T-MPROY").gap) == (4, 3)
    layers = standard_layers(
        position.organisation_id, position.position_type, "ahli_pertama", [mproy],
        position_id=position.id,
    )  # fmt: skip
    assert layers[mproy.id] == (4, LAYER_POSITION)
    assert "position.standard_changed" in audit_actions(db, "positions", position.id)
    # back to the defaults: no type default for it, so it is no longer required
    auth.post(
        f"/standar-kompetensi/jabatan/{position.id}", _position_form(db, position, {mproy.id: ""})
    )
    db.session.expire_all()
    assert row(learner, "T-MPROY").required == 0
    # a malformed level is refused
    bad = auth.post(
        f"/standar-kompetensi/jabatan/{position.id}", _position_form(db, position, {mproy.id: "9"})
    )
    assert bad.status_code == 400


def test_a_type_default_changes_every_position_of_that_type(client, db, auth, demo):
    learner = demo["learner"].employee
    communication = competency(db, None, "M-KOM")
    before = row(learner, "M-KOM").required
    auth.login("bkpsdm.solok@lentera.test")
    url = "/standar-kompetensi?tipe=fungsional.ahli_pertama"
    page = client.get(url)
    assert page.status_code == 200
    data = {
        f"level-{item.id}": re.search(
            rf'name="level-{item.id}" value="(\d)" checked', page.text
        ).group(1)
        for item in organisation_dictionary(demo["solok"].id)
    }
    data[f"level-{communication.id}"] = str(before + 1)
    assert auth.post(url, data).status_code == 302
    db.session.expire_all()
    assert row(learner, "M-KOM").required == before + 1
    layers = standard_layers(
        demo["solok"].id, learner.position.position_type, "ahli_pertama", [communication]
    )
    assert layers[communication.id] == (before + 1, LAYER_TYPE)
    # Serang's default is untouched
    serang = demo["learner_serang"].employee
    assert row(serang, "M-KOM").required == before
    assert client.get("/standar-kompetensi?tipe=bukan.ini").status_code == 400


# --- assessor ratings -----------------------------------------------------------------------------


def test_the_direct_supervisor_rates_and_the_current_level_changes(client, db, auth, demo):
    learner = demo["learner"].employee
    mproy = competency(db, demo["solok"].id, "T-MPROY")
    assert row(learner, "T-MPROY").current == 1
    auth.login("atasan.solok@lentera.test")
    url = f"/kompetensi/pegawai/{learner.nip}/penilaian"
    page = client.get(url + "?kompetensi=T-MPROY")
    assert page.status_code == 200 and learner.name in page.text
    response = auth.post(
        url,
        {
            "competency_id": mproy.id,
            "level": "4",
            "observed_on": date.today().isoformat(),
            "note": "Memimpin proyek vaksinasi dengan jadwal dan anggaran yang tepat.",
        },
        follow_redirects=True,
    )
    assert "Level Manajemen Proyek saat ini: 4" in response.text
    current = row(learner, "T-MPROY")
    assert current.current == 4
    rating = next(
        e for e in current.evidence if e.source is EvidenceSource.ASSESSOR and e.level == 4
    )
    assert rating.recorded_by_id == demo["supervisor"].id
    assert "competency.rated" in audit_actions(db, "employees", learner.id)
    # a rating in the future is refused with the service's reason
    future = auth.post(
        url,
        {
            "competency_id": mproy.id,
            "level": "5",
            "observed_on": (date.today() + timedelta(days=2)).isoformat(),
            "note": "Terlalu dini.",
        },
    )
    assert future.status_code == 400 and "masa depan" in future.text
    assert row(learner, "T-MPROY").current == 4


def test_a_colleague_and_the_learner_cannot_rate(client, db, auth, demo):
    learner = demo["learner"].employee
    mproy = competency(db, demo["solok"].id, "T-MPROY")
    colleague = db.session.scalar(
        select(Employee).where(
            Employee.supervisor_id == learner.supervisor_id, Employee.id != learner.id
        )
    )
    url = f"/kompetensi/pegawai/{learner.nip}/penilaian"
    data = {
        "competency_id": mproy.id,
        "level": "5",
        "observed_on": date.today().isoformat(),
        "note": "Penilaian yang tidak berhak.",
    }
    for who in (colleague, learner):
        login_as(db, auth, who)
        assert client.get(url).status_code == 404
        assert auth.post(url, data).status_code == 404
        auth.logout()
    assert row(learner, "T-MPROY").current == 1
    # HR of the organisation may rate
    auth.login("bkpsdm.solok@lentera.test")
    assert auth.post(url, data).status_code == 302
    assert row(learner, "T-MPROY").current == 5


# --- external training ----------------------------------------------------------------------------


def test_external_training_with_a_pdf_certificate_counts_in_the_ledger(client, db, auth, demo):
    learner = demo["learner"].employee
    kespol = competency(db, demo["solok"].id, "T-KESPOL")
    auth.login("bkpsdm.solok@lentera.test")
    url = f"/kompetensi/pegawai/{learner.nip}/pelatihan-eksternal"
    assert client.get(url).status_code == 200
    done = date.today() - timedelta(days=1)
    fields = {
        "title": "Pelatihan Kebijakan Kesehatan Daerah",
        "provider": "BPSDM Provinsi Sumatera Barat",
        "jp": "24",
        "completed_on": done.isoformat(),
        "certificate": ("sertifikat kebijakan.pdf", PDF),
        "competency_id": str(kespol.id),
        "level": "3",
        "expires_on": "",
    }
    response = post_multipart(client, auth, url, fields)
    assert response.status_code == 302, response.text
    items, earned = ledger.ledger(learner, done.year)
    assert any(i.title == "Pelatihan Kebijakan Kesehatan Daerah" and i.jp == 24 for i in items)
    assert earned >= 24
    assert row(learner, "T-KESPOL").current == 3
    training = db.session.scalar(
        select(ExternalTraining).where(ExternalTraining.title == fields["title"])
    )
    page = client.get(url)
    link = f"{url}/{training.id}/sertifikat"
    assert link in page.text
    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    # the employee opens their own certificate; their supervisor does not
    auth.logout()
    auth.login("pegawai.solok@lentera.test")
    own = client.get(link)
    assert own.status_code == 200
    own.close()
    assert client.get(url).status_code == 403  # recording is HR's
    auth.logout()
    auth.login("atasan.solok@lentera.test")
    assert client.get(link).status_code == 403


def test_a_certificate_that_is_not_a_pdf_or_image_is_refused(client, db, auth, demo):
    learner = demo["learner"].employee
    auth.login("bkpsdm.solok@lentera.test")
    url = f"/kompetensi/pegawai/{learner.nip}/pelatihan-eksternal"
    fields = {
        "title": "Seminar Tanpa Sertifikat Sah",
        "provider": "",
        "jp": "4",
        "completed_on": date.today().isoformat(),
        "certificate": ("sertifikat.pdf", b"MZ\x90\x00 bukan pdf"),
        "competency_id": "",
        "level": "",
        "expires_on": "",
    }
    response = post_multipart(client, auth, url, fields)
    assert response.status_code == 400
    assert "Sertifikat harus PDF atau gambar (PNG, JPEG, WebP)." in response.text
    assert not db.session.scalar(
        select(ExternalTraining.id).where(ExternalTraining.title == fields["title"])
    )


def _technical(code: str) -> dict:
    return {
        "code": code,
        "name": f"Kompetensi {code}",
        "kind": "teknis",
        "level": [{"level": n, "title": f"L{n}", "indicators": ["x"]} for n in range(1, 6)],
    }


def test_the_dictionary_page_costs_the_same_with_more_competencies(
    client, db, auth, demo, count_queries
):
    auth.login("bkpsdm.solok@lentera.test")
    client.get("/kamus-kompetensi")
    with count_queries() as before:
        assert client.get("/kamus-kompetensi").status_code == 200
    for code in ("T-Q1", "T-Q2", "T-Q3"):
        dictionary.save_competency(demo["solok"].id, None, _technical(code), actor=demo["hr_solok"])
    db.session.flush()
    with count_queries() as after:
        page = client.get("/kamus-kompetensi")
    assert "Kompetensi T-Q3" in page.text
    assert after.count == before.count <= 6, after.statements
