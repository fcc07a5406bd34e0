"""The courses API: catalog, outline, my enrolments, HR enrolment, learners, lesson completion."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from lms.courses.models import Enrollment, EnrollmentSource, LessonProgress, Visibility
from lms.quizzes import attempts as quiz_attempts
from tests.fixtures.courses import bearer, document, link, login_token, quiz, text, video

API = "/api/v1"
LEARNER = "pegawai.solok@lentera.test"
HR_SOLOK = "bkpsdm.solok@lentera.test"
HR_SERANG = "bkpsdm.serang@lentera.test"
DUE = (date.today() + timedelta(days=20)).isoformat()


def assert_error(response, status: int, code: str | None = None) -> dict[str, Any]:
    """``{"error": {"code", "message"}}`` with the status."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


class Api:
    """A client holding a bearer token got the way API clients get it."""

    def __init__(self, client, login: str) -> None:
        self.client = client
        self.headers = bearer(login_token(client, login))

    def get(self, path: str):
        return self.client.get(f"{API}{path}", headers=self.headers)

    def post(self, path: str, body: Any = None, **kwargs: Any):
        return self.client.post(f"{API}{path}", headers=self.headers, json=body, **kwargs)


def test_catalog_lists_searches_and_pages(client, db, courses, demo):
    leader = courses.course(
        title="Kepemimpinan Digital",
        summary="Memimpin transformasi.",
        jp=10,
        category="Kepemimpinan",
        competencies=[("M-MP", 3)],
    )
    other = courses.course(title="Anggaran Daerah", competencies=[("T-KEUDA", 2)])
    courses.course(title="Draf Tersembunyi", publish=False)
    api = Api(client, LEARNER)
    body = api.get("/courses").get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["pages"] == 1
    assert [c["code"] for c in body["items"]] == [other.code, leader.code]  # by title
    item = body["items"][1]
    assert item == {
        "code": leader.code,
        "title": "Kepemimpinan Digital",
        "summary": "Memimpin transformasi.",
        "category": "Kepemimpinan",
        "jp": 10,
        "competencies": [{"code": "M-MP", "level": 3}],
        "organisation": {"code": "SLK", "name": "Pemerintah Kota Solok"},
        "visibility": "shared",
        "self_enrollment": True,
        "status": "published",
    }
    assert [c["code"] for c in api.get("/courses?q=transformasi").get_json()["items"]] == [
        leader.code
    ]
    assert [c["code"] for c in api.get("/courses?competency=t-keuda").get_json()["items"]] == [
        other.code
    ]
    assert api.get("/courses?page=2").get_json()["items"] == []
    assert_error(api.get("/courses?page=0"), 400, "invalid_parameter")
    assert_error(client.get(f"{API}/courses"), 401, "unauthorized")
    assert_error(client.get(f"{API}/courses", headers=bearer("lnt_salah")), 401, "invalid_token")


def test_course_outline(client, db, courses, demo):
    prerequisite = courses.course()
    course = courses.course(
        description="Uraian **Markdown**.",
        trainers=[demo["trainer"]],
        prerequisites=[prerequisite.code],
        modules=[("Modul A", [text("Satu"), link("Dua", required=False)]), ("Modul B", [quiz()])],
    )
    one, two, three = courses.lessons(course)
    body = Api(client, LEARNER).get(f"/courses/{course.code.lower()}").get_json()
    assert body["code"] == course.code
    assert body["description"] == "Uraian **Markdown**."
    assert body["trainers"] == [demo["trainer"].display_name]
    assert body["prerequisites"] == [prerequisite.code]
    assert body["modules"] == [
        {
            "title": "Modul A",
            "lessons": [
                {"id": one.id, "title": "Satu", "type": "text", "required": True},
                {"id": two.id, "title": "Dua", "type": "link", "required": False},
            ],
        },
        {
            "title": "Modul B",
            "lessons": [
                {
                    "id": three.id,
                    "title": "Kuis akhir",
                    "type": "quiz",
                    "required": True,
                    "quiz_id": quiz_attempts.quiz_ids(course.id)[three.key],
                }
            ],
        },
    ]
    assert_error(Api(client, LEARNER).get("/courses/TIDAK-ADA"), 404, "not_found")


def test_my_enrollments(client, db, courses, demo):
    assigned = courses.course(title="A Wajib")
    own = courses.course(title="B Mandiri")
    enrollment = courses.enrol(assigned, demo["learner"], due_date=date.fromisoformat(DUE))
    courses.enrol(own, demo["learner"], source=EnrollmentSource.SELF)
    courses.complete(enrollment, courses.lessons(assigned)[0])
    api = Api(client, LEARNER)
    items = api.get("/me/enrollments").get_json()["items"]
    assert items == [
        {
            "course": assigned.code,
            "status": "in_progress",
            "progress": 33,
            "due_date": DUE,
            "completed_at": None,
            "source": "assigned",
        },
        {
            "course": own.code,
            "status": "not_started",
            "progress": 0,
            "due_date": None,
            "completed_at": None,
            "source": "self",
        },
    ]
    # an account without an employee record has no enrolments
    assert Api(client, "admin@lentera.test").get("/me/enrollments").get_json() == {"items": []}


def test_hr_enrols_an_employee_idempotently(client, db, courses, demo):
    course = courses.course()
    nip = demo["learner"].employee.nip
    api = Api(client, HR_SOLOK)
    first = api.post("/enrollments", {"nip": nip, "course": course.code, "due_date": DUE})
    assert first.status_code == 201
    body = first.get_json()
    assert body["course"] == course.code and body["nip"] == nip
    assert body["due_date"] == DUE and body["source"] == "assigned"
    assert body["status"] == "not_started"
    again = api.post("/enrollments", {"nip": nip, "course": course.code, "due_date": DUE})
    assert again.status_code == 200 and again.get_json() == body
    assert count(db, Enrollment) == 1
    # without a due date it stays as it was; a new one moves it
    later = (date.today() + timedelta(days=60)).isoformat()
    assert api.post("/enrollments", {"nip": nip, "course": course.code}).status_code == 200
    moved = api.post("/enrollments", {"nip": nip, "course": course.code, "due_date": later})
    assert moved.status_code == 201 and moved.get_json()["due_date"] == later
    learner = Api(client, LEARNER).get("/me/enrollments").get_json()["items"]
    assert [(e["course"], e["due_date"]) for e in learner] == [(course.code, later)]


def test_enrollment_errors(client, db, courses, demo):
    course = courses.course()
    draft = courses.course(publish=False)
    hidden = courses.course(visibility=Visibility.ORGANISATION)
    solok_nip = demo["learner"].employee.nip
    serang_nip = demo["learner_serang"].employee.nip
    hr = Api(client, HR_SOLOK)
    cases = [
        (hr.post("/enrollments", {"nip": solok_nip}), 422, "invalid"),
        (hr.post("/enrollments", {"nip": 123, "course": course.code}), 422, "invalid"),
        (hr.post("/enrollments", [solok_nip]), 400, "bad_json"),
        (
            hr.post("/enrollments", data="nip=1", content_type="text/plain"),
            415,
            "unsupported_media_type",
        ),
        (
            hr.post("/enrollments", {"nip": solok_nip, "course": course.code, "due_date": "besok"}),
            422,
            "invalid_date",
        ),
        (
            hr.post(
                "/enrollments", {"nip": solok_nip, "course": course.code, "due_date": "2001-02-03"}
            ),
            422,
            "invalid_date",
        ),
        (
            hr.post("/enrollments", {"nip": serang_nip, "course": course.code}),
            404,
            "employee_not_found",
        ),
        (hr.post("/enrollments", {"nip": solok_nip, "course": "TIDAK-ADA"}), 404, "not_found"),
        (
            hr.post("/enrollments", {"nip": solok_nip, "course": draft.code}),
            409,
            "course_unavailable",
        ),
    ]
    for response, status, code in cases:
        assert_error(response, status, code)
    learner = Api(client, LEARNER)
    assert_error(
        learner.post("/enrollments", {"nip": solok_nip, "course": course.code}), 403, "forbidden"
    )
    serang = Api(client, HR_SERANG)
    assert_error(
        serang.post("/enrollments", {"nip": serang_nip, "course": hidden.code}), 404, "not_found"
    )
    admin = Api(client, "admin@lentera.test")
    assert_error(
        admin.post("/enrollments", {"nip": serang_nip, "course": hidden.code}),
        409,
        "course_unavailable",
    )
    assert count(db, Enrollment) == 0


def test_course_learners_for_trainers_and_hr(client, db, courses, demo, factory):
    course = courses.course(trainers=[demo["trainer"]])
    courses.enrol(course, demo["learner"])
    courses.enrol(course, demo["learner_serang"])
    solok = demo["learner"].employee
    serang = demo["learner_serang"].employee

    def nips(login):
        response = Api(client, login).get(f"/courses/{course.code}/enrollments")
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["total"] == len(body["items"])
        return {item["nip"] for item in body["items"]}

    assert nips("pelatih@lentera.test") == {solok.nip, serang.nip}
    assert nips("admin@lentera.test") == {solok.nip, serang.nip}
    assert nips(HR_SOLOK) == {solok.nip}
    assert nips(HR_SERANG) == {serang.nip}
    item = Api(client, HR_SOLOK).get(f"/courses/{course.code}/enrollments").get_json()["items"][0]
    assert item["name"] == solok.name and item["status"] == "not_started"
    assert_error(Api(client, LEARNER).get(f"/courses/{course.code}/enrollments"), 404)
    hidden = courses.course(visibility=Visibility.ORGANISATION)
    courses.enrol(hidden, demo["learner"])
    assert_error(Api(client, HR_SERANG).get(f"/courses/{hidden.code}/enrollments"), 404)


def test_complete_lessons_through_the_api(client, db, courses, demo, tiny_mp4):
    course = courses.course(
        modules=[
            (
                "Modul",
                [
                    text("Teks"),
                    document("PDF"),
                    link("Tautan"),
                    video("Video", tiny_mp4, required=False),
                    quiz(required=False),
                ],
            )
        ]
    )
    reading, pdf, portal, clip, exam = courses.lessons(course)
    api = Api(client, LEARNER)
    assert_error(api.post(f"/lessons/{reading.id}/complete"), 403, "not_enrolled")
    courses.enrol(course, demo["learner"])
    response = api.post(f"/lessons/{reading.id}/complete")
    assert response.status_code == 200
    body = response.get_json()
    assert body["lesson"] == reading.id and body["completed"] is True
    assert body["progress"] == 33 and body["status"] == "in_progress"
    assert api.post(f"/lessons/{reading.id}/complete").get_json()["progress"] == 33
    assert api.post(f"/lessons/{pdf.id}/complete").get_json()["progress"] == 66
    final = api.post(f"/lessons/{portal.id}/complete").get_json()
    assert final["progress"] == 100 and final["status"] == "completed"
    assert final["completed_at"] is not None
    for lesson in (clip, exam):
        assert_error(api.post(f"/lessons/{lesson.id}/complete"), 409, "not_self_completable")
    assert_error(api.post("/lessons/99999999/complete"), 404, "not_found")
    assert count(db, LessonProgress) == 3


def test_lesson_completion_api_refuses_what_one_may_not_reach(client, db, courses, demo):
    hidden = courses.course(visibility=Visibility.ORGANISATION)
    draft = courses.course(publish=False)
    hidden_lesson = courses.lessons(hidden)[0]
    draft_lesson = courses.lessons(draft, draft.draft_version_id)[0]
    courses.enrol(hidden, demo["learner"])
    serang = Api(client, "pegawai.serang@lentera.test")
    assert_error(serang.post(f"/lessons/{hidden_lesson.id}/complete"), 404, "not_found")
    solok = Api(client, LEARNER)
    assert_error(solok.post(f"/lessons/{draft_lesson.id}/complete"), 404, "not_found")
    # a lesson of an old version is no longer part of the course
    from lms.courses import services

    services.ensure_draft(hidden, actor=None)
    services.publish(hidden, actor=None)
    db.session.flush()
    assert_error(solok.post(f"/lessons/{hidden_lesson.id}/complete"), 404, "not_found")
    assert count(db, LessonProgress) == 0
