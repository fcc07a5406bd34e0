"""The main pages run a fixed number of SQL statements, however many courses, lessons, learners.

The learner's three busiest pages also keep to a budget (docs/BENCHMARKS.md, "What limits
throughput"): every statement costs more Python around it than SQLite spends running it. The
budget counts the user's loading and what base.html asks on every page.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.fixtures.courses import document, link, text

LEARNER = "pegawai.solok@lentera.test"
TRAINER = "pelatih@lentera.test"


def statements(client, count_queries, url: str) -> int:
    client.get(url)  # warm up: first visits may write (lesson visits) or fill caches
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def test_catalog(client, auth, db, courses, demo, count_queries):
    def add(n: int) -> None:
        for i in range(n):
            course = courses.course(competencies=[("M-PP", 2), ("M-KOM", 1 + i % 5)])
            if i % 2 == 0:
                courses.enrol(course, demo["learner"])

    add(2)
    auth.login(LEARNER)
    few = statements(client, count_queries, "/kursus")
    few_search = statements(client, count_queries, "/kursus?q=kursus&kompetensi=M-PP&jp=pendek")
    assert few <= 6 and few_search <= 6
    add(13)
    assert statements(client, count_queries, "/kursus") == few
    assert statements(client, count_queries, "/kursus?page=2") == few
    assert statements(client, count_queries, "/kursus?q=kursus&kompetensi=M-PP&jp=pendek") == (
        few_search
    )


def test_course_and_lesson_pages(client, auth, db, courses, demo, factory, count_queries):
    from lms.accounts.models import Role

    trainers = [demo["trainer"]] + [
        factory.user(factory.employee(demo["solok"], f"Pelatih {i}"), roles=(Role.TRAINER,))
        for i in range(3)
    ]

    def build(lessons: int, modules: int):
        per_module = lessons // modules
        specs = [
            (f"Modul {m}", [text(f"Bacaan {m}.{n}") for n in range(per_module)])
            for m in range(modules)
        ]
        specs[0][1][1:2] = [document("Materi")]
        specs[-1][1][-1:] = [link("Tautan")]
        course = courses.course(
            modules=specs,
            trainers=trainers[: 1 + lessons // 10],
            competencies=[("M-PP", 2), ("T-LITDIG", 1)][: 1 + lessons // 30],
        )
        enrollment = courses.enrol(course, demo["learner"])
        courses.complete(enrollment, *courses.lessons(course)[:2])
        return course

    small, big = build(3, 1), build(30, 6)
    auth.login(LEARNER)
    counts = {}
    for name, course in (("small", small), ("big", big)):
        lessons = courses.lessons(course)
        client.get(f"/kursus/{course.code}/pelajaran/{lessons[1].id}")  # continue from here
        counts[name] = (
            statements(client, count_queries, f"/kursus/{course.code}"),
            statements(client, count_queries, f"/kursus/{course.code}/pelajaran/{lessons[1].id}"),
        )
    assert counts["big"] == counts["small"]
    assert counts["small"][0] <= 9  # the course page


def test_learner_home(client, auth, db, courses, demo, count_queries):
    def add(n: int) -> None:
        for i in range(n):
            course = courses.course()
            enrollment = courses.enrol(
                course,
                demo["learner"],
                due_date=date.today() + timedelta(days=i + 1) if i % 2 else None,
            )
            if i % 3 == 0:
                courses.complete(enrollment, courses.lessons(course)[0])

    add(2)
    auth.login(LEARNER)
    few = statements(client, count_queries, "/")
    assert few <= 4
    add(13)
    assert statements(client, count_queries, "/") == few


def test_learners_page_and_authoring_list(client, auth, db, courses, demo, factory, count_queries):
    course = courses.course(trainers=[demo["trainer"]])
    lessons = courses.lessons(course)
    unit = factory.unit(demo["solok"], "Unit Peserta")

    def add_learners(n: int) -> None:
        for i in range(n):
            employee = factory.employee(demo["solok"], f"Peserta {i:02d}", unit=unit)
            enrollment = courses.enrol(course, employee, due_date=date.today() + timedelta(days=9))
            if i % 2:
                courses.complete(enrollment, *lessons[: 1 + i % 3])

    def add_courses(n: int) -> None:
        for i in range(n):
            courses.course(trainers=[demo["trainer"]], publish=bool(i % 2))

    add_learners(2)
    add_courses(1)  # the trainer teaches 2 courses
    auth.login(TRAINER)
    few_learners = statements(client, count_queries, f"/ajar/{course.code}/peserta")
    few_courses = statements(client, count_queries, "/ajar")
    few_editor = statements(client, count_queries, f"/ajar/{course.code}")
    add_learners(38)
    add_courses(13)
    assert statements(client, count_queries, f"/ajar/{course.code}/peserta") == few_learners
    assert statements(client, count_queries, "/ajar") == few_courses
    assert statements(client, count_queries, f"/ajar/{course.code}") == few_editor
    auth.logout()
    auth.login("bkpsdm.solok@lentera.test")
    hr_few = statements(client, count_queries, f"/ajar/{course.code}/peserta")
    add_learners(5)
    assert statements(client, count_queries, f"/ajar/{course.code}/peserta") == hr_few
