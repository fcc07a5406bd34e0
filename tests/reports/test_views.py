"""The report pages and their exports: numbers against hand-computed data, scoping to the
organisation (and to a supervisor's team), and a fixed number of queries per page."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from lms.accounts.models import Employee, Unit, User
from lms.certificates.models import Certificate
from lms.competencies import ledger, profile
from lms.core.db import utcnow
from lms.courses.models import Course, Enrollment, EvaluationResponse
from lms.quizzes import attempts as taking
from lms.quizzes.formats.model import QuestionType
from tests.fixtures.courses import text

HR_SOLOK = "bkpsdm.solok@lentera.test"
HR_SERANG = "bkpsdm.serang@lentera.test"
SUPERVISOR = "atasan.solok@lentera.test"
LEARNER = "pegawai.solok@lentera.test"

PAGES = (
    "/laporan",
    "/laporan/penyelesaian",
    "/laporan/jp",
    "/laporan/kesenjangan",
    "/laporan/kuis",
    "/laporan/evaluasi",
)
EXPORTS = PAGES[1:]


# --- reading pages and files --------------------------------------------------------------------


class _Tables(HTMLParser):
    """The text of every table cell, row by row (the pages' accessible tables)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "span" and ("aria-hidden", "true") in attrs:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    parser = _Tables()
    parser.feed(html)
    return parser.rows


def row_starting(html: str, text: str) -> list[str]:
    """The first table row whose first cell starts with ``text``."""
    found = [r for r in table_rows(html) if r and r[0].startswith(text)]
    assert found, f"no row starting with {text!r}"
    return found[0]


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def xlsx_rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    try:
        return [list(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()


def get(client: Any, url: str) -> Any:
    # exports stream: read them while the request's context is still there
    return client.get(url, buffered=True)


# --- the data -----------------------------------------------------------------------------------


def first_in(db, org_id: int, unit_code: str, *, exclude: set[int] = frozenset()) -> Employee:
    unit = db.session.scalar(
        select(Unit).where(Unit.organisation_id == org_id, Unit.code == unit_code)
    )
    return db.session.scalars(
        select(Employee)
        .where(Employee.unit_id == unit.id, Employee.id.not_in(exclude or {0}))
        .order_by(Employee.id)
    ).first()


@dataclass
class Solok:
    """Four Solok enrolments in one course (completed, overdue, not started, in progress), one
    in Serang that Solok never counts, a quiz and an evaluation of each organisation."""

    course: Course
    completed: Employee  # directly in Dinas Kesehatan: the demo learner
    overdue: Employee  # Bidang Pelayanan Kesehatan (under Dinas Kesehatan)
    not_started: Employee  # Puskesmas (under Dinas Kesehatan)
    in_progress: Employee  # Dinas Pendidikan
    serang: Employee
    dinkes_id: int

    @property
    def employees(self) -> list[Employee]:
        return [self.completed, self.overdue, self.not_started, self.in_progress]


@pytest.fixture
def solok(db, courses, demo) -> Solok:
    today = date.today()
    org = demo["solok"].id
    learner = demo["learner"].employee
    course = courses.course(
        "LAP-001",
        title="Kursus Laporan Uji",
        jp=6,
        trainers=[demo["trainer"]],
        modules=[("Modul", [text("Satu"), text("Dua")])],
    )
    one, two = courses.lessons(course)
    overdue = first_in(db, org, "DINKES-YANKES")
    not_started = first_in(db, org, "PKM-1")
    in_progress = first_in(db, org, "DISDIK")
    due = today + timedelta(days=30)
    enrolled = {
        e.id: courses.enrol(course, e, due_date=due)
        for e in (learner, overdue, not_started, in_progress)
    }
    courses.complete(enrolled[learner.id], one, two)
    courses.complete(enrolled[in_progress.id], one)
    db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrolled[overdue.id].id)
        .values(due_date=today - timedelta(days=1))
    )
    serang = demo["learner_serang"].employee
    courses.complete(courses.enrol(course, serang), one, two)
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.enrollment_id == enrolled[learner.id].id)
    )
    certificate.expires_on = today + timedelta(days=30)
    db.session.flush()
    dinkes = db.session.scalar(
        select(Unit).where(Unit.organisation_id == org, Unit.code == "DINKES")
    )
    return Solok(course, learner, overdue, not_started, in_progress, serang, dinkes.id)


def expected_jp(db, org_id: int, year: int) -> tuple[int, int]:
    """(employees, reached the target) counted employee by employee through the ledger."""
    employees = db.session.scalars(
        select(Employee).where(Employee.organisation_id == org_id, Employee.is_active.is_(True))
    ).all()
    earned = [ledger.ledger(e, year)[1] for e in employees]
    return len(earned), sum(1 for jp in earned if jp >= ledger.target())


# --- the dashboard ------------------------------------------------------------------------------


def test_dashboard_numbers_and_drill_down(client, db, auth, demo, solok):
    auth.login(HR_SOLOK)
    course = f"kursus={solok.course.id}"
    page = client.get(f"/laporan?{course}")
    assert page.status_code == 200
    html = page.text
    assert "1 dari 4 pendaftaran selesai" in html  # the completion card: 25%
    assert ">25%<" in html
    assert row_starting(html, "Dinas Kesehatan") == [
        "Dinas Kesehatan (dengan sub-unit)",
        "3",
        "1",
        "33%",
        "1",
    ]
    assert row_starting(html, "Dinas Pendidikan") == ["Dinas Pendidikan", "1", "0", "0%", "0"]
    assert row_starting(html, "Sekretariat Daerah") == ["Sekretariat Daerah", "0", "0", "–", "0"]
    assert row_starting(html, "Kursus Laporan Uji") == [
        "Kursus Laporan Uji LAP-001",
        "4",
        "1",
        "25%",
        "1",
    ]
    employees, reached = expected_jp(db, demo["solok"].id, date.today().year)
    assert f'{reached} <small class="fs-6">/ {employees}</small>' in html
    assert solok.completed.name in html  # the one certificate expiring within 60 days
    assert solok.serang.name not in html
    assert 'id="chart-units"' in html and 'data-chart="chart-courses"' in html

    drill = client.get(f"/laporan?{course}&unit={solok.dinkes_id}").text
    assert row_starting(drill, "Bidang Pelayanan Kesehatan") == [
        "Bidang Pelayanan Kesehatan",
        "1",
        "0",
        "0%",
        "1",
    ]
    assert row_starting(drill, "Puskesmas") == ["Puskesmas Solok", "1", "0", "0%", "0"]
    assert row_starting(drill, "Langsung di Dinas Kesehatan") == [
        "Langsung di Dinas Kesehatan",
        "1",
        "1",
        "100%",
        "0",
    ]
    assert "Dinas Pendidikan</a>" not in drill  # only Dinas Kesehatan's sub-tree
    # its own staff, each linked to the HR record and the competency profile
    earned = ledger.ledger(solok.completed, date.today().year)[1]
    assert earned == 6 + 8  # the course and the demo's external training
    assert row_starting(drill, solok.completed.name)[2:5] == ["1 / 1", "0", str(earned)]
    assert f'href="/pegawai/{solok.completed.id}"' in drill
    assert f'href="/kompetensi/pegawai/{solok.completed.nip}"' in drill
    assert solok.overdue.name not in drill.split('id="pegawai"')[1]  # in a sub-unit, not here


def test_dashboard_period_and_filters(client, db, auth, demo, solok):
    auth.login(HR_SOLOK)
    last_year = date.today().year - 1
    page = client.get(f"/laporan?tahun={last_year}&kursus={solok.course.id}").text
    assert "0 dari 0 pendaftaran selesai" in page
    today = date.today()
    period = client.get(
        f"/laporan?dari={today - timedelta(days=3)}&sampai={today}&kursus={solok.course.id}"
    ).text
    assert "1 dari 4 pendaftaran selesai" in period
    position = client.get(
        f"/laporan?kursus={solok.course.id}&jabatan={solok.overdue.position_id}"
    ).text
    assert row_starting(position, "Dinas Kesehatan")[1] == "1"
    # a bad filter is named and ignored on a page, refused for an export
    bad = client.get(
        f"/laporan?kursus={solok.course.id}&dari={today}&sampai={today - timedelta(days=9)}"
    )
    assert bad.status_code == 200
    assert "Tanggal akhir periode tidak boleh sebelum tanggal awal." in bad.text
    assert "1 dari 4 pendaftaran selesai" in bad.text
    assert get(client, f"/laporan/penyelesaian?format=csv&unit={10**30}").status_code == 400
    assert get(client, "/laporan/penyelesaian?format=pdf").status_code == 400


# --- the reports and their exports --------------------------------------------------------------


def test_completion_matrix_list_and_exports(client, db, auth, solok):
    auth.login(HR_SOLOK)
    args = f"kursus={solok.course.id}"
    matrix = client.get(f"/laporan/penyelesaian?{args}").text
    assert (
        "4 pendaftaran: 1 selesai (25%), 1 sedang berjalan, 1 belum mulai, 1 terlambat." in matrix
    )
    statuses = {
        solok.completed: "Selesai",
        solok.overdue: "Terlambat",
        solok.not_started: "Belum mulai",
        solok.in_progress: "Sedang berjalan",
    }
    for employee, status in statuses.items():
        cells = row_starting(matrix, employee.name)
        assert cells[1].startswith(status), (employee.name, cells)
    assert solok.serang.name not in matrix

    overdue = client.get(f"/laporan/penyelesaian?{args}&status=terlambat").text
    assert solok.overdue.name in overdue
    assert solok.completed.name not in overdue and solok.not_started.name not in overdue

    expected = {(e.nip, solok.course.code, status) for e, status in statuses.items()}
    rows = csv_rows(get(client, f"/laporan/penyelesaian?{args}&format=csv"))
    assert rows[0][:7] == [
        "NIP",
        "Nama",
        "Unit kerja",
        "Kode kursus",
        "Judul kursus",
        "JP",
        "Status",
    ]
    assert {(r[0], r[3], r[6]) for r in rows[1:]} == expected
    sheet = xlsx_rows(get(client, f"/laporan/penyelesaian?{args}&format=xlsx"))
    assert sheet[0] == rows[0]
    assert {(r[0], r[3], r[6]) for r in sheet[1:]} == expected
    assert all(r[5] == 6 for r in sheet[1:])  # numbers stay numbers
    late = csv_rows(get(client, f"/laporan/penyelesaian?{args}&status=terlambat&format=csv"))
    assert [r[0] for r in late[1:]] == [solok.overdue.nip]


def test_jp_report_and_exports(client, db, auth, demo, solok):
    auth.login(HR_SOLOK)
    year = date.today().year
    earned = ledger.ledger(solok.completed, year)[1]
    assert earned == 6 + 8  # the course and the demo's external training
    page = client.get("/laporan/jp").text
    employees, reached = expected_jp(db, demo["solok"].id, year)
    assert f"{reached} dari {employees} pegawai" in page
    assert row_starting(page, solok.completed.name)[2] == f"{earned} / 20"
    rows = csv_rows(get(client, "/laporan/jp?format=csv"))
    assert rows[0] == ["NIP", "Nama", "Unit kerja", "JP diperoleh", "Target JP", "Target tercapai"]
    assert len(rows) - 1 == employees
    mine = next(r for r in rows if r[0] == solok.completed.nip)
    assert mine[3:] == [str(earned), "20", "Tidak"]
    sheet = xlsx_rows(get(client, "/laporan/jp?format=xlsx"))
    assert next(r for r in sheet if r[0] == solok.completed.nip)[3:5] == [earned, 20]


def test_gap_heatmap_agrees_with_the_profiles(client, db, auth, demo):
    """Every cell of the export against the profile computed employee by employee."""
    solok = demo["solok"].id
    required: dict[tuple[str, str], int] = {}
    short: dict[tuple[str, str], int] = {}
    employees = db.session.scalars(
        select(Employee).where(Employee.organisation_id == solok, Employee.is_active.is_(True))
    )
    for employee in employees:
        unit = employee.unit.name if employee.unit else ""
        for line in profile.profile(employee):
            if line.required:
                key = (unit, line.competency.code)
                required[key] = required.get(key, 0) + 1
                short[key] = short.get(key, 0) + (line.gap > 0)
    auth.login(HR_SOLOK)
    rows = csv_rows(get(client, "/laporan/kesenjangan?format=csv"))
    assert rows[0][:5] == [
        "Unit kerja",
        "Kode kompetensi",
        "Kompetensi",
        "Pegawai dengan standar",
        "Di bawah standar",
    ]
    assert {(r[0], r[1]): (int(r[3]), int(r[4])) for r in rows[1:]} == {
        key: (required[key], short[key]) for key in required
    }
    page = client.get("/laporan/kesenjangan").text
    dinkes = row_starting(page, "Dinas Kesehatan")
    header = next(r for r in table_rows(page) if r and r[0] == "Unit kerja")
    for code_and_name, cell in zip(header[1:], dinkes[1:], strict=True):
        key = ("Dinas Kesehatan", code_and_name.split()[0])
        if key in required:
            assert cell.startswith(f"{round(100 * short[key] / required[key])}%"), (key, cell)
        else:
            assert cell == "tidak dipersyaratkan"
    assert 'class="heat heat-' in page and "style=" not in page.split('id="konten"')[1]


def quiz_attempt(quiz, user: User, correct: bool) -> None:
    question = quiz.items[0].question
    attempt, _created = taking.start_or_resume(quiz, user)
    taking.save_answer(attempt, 1, question.choices[0 if correct else 1]["key"], now=utcnow())
    taking.submit(attempt, now=utcnow())


def test_quiz_results(client, db, auth, quizzes, courses, demo):
    found = quizzes.setup([QuestionType.MULTICHOICE])
    quiz_attempt(found.quiz, demo["learner"], correct=True)
    quiz_attempt(found.quiz, demo["hr_solok"], correct=False)
    quiz_attempt(found.quiz, demo["hr_solok"], correct=True)
    quiz_attempt(found.quiz, demo["learner_serang"], correct=False)  # Serang: never counted
    db.session.flush()
    auth.login(HR_SOLOK)
    page = client.get(f"/laporan/kuis?kursus={found.course.id}").text
    # 3 attempts by 2 learners: 100, 0, 100 → mean 66,7% (Indonesian decimal comma); both passed
    assert row_starting(page, found.course.published_version.title)[1:] == [
        "Kuis akhir",
        "3",
        "2",
        "66,7%",
        "2 (100%)",
    ]
    rows = csv_rows(get(client, f"/laporan/kuis?kursus={found.course.id}&format=csv"))
    assert rows[0][3:] == [
        "Percobaan",
        "Peserta",
        "Rata-rata nilai (%)",
        "Peserta lulus",
        "Tingkat kelulusan (%)",
    ]
    assert rows[1][3:] == ["3", "2", "66.7", "2", "100"]
    auth.logout()
    auth.login(HR_SERANG)
    theirs = csv_rows(get(client, "/laporan/kuis?format=csv"))
    assert [r[3:7] for r in theirs[1:]] == [["1", "1", "0.0", "0"]]


def evaluate(db, enrollment: Enrollment, ratings: list[int], comment: str) -> None:
    db.session.add(
        EvaluationResponse(
            enrollment_id=enrollment.id,
            cycle=enrollment.cycle,
            course_id=enrollment.course_id,
            items=["Materi relevan.", "Pelatih menguasai materi."],
            ratings=ratings,
            comment=comment,
        )
    )
    db.session.flush()


def test_course_evaluations_per_course_and_trainer(client, db, auth, courses, demo, solok):
    enrolments = {
        e.employee_id: e
        for e in db.session.scalars(
            select(Enrollment).where(Enrollment.course_id == solok.course.id)
        )
    }
    evaluate(db, enrolments[solok.completed.id], [5, 4], "Sangat bermanfaat untuk Puskesmas.")
    evaluate(db, enrolments[solok.in_progress.id], [3, 2], "")
    evaluate(db, enrolments[solok.serang.id], [1, 1], "Komentar rahasia Serang.")
    auth.login(HR_SOLOK)
    page = client.get("/laporan/evaluasi").text
    assert "2 tanggapan" in page
    assert row_starting(page, "Materi relevan.")[:2] == ["Materi relevan.", "4,00"]
    assert row_starting(page, "Pelatih menguasai materi.")[:2] == [
        "Pelatih menguasai materi.",
        "3,00",
    ]
    assert "Sangat bermanfaat untuk Puskesmas." in page
    assert "Komentar rahasia Serang." not in page
    trainer = client.get("/laporan/evaluasi?per=pelatih").text
    assert demo["trainer"].employee.name in trainer
    assert row_starting(trainer, "Materi relevan.")[:2] == ["Materi relevan.", "4,00"]
    rows = csv_rows(get(client, "/laporan/evaluasi?format=csv"))
    assert rows[0] == [
        "Kode kursus",
        "Judul kursus",
        "Pernyataan",
        "Tanggapan",
        "Rata-rata (1–5)",
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert rows[1:] == [
        ["LAP-001", "Kursus Laporan Uji", "Materi relevan.", "2", "4.0", "0", "0", "1", "0", "1"],
        [
            "LAP-001",
            "Kursus Laporan Uji",
            "Pelatih menguasai materi.",
            "2",
            "3.0",
            "0",
            "1",
            "0",
            "1",
            "0",
        ],
    ]
    by_trainer = xlsx_rows(get(client, "/laporan/evaluasi?per=pelatih&format=xlsx"))
    assert by_trainer[0][0] == "Pelatih"
    assert [r[1:4] for r in by_trainer[1:]] == [
        ["Materi relevan.", 2, 4.0],
        ["Pelatih menguasai materi.", 2, 3.0],
    ]
    auth.logout()
    auth.login(HR_SERANG)
    theirs = client.get("/laporan/evaluasi").text
    assert "1 tanggapan" in theirs and "Komentar rahasia Serang." in theirs
    assert "Sangat bermanfaat untuk Puskesmas." not in theirs


# --- scoping ------------------------------------------------------------------------------------


def test_serang_sees_nothing_of_solok_in_any_page_or_export(client, db, auth, demo, solok, quizzes):
    found = quizzes.setup([QuestionType.MULTICHOICE])
    quiz_attempt(found.quiz, demo["learner"], correct=True)
    enrolment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.course_id == solok.course.id, Enrollment.employee_id == solok.completed.id
        )
    )
    evaluate(db, enrolment, [5, 5], "Komentar rahasia Solok.")
    serang_nips = set(
        db.session.scalars(
            select(Employee.nip).where(Employee.organisation_id == demo["serang"].id)
        )
    )
    secrets = [e.name for e in solok.employees] + [e.nip for e in solok.employees]
    secrets.append("Komentar rahasia Solok.")
    auth.login(HR_SERANG)
    variants = ("", f"unit={solok.dinkes_id}", f"kursus={solok.course.id}", "tampilan=daftar",
                "status=terlambat", "per=pelatih", f"instansi={demo['solok'].id}")  # fmt: skip
    exported = 0
    for path in PAGES:
        for query in variants:
            response = client.get(f"{path}?{query}")
            assert response.status_code == 200, (path, query)
            leaks = [s for s in secrets if s in response.text]
            assert not leaks, (path, query, leaks)
    for path in EXPORTS:
        for query in variants:
            for kind in ("csv", "xlsx"):
                response = get(client, f"{path}?{query}&format={kind}")
                if query.startswith("unit="):
                    assert response.status_code == 400  # not a unit of Serang
                    continue
                rows = csv_rows(response) if kind == "csv" else xlsx_rows(response)
                body = repr(rows)
                assert not [s for s in secrets if s in body], (path, query, kind)
                if rows[0][0] == "NIP":
                    exported += len(rows) - 1
                    assert {r[0] for r in rows[1:]} <= serang_nips, (path, query, kind)
    assert exported > 0  # Serang's own rows did come out


def test_learners_and_visitors_are_refused(client, db, auth, demo):
    for path in (*PAGES, "/laporan/tim"):
        response = client.get(path)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    auth.login(LEARNER)
    for path in (*PAGES, "/laporan/tim", "/laporan/penyelesaian?format=csv"):
        assert get(client, path).status_code == 403, path


def test_admin_chooses_the_organisation(client, db, auth, demo, solok):
    auth.login("admin@lentera.test")
    serang = client.get(f"/laporan?instansi={demo['serang'].id}&kursus={solok.course.id}").text
    assert "Pemerintah Kota Serang" in serang
    assert "1 dari 1 pendaftaran selesai" in serang
    solok_page = client.get(f"/laporan?instansi={demo['solok'].id}&kursus={solok.course.id}").text
    assert "1 dari 4 pendaftaran selesai" in solok_page


def test_supervisor_sees_the_team_only(client, db, auth, demo, solok, courses):
    supervisor = demo["supervisor"].employee
    team = db.session.scalars(
        select(Employee).where(
            Employee.supervisor_id == supervisor.id, Employee.is_active.is_(True)
        )
    ).all()
    assert solok.completed in team
    other = courses.course("LAP-TIM", jp=3, modules=[("M", [text("Satu")])])
    late = courses.enrol(other, solok.completed, due_date=date.today() - timedelta(days=2))
    db.session.flush()
    assert late.status(date.today()).value == "overdue"
    indirect = db.session.scalars(
        select(Employee).where(Employee.supervisor.has(Employee.supervisor_id == supervisor.id))
    ).first()
    auth.login(SUPERVISOR)
    assert client.get("/laporan").status_code == 403
    assert get(client, "/laporan/penyelesaian?format=csv").status_code == 403
    page = client.get("/laporan/tim")
    assert page.status_code == 200
    html = page.text
    for member in team:
        assert member.name in html
    assert indirect.name not in html and solok.in_progress.name not in html
    mine = row_starting(html, solok.completed.name)
    # LAP-001 completed, LAP-TIM overdue: 1 of 2, 1 late
    assert mine[1] == "1 / 2" and mine[4] == "1"
    assert f"{ledger.ledger(solok.completed, date.today().year)[1]} / 20 JP" in mine[5]
    gaps = sum(1 for line in profile.profile(solok.completed) if line.gap > 0)
    assert mine[6] == str(gaps)
    overdue = row_starting(html.split('id="terlambat"')[1], solok.completed.name)
    assert overdue[1] == "Kursus LAP-TIM LAP-TIM"


# --- a fixed number of queries ------------------------------------------------------------------


def statements(client, count_queries, url: str) -> int:
    client.get(url)
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def test_pages_run_the_same_queries_with_more_data(
    client, db, auth, demo, courses, factory, count_queries, solok
):
    urls = [
        "/laporan",
        f"/laporan?unit={solok.dinkes_id}",
        "/laporan/penyelesaian",
        "/laporan/penyelesaian?tampilan=daftar",
        "/laporan/jp",
        "/laporan/kesenjangan",
        "/laporan/kuis",
        "/laporan/evaluasi",
    ]
    auth.login(HR_SOLOK)
    before = [statements(client, count_queries, url) for url in urls]
    dinkes = db.session.get(Unit, solok.dinkes_id)
    extra = courses.course(jp=2, modules=[("M", [text("Satu")])])
    for n in range(6):
        employee = factory.employee(demo["solok"], f"Pegawai Tambahan {n}", unit_id=dinkes.id)
        for course in (solok.course, extra):
            enrolment = courses.enrol(
                course, employee, due_date=date.today() + timedelta(days=n - 3)
            )
            if n % 2:
                courses.complete(enrolment, *courses.lessons(course))
    db.session.flush()
    after = [statements(client, count_queries, url) for url in urls]
    assert after == before, (before, after)
    assert max(after) <= 20, dict(zip(urls, after, strict=True))


def test_pages_in_english(client, db, auth, solok):
    auth.login(HR_SOLOK)
    auth.post("/bahasa", {"locale": "en", "next": "/"})
    dashboard = client.get(f"/laporan?kursus={solok.course.id}").text
    assert "1 of 4 enrolments completed" in dashboard and "Completion per unit" in dashboard
    gaps = client.get("/laporan/kesenjangan").text
    assert "employees below the standard (%) and the mean gap" in gaps
    rows = csv_rows(get(client, f"/laporan/penyelesaian?kursus={solok.course.id}&format=csv"))
    assert rows[0][6] == "Status" and {r[6] for r in rows[1:]} == {
        "Completed", "Overdue", "In progress", "Not started"
    }  # fmt: skip
