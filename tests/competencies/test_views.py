"""The competency pages: profile with gaps, chart data, evidence and recommendations; one-click
enrolment; the JP ledger; the supervisor's team; HR's JP overview; who may see what."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta

from sqlalchemy import select

from lms.competencies import evidence, ledger
from lms.competencies.models import Competency, EmployeeCompetency, Evidence, EvidenceSource
from lms.competencies.profile import dictionary
from lms.courses.models import Enrollment, EnrollmentSource

LEARNER = "pegawai.solok@lentera.test"
SUPERVISOR = "atasan.solok@lentera.test"
HR_SOLOK = "bkpsdm.solok@lentera.test"
HR_SERANG = "bkpsdm.serang@lentera.test"

CHART_RE = re.compile(
    r'<script type="application/json" id="competency-chart-data">(.*?)</script>', re.S
)


def chart(page: str) -> dict[str, tuple[int, int]]:
    """The radar chart's data as the page ships it."""
    match = CHART_RE.search(page)
    assert match, "no chart data on the page"
    data = json.loads(html.unescape(match.group(1)))
    return {
        code: (required, current)
        for code, required, current in zip(
            data["labels"], data["required"], data["current"], strict=True
        )
    }


def table_row(page: str, code: str) -> list[str]:
    """The cells (standard, current, gap, evidence) of a competency's row in the gap table."""
    match = re.search(
        rf'<th scope="row"[^>]*><span class="fw-semibold">{code}</span>.*?</th>(.*?)</tr>',
        page,
        re.S,
    )
    assert match, f"no row for {code}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    return [re.sub(r"<[^>]+>", " ", c).split()[0] if c.strip() else "" for c in cells[1:]]


def mpp(courses, **options):
    """Manajemen Proyek Pemerintahan as the unit-test database knows it (the library's courses
    are not imported there): published, targeting project management at level 3."""
    defaults = {"code": "MPP-101", "title": "Manajemen Proyek Pemerintahan", "jp": 12}
    defaults.update(options)
    return courses.course(competencies=[("T-MPROY", 3)], **defaults)


# --- the learner's profile ------------------------------------------------------------------------


def test_learner_sees_gaps_and_the_course_that_closes_them(client, auth, db, demo, courses):
    mpp(courses)
    auth.login(LEARNER)
    page = client.get("/kompetensi")
    assert page.status_code == 200
    text = page.text
    assert chart(text)["T-MPROY"] == (3, 1)
    assert chart(text)["M-OPH"] == (2, 1)
    # standard, current, gap, evidence count
    assert table_row(text, "T-MPROY")[:3] == ["3", "1", "2"]
    assert table_row(text, "M-OPH")[:3] == ["2", "1", "1"]
    # recommendations: the course, its JP, what it closes, and the one-click enrolment
    assert "Manajemen Proyek Pemerintahan" in text
    assert "12 JP" in text
    assert "T-MPROY 1→3" in text
    assert 'action="/kompetensi/kursus/MPP-101/daftar"' in text
    # the learning path of the year carries it
    path = text[text.index('id="jalur-belajar"') :]
    assert "Manajemen Proyek Pemerintahan" in path
    # Chart.js is offered on this page only, and loaded on request (phones) or when it shows
    assert re.search(r'data-src="/static/vendor/chart.js-4.6.1/chart.umd.min.js\?v=\w+"', text)
    assert "chart.umd.min.js" not in client.get("/kompetensi/jp").text


def test_evidence_and_indicators_are_listed_with_expired_evidence_marked(
    client, auth, db, demo, courses
):
    learner = demo["learner"].employee
    mproy = next(c for c in dictionary(learner.organisation_id) if c.code == "T-MPROY")
    old = date.today() - timedelta(days=365 * 4)
    evidence.record_rating(
        learner, mproy, 4, "Asesmen lama sekali", observed_on=old, actor=demo["hr_solok"]
    )
    auth.login(LEARNER)
    text = client.get("/kompetensi").text
    details = re.search(r'<details[^>]*id="bukti-T-MPROY">(.*?)</details>', text, re.S).group(1)
    assert "Penilaian asesor" in details
    assert "Asesmen lama sekali" in details
    assert "kedaluwarsa" in details
    assert "level 4" in details
    # the behaviour indicators of the dictionary, with the standard and the current level marked
    first_indicator = mproy.levels[2].indicators[0]
    assert html.escape(first_indicator) in details or first_indicator in details
    assert "standar jabatan" in details and "level saat ini" in details
    # the expired rating does not count
    assert table_row(text, "T-MPROY")[:2] == ["3", "1"]


def test_one_click_enrolment_creates_a_self_enrolment(client, auth, db, demo, courses):
    course = mpp(courses)
    auth.login(LEARNER)
    response = auth.post("/kompetensi/kursus/MPP-101/daftar")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/kompetensi#rekomendasi")
    enrollment = courses.enrollment(course, demo["learner"].employee)
    assert enrollment is not None and enrollment.source is EnrollmentSource.SELF
    page = client.get("/kompetensi").text
    assert 'action="/kompetensi/kursus/MPP-101/daftar"' not in page
    assert "Lanjutkan" in page


def test_enrolment_needs_the_csrf_token(client, auth, db, demo, courses):
    course = mpp(courses)
    auth.login(LEARNER)
    response = client.post("/kompetensi/kursus/MPP-101/daftar")
    assert response.status_code == 400
    assert courses.enrollment(course, demo["learner"].employee) is None


def test_a_course_closed_to_self_enrolment_is_not_offered_nor_enrolled(
    client, auth, db, demo, courses
):
    course = mpp(courses, self_enrollment=False)
    auth.login(LEARNER)
    page = client.get("/kompetensi").text
    assert "Manajemen Proyek Pemerintahan" in page
    assert 'action="/kompetensi/kursus/MPP-101/daftar"' not in page
    assert "Melalui penugasan BKPSDM" in page
    response = auth.post("/kompetensi/kursus/MPP-101/daftar")
    assert response.status_code == 302
    assert courses.enrollment(course, demo["learner"].employee) is None
    assert "penugasan BKPSDM" in client.get("/kompetensi").text  # the flashed refusal


def test_a_mandatory_assignment_shows_its_due_date(client, auth, db, demo, courses):
    course = mpp(courses)
    due = date.today() + timedelta(days=30)
    courses.enrol(course, demo["learner"], due_date=due)
    auth.login(LEARNER)
    page = client.get("/kompetensi").text
    assert "wajib" in page
    assert f"{due.day} " in page and str(due.year) in page


def test_an_unknown_or_foreign_course_cannot_be_enrolled(client, auth, db, demo, courses):
    serang_only = courses.course(
        org="SRG", visibility="organisation", competencies=[("T-MPROY", 3)]
    )
    auth.login(LEARNER)
    assert auth.post("/kompetensi/kursus/TIDAK-ADA/daftar").status_code == 404
    assert auth.post(f"/kompetensi/kursus/{serang_only.code}/daftar").status_code == 404
    assert courses.enrollment(serang_only, demo["learner"].employee) is None


def test_an_account_without_employee_record_has_no_profile(client, auth, db, demo, factory):
    from tests.fixtures.accounts import PASSWORD

    user = factory.user(email="tanpa.pegawai@uji.test", organisation=demo["solok"])
    auth.login(user.email, PASSWORD)
    assert client.get("/kompetensi").status_code == 404
    assert client.get("/kompetensi/jp").status_code == 404


# --- who sees whose profile -----------------------------------------------------------------------


def test_supervisor_sees_a_direct_reports_profile_without_enrol_buttons(
    client, auth, db, demo, courses
):
    mpp(courses)
    learner = demo["learner"].employee
    assert learner.supervisor_id == demo["supervisor"].employee_id
    auth.login(SUPERVISOR)
    page = client.get(f"/kompetensi/pegawai/{learner.nip}")
    assert page.status_code == 200
    assert html.escape(learner.name) in page.text
    assert chart(page.text)["T-MPROY"] == (3, 1)
    assert "Manajemen Proyek Pemerintahan" in page.text
    assert "/daftar" not in page.text  # enrolment is the learner's own decision


def test_profile_visibility_follows_the_employee_scope(client, auth, db, demo):
    learner = demo["learner"].employee
    supervisor = demo["supervisor"].employee
    auth.login(HR_SOLOK)
    assert client.get(f"/kompetensi/pegawai/{learner.nip}").status_code == 200
    auth.logout()
    auth.login(HR_SERANG)
    response = client.get(f"/kompetensi/pegawai/{learner.nip}")
    assert response.status_code == 404
    assert learner.nip not in response.text and html.escape(learner.name) not in response.text
    auth.logout()
    auth.login(LEARNER)
    assert client.get(f"/kompetensi/pegawai/{learner.nip}").status_code == 200  # oneself
    assert client.get(f"/kompetensi/pegawai/{supervisor.nip}").status_code == 404
    assert client.get("/kompetensi/pegawai/123").status_code == 404
    assert client.get("/kompetensi/pegawai/" + "²" * 18).status_code == 404
    auth.logout()
    # a report of a report is not a direct report
    indirect = db.session.scalars(
        select(type(learner)).where(
            type(learner).supervisor.has(type(learner).supervisor_id == supervisor.id)
        )
    ).first()
    auth.login(SUPERVISOR)
    assert client.get(f"/kompetensi/pegawai/{indirect.nip}").status_code == 404


def test_links_lead_to_the_profiles(client, auth, db, demo):
    learner = demo["learner"].employee
    auth.login(LEARNER)
    home = client.get("/").text
    assert 'href="/kompetensi"' in home
    auth.logout()
    auth.login(SUPERVISOR)
    assert 'href="/kompetensi/tim"' in client.get("/").text
    auth.logout()
    auth.login(HR_SOLOK)
    detail = client.get(f"/pegawai/{learner.id}").text
    assert f'href="/kompetensi/pegawai/{learner.nip}"' in detail
    assert 'href="/kompetensi/jp-instansi"' in client.get("/").text


# --- JP ledger ------------------------------------------------------------------------------------


def test_jp_ledger_shows_external_training_and_completed_courses(client, auth, db, demo, courses):
    auth.login(LEARNER)
    page = client.get("/kompetensi/jp")
    assert page.status_code == 200
    assert "Pelatihan Dasar Surveilans Epidemiologi" in page.text  # 8 JP, recorded by HR
    earned = int(re.search(r"(\d+) JP dari target 20 JP", page.text).group(1))
    assert earned >= 8
    course = courses.course(title="Kursus Tuntas JP", jp=6)
    enrollment = courses.enrol(course, demo["learner"], source=EnrollmentSource.SELF)
    courses.complete(enrollment, *courses.lessons(course))
    assert courses.enrollment(course, demo["learner"].employee).completed_at is not None
    page = client.get(f"/kompetensi/jp?tahun={date.today().year}").text
    assert "Kursus Tuntas JP" in page
    assert f"{earned + 6} JP dari target 20 JP" in page
    last_year = client.get(f"/kompetensi/jp?tahun={date.today().year - 1}").text
    assert "Kursus Tuntas JP" not in last_year


def test_a_malformed_year_is_a_bad_request(client, auth, db):
    auth.login(LEARNER)
    for year in ("abc", "1999", "20245", str(date.today().year + 2), "٢٠٢٤"):
        assert client.get(f"/kompetensi/jp?tahun={year}").status_code == 400, year


# --- the supervisor's team ------------------------------------------------------------------------


def test_supervisor_team_view_shows_jp_and_gaps(client, auth, db, demo):
    learner = demo["learner"].employee
    auth.login(SUPERVISOR)
    page = client.get("/kompetensi/tim")
    assert page.status_code == 200
    row = re.search(rf'href="/kompetensi/pegawai/{learner.nip}">.*?</tr>', page.text, re.S).group(0)
    assert "T-MPROY 1→3" in row and "M-OPH 1→2" in row
    _items, earned = ledger.ledger(learner, date.today().year)
    assert earned >= 8  # the demo's external training
    assert f"{earned} / 20 JP" in row


def test_team_view_is_for_supervisors(client, auth, db):
    auth.login(LEARNER)
    assert client.get("/kompetensi/tim").status_code == 403


# --- HR's JP overview -----------------------------------------------------------------------------


def test_hr_sees_their_organisation_jp(client, auth, db, demo):
    learner = demo["learner"].employee
    auth.login(HR_SOLOK)
    page = client.get("/kompetensi/jp-instansi")
    assert page.status_code == 200
    assert "Mencapai 20 JP" in page.text
    unit_page = client.get(f"/kompetensi/jp-instansi?unit={learner.unit_id}").text
    assert html.escape(learner.name) in unit_page
    auth.logout()
    auth.login(HR_SERANG)
    serang = client.get(f"/kompetensi/jp-instansi?unit={learner.unit_id}")
    assert serang.status_code == 200
    assert html.escape(learner.name) not in serang.text
    assert learner.nip not in serang.text
    auth.logout()
    auth.login(LEARNER)
    assert client.get("/kompetensi/jp-instansi").status_code == 403


# --- bounded queries ------------------------------------------------------------------------------


def statements(client, count_queries, url: str) -> int:
    client.get(url)  # warm up
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def test_profile_queries_do_not_grow_with_evidence_or_courses(
    client, auth, db, demo, courses, count_queries
):
    learner = demo["learner"].employee
    mpp(courses)
    auth.login(LEARNER)
    few = statements(client, count_queries, "/kompetensi")
    competencies = dictionary(learner.organisation_id)
    for competency in competencies[:6]:
        for level in (1, 2, 3):
            evidence.record_rating(
                learner,
                competency,
                level,
                "Asesmen tambahan",
                observed_on=date.today() - timedelta(days=level),
                actor=demo["supervisor"],
            )
    for i in range(4):
        course = courses.course(jp=2 + i, competencies=[("M-OPH", 2), ("T-MPROY", 2 + i % 2)])
        if i % 2:
            courses.enrol(course, demo["learner"])
    assert db.session.scalar(
        select(Evidence.id).where(
            Evidence.employee_id == learner.id, Evidence.source == EvidenceSource.ASSESSOR
        )
    )
    assert statements(client, count_queries, "/kompetensi") == few
    auth.logout()
    auth.login(SUPERVISOR)
    assert statements(client, count_queries, f"/kompetensi/pegawai/{learner.nip}") <= few + 2


def test_team_queries_do_not_grow_with_more_reports(client, auth, db, demo, factory, count_queries):
    supervisor = demo["supervisor"].employee
    learner = demo["learner"].employee
    auth.login(SUPERVISOR)
    few = statements(client, count_queries, "/kompetensi/tim")
    competencies = db.session.scalars(
        select(Competency).where(Competency.code.in_(["T-MPROY", "M-OPH"]))
    ).all()
    for i in range(12):
        report = factory.employee(
            demo["solok"],
            f"Anggota Tim {i:02d}",
            supervisor=supervisor,
            position=learner.position,
            unit=learner.unit,
        )
        for competency in competencies:
            db.session.add(
                EmployeeCompetency(
                    employee_id=report.id, competency_id=competency.id, level=1 + i % 3
                )
            )
    db.session.flush()
    many = statements(client, count_queries, "/kompetensi/tim")
    assert many == few
    assert "Anggota Tim 11" in client.get("/kompetensi/tim").text


def test_organisation_jp_queries_do_not_grow_with_more_employees(
    client, auth, db, demo, factory, count_queries
):
    auth.login(HR_SOLOK)
    few = statements(client, count_queries, "/kompetensi/jp-instansi")
    for i in range(30):
        factory.employee(demo["solok"], f"Aaa JP {i:02d}")
    assert statements(client, count_queries, "/kompetensi/jp-instansi") == few
    assert statements(client, count_queries, "/kompetensi/jp-instansi?page=2") == few


def test_enrolment_source_and_single_row(client, auth, db, demo, courses):
    """Enrolling twice (a double click) keeps one enrolment."""
    course = mpp(courses)
    auth.login(LEARNER)
    auth.post("/kompetensi/kursus/MPP-101/daftar")
    auth.post("/kompetensi/kursus/MPP-101/daftar")
    rows = db.session.scalars(
        select(Enrollment).where(
            Enrollment.course_id == course.id,
            Enrollment.employee_id == demo["learner"].employee_id,
        )
    ).all()
    assert len(rows) == 1
