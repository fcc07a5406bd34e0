"""The learner pages keep a published version's syllabus and description per process: a new
version must show at once, a draft is never kept, and nothing about one learner reaches another."""

from __future__ import annotations

from datetime import date

from lms.courses import services
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.courses import text

LEARNER = "pegawai.solok@lentera.test"
TRAINER = "pelatih@lentera.test"


def outline_queries(count_queries, client, url: str) -> list[str]:
    """The statements of a request that read a version's syllabus."""
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return [s for s in counter.statements if "FROM modules" in s]


def test_a_new_version_replaces_the_kept_syllabus_and_description(
    client, auth, db, courses, demo, count_queries
):
    course = courses.course(
        title="Kursus Berversi",
        description="Deskripsi **versi satu**.",
        modules=[("Modul Lama", [text("Bacaan lama")])],
    )
    courses.enrol(course, demo["learner"])
    url = f"/kursus/{course.code}"
    auth.login(LEARNER)
    body = client.get(url).text
    assert "<strong>versi satu</strong>" in body
    assert "Modul Lama" in body and "Bacaan lama" in body
    assert outline_queries(count_queries, client, url) == []  # kept, not read again

    services.update_details(
        course,
        services.CourseDetails(title="Kursus Berversi", description="Deskripsi **versi dua**."),
        actor=None,
    )
    module = services.add_module(course, "Modul Baru", actor=None)
    courses.add_lesson(course, module, text("Bacaan baru"))
    services.publish(course, actor=None)
    db.session.flush()

    body = client.get(url).text
    assert "<strong>versi dua</strong>" in body and "versi satu" not in body
    assert "Modul Baru" in body and "Bacaan baru" in body and "Modul Lama" in body
    assert outline_queries(count_queries, client, url) == []


def test_a_draft_is_read_fresh_on_every_request(client, auth, db, courses, demo, count_queries):
    course = courses.course(
        description="Draf pertama.",
        trainers=[demo["trainer"]],
        modules=[("Modul Draf", [text("Bacaan draf")])],
        publish=False,
    )
    url = f"/kursus/{course.code}"
    auth.login(TRAINER)
    body = client.get(url).text
    assert "Draf pertama." in body and "Bacaan draf" in body
    assert outline_queries(count_queries, client, url) != []

    services.update_details(
        course,
        services.CourseDetails(title=f"Kursus {course.code}", description="Draf kedua."),
        actor=None,
    )
    db.session.flush()
    body = client.get(url).text
    assert "Draf kedua." in body and "Draf pertama." not in body


def test_details_outside_the_version_show_at_once(client, auth, db, courses, demo, factory):
    """Trainers, competencies and names belong to the course, not the version: never kept."""
    from lms.accounts.models import Role

    course = courses.course(competencies=[("M-PP", 2)], trainers=[demo["trainer"]])
    auth.login(LEARNER)
    url = f"/kursus/{course.code}"
    body = client.get(url).text
    assert (
        demo["trainer"].display_name in body
        and 'Pelayanan Publik <span class="text-body-secondary">(M-PP)</span> · level 2' in body
    )

    other = factory.user(
        factory.employee(demo["solok"], "Dr. Pelatih Pengganti"), roles=(Role.TRAINER,)
    )
    services.set_trainers(course, [other], actor=None)
    services.update_details(
        course,
        services.CourseDetails(title=f"Kursus {course.code}", competencies=[("M-KOM", 3)]),
        actor=None,
    )
    db.session.flush()
    body = client.get(url).text
    assert "Dr. Pelatih Pengganti" in body and demo["trainer"].display_name not in body
    assert "(M-KOM)</span> · level 3" in body and "M-PP" not in body
    assert "Komunikasi · level 3" in client.get("/kursus").text  # the catalog card


def test_one_learners_status_never_reaches_another(client, auth, db, courses, demo, factory):
    course = courses.course(
        title="Kursus Bersama",
        modules=[("Modul Bersama", [text("Pelajaran Pertama"), text("Pelajaran Kedua")])],
    )
    first, _second = courses.lessons(course)
    mine = courses.enrol(course, demo["learner"], due_date=date(2031, 5, 17))
    courses.complete(mine, first)
    other = factory.user(factory.employee(demo["solok"], "Pegawai Lain"))
    url = f"/kursus/{course.code}"

    auth.login(LEARNER)  # the first learner fills every cache
    page, catalog, home = client.get(url).text, client.get("/kursus").text, client.get("/").text
    assert "Sedang berjalan" in page and "17 Mei 2031" in page
    assert 'aria-valuenow="50"' in page and 'class="done"' in page
    assert "Lanjutkan belajar" in page and "/pelajaran/" in page
    assert "Sedang berjalan" in catalog
    assert "Kursus Bersama" in home and "17 Mei 2031" in home
    auth.logout()

    auth.login(other.email, PASSWORD)
    page, catalog, home = client.get(url).text, client.get("/kursus").text, client.get("/").text
    assert "Pelajaran Pertama" in page and "Daftar kursus" in page
    for leaked in (
        "Sedang berjalan",
        "17 Mei 2031",
        "aria-valuenow",
        'class="done"',
        "/pelajaran/",
    ):
        assert leaked not in page, leaked
    assert "Kursus Bersama" in catalog and "Sedang berjalan" not in catalog
    assert "Kursus Bersama" not in home and "Anda belum mengikuti kursus." in home

    assert auth.post(f"{url}/daftar").status_code == 302
    page = client.get(url).text
    assert "Belum mulai" in page and 'aria-valuenow="0"' in page
    assert 'class="done"' not in page and "17 Mei 2031" not in page
    auth.logout()

    auth.login(LEARNER)
    page = client.get(url).text
    assert "Sedang berjalan" in page and 'aria-valuenow="50"' in page


def test_competency_names_come_from_the_owners_dictionary_and_show_renames_at_once(
    client, auth, db, courses, demo
):
    """A course names its target competencies as its organisation's dictionary does (its own
    technical competency before a national one); a renamed competency shows on the next page,
    in the course page and the catalog card, for learners of every organisation."""
    from sqlalchemy import select

    from lms.competencies.models import Competency

    course = courses.course(org="SLK", competencies=[("T-MPROY", 3), ("X-UNKNOWN", 1)])
    course.visibility = services.Visibility.SHARED
    db.session.flush()
    own = db.session.scalar(
        select(Competency).where(
            Competency.code == "T-MPROY", Competency.organisation_id == demo["solok"].id
        )
    )
    auth.login(LEARNER)
    url = f"/kursus/{course.code}"
    assert f"{own.name} <span" in client.get(url).text
    assert "X-UNKNOWN · level 1" in client.get(url).text  # a code no dictionary knows
    own.name = "Manajemen Proyek Pemerintahan Daerah"
    db.session.flush()
    assert "Manajemen Proyek Pemerintahan Daerah <span" in client.get(url).text
    assert "Manajemen Proyek Pemerintahan Daerah · level 3" in client.get("/kursus").text
    auth.logout()
    auth.login("pegawai.serang@lentera.test")  # another organisation, the same names
    assert "Manajemen Proyek Pemerintahan Daerah <span" in client.get(url).text
