"""The integration API: completion and JP reports, scoped to the caller's organisation."""

from __future__ import annotations

from datetime import date

from tests.fixtures.courses import bearer, login_token, text


def test_completion_and_jp_reports(client, db, courses, demo):
    learner = demo["learner"]
    course = courses.course(jp=5, modules=[("M", [text("Satu")])])
    enrollment = courses.enrol(course, learner)
    courses.complete(enrollment, courses.lessons(course)[0])
    courses.enrol(course, courses.user("pegawai.serang@lentera.test"))
    db.session.commit()
    hr = bearer(login_token(client, "bkpsdm.solok@lentera.test"))
    year = date.today().year
    report = client.get(f"/api/v1/reports/completion?year={year}&course={course.code}", headers=hr)
    assert report.status_code == 200
    body = report.get_json()
    assert [(i["nip"], i["status"]) for i in body["items"]] == [(learner.employee.nip, "completed")]
    assert body["totals"]["completed"] == 1 and body["totals"]["total"] == 1
    jp = client.get(f"/api/v1/reports/jp?year={year}", headers=hr).get_json()
    mine = next(i for i in jp["items"] if i["nip"] == learner.employee.nip)
    assert mine["earned"] == 5 + 8 and mine["target"] == 20
    assert jp["totals"]["employees"] == jp["total"] == 30

    serang = bearer(login_token(client, "bkpsdm.serang@lentera.test"))
    theirs = client.get(
        f"/api/v1/reports/completion?year={year}&course={course.code}", headers=serang
    ).get_json()
    assert len(theirs["items"]) == 1 and theirs["totals"]["total"] == 1
    assert all(i["nip"] != learner.employee.nip for i in theirs["items"])
    serang_jp = client.get(f"/api/v1/reports/jp?year={year}", headers=serang).get_json()
    assert learner.employee.nip not in {i["nip"] for i in serang_jp["items"]}
    assert client.get("/api/v1/reports/jp?unit=DINKES", headers=serang).status_code == 200


def test_bad_input_and_roles(client, db):
    hr = bearer(login_token(client, "bkpsdm.solok@lentera.test"))
    assert client.get("/api/v1/reports/jp?year=abc", headers=hr).status_code == 400
    assert client.get("/api/v1/reports/jp?year=1900", headers=hr).status_code == 400
    assert client.get("/api/v1/reports/jp?page=0", headers=hr).status_code == 400
    missing = client.get("/api/v1/reports/jp?unit=TIDAK-ADA", headers=hr)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "unit_not_found"
    assert client.get("/api/v1/reports/completion?course=NOPE-1", headers=hr).status_code == 404
    learner = bearer(login_token(client, "pegawai.solok@lentera.test"))
    assert client.get("/api/v1/reports/jp", headers=learner).status_code == 403
    admin = bearer(login_token(client, "admin@lentera.test"))
    assert client.get("/api/v1/reports/jp", headers=admin).status_code == 422
    assert client.get("/api/v1/reports/jp?organisation=SRG", headers=admin).status_code == 200
