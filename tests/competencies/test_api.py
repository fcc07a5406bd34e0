"""The competency API: the dictionary, an employee's profile, recommendations and JP ledger,
scoped like the employee endpoints."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lms.accounts import services
from lms.accounts.models import User
from lms.courses.models import EnrollmentSource

API = "/api/v1"


def token(db, user: User) -> dict[str, str]:
    plain, _record = services.issue_api_token(user, "uji-kompetensi")
    db.session.flush()
    return {"Authorization": f"Bearer {plain}"}


def error(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()["error"]
    assert body["code"] == code and body["message"]
    return body


def test_dictionary_has_levels_and_indicators(client, db, demo):
    response = client.get(f"{API}/competencies", headers=token(db, demo["learner"]))
    assert response.status_code == 200
    items = {c["code"]: c for c in response.get_json()["items"]}
    pp = items["M-PP"]
    assert pp["kind"] == "manajerial" and pp["national"] is True
    assert [level["level"] for level in pp["levels"]] == [1, 2, 3, 4, 5]
    assert all(level["indicators"] for level in pp["levels"])
    assert items["T-MPROY"]["kind"] == "teknis" and items["T-MPROY"]["national"] is False


def test_profile_shape_and_the_demo_gap(client, db, demo):
    learner = demo["learner"].employee
    response = client.get(
        f"{API}/employees/{learner.nip}/competencies", headers=token(db, demo["learner"])
    )
    assert response.status_code == 200
    rows = response.get_json()
    assert isinstance(rows, list) and rows
    assert all(
        set(row) == {"code", "name", "kind", "required", "current", "gap", "evidence"}
        for row in rows
    )
    mproy = next(row for row in rows if row["code"] == "T-MPROY")
    assert (mproy["required"], mproy["current"], mproy["gap"]) == (3, 1, 2)
    assert (mproy["name"], mproy["kind"]) == ("Manajemen Proyek", "teknis")
    [rating] = mproy["evidence"]
    assert {"source", "level", "score", "date", "valid_until"} <= set(rating)
    assert rating["source"] == "assessor" and rating["level"] == 1 and rating["score"] is None
    assert date.fromisoformat(rating["date"]) < date.fromisoformat(rating["valid_until"])


def test_recommendations_name_the_course_that_closes_a_gap(client, db, demo, courses):
    course = courses.course(
        "MPP-101", title="Manajemen Proyek Pemerintahan", jp=12, competencies=[("T-MPROY", 3)]
    )
    learner = demo["learner"].employee
    response = client.get(
        f"{API}/employees/{learner.nip}/recommendations", headers=token(db, demo["supervisor"])
    )
    assert response.status_code == 200
    body = response.get_json()
    [found] = [c for c in body["courses"] if c["code"] == "MPP-101"]
    assert found == {
        "code": "MPP-101",
        "title": "Manajemen Proyek Pemerintahan",
        "jp": 12,
        "closes": [{"competency": "T-MPROY", "from": 1, "to": 3}],
        "mandatory": False,
        "due_date": None,
        "enrolled": False,
        "self_enrollment": True,
    }
    path = body["learning_path"]
    assert path["year"] == date.today().year
    assert "MPP-101" in path["courses"]
    assert "T-MPROY" not in path["remaining_gaps"]
    assert set(path) == {"year", "budget", "jp", "courses", "remaining_gaps"}
    courses.enrol(course, learner, source=EnrollmentSource.SELF)
    again = client.get(
        f"{API}/employees/{learner.nip}/recommendations", headers=token(db, demo["learner"])
    ).get_json()
    assert next(c for c in again["courses"] if c["code"] == "MPP-101")["enrolled"] is True


def test_jp_ledger_counts_external_training_and_completed_courses(client, db, demo, courses):
    learner = demo["learner"].employee
    headers = token(db, demo["learner"])
    before = client.get(f"{API}/employees/{learner.nip}/jp", headers=headers).get_json()
    assert before["year"] == date.today().year and before["target"] == 20
    external = [i for i in before["items"] if i["kind"] == "external"]
    assert {
        "kind": "external",
        "title": "Pelatihan Dasar Surveilans Epidemiologi",
        "jp": 8,
        "reference": "Dinas Kesehatan Provinsi",
    }.items() <= external[0].items()
    course = courses.course(jp=5)
    enrollment = courses.enrol(course, learner, source=EnrollmentSource.SELF)
    courses.complete(enrollment, *courses.lessons(course))
    after = client.get(
        f"{API}/employees/{learner.nip}/jp?year={date.today().year}", headers=headers
    ).get_json()
    assert after["earned"] == before["earned"] + 5
    assert {"kind": "course", "jp": 5, "reference": course.code}.items() <= next(
        i for i in after["items"] if i["kind"] == "course"
    ).items()
    old = client.get(f"{API}/employees/{learner.nip}/jp?year=2001", headers=headers).get_json()
    assert old == {"year": 2001, "earned": 0, "target": 20, "items": []}


@pytest.mark.parametrize("year", ["abc", "1999", "99", str(date.today().year + 2), "2024.0"])
def test_a_bad_year_is_400(client, db, demo, year):
    learner = demo["learner"].employee
    response = client.get(
        f"{API}/employees/{learner.nip}/jp?year={year}", headers=token(db, demo["learner"])
    )
    error(response, 400, "invalid_year")


@pytest.mark.parametrize("what", ["competencies", "recommendations", "jp"])
def test_scope_is_that_of_the_employee_endpoints(client, db, demo, what):
    learner = demo["learner"].employee
    supervisor = demo["supervisor"].employee
    url = f"{API}/employees/{learner.nip}/{what}"
    for allowed in ("learner", "supervisor", "hr_solok", "admin"):
        assert client.get(url, headers=token(db, demo[allowed])).status_code == 200, allowed
    for refused in ("hr_serang", "learner_serang", "trainer"):
        response = client.get(url, headers=token(db, demo[refused]))
        body = error(response, 404, "not_found")
        assert learner.nip not in str(body)
    # a learner does not read their supervisor's profile
    boss = f"{API}/employees/{supervisor.nip}/{what}"
    error(client.get(boss, headers=token(db, demo["learner"])), 404, "not_found")
    error(client.get(f"{API}/employees/12345/{what}", headers=token(db, demo["admin"])), 400,
          "invalid_nip")  # fmt: skip
    error(client.get(url), 401, "unauthorized")


def test_serang_gets_its_own_dictionary(client, db, demo):
    items = client.get(f"{API}/competencies", headers=token(db, demo["hr_serang"])).get_json()
    codes = [c["code"] for c in items["items"]]
    assert "M-PP" in codes
    assert len(codes) == len(set(codes))  # Serang's technical ones, not Solok's as well
