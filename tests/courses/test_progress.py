"""Progress: completing lessons of each kind, course %, continuing, completion, home, learners."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from sqlalchemy import func, select

from lms.courses.models import EnrollmentSource, LessonProgress
from tests.fixtures.courses import PDF_BYTES, document, link, quiz, text, video

LEARNER = "pegawai.solok@lentera.test"
TRAINER = "pelatih@lentera.test"


def progress_rows(db) -> int:
    return db.session.scalar(select(func.count()).select_from(LessonProgress))


def test_text_file_and_link_lessons_complete_the_course(client, auth, db, courses, demo):
    course = courses.course(
        modules=[
            ("Modul 1", [text("Bacaan"), document("Materi PDF")]),
            (
                "Modul 2",
                [link("Portal", "https://www.lapor.go.id/"), text("Bonus", required=False)],
            ),
        ]
    )
    reading, pdf, portal, bonus = courses.lessons(course)
    learner = demo["learner"]
    courses.enrol(course, learner, source=EnrollmentSource.SELF)
    auth.login(LEARNER)

    response = auth.post(
        f"/kursus/{course.code}/pelajaran/{reading.id}/selesai", {"next": str(pdf.id)}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/kursus/{course.code}/pelajaran/{pdf.id}")
    enrollment = courses.enrollment(course, learner.employee)
    assert enrollment.progress_percent == 33 and enrollment.started_at is not None
    # marking it again changes nothing
    auth.post(f"/kursus/{course.code}/pelajaran/{reading.id}/selesai")
    assert progress_rows(db) == 1

    download = client.get(f"/kursus/{course.code}/pelajaran/{pdf.id}/berkas")
    assert download.status_code == 200 and download.data == PDF_BYTES
    download.close()
    assert courses.enrollment(course, learner.employee).progress_percent == 66

    opened = client.get(f"/kursus/{course.code}/pelajaran/{portal.id}/buka")
    assert opened.status_code == 302
    assert opened.headers["Location"] == "https://www.lapor.go.id/"
    enrollment = courses.enrollment(course, learner.employee)
    # the optional lesson does not block completion
    assert enrollment.progress_percent == 100
    assert enrollment.completed_at is not None
    assert enrollment.completed_at.date() in (date.today(), date.today() - timedelta(days=1))
    page = client.get(f"/kursus/{course.code}").text
    assert '<span class="badge text-bg-success">Selesai</span>' in page
    assert re.search(r"Selesai: \d{1,2} \w+ \d{4}", page)
    assert page.count('<strong class="text-success">selesai</strong>') == 3
    # the optional lesson can still be done; it changes nothing about completion
    assert bonus.is_required is False
    auth.post(f"/kursus/{course.code}/pelajaran/{bonus.id}/selesai")
    again = courses.enrollment(course, learner.employee)
    assert again.completed_at == enrollment.completed_at and again.progress_percent == 100


def test_finishing_the_last_required_lesson_congratulates(client, auth, db, courses, demo):
    course = courses.course(modules=[("Modul", [text("Satu"), text("Dua")])])
    one, two = courses.lessons(course)
    courses.enrol(course, demo["learner"])
    auth.login(LEARNER)
    auth.post(f"/kursus/{course.code}/pelajaran/{one.id}/selesai", {"next": str(two.id)})
    response = auth.post(f"/kursus/{course.code}/pelajaran/{two.id}/selesai")
    assert response.headers["Location"].endswith(f"/kursus/{course.code}")
    assert "Selamat! Anda telah menyelesaikan kursus ini." in client.get("/").text


def test_quiz_and_video_lessons(client, auth, db, courses, demo, tiny_mp4):
    course = courses.course(modules=[("Modul", [video("Video", tiny_mp4), quiz()])])
    clip, exam = courses.lessons(course)
    courses.enrol(course, demo["learner"])
    auth.login(LEARNER)
    # a quiz is completed by doing the quiz, never by a button
    auth.post(f"/kursus/{course.code}/pelajaran/{exam.id}/selesai")
    assert "Pelajaran kuis selesai ketika kuisnya dikerjakan." in unescape(client.get("/").text)
    assert progress_rows(db) == 0
    # downloading the video does not complete it, nor does a button: watching it does
    # (tests/media/test_watching.py)
    streamed = client.get(f"/kursus/{course.code}/pelajaran/{clip.id}/berkas")
    assert streamed.status_code == 200 and streamed.mimetype == "video/mp4"
    streamed.close()
    assert progress_rows(db) == 0
    assert auth.post(f"/kursus/{course.code}/pelajaran/{clip.id}/selesai").status_code == 302
    assert "ditonton minimal 90%" in unescape(client.get("/").text)
    assert courses.enrollment(course, demo["learner"].employee).progress_percent == 0
    # a link route for a non-link lesson is a 404
    assert client.get(f"/kursus/{course.code}/pelajaran/{clip.id}/buka").status_code == 404


def test_continue_where_you_left_off(client, auth, db, courses, demo):
    course = courses.course(
        modules=[("Modul 1", [text("Satu"), text("Dua")]), ("Modul 2", [text("Tiga")])]
    )
    one, two, three = courses.lessons(course)
    courses.enrol(course, demo["learner"])
    auth.login(LEARNER)

    def continue_link():
        page = client.get(f"/kursus/{course.code}").text
        match = re.search(
            r'<a class="btn btn-lentera" href="/kursus/[^/]+/pelajaran/(\d+)">([^<]+)</a>', page
        )
        return (int(match.group(1)), match.group(2)) if match else None

    assert continue_link() == (one.id, "Mulai belajar")
    assert client.get(f"/kursus/{course.code}/pelajaran/{three.id}").status_code == 200
    assert continue_link() == (three.id, "Lanjutkan belajar")
    assert courses.enrollment(course, demo["learner"].employee).progress_percent == 0
    client.get(f"/kursus/{course.code}/pelajaran/{two.id}")
    assert continue_link() == (two.id, "Lanjutkan belajar")
    # once the last visited lesson is done, it points at the first one not done
    auth.post(f"/kursus/{course.code}/pelajaran/{two.id}/selesai")
    assert continue_link() == (one.id, "Lanjutkan belajar")
    for lesson in (one, three):
        auth.post(f"/kursus/{course.code}/pelajaran/{lesson.id}/selesai")
    assert continue_link() is None  # all done


def test_lesson_pages_link_previous_and_next(client, auth, db, courses, demo):
    course = courses.course(modules=[("M1", [text("Satu")]), ("M2", [text("Dua"), text("Tiga")])])
    one, two, three = courses.lessons(course)
    courses.enrol(course, demo["learner"])
    auth.login(LEARNER)
    middle = client.get(f"/kursus/{course.code}/pelajaran/{two.id}").text
    assert f'href="/kursus/{course.code}/pelajaran/{one.id}">Sebelumnya' in middle
    assert f'name="next" value="{three.id}"' in middle
    last = client.get(f"/kursus/{course.code}/pelajaran/{three.id}").text
    assert "Tandai selesai</button>" in last
    assert not re.search(r'name="next" value="\d+"', last)


def test_not_enrolled_learners_cannot_open_or_complete_lessons(client, auth, db, courses, demo):
    course = courses.course(modules=[("Modul", [text("Satu"), document("PDF"), link("Tautan")])])
    reading, pdf, portal = courses.lessons(course)
    auth.login(LEARNER)
    base = f"/kursus/{course.code}/pelajaran"
    assert client.get(f"{base}/{reading.id}").status_code == 403
    assert auth.post(f"{base}/{reading.id}/selesai").status_code == 403
    assert client.get(f"{base}/{pdf.id}/berkas").status_code == 403
    assert client.get(f"{base}/{portal.id}/buka").status_code == 403
    assert client.get(f"{base}/999999").status_code == 404
    other = courses.course()
    foreign = courses.lessons(other)[0]
    courses.enrol(course, demo["learner"])
    # a lesson of another course is not part of this one
    assert auth.post(f"{base}/{foreign.id}/selesai").status_code == 404
    assert progress_rows(db) == 0
    assert courses.enrollment(other, demo["learner"].employee) is None


def test_learner_home_shows_courses_with_progress_and_due_dates(client, auth, db, courses, demo):
    due = date.today() + timedelta(days=10)
    first = courses.course(title="Kursus Bertenggat")
    second = courses.course(title="Kursus Mandiri", jp=6)
    enrollment = courses.enrol(first, demo["learner"], due_date=due)
    courses.enrol(second, demo["learner"], source=EnrollmentSource.SELF)
    courses.complete(enrollment, courses.lessons(first)[0])
    auth.login(LEARNER)
    home = client.get("/").text
    section = home[home.index("Kursus saya") : home.index("Profil saya")]
    assert section.index("Kursus Bertenggat") < section.index("Kursus Mandiri")  # due first
    assert 'aria-label="Kemajuan Kursus Bertenggat" aria-valuenow="33"' in section
    assert 'aria-label="Kemajuan Kursus Mandiri" aria-valuenow="0"' in section
    assert ">33%</div>" in section
    assert "Tenggat: " in section and f"{due.year}" in section
    assert "6 JP" in section
    assert f'href="/kursus/{first.code}"' in section


def test_trainers_learners_page(client, auth, db, courses, demo, factory):
    course = courses.course(trainers=[demo["trainer"]])
    lessons = courses.lessons(course)
    people = [
        factory.employee(demo["solok"], f"Peserta {name}") for name in ("Ani", "Budi", "Cici")
    ]
    serang = factory.employee(demo["serang"], "Peserta Serang")
    done = courses.enrol(course, people[0])
    started = courses.enrol(course, people[1], due_date=date.today() + timedelta(days=5))
    late = courses.enrol(course, people[2])
    courses.enrol(course, serang)
    courses.complete(done, *lessons)
    courses.complete(started, lessons[0])
    late.due_date = date.today() - timedelta(days=2)
    db.session.flush()

    auth.login(TRAINER)
    page = client.get(f"/ajar/{course.code}/peserta")
    assert page.status_code == 200
    body = unescape(page.text)
    for expected in (
        "Total: 4",
        "Selesai: 1",
        "Sedang berjalan: 1",
        "Belum mulai: 1",
        "Terlambat: 1",
        "Peserta Ani",
        "Peserta Serang",
        people[0].nip,
    ):
        assert expected in body, expected
    assert 'aria-label="Kemajuan Peserta Ani" aria-valuenow="100"' in body
    assert 'aria-label="Kemajuan Peserta Budi" aria-valuenow="33"' in body
    row = body[body.index("Peserta Ani") :]
    row = row[: row.index("</tr>")]
    assert re.search(r"\d{1,2} \w+ \d{4}", row), "the completion date is shown"
    auth.logout()

    # HR see their own organisation's learners only, also in a course it owns
    auth.login("bkpsdm.solok@lentera.test")
    body = unescape(client.get(f"/ajar/{course.code}/peserta").text)
    assert "Total: 3" in body and "Peserta Ani" in body and "Peserta Serang" not in body
    auth.logout()
    auth.login("bkpsdm.serang@lentera.test")
    body = unescape(client.get(f"/ajar/{course.code}/peserta").text)
    assert "Total: 1" in body and "Peserta Serang" in body and "Peserta Ani" not in body
    assert people[0].nip not in body
    auth.logout()
    auth.login(LEARNER)
    assert client.get(f"/ajar/{course.code}/peserta").status_code == 404
