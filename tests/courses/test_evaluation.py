"""Course evaluation (Kirkpatrick level 1): the learner's survey, completion waiting for it,
results per course and per trainer without names, and HR's survey editor."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.certificates.models import Certificate
from lms.core.errors import DomainError
from lms.courses import evaluation
from lms.courses.models import EvaluationResponse
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.courses import text

LEARNER = "pegawai.solok@lentera.test"


def evaluated_course(courses, demo, lessons: int = 2):
    """A published Solok course taught by the demo trainer that completes after its evaluation."""
    course = courses.course(
        trainers=[demo["trainer"]],
        modules=[("Modul", [text(f"Bacaan {n}") for n in range(1, lessons + 1)])],
    )
    course.requires_evaluation = True
    courses.db.session.flush()
    return course


def all_ratings(value: str, count: int = len(evaluation.DEFAULT_ITEMS)) -> dict[str, str]:
    return {f"nilai_{n}": value for n in range(1, count + 1)}


def responses(db, course) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(EvaluationResponse)
        .where(EvaluationResponse.course_id == course.id)
    )


def certificate_of(db, enrollment) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.enrollment_id == enrollment.id))


def test_course_completes_only_after_the_evaluation_then_issues_a_certificate(
    client, auth, db, courses, demo
):
    course = evaluated_course(courses, demo)
    first, last = courses.lessons(course)
    enrollment = courses.enrol(course, demo["learner"])
    auth.login(LEARNER)
    url = f"/kursus/{course.code}/evaluasi"

    page = client.get(f"/kursus/{course.code}")
    assert "Evaluasi kursus:" in page.text and "belum diisi" in page.text
    assert "Isi evaluasi kursus" not in page.text
    early = auth.post(url, all_ratings("5"))
    assert early.status_code == 409
    assert "Evaluasi diisi setelah semua pelajaran wajib selesai." in early.text
    assert responses(db, course) == 0

    courses.complete(enrollment, first)
    done = auth.post(f"/kursus/{course.code}/pelajaran/{last.id}/selesai")
    assert done.status_code == 302 and done.headers["Location"] == url  # on to the survey
    enrollment = courses.enrollment(course, demo["learner"].employee)
    assert enrollment.progress_percent == 100 and enrollment.completed_at is None
    assert certificate_of(db, enrollment) is None

    page = client.get(f"/kursus/{course.code}")
    assert f'href="{url}"' in page.text and "Isi evaluasi kursus" in page.text
    form = client.get(url)
    assert form.status_code == 200
    assert form.text.count("<fieldset") == len(evaluation.DEFAULT_ITEMS)
    assert form.text.count("<legend") == len(evaluation.DEFAULT_ITEMS)
    assert form.text.count('type="radio"') == 5 * len(evaluation.DEFAULT_ITEMS)
    assert "Sangat tidak setuju" in form.text and "Sangat setuju" in form.text
    assert html.escape(str(evaluation.DEFAULT_ITEMS[0])) in form.text
    assert "Saran untuk perbaikan kursus ini" in form.text

    finished = auth.post(url, {**all_ratings("4"), "comment": "Materinya berguna."})
    assert finished.status_code == 302
    assert finished.headers["Location"] == f"/kursus/{course.code}"
    assert "Selamat! Kursus selesai" in client.get(finished.headers["Location"]).text
    enrollment = courses.enrollment(course, demo["learner"].employee)
    assert enrollment.completed_at is not None
    assert certificate_of(db, enrollment) is not None
    [response] = db.session.scalars(
        select(EvaluationResponse).where(EvaluationResponse.course_id == course.id)
    ).all()
    assert response.ratings == [4] * len(evaluation.DEFAULT_ITEMS)
    assert response.comment == "Materinya berguna."
    assert "sudah diisi" in client.get(f"/kursus/{course.code}").text

    again = auth.post(url, all_ratings("1"))
    assert again.status_code == 409
    assert "Evaluasi kursus ini sudah Anda isi." in again.text
    assert responses(db, course) == 1
    assert "sudah Anda isi" in client.get(url).text  # the page no longer offers the form


def test_ratings_are_validated_and_nothing_is_saved(client, auth, db, courses, demo):
    course = evaluated_course(courses, demo, lessons=1)
    enrollment = courses.enrol(course, demo["learner"])
    courses.complete(enrollment, *courses.lessons(course))
    auth.login(LEARNER)
    url = f"/kursus/{course.code}/evaluasi"
    count = len(evaluation.DEFAULT_ITEMS)

    missing = all_ratings("3")
    del missing["nilai_2"]
    response = auth.post(url, missing)
    assert response.status_code == 422
    assert "Pilih salah satu nilai 1 sampai 5." in response.text
    assert 'id="nilai_2-err"' in response.text and 'aria-describedby="nilai_2-err"' in response.text
    # what was ticked stays ticked
    assert len(re.findall(r'value="3" autocomplete="off" required checked', response.text)) == (
        count - 1
    )

    for bad in ("0", "6", "-1", "abc", "4.5"):
        response = auth.post(url, {**all_ratings("3"), "nilai_1": bad})
        assert response.status_code == 422, bad
        assert "Nilai harus 1 sampai 5." in response.text, bad

    too_long = auth.post(url, {**all_ratings("3"), "comment": "x" * 5001})
    assert too_long.status_code == 422
    assert "Komentar paling banyak 5000 huruf." in too_long.text

    assert responses(db, course) == 0
    assert courses.enrollment(course, demo["learner"].employee).completed_at is None
    assert auth.post(url, all_ratings("5", count)).status_code == 302
    assert responses(db, course) == 1


def test_evaluation_page_refuses_outsiders(client, auth, db, courses, demo):
    course = evaluated_course(courses, demo, lessons=1)
    plain = courses.course(modules=[("Modul", [text("Bacaan")])])
    courses.enrol(plain, demo["learner"])
    auth.login(LEARNER)
    assert client.get(f"/kursus/{course.code}/evaluasi").status_code == 403  # not enrolled
    assert client.get(f"/kursus/{plain.code}/evaluasi").status_code == 404  # asks for none
    assert client.get("/kursus/TIDAK-ADA/evaluasi").status_code == 404


def test_service_refuses_bad_ratings(db, courses, demo):
    course = evaluated_course(courses, demo, lessons=1)
    enrollment = courses.enrol(course, demo["learner"])
    courses.complete(enrollment, *courses.lessons(course))
    count = len(evaluation.DEFAULT_ITEMS)
    for ratings in ([5] * (count - 1), [5] * (count + 1), [0] + [5] * (count - 1)):
        with pytest.raises(DomainError) as refused:
            evaluation.submit(enrollment, ratings, "", actor=demo["learner"])
        assert refused.value.field == "ratings"
    assert responses(db, course) == 0


def test_results_per_course_and_trainer_are_hand_computed_and_anonymous(
    client, auth, db, courses, demo, factory
):
    evaluation.save_template(
        demo["solok"].id,
        ["Materi relevan.", "Pelatih jelas."],
        "Apa saran Anda?",
        actor=demo["hr_solok"],
    )
    course = evaluated_course(courses, demo, lessons=1)
    other = evaluated_course(courses, demo, lessons=1)
    given = [([5, 3], "Tambah studi kasus."), ([4, 3], ""), ([2, 4], "Video macet di 3G.")]
    names = []
    for n, (ratings, comment) in enumerate(given):
        employee = factory.employee(demo["solok"], f"Responden Evaluasi {n}")
        names.append((employee.name, employee.nip))
        enrollment = courses.enrol(course, employee)
        courses.complete(enrollment, *courses.lessons(course))
        evaluation.submit(enrollment, ratings, comment, actor=None)
    enrollment = courses.enrol(other, demo["learner"])
    courses.complete(enrollment, *courses.lessons(other))
    evaluation.submit(enrollment, [1, 1], "", actor=demo["learner"])
    db.session.flush()

    auth.login("pelatih@lentera.test")
    page = client.get(f"/ajar/{course.code}/evaluasi")
    assert page.status_code == 200
    body = page.text
    assert "3 tanggapan" in body
    # Materi relevan.: (5 + 4 + 2) / 3 = 3,67 (decimal comma), one each of 2, 4 and 5
    row = body[body.index("Materi relevan.") :].split("</tr>")[0]
    assert re.findall(r'<td class="text-end[^"]*">([^<]+)</td>', row) == [
        "3,67", "0", "1", "0", "1", "1", "3",
    ]  # fmt: skip
    # Pelatih jelas.: (3 + 3 + 4) / 3 = 3.33
    row = body[body.index("Pelatih jelas.") :].split("</tr>")[0]
    assert re.findall(r'<td class="text-end[^"]*">([^<]+)</td>', row) == [
        "3,33", "0", "0", "2", "1", "0", "3",
    ]  # fmt: skip
    assert "Tambah studi kasus." in body and "Video macet di 3G." in body
    for name, nip in names:
        assert name not in body and nip not in body
    assert demo["learner"].employee.name not in body

    mine = client.get("/ajar/evaluasi-saya")
    assert mine.status_code == 200
    # every rating together: course (5+3+4+3+2+4)/6 = 3.50, other 1.00; overall 23/8 = 2.88
    assert "4 tanggapan" in mine.text
    assert "Rata-rata keseluruhan: 2,88" in mine.text
    row = mine.text[mine.text.index(f"/ajar/{course.code}/evaluasi") :].split("</tr>")[0]
    assert re.findall(r'<td class="text-end">([^<]+)</td>', row) == ["3", "3,50"]
    row = mine.text[mine.text.index(f"/ajar/{other.code}/evaluasi") :].split("</tr>")[0]
    assert re.findall(r'<td class="text-end">([^<]+)</td>', row) == ["1", "1,00"]
    for name, _nip in names:
        assert name not in mine.text

    auth.logout()
    auth.login("bkpsdm.solok@lentera.test")
    assert client.get(f"/ajar/{course.code}/evaluasi").status_code == 200
    auth.logout()
    auth.login(LEARNER)
    assert client.get(f"/ajar/{course.code}/evaluasi").status_code == 404
    assert client.get("/ajar/evaluasi-saya").status_code == 403


def test_hr_edit_the_organisation_survey(client, auth, db, courses, demo, factory):
    auth.login("bkpsdm.solok@lentera.test")
    page = client.get("/evaluasi/templat")
    assert page.status_code == 200
    assert html.escape(str(evaluation.DEFAULT_ITEMS[0])) in page.text

    too_many = auth.post(
        "/evaluasi/templat",
        {"items": "\n".join(f"Pernyataan {n}" for n in range(21)), "comment_prompt": "Saran?"},
    )
    assert too_many.status_code == 422 and "Isi 1 sampai 20 pernyataan." in too_many.text
    empty = auth.post("/evaluasi/templat", {"items": " \n ", "comment_prompt": "Saran?"})
    assert empty.status_code == 422 and "Wajib diisi." in empty.text
    assert evaluation.template_items(demo["solok"].id)[0] == [
        str(item) for item in evaluation.DEFAULT_ITEMS
    ]

    saved = auth.post(
        "/evaluasi/templat",
        {"items": "Materi relevan.\n\n  Jadwal pas.  \n", "comment_prompt": "Usul Anda?"},
    )
    assert saved.status_code == 302
    assert evaluation.template_items(demo["solok"].id) == (
        ["Materi relevan.", "Jadwal pas."],
        "Usul Anda?",
    )
    assert evaluation.template_items(demo["serang"].id)[0] != ["Materi relevan.", "Jadwal pas."]

    # learners of the organisation's courses now answer these two statements
    course = evaluated_course(courses, demo, lessons=1)
    enrollment = courses.enrol(course, demo["learner"])
    courses.complete(enrollment, *courses.lessons(course))
    auth.logout()
    auth.login(LEARNER)
    form = client.get(f"/kursus/{course.code}/evaluasi").text
    assert form.count("<fieldset") == 2 and "Jadwal pas." in form and "Usul Anda?" in form
    assert client.get("/evaluasi/templat").status_code == 403

    trainer = factory.user(factory.employee(demo["solok"], "Pelatih Survei"), roles=(Role.TRAINER,))
    auth.logout()
    auth.login(trainer.email, PASSWORD)
    assert client.get("/evaluasi/templat").status_code == 403
