"""Employee import: preview lists every bad row and writes nothing; confirm writes the good rows.

The files are built inside the tests (CSV text, XLSX through openpyxl); NIPs of new people use
birth days 29 to 31, which the demo data never uses, so they cannot collide with demo records.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from html import unescape
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from lms.accounts import importing
from lms.accounts.models import AuditEvent, Employee, EmployeeType, Role, User
from tests.fixtures.accounts import PASSWORD

HR_SOLOK = "bkpsdm.solok@lentera.test"
HR_SERANG = "bkpsdm.serang@lentera.test"
LEARNER_SOLOK = "pegawai.solok@lentera.test"
HEADER = ["NIP", "nama", "email", "unit", "jabatan", "golongan", "NIP atasan"]

ERROR_ROW = re.compile(r"<tr><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>")
CONFIRM_ACTION = re.compile(r'action="(/hr/impor/[A-Za-z0-9_-]+)"')


def nip(seq: int, sex: str = "1") -> str:
    """A valid PNS NIP no demo employee has (born 31 January 1991, TMT CPNS March 2015)."""
    return f"199101312015031{seq:03d}" if sex == "1" else f"199101312015032{seq:03d}"


def pppk_nip(seq: int) -> str:
    """A valid PPPK NIP: birth date, appointment year 2022, type code 21, sex, sequence."""
    return f"198805292022212{seq:03d}"


def to_csv(rows: list[list[Any]], delimiter: str = ",", header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(auth: Any, content: bytes, filename: str = "pegawai.csv") -> Any:
    return auth.post(
        "/hr/impor",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def page_errors(html: str) -> list[tuple[int, str, str]]:
    """The preview's error table: (line, column, message) per problem."""
    return [(int(line), unescape(col), unescape(msg)) for line, col, msg in ERROR_ROW.findall(html)]


def page_counts(html: str) -> dict[str, int]:
    labels = {
        "create": "Pegawai baru",
        "update": "Diperbarui",
        "unchanged": "Tidak berubah",
        "error_rows": "Baris bermasalah (akan dilewati)",
    }
    result = {}
    for key, label in labels.items():
        match = re.search(re.escape(label) + r": (\d+)</li>", html)
        assert match, f"count {label!r} missing from the preview"
        result[key] = int(match.group(1))
    return result


def confirm_url(html: str) -> str:
    match = CONFIRM_ACTION.search(html)
    assert match, "the preview has no confirm form"
    return match.group(1)


def snapshot(db: Any) -> tuple[int, int, int]:
    """Employees, users and import audit events: what an import would change."""
    session = db.session
    return (
        session.scalar(select(func.count()).select_from(Employee)),
        session.scalar(select(func.count()).select_from(User)),
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "employee.imported")
        ),
    )


def employee(db: Any, number: str) -> Employee | None:
    """The employee as stored now (requests may run in another session than the test's)."""
    query = select(Employee).where(Employee.nip == number)
    return db.session.scalar(query.execution_options(populate_existing=True))


def import_events(db: Any) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "employee.imported")
            .order_by(AuditEvent.id)
        )
    )


def preview_and_confirm(auth: Any, content: bytes, filename: str = "pegawai.csv") -> str:
    """Upload, check the preview is usable, confirm; return the preview page."""
    preview = upload(auth, content, filename)
    assert preview.status_code == 200, page_errors(preview.text)
    done = auth.post(confirm_url(preview.text))
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/hr/pegawai")
    return preview.text


@pytest.fixture
def hr(auth: Any) -> Any:
    assert auth.login(HR_SOLOK).status_code == 302
    return auth


# --- the mixed file ----------------------------------------------------------------------------


def mixed_rows(demo: dict[str, Any]) -> tuple[list[list[str]], dict[str, str]]:
    """Good and bad rows; the header is line 1, so the first row is line 2."""
    boss = demo["supervisor"].employee.nip  # head of Dinas Kesehatan Solok
    serang = demo["learner_serang"].employee.nip
    rows = [
        # 2: good, supervisor already in the organisation
        [nip(1), "Budi Santoso, S.Kom.", "Budi@Contoh.go.id", "DINKES", "", "III/a", boss],
        # 3: good, supervisor is row 2 (inside the file), golongan typed "3b", unit by code
        [nip(2, "2"), "Ani Yulia, S.Kep., Ns.", "", "PKM-1", "Perawat", "3b", nip(1)],
        # 4-7: bad NIPs
        ["19910131201503100", "Panjang Salah", "", "DINKES", "", "", ""],
        ["199002302015031001", "Tanggal Mustahil", "", "DINKES", "", "", ""],
        ["199101312015131001", "Bulan Tiga Belas", "", "DINKES", "", "", ""],
        ["199101312015033001", "Kelamin Tiga", "", "DINKES", "", "", ""],
        # 8: unknown unit
        [nip(8), "Unit Antah", "", "DINAS-ANTAH", "", "", ""],
        # 9: NIP of row 2 again
        [nip(1), "Budi Kembar", "", "DINKES", "", "", ""],
        # 10: supervisor nobody knows
        [nip(10), "Atasan Hilang", "", "DINKES", "", "", nip(99)],
        # 11: a Serang employee
        [serang, "Pegawai Serang", "", "DINKES", "", "", ""],
        # 12: unknown golongan
        [nip(12), "Golongan Aneh", "", "DINKES", "", "V/z", ""],
        # 13: malformed email
        [nip(13), "Surel Rusak", "bukan-email", "DINKES", "", "", ""],
        # 14: email of row 2 again (other case)
        [nip(14), "Surel Kembar", "budi@contoh.go.id", "DINKES", "", "", ""],
        # 15-16: each other's supervisor
        [nip(15), "Lingkar Satu", "", "DINKES", "", "", nip(16)],
        [nip(16), "Lingkar Dua", "", "DINKES", "", "", nip(15)],
        # 17: supervisor is the bad row 8
        [nip(17), "Anak Buah Unit Antah", "", "DINKES", "", "", nip(8)],
        # 18: supervisor is in the cycle
        [nip(18), "Anak Buah Lingkar", "", "DINKES", "", "", nip(15)],
        # 19: good; "Pengolah Data" exists in three units, the unit picks the right one
        [
            nip(19, "2"),
            "Dewi Lestari",
            "dewi@contoh.go.id",
            "DISKOMINFO",
            "Pengolah Data",
            "II/d",
            "",
        ],
        # 20: blank line, skipped (line numbers still count it)
        [],
        # 21: good; unit by name, supervisor row 3 (a chain of two inside the file)
        [
            nip(21),
            "Rudi Hartono",
            "",
            "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
            "",
            "III/C",
            nip(2, "2"),
        ],
    ]
    return rows, {"boss": boss, "serang": serang}


EXPECTED_ERRORS = {
    4: ("NIP", "NIP harus 18 digit, bukan 17."),
    5: ("NIP", "8 digit pertama NIP (19900230) bukan tanggal lahir yang sah."),
    6: ("NIP", "Bulan TMT CPNS pada NIP (201513) tidak sah."),
    7: ("NIP", "Digit ke-15 NIP (jenis kelamin) harus 1 atau 2, bukan 3."),
    8: ("unit", "Unit kerja DINAS-ANTAH tidak dikenal."),
    9: ("NIP", f"NIP {nip(1)} duplikat: sudah ada di baris 2."),
    10: ("NIP atasan", f"Atasan dengan NIP {nip(99)} tidak dikenal."),
    12: ("golongan", "Golongan V/z tidak dikenal."),
    13: ("email", "Alamat email bukan-email tidak valid."),
    14: ("email", "Email budi@contoh.go.id duplikat: sudah ada di baris 2."),
    15: ("NIP atasan", "Rantai atasan membentuk lingkaran (pegawai menjadi atasan atasannya)."),
    16: ("NIP atasan", "Rantai atasan membentuk lingkaran (pegawai menjadi atasan atasannya)."),
    17: ("NIP atasan", f"Atasan dengan NIP {nip(8)} ada di baris yang bermasalah."),
    18: ("NIP atasan", f"Atasan dengan NIP {nip(15)} ada di baris yang bermasalah."),
}
GOOD_NIPS = (nip(1), nip(2, "2"), nip(19, "2"), nip(21))
BAD_NIPS = tuple(nip(n) for n in (8, 10, 12, 13, 14, 15, 16, 17, 18))


def test_preview_lists_every_bad_row_and_writes_nothing(hr, db, demo):
    rows, known = mixed_rows(demo)
    before = snapshot(db)

    response = upload(hr, to_csv(rows))

    assert response.status_code == 200
    errors = page_errors(response.text)
    serang_error = ("NIP", f"NIP {known['serang']} terdaftar di instansi lain.")
    expected = {**EXPECTED_ERRORS, 11: serang_error}
    assert errors == [(line, *expected[line]) for line in sorted(expected)]
    assert page_counts(response.text) == {
        "create": 4,
        "update": 0,
        "unchanged": 0,
        "error_rows": len(expected),
    }
    assert "Impor 4 baris yang valid" in response.text
    confirm_url(response.text)
    assert snapshot(db) == before
    for number in GOOD_NIPS:
        assert employee(db, number) is None


def test_confirm_writes_good_rows_only(hr, client, db, demo):
    rows, known = mixed_rows(demo)
    before_employees, before_users, _ = snapshot(db)
    serang_employee = employee(db, known["serang"])
    serang_name, serang_org = serang_employee.name, serang_employee.organisation_id

    preview_and_confirm(hr, to_csv(rows))

    assert snapshot(db) == (before_employees + 4, before_users + 4, 1)
    budi, ani, dewi, rudi = (employee(db, number) for number in GOOD_NIPS)
    solok = demo["solok"]
    for person in (budi, ani, dewi, rudi):
        assert person is not None
        assert person.organisation_id == solok.id
        assert person.employee_type is EmployeeType.PNS
        assert person.is_active
        assert person.user is not None  # a login account was created
        assert person.user.organisation_id == solok.id
        assert not person.user.check_password("lentera-demo")
    assert budi.name == "Budi Santoso, S.Kom."
    assert budi.email == "budi@contoh.go.id"
    assert budi.user.email == "budi@contoh.go.id"
    assert budi.birth_date == date(1991, 1, 31)
    assert budi.sex == "L" and ani.sex == "P"
    assert budi.unit.code == "DINKES"
    assert budi.golongan == "III/a"
    assert budi.supervisor.nip == known["boss"]
    assert ani.supervisor_id == budi.id
    assert ani.golongan == "III/b"
    assert ani.unit.code == "PKM-1" and ani.position.name == "Perawat"
    assert ani.user.email is None
    assert dewi.position.name == "Pengolah Data"
    assert dewi.position.unit.code == "DISKOMINFO"
    assert rudi.unit.code == "BKPSDM"
    assert rudi.golongan == "III/c"
    assert rudi.supervisor_id == ani.id
    for number in BAD_NIPS:
        assert employee(db, number) is None
    serang_employee = employee(db, known["serang"])
    assert (serang_employee.name, serang_employee.organisation_id) == (serang_name, serang_org)

    (event,) = import_events(db)
    assert event.actor_id == demo["hr_solok"].id
    assert event.organisation_id == solok.id
    assert event.data["file"] == "pegawai.csv"
    assert event.data["create"] == 4
    assert event.data["update"] == 0
    assert event.data["unchanged"] == 0
    assert event.data["error_rows"] == 15

    listing = client.get("/hr/pegawai")
    assert "Impor selesai: 4 pegawai baru, 0 diperbarui, 0 tetap, 15 baris dilewati" in (
        unescape(listing.text)
    )


def test_confirm_token_is_used_once(hr, client, db, demo):
    rows, _known = mixed_rows(demo)
    preview = upload(hr, to_csv(rows))
    url = confirm_url(preview.text)
    assert hr.post(url).status_code == 302
    after_first = snapshot(db)

    again = hr.post(url)

    assert again.status_code == 302
    assert again.headers["Location"].endswith("/hr/impor")
    assert snapshot(db) == after_first
    page = client.get("/hr/impor")
    assert "Pratinjau impor sudah tidak berlaku" in page.text


def test_reimport_same_file_changes_nothing_and_one_golongan_updates_one(hr, db, demo):
    rows, _known = mixed_rows(demo)
    content = to_csv(rows)
    preview_and_confirm(hr, content)
    employees_after_first, users_after_first, _ = snapshot(db)

    second = preview_and_confirm(hr, content)

    assert page_counts(second) == {"create": 0, "update": 0, "unchanged": 4, "error_rows": 15}
    assert snapshot(db)[:2] == (employees_after_first, users_after_first)
    event = import_events(db)[-1]
    assert (event.data["create"], event.data["update"], event.data["unchanged"]) == (0, 0, 4)

    changed = [list(row) for row in rows]
    changed[0][5] = "III/b"  # Budi is promoted
    third = preview_and_confirm(hr, to_csv(changed))

    assert page_counts(third) == {"create": 0, "update": 1, "unchanged": 3, "error_rows": 15}
    assert snapshot(db)[:2] == (employees_after_first, users_after_first)
    assert employee(db, nip(1)).golongan == "III/b"
    assert employee(db, nip(2, "2")).supervisor.nip == nip(1)
    assert db.session.scalar(select(func.count()).where(Employee.nip == nip(1))) == 1
    event = import_events(db)[-1]
    assert (event.data["create"], event.data["update"], event.data["unchanged"]) == (0, 1, 3)
    assert len(import_events(db)) == 3


def test_import_updates_an_existing_demo_employee(hr, db, demo):
    learner = demo["learner"].employee
    old_name, user_id = learner.name, learner.user.id
    row = [learner.nip, "Nama Baru Sekali", "", "DINKES", "", "III/c", ""]

    page = preview_and_confirm(hr, to_csv([row]))

    assert page_counts(page)["update"] == 1
    db.session.expire_all()
    updated = employee(db, learner.nip)
    assert updated.name == "Nama Baru Sekali" != old_name
    assert updated.golongan == "III/c"
    assert updated.supervisor_id is None  # the file says: no supervisor
    assert updated.user.id == user_id  # the existing account is kept, not duplicated
    assert updated.user.email == LEARNER_SOLOK


def test_email_of_another_account_is_refused(hr, db, demo):
    learner = demo["learner"].employee
    rows = [
        [nip(31), "Pencuri Surel", LEARNER_SOLOK.upper(), "DINKES", "", "", ""],
        [nip(32), "Surel Admin", "admin@lentera.test", "DINKES", "", "", ""],
    ]
    response = upload(hr, to_csv(rows))
    assert response.status_code == 422
    assert page_errors(response.text) == [
        (2, "email", f"Email {LEARNER_SOLOK} sudah dipakai akun lain."),
        (3, "email", "Email admin@lentera.test sudah dipakai akun lain."),
    ]

    # the learner's own address on the learner's own row is fine
    own = [[learner.nip, learner.name, LEARNER_SOLOK, "DINKES", "", "", ""]]
    response = upload(hr, to_csv(own))
    assert response.status_code == 200
    assert page_errors(response.text) == []
    assert page_counts(response.text)["update"] == 1


def test_messages_are_escaped(hr, db):
    row = [nip(30), "Nama", "", "<script>alert(1)</script>", "", "", ""]
    response = upload(hr, to_csv([row]))
    assert response.status_code == 422
    assert "<script>alert(1)" not in response.text
    assert "Unit kerja &lt;script&gt;alert(1)&lt;/script&gt; tidak dikenal." in response.text


# --- formats ----------------------------------------------------------------------------------


def test_xlsx_with_text_and_numeric_cells(hr, db, demo):
    header = [*HEADER, "jenis", "aktif"]
    rows = [
        [nip(40), "Xlsx Satu", "xlsx1@contoh.go.id", "DINKES", None, "III/A", None, "PNS", 1],
        [nip(41, "2"), "Xlsx Dua", None, "DISDIK", None, "4a", nip(40), None, 0],
        [pppk_nip(42), "Xlsx PPPK", None, "PKM-1", "Perawat Terampil", "ix", None, "PPPK", None],
    ]
    page = preview_and_confirm(hr, to_xlsx(rows, header), "pegawai.xlsx")

    assert page_counts(page) == {"create": 3, "update": 0, "unchanged": 0, "error_rows": 0}
    first, second = employee(db, nip(40)), employee(db, nip(41, "2"))
    third = employee(db, pppk_nip(42))
    assert first.golongan == "III/a" and first.is_active
    assert second.golongan == "IV/a" and not second.is_active
    assert second.supervisor_id == first.id
    assert third.employee_type is EmployeeType.PPPK
    assert third.golongan == "IX"
    assert third.birth_date == date(1988, 5, 29)
    assert import_events(db)[-1].data["file"] == "pegawai.xlsx"


def test_xlsx_nip_stored_as_number_is_refused_not_mangled(hr, db):
    # Excel keeps numbers as doubles (15 significant digits): 199101312015031050 typed as a
    # number comes back as 199101312015031040 or so, a different, valid-looking NIP.
    good = nip(51)
    rows = [
        [int(nip(50)), "Angka Int", None, "DINKES", None, None, None],
        [float(nip(52)), "Angka Float", None, "DINKES", None, None, None],
        [good, "Teks", None, "DINKES", None, None, None],
        [nip(53), "Atasan Angka", None, "DINKES", None, None, int(good)],
    ]
    before = snapshot(db)

    response = upload(hr, to_xlsx(rows), "pegawai.xlsx")

    assert response.status_code == 200
    errors = page_errors(response.text)
    assert {line for line, _column, _message in errors} == {2, 3, 5}
    as_number = [(line, column) for line, column, message in errors if "sebagai angka" in message]
    assert as_number == [(2, "NIP"), (3, "NIP"), (5, "NIP atasan")]
    assert "Format kolom NIP sebagai Teks" in errors[0][2]
    assert page_counts(response.text)["create"] == 1
    assert snapshot(db) == before
    assert "1.99101312015031E+17" in errors[0][2]  # what Excel shows, not a NIP
    mangled = str(int(float(nip(50))))
    assert mangled != nip(50)

    hr.post(confirm_url(response.text))
    assert employee(db, good) is not None
    for number in (nip(50), nip(52), nip(53), mangled, str(int(float(nip(52))))):
        assert employee(db, number) is None


def test_csv_exported_from_excel_with_scientific_nip_is_refused(hr, db):
    content = b"NIP;nama;unit\n1,99101E+17;Ilmiah;DINKES\n"
    response = upload(hr, content)
    assert response.status_code == 422
    ((line, column, message),) = page_errors(response.text)
    assert (line, column) == (2, "NIP")
    assert "tersimpan sebagai angka" in message


def test_csv_semicolon_bom_aliases_and_golongan_spellings(hr, db):
    header = ["NIP", "Nama Lengkap", "E-mail", "Unit Kerja", "Nama Jabatan", "Golongan/Ruang",
              "NIP Atasan", "Jenis Pegawai"]  # fmt: skip
    rows = [
        [nip(60), "Semi Kolon, S.E.", "semi@contoh.go.id", "dinkes", "", "3a", "", "pns"],
        [nip(61, "2"), "Titik Koma, S.Kep., Ns.", "", "Dinas Kesehatan", "", "III/A", nip(60), ""],
        [nip(62), "Strip", "", "DISDIK", "", "iii-a", "", ""],
        [nip(63), "Spasi Di NIP", "", "DISDIK", "", "III / a", "", ""],
        [pppk_nip(64), "Pppk Kontrak", "", "PKM-1", "", "IX", "", "PPPK"],
    ]
    rows[3][0] = f"{nip(63)[:8]} {nip(63)[8:14]} {nip(63)[14]} {nip(63)[15:]}"
    content = b"\xef\xbb\xbf" + to_csv(rows, delimiter=";", header=header)

    page = preview_and_confirm(hr, content)

    assert page_counts(page) == {"create": 5, "update": 0, "unchanged": 0, "error_rows": 0}
    for number in (nip(60), nip(61, "2"), nip(62), nip(63)):
        assert employee(db, number).golongan == "III/a"
    assert employee(db, nip(60)).name == "Semi Kolon, S.E."
    assert employee(db, nip(60)).email == "semi@contoh.go.id"
    assert employee(db, nip(61, "2")).name == "Titik Koma, S.Kep., Ns."
    assert employee(db, nip(61, "2")).supervisor.nip == nip(60)
    assert employee(db, nip(61, "2")).unit.code == "DINKES"
    pppk = employee(db, pppk_nip(64))
    assert pppk.employee_type is EmployeeType.PPPK
    assert pppk.golongan == "IX"


def test_pppk_nip_needs_jenis_pppk(hr, db):
    header = ["NIP", "nama", "jenis", "golongan"]
    rows = [
        [pppk_nip(70), "Tanpa Jenis", "", ""],
        [pppk_nip(71), "Jenis Salah", "Honorer", ""],
        [pppk_nip(72), "Golongan PNS", "PPPK", "III/a"],
        [pppk_nip(73), "Benar", "PPPK", "V"],
    ]
    response = upload(hr, to_csv(rows, header=header))
    assert response.status_code == 200
    assert page_errors(response.text) == [
        (2, "NIP", "Bulan TMT CPNS pada NIP (202221) tidak sah."),
        (3, "jenis", "Jenis pegawai harus PNS atau PPPK, bukan HONORER."),
        (3, "NIP", "Bulan TMT CPNS pada NIP (202221) tidak sah."),
        (4, "golongan", "Golongan III/a tidak dikenal."),
    ]
    assert page_counts(response.text)["create"] == 1


# --- hostile input ----------------------------------------------------------------------------


def _zip_not_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "bukan spreadsheet")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("pegawai.csv", b"", "Berkas kosong."),
        ("pegawai.csv", b"\n\n", "Berkas kosong."),
        ("pegawai.csv", b"NIP,nama,unit\n", "Berkas tidak berisi baris data."),
        ("pegawai.csv", b"NIP,nama,unit\n,,\n , ,\t\n", "Berkas tidak berisi baris data."),
        ("pegawai.csv", b"NIP,email\n199101312015031001,a@contoh.go.id\n",
         "Kolom wajib tidak ada: nama."),
        ("pegawai.csv", b"nama lengkap;unit\nBudi;DINKES\n", "Kolom wajib tidak ada: NIP."),
        ("pegawai.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
         "Berkas CSV tidak valid: berisi data biner."),
        ("pegawai.csv", bytes(range(128, 256)) * 4, "Kolom wajib tidak ada: NIP, nama."),
        ("pegawai.xlsx", b"ini bukan berkas xlsx", "Berkas XLSX rusak atau bukan XLSX yang sah."),
        ("pegawai.xlsx", _zip_not_xlsx(), "Berkas XLSX rusak atau bukan XLSX yang sah."),
        ("pegawai.xlsx", b"PK\x03\x04" + b"\x00" * 200,
         "Berkas XLSX rusak atau bukan XLSX yang sah."),
        ("pegawai.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
         "Format berkas tidak didukung. Gunakan CSV atau XLSX."),
        ("pegawai", b"NIP,nama\n", "Format berkas tidak didukung. Gunakan CSV atau XLSX."),
    ],
    ids=["empty", "blank-lines", "header-only", "empty-rows", "no-nama", "no-nip", "binary-csv",
         "high-bytes-csv", "garbage-xlsx", "zip-not-xlsx", "broken-zip", "pdf", "no-extension"],
)  # fmt: skip
def test_unusable_files_are_refused_with_a_message(hr, db, filename, content, message):
    before = snapshot(db)
    response = upload(hr, content, filename)
    assert response.status_code == 422
    assert message in unescape(response.text)
    assert page_errors(response.text)[0][0] == 1
    assert not CONFIRM_ACTION.search(response.text)
    assert snapshot(db) == before


def test_xlsx_that_unpacks_too_large_is_refused(hr, db, monkeypatch):
    monkeypatch.setattr(importing, "MAX_XLSX_UNPACKED", 1000)
    content = to_xlsx([[nip(80), "Besar", None, None, None, None, None]])
    response = upload(hr, content, "pegawai.xlsx")
    assert response.status_code == 422
    assert "Berkas XLSX terlalu besar setelah dibuka." in response.text


def test_missing_file_is_a_form_error(hr, db):
    before = snapshot(db)
    response = hr.post("/hr/impor", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Pilih berkas." in response.text
    assert snapshot(db) == before


def test_file_over_import_limit_gives_413(hr, client, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_MB", 1)
    row = f"{nip(81)},{'x' * 180},,DINKES,,,\n".encode()
    content = ",".join(HEADER).encode() + b"\n" + row * (1024 * 1024 // len(row) + 10)
    assert len(content) > 1024 * 1024
    # encoded here: the test client would spool a body this large to a temporary file that it
    # never closes (a ResourceWarning, an error under filterwarnings=error)
    file = FileStorage(io.BytesIO(content), filename="pegawai.csv", content_type="text/csv")
    boundary, body = encode_multipart({"file": file, "csrf_token": hr.csrf or hr.refresh_csrf()})
    before = snapshot(db)

    response = client.post(
        "/hr/impor", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 413
    assert "Berkas melebihi 1 MB." in response.text
    assert not CONFIRM_ACTION.search(response.text)
    assert snapshot(db) == before


def test_request_over_max_content_length_gives_413(hr, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    content = to_csv([[nip(82), "x" * 100, "", "DINKES", "", "", ""]] * 100)
    before = snapshot(db)

    response = upload(hr, content)

    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.text
    assert snapshot(db) == before


def test_row_limit(hr, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 5)
    rows = [[nip(90 + n), f"Pegawai {n}", "", "DINKES", "", "", ""] for n in range(6)]
    before = snapshot(db)

    too_many = upload(hr, to_csv(rows))

    assert too_many.status_code == 422
    assert "Berkas berisi lebih dari 5 baris data." in too_many.text
    assert not CONFIRM_ACTION.search(too_many.text)
    assert snapshot(db) == before

    exactly = upload(hr, to_csv(rows[:5]))
    assert exactly.status_code == 200
    assert page_counts(exactly.text)["create"] == 5


# --- confirm tokens and CSRF ------------------------------------------------------------------


def test_confirm_with_unknown_or_malformed_token_writes_nothing(hr, db):
    before = snapshot(db)
    unknown = hr.post("/hr/impor/" + "A" * 32)
    assert unknown.status_code == 302
    assert unknown.headers["Location"].endswith("/hr/impor")
    for token in ("abc", "x" * 65, "." * 24, "a" * 20 + "%21%21%21"):
        assert hr.post(f"/hr/impor/{token}").status_code == 404, token
    assert hr.post("/hr/impor/..%2F..%2F1%2Fsecret").status_code in (404, 405)
    assert snapshot(db) == before


def test_token_of_another_user_is_not_usable(hr, client, db, demo, factory, auth):
    rows, _known = mixed_rows(demo)
    url = confirm_url(upload(hr, to_csv(rows)).text)
    hr.logout()
    colleague = factory.user(
        factory.employee(demo["solok"], "HR Kedua"),
        email="hr2.solok@contoh.go.id",
        roles=(Role.HR_ADMIN,),
    )
    db.session.commit()
    before = snapshot(db)

    assert auth.login(colleague.email, PASSWORD).status_code == 302
    assert auth.post(url).status_code == 404
    assert snapshot(db) == before
    auth.logout()

    assert auth.login(HR_SERANG).status_code == 302
    other_org = auth.post(url)
    assert other_org.status_code == 302  # Serang's import folder has no such preview
    assert snapshot(db) == before
    auth.logout()

    # the owner can still use it
    assert auth.login(HR_SOLOK).status_code == 302
    assert auth.post(url).status_code == 302
    assert snapshot(db)[0] == before[0] + 4


def test_posts_without_csrf_token_are_refused(hr, client, db, demo):
    rows, _known = mixed_rows(demo)
    before = snapshot(db)
    response = client.post(
        "/hr/impor",
        data={"file": (io.BytesIO(to_csv(rows)), "pegawai.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Sesi formulir sudah kedaluwarsa atau tidak sah." in response.text
    assert not CONFIRM_ACTION.search(response.text)

    url = confirm_url(upload(hr, to_csv(rows)).text)
    assert client.post(url).status_code == 400
    assert client.post(url, data={"csrf_token": "palsu"}).status_code == 400
    assert snapshot(db) == before


# --- who may import ---------------------------------------------------------------------------


def test_learner_cannot_import(client, auth, db, demo):
    assert auth.login(LEARNER_SOLOK).status_code == 302
    rows, _known = mixed_rows(demo)
    before = snapshot(db)
    assert client.get("/hr/impor").status_code == 403
    assert upload(auth, to_csv(rows)).status_code == 403
    assert auth.post("/hr/impor/" + "A" * 32).status_code == 403
    assert snapshot(db) == before


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/hr/impor")
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]


def test_hr_of_serang_imports_into_serang_only(client, auth, db, demo):
    assert auth.login(HR_SERANG).status_code == 302
    solok_nip = demo["learner"].employee.nip
    rows = [
        [nip(100), "Pegawai Baru Serang", "", "DINKES", "", "III/a", ""],
        [solok_nip, "Bukan Orang Serang", "", "DINKES", "", "", ""],
        [nip(101), "Atasan Di Solok", "", "DINKES", "", "", demo["supervisor"].employee.nip],
    ]

    page = preview_and_confirm(auth, to_csv(rows))

    assert page_errors(page) == [
        (3, "NIP", f"NIP {solok_nip} terdaftar di instansi lain."),
        (4, "NIP atasan", f"Atasan dengan NIP {demo['supervisor'].employee.nip} tidak dikenal."),
    ]
    created = employee(db, nip(100))
    assert created.organisation_id == demo["serang"].id
    assert created.unit.organisation_id == demo["serang"].id
    assert created.user.organisation_id == demo["serang"].id
    assert employee(db, solok_nip).organisation_id == demo["solok"].id
    assert employee(db, solok_nip).name != "Bukan Orang Serang"
    (event,) = import_events(db)
    assert event.organisation_id == demo["serang"].id


# --- command line -----------------------------------------------------------------------------


def run_cli(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["lms", "import-employees", *args])


def test_cli_imports_a_good_file(app, db, demo, tmp_path):
    path = tmp_path / "pegawai.csv"
    path.write_bytes(
        to_csv(
            [
                [nip(110), "Cli Satu", "cli1@contoh.go.id", "DINKES", "", "3c", ""],
                [nip(111, "2"), "Cli Dua", "", "PKM-1", "Perawat", "III/a", nip(110)],
            ]
        )
    )
    before = snapshot(db)

    result = run_cli(app, str(path), "--org", "slk")

    assert result.exit_code == 0, result.output
    assert "2 baru, 0 diperbarui, 0 tetap, 0 baris bermasalah." in result.output
    assert "Impor selesai." in result.output
    assert snapshot(db) == (before[0] + 2, before[1] + 2, before[2] + 1)
    assert employee(db, nip(111, "2")).supervisor.nip == nip(110)
    assert employee(db, nip(110)).organisation_id == demo["solok"].id
    (event,) = import_events(db)
    assert event.actor_id is None and event.data["create"] == 2

    again = run_cli(app, str(path), "--org", "SLK")
    assert again.exit_code == 0, again.output
    assert "0 baru, 0 diperbarui, 2 tetap" in again.output
    assert snapshot(db)[:2] == (before[0] + 2, before[1] + 2)


def test_cli_dry_run_writes_nothing(app, db, tmp_path):
    path = tmp_path / "pegawai.xlsx"
    path.write_bytes(to_xlsx([[nip(112), "Uji Coba", None, "DINKES", None, None, None]]))
    before = snapshot(db)

    result = run_cli(app, str(path), "--org", "SLK", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "1 baru" in result.output
    assert "Uji coba: tidak ada yang ditulis." in result.output
    assert snapshot(db) == before
    assert employee(db, nip(112)) is None


def test_cli_unknown_org(app, db, tmp_path):
    path = tmp_path / "pegawai.csv"
    path.write_bytes(to_csv([[nip(113), "Siapa", "", "", "", "", ""]]))
    before = snapshot(db)
    result = run_cli(app, str(path), "--org", "XYZ")
    assert result.exit_code != 0
    assert "Instansi dengan kode XYZ tidak ditemukan." in result.output
    assert snapshot(db) == before


def test_cli_lists_bad_rows(app, db, demo, tmp_path):
    rows, _known = mixed_rows(demo)
    path = tmp_path / "campur.csv"
    path.write_bytes(to_csv(rows))
    before = snapshot(db)

    result = run_cli(app, str(path), "--org", "SLK")

    assert result.exit_code == 1  # imported, but some rows were skipped
    assert "campur.csv: baris 4, kolom NIP: NIP harus 18 digit, bukan 17." in result.output
    assert "campur.csv: baris 8, kolom unit: Unit kerja DINAS-ANTAH tidak dikenal." in result.output
    for line in EXPECTED_ERRORS:
        assert f"baris {line}," in result.output
    assert "4 baru, 0 diperbarui, 0 tetap, 15 baris bermasalah." in result.output
    assert snapshot(db) == (before[0] + 4, before[1] + 4, before[2] + 1)


def test_cli_file_without_good_rows(app, db, tmp_path):
    path = tmp_path / "rusak.csv"
    path.write_bytes(b"NIP,email\n1,a@b.id\n")
    before = snapshot(db)
    result = run_cli(app, str(path), "--org", "SLK")
    assert result.exit_code == 1
    assert "rusak.csv: baris 1: Kolom wajib tidak ada: nama." in result.output
    assert "Tidak ada yang diimpor." in result.output
    assert snapshot(db) == before


def test_cli_missing_file(app, db, tmp_path):
    result = run_cli(app, str(tmp_path / "tidak-ada.csv"), "--org", "SLK")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_columns_missing_from_the_file_keep_current_values(client, auth, db, demo):
    """A file with only NIP and name renames people without clearing their unit or supervisor."""
    from lms.accounts.models import Employee

    employee = demo["learner"].employee
    unit_id, supervisor_id, golongan = employee.unit_id, employee.supervisor_id, employee.golongan
    auth.login("bkpsdm.solok@lentera.test")
    content = f"NIP,nama\n{employee.nip},Nama Baru Sekali\n".encode()
    preview = auth.post(
        "/hr/impor",
        {"file": (io.BytesIO(content), "nama.csv")},
        content_type="multipart/form-data",
    )
    token = re.search(r'/hr/impor/([A-Za-z0-9_-]+)"', preview.text).group(1)
    auth.post(f"/hr/impor/{token}")
    db.session.expire_all()
    updated = db.session.get(Employee, employee.id)
    assert updated.name == "Nama Baru Sekali"
    assert (updated.unit_id, updated.supervisor_id, updated.golongan) == (
        unit_id,
        supervisor_id,
        golongan,
    )
