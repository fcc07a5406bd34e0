"""Competency pages on malformed and hostile input: the dictionary import and form and the
development plan answer in Indonesian with a 4xx and save nothing half; never a 500."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from lms.competencies import dictionary
from lms.competencies.models import Competency, PlanActivity
from tests.competencies.test_manage import TOKEN_RE, _csv
from tests.competencies.test_plans import draft_one_goal
from tests.fixtures.courses import post_multipart

PROBLEM_ROW = re.compile(r"<tr><td>(\d+)</td><td>([^<]+)</td></tr>")
ENGLISH = re.compile(r"field larger|field limit|expected|Error|Field cannot|Not a valid")


def _levels(code: str, **fields: str) -> list[dict[str, str]]:
    return [
        {"kode": code, "nama": "Kearsipan", "jenis": "teknis", "definisi": "",
         "level": str(n), "deskripsi_level": f"Level {n}", "indikator": "a | b", **fields}
        for n in range(1, 6)
    ]  # fmt: skip


def _preview(client, auth, content: bytes):
    auth.login("bkpsdm.solok@lentera.test")
    return post_multipart(client, auth, "/kamus-kompetensi/impor", {"file": ("k.csv", content)})


def _problems(response) -> list[tuple[int, str]]:
    return [(int(line), message) for line, message in PROBLEM_ROW.findall(response.text)]


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Competency))


def test_a_cell_past_the_csv_limit_is_a_problem_not_a_500(client, db, auth, demo):
    before = _count(db)
    rows = _levels("T-ARSIP")
    rows[2]["indikator"] = " | ".join(["i" * 3000] * 100)  # 300 KB in one cell
    response = _preview(client, auth, _csv(rows))
    assert response.status_code == 422
    [(line, message)] = _problems(response)
    assert line == 4
    assert "Berkas CSV tidak dapat dibaca (berhenti di baris 4)" in message
    assert not ENGLISH.search(message), message
    assert not TOKEN_RE.search(response.text)
    assert _count(db) == before


def test_a_csv_with_nul_is_refused_at_its_line(client, db, auth, demo):
    rows = _levels("T-ARSIP")
    rows[1]["nama"] = "Kear\x00sipan"
    response = _preview(client, auth, _csv(rows))
    assert response.status_code == 422
    assert _problems(response) == [
        (3, "Berkas CSV memuat karakter NUL; simpan ulang sebagai teks UTF-8.")
    ]


def test_a_csv_saved_with_semicolons_is_read(client, db, auth, demo):
    """A spreadsheet set to Indonesian saves CSV with semicolons; "Kolom wajib tidak ada" for a
    file that has every column was no clear answer."""
    lines = [";".join(dictionary.CSV_COLUMNS)]
    lines += [f"T-ARSIP;Kearsipan;teknis;;{n};Level {n};a | b" for n in range(1, 6)]
    response = _preview(client, auth, ("\n".join(lines) + "\n").encode())
    assert response.status_code == 200, _problems(response)
    assert TOKEN_RE.search(response.text)


def test_a_name_longer_than_the_form_allows_is_a_problem_not_cut(client, db, auth, demo):
    rows = _levels("T-ARSIP", nama="N" * 201)
    rows += _levels("T-ARSIP2", definisi="D" * 5001)
    response = _preview(client, auth, _csv(rows))
    assert response.status_code == 422
    assert _problems(response) == [
        (2, "Nama kompetensi paling panjang 200 karakter."),
        (7, "Definisi paling panjang 5000 karakter."),
    ]


def test_level_fields_of_the_dictionary_form_speak_indonesian(client, db, auth, demo):
    auth.login("admin@lentera.test")
    data = {"code": "T-UJI", "name": "Uji", "kind": "teknis", "definition": ""}
    for n in range(5):
        data[f"levels-{n}-title"] = "x" * 1001 if n == 0 else f"Level {n + 1}"
        data[f"levels-{n}-indicators"] = ""
    response = auth.post("/kamus-kompetensi/baru", data)
    assert response.status_code in (200, 400, 422)
    assert "Isian paling panjang 1000 karakter." in response.text
    assert not ENGLISH.search(response.text)


def test_an_activity_for_a_course_id_past_any_id_is_refused(client, db, auth, demo):
    goal = draft_one_goal(db, auth, demo, date.today().year).goals[0]
    prefix = f"g{goal.id}"
    for course_id in ("9" * 30, "-5", "²"):
        response = client.post(
            f"/rencana/sasaran/{goal.id}/kegiatan",
            data={
                f"{prefix}-csrf_token": auth.csrf,
                f"{prefix}-kind": "course",
                f"{prefix}-course_id": course_id,
                f"{prefix}-description": "",
                f"{prefix}-due_on": "",
            },
        )
        assert response.status_code == 302, course_id
    assert db.session.scalar(select(func.count()).select_from(PlanActivity)) == 0
