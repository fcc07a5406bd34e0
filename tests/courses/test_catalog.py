"""The catalog: search, filters, pagination, the course page, and who may see what."""

from __future__ import annotations

import re

from lms.courses.models import Category, Visibility
from tests.fixtures.courses import bearer, login_token, text

LEARNER = "pegawai.solok@lentera.test"
LEARNER_SERANG = "pegawai.serang@lentera.test"
HR_SERANG = "bkpsdm.serang@lentera.test"

CARD_LINK = re.compile(r'<h2 class="h5"><a href="/kursus/([A-Z0-9-]+)">')


def listed(client, query: str = "") -> list[str]:
    """Course codes on a catalog page, in order."""
    response = client.get(f"/kursus{query}")
    assert response.status_code == 200
    return CARD_LINK.findall(response.text)


def category_id(db, name: str) -> int:
    from sqlalchemy import select

    return db.session.scalar(select(Category.id).where(Category.name == name))


def test_search_by_title_summary_code_and_competency(client, auth, db, courses):
    anti = courses.course(
        title="Budaya Antikorupsi",
        summary="Gratifikasi dan integritas.",
        competencies=[("M-INT", 3)],
    )
    data = courses.course(
        title="Analisis Data",
        summary="Mengolah data layanan dengan rapi.",
        competencies=[("T-LITDIG", 2)],
    )
    lead = courses.course(
        title="Kepemimpinan Tim",
        summary="Memimpin rapat dan tim.",
        competencies=[("M-PK", 3), ("M-INT", 2)],
    )
    auth.login(LEARNER)
    assert listed(client, "?q=antikorupsi") == [anti.code]
    assert listed(client, "?q=GRATIFIKASI") == [anti.code]  # summary, any case
    assert listed(client, "?q=layanan") == [data.code]
    assert listed(client, "?q=m-int") == [anti.code, lead.code]  # competency code
    assert listed(client, "?q=pengambilan keputusan") == [lead.code]  # a competency's name
    assert listed(client, "?q=literasi digital") == [data.code]  # the organisation's own
    assert listed(client, f"?q={lead.code}") == [lead.code]
    assert listed(client, "?q=tidak-ada-yang-cocok") == []
    assert "Tidak ada kursus yang cocok." in client.get("/kursus?q=tidak-ada-yang-cocok").text
    assert set(listed(client)) == {anti.code, data.code, lead.code}
    # a search term is echoed back escaped, never as markup
    hostile = client.get("/kursus?q=%3Cscript%3Ealert(1)%3C/script%3E").text
    assert "<script>alert(1)" not in hostile


def test_filters_category_jp_organisation_and_competency(client, auth, db, courses, demo):
    short = courses.course(
        title="A Pendek", jp=8, category="Kepemimpinan", competencies=[("M-PP", 2)]
    )
    medium = courses.course(
        title="B Sedang", jp=9, category="Teknologi Informasi", competencies=[("T-LITDIG", 2)]
    )
    medium_top = courses.course(title="C Sedang", jp=20, category="Teknologi Informasi", org="SRG")
    long_ = courses.course(
        title="D Panjang", jp=21, category="Manajemen", org="SWL", competencies=[("M-PP", 4)]
    )
    auth.login(LEARNER)
    assert listed(client, "?jp=pendek") == [short.code]
    assert listed(client, "?jp=sedang") == [medium.code, medium_top.code]
    assert listed(client, "?jp=panjang") == [long_.code]
    assert len(listed(client, "?jp=tidak-dikenal")) == 4
    ti = category_id(db, "Teknologi Informasi")
    assert listed(client, f"?kategori={ti}") == [medium.code, medium_top.code]
    assert listed(client, f"?kategori={category_id(db, 'Kepemimpinan')}") == [short.code]
    assert listed(client, f"?instansi={demo['serang'].id}") == [medium_top.code]
    assert listed(client, f"?instansi={demo['sawahlunto'].id}") == [long_.code]
    assert listed(client, "?kompetensi=m-pp") == [short.code, long_.code]
    assert listed(client, f"?kompetensi=M-PP&jp=panjang&instansi={demo['sawahlunto'].id}") == [
        long_.code
    ]
    assert listed(client, f"?kategori={ti}&jp=pendek") == []
    # nonsense filter values are ignored or find nothing; they never fail
    for query in ("?kategori=abc", f"?instansi={10**12}", "?page=-3", "?page=abc", "?kompetensi=%"):
        assert client.get(f"/kursus{query}").status_code == 200, query
    # the filter form remembers the choice
    page = client.get(f"/kursus?kategori={ti}&jp=sedang").text
    assert f'<option value="{ti}" selected>' in page
    assert '<option value="sedang" selected>' in page
    # competencies are chosen by name from those the learner's courses target
    page = client.get("/kursus?kompetensi=m-pp").text
    assert '<option value="M-PP" selected>Pelayanan Publik (M-PP)</option>' in page
    assert '<option value="T-LITDIG" >Literasi Digital (T-LITDIG)</option>' in page
    assert (
        '<option value="X-LAIN" selected>X-LAIN</option>'
        in client.get("/kursus?kompetensi=x-lain").text
    )  # a code no course targets stays shown as chosen


def test_competency_choices_leave_out_other_organisations_own_courses(client, auth, db, courses):
    courses.course(title="Milik Serang", org="SRG", competencies=[("T-KESPOL", 2)],
                   visibility=Visibility.ORGANISATION)  # fmt: skip
    courses.course(title="Terbuka", org="SRG", competencies=[("T-KURIK", 2)])
    courses.course(title="Draf", competencies=[("M-OPH", 2)], publish=False)
    auth.login(LEARNER)
    page = client.get("/kursus").text
    assert 'value="T-KURIK"' in page
    assert 'value="T-KESPOL"' not in page and 'value="M-OPH"' not in page


def test_pagination_twelve_per_page(client, auth, db, courses):
    codes = [courses.course(title=f"Kursus Halaman {n:02d}").code for n in range(14)]
    auth.login(LEARNER)
    first = client.get("/kursus")
    assert "Kursus ditemukan: 14" in first.text
    assert CARD_LINK.findall(first.text) == codes[:12]
    assert "page=2" in first.text
    assert listed(client, "?page=2") == codes[12:]
    assert listed(client, "?page=3") == []


def test_course_page_shows_syllabus_jp_competencies_trainers_and_status(
    client, auth, db, courses, demo, factory
):
    from lms.accounts.models import Role

    second = factory.user(factory.employee(demo["solok"], "Dr. Widya Kedua"), roles=(Role.TRAINER,))
    prerequisite = courses.course(title="Kursus Dasar")
    course = courses.course(
        title="Pelayanan Prima",
        summary="Ringkasan pelayanan prima.",
        description="Kursus ini **membahas** pelayanan.",
        jp=12,
        category="Kepemimpinan",
        competencies=[("M-PP", 3), ("M-KOM", 2)],
        trainers=[demo["trainer"], second],
        prerequisites=[prerequisite.code],
        self_enrollment=False,
        modules=[
            ("Modul Satu: Dasar", [text("Standar pelayanan"), text("Maklumat", required=False)]),
            ("Modul Dua: Praktik", [text("Menangani keluhan")]),
        ],
    )
    trainer_name = demo["trainer"].display_name
    auth.login(LEARNER)
    page = client.get(f"/kursus/{course.code.lower()}")  # codes are found in any case
    assert page.status_code == 200
    body = page.text
    for expected in (
        "Pelayanan Prima",
        "Ringkasan pelayanan prima.",
        "<strong>membahas</strong>",
        "12 JP (540 menit)",
        "Kepemimpinan",
        "Pemerintah Kota Solok",
        'Komunikasi <span class="text-body-secondary">(M-KOM)</span> · level 2',
        'Pelayanan Publik <span class="text-body-secondary">(M-PP)</span> · level 3',
        trainer_name,
        "Dr. Widya Kedua",
        f'href="/kursus/{prerequisite.code}"',
        "Modul Satu: Dasar",
        "Modul Dua: Praktik",
        "Standar pelayanan",
        "Menangani keluhan",
        f"Selesaikan dulu kursus prasyarat: {prerequisite.code}.",
    ):
        assert expected in body, expected
    assert body.index("Modul Satu") < body.index("Standar pelayanan") < body.index("Modul Dua")
    assert re.search(r"Maklumat\s*<span[^>]*>· Teks · opsional", body)
    assert not re.search(r"Standar pelayanan\s*<span[^>]*>· Teks · opsional", body)
    assert "Lanjutkan belajar" not in body and "Mulai belajar" not in body

    courses.enrol(course, demo["learner"])
    body = client.get(f"/kursus/{course.code}").text
    assert "Belum mulai" in body and "Mulai belajar" in body
    assert 'aria-valuenow="0"' in body


def test_organisation_only_course_is_invisible_to_other_organisations(
    client, auth, db, courses, demo
):
    hidden = courses.course(title="Khusus Solok", visibility=Visibility.ORGANISATION)
    shared = courses.course(title="Untuk Semua")
    lesson = courses.lessons(hidden)[0]
    for login in (LEARNER_SERANG, HR_SERANG):
        auth.login(login)
        assert listed(client) == [shared.code], login
        assert listed(client, "?q=Khusus") == [], login
        assert listed(client, f"?instansi={demo['solok'].id}") == [shared.code], login
        for url in (
            f"/kursus/{hidden.code}",
            f"/kursus/{hidden.code}/pelajaran/{lesson.id}",
            f"/ajar/{hidden.code}/peserta",
            f"/ajar/{hidden.code}/penugasan",
        ):
            assert client.get(url).status_code == 404, (login, url)
        assert auth.post(f"/kursus/{hidden.code}/daftar").status_code == 404
        token = login_token(client, login)
        api = client.get("/api/v1/courses", headers=bearer(token)).get_json()
        assert [c["code"] for c in api["items"]] == [shared.code]
        assert (
            client.get(f"/api/v1/courses/{hidden.code}", headers=bearer(token)).status_code == 404
        )
        auth.logout()
    assert courses.enrollment(hidden, demo["learner_serang"].employee) is None

    auth.login(LEARNER)
    assert listed(client) == sorted([hidden.code, shared.code], key=lambda c: c != hidden.code)
    assert client.get(f"/kursus/{hidden.code}").status_code == 200
    auth.logout()
    auth.login("admin@lentera.test")
    assert hidden.code in listed(client)


def test_drafts_and_archived_courses_are_not_in_the_catalog(client, auth, db, courses):
    from lms.courses import services

    draft = courses.course(title="Masih Draf", publish=False)
    archived = courses.course(title="Sudah Diarsipkan")
    services.archive(archived, actor=None)
    live = courses.course(title="Terbit")
    auth.login(LEARNER)
    assert listed(client) == [live.code]
    assert client.get(f"/kursus/{draft.code}").status_code == 404
    assert client.get(f"/kursus/{archived.code}").status_code == 404
    assert client.get("/kursus/TIDAK-ADA").status_code == 404
