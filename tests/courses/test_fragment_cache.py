"""Each process keeps the catalog's statements per scope and filters, and the rendered cards,
course facts, syllabus and home sections under the values they show (lms.core.fragments):
what changes shows at once, and nothing of one organisation, learner or language reaches another.
"""

from __future__ import annotations

from datetime import date

from lms.courses import services
from lms.courses.models import Visibility
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.courses import text

LEARNER = "pegawai.solok@lentera.test"
LEARNER_SERANG = "pegawai.serang@lentera.test"
ADMIN = "admin@lentera.test"


def test_a_private_course_stays_in_its_organisation(client, auth, db, courses, demo):
    private = courses.course(title="Khusus Solok Saja", visibility=Visibility.ORGANISATION)
    shared = courses.course(title="Terbuka Untuk Semua")
    for filters in ("", "?q=khusus", "?page=1&jp=pendek"):
        auth.login(LEARNER)  # Solok fills the statement cache first
        body = client.get(f"/kursus{filters}").text
        assert "Khusus Solok Saja" in body
        auth.logout()

        auth.login(LEARNER_SERANG)
        body = client.get(f"/kursus{filters}").text
        assert "Khusus Solok Saja" not in body
        assert client.get(f"/kursus/{private.code}").status_code == 404
        if not filters.startswith("?q"):
            assert "Terbuka Untuk Semua" in body
        auth.logout()

        auth.login(ADMIN)
        assert "Khusus Solok Saja" in client.get(f"/kursus{filters}").text
        auth.logout()
    assert shared.code


def test_a_new_version_and_renamed_details_show_at_once(client, auth, db, courses, demo):
    course = courses.course(
        title="Judul Pertama", jp=4, modules=[("Modul Satu", [text("Bacaan Satu")])]
    )
    courses.enrol(course, demo["learner"])
    auth.login(LEARNER)
    assert "Judul Pertama" in client.get("/kursus").text
    assert "Judul Pertama" in client.get("/").text
    assert "Bacaan Satu" in client.get(f"/kursus/{course.code}").text

    services.update_details(course, services.CourseDetails(title="Judul Kedua", jp=9), actor=None)
    module = services.add_module(course, "Modul Dua", actor=None)
    courses.add_lesson(course, module, text("Bacaan Dua"))
    services.publish(course, actor=None)
    course.category.name = "Kategori Berganti Nama"
    db.session.flush()

    catalog, home = client.get("/kursus").text, client.get("/").text
    page = client.get(f"/kursus/{course.code}").text
    assert "Judul Kedua" in catalog and "Judul Pertama" not in catalog
    assert "9 JP" in catalog and "Kategori Berganti Nama" in catalog
    assert "Judul Kedua" in home and "Judul Pertama" not in home and "9 JP" in home
    assert "Bacaan Dua" in page and "Kategori Berganti Nama" in page


def test_a_profile_and_progress_stay_with_their_learner(client, auth, db, courses, demo, factory):
    course = courses.course(title="Kursus Berdua")
    first = courses.enrol(course, demo["learner"], due_date=date(2031, 3, 9))
    courses.complete(first, courses.lessons(course)[0])
    other = factory.user(factory.employee(demo["solok"], "Pegawai Kedua"))
    courses.enrol(course, other.employee)

    auth.login(LEARNER)
    home = client.get("/").text
    assert demo["learner"].employee.nip in home and "9 Maret 2031" in home
    assert "Sedang berjalan" in home
    auth.logout()

    auth.login(other.email, PASSWORD)
    home = client.get("/").text
    assert other.employee.nip in home and demo["learner"].employee.nip not in home
    assert "9 Maret 2031" not in home and "Sedang berjalan" not in home
    assert "Belum mulai" in home


def test_each_language_gets_its_own_fragments(client, auth, db, courses, demo):
    course = courses.course(title="Kursus Dwibahasa")
    courses.enrol(course, demo["learner"])
    auth.login(LEARNER)
    pages = ("/kursus", f"/kursus/{course.code}", "/")
    before = [client.get(url).text for url in pages]
    assert "Belum mulai" in before[0] and "Silabus" in before[1] and "Kursus saya" in before[2]

    demo["learner"].locale = "en"
    db.session.flush()
    after = [client.get(url).text for url in pages]
    assert "Not started" in after[0] and "Belum mulai" not in after[0]
    assert "Syllabus" in after[1] and "Silabus" not in after[1]
    assert "My courses" in after[2] and "Kursus saya" not in after[2]
