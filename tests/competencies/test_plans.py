"""Individual development plans through their pages: drafted by the employee, returned and then
approved by the direct supervisor, tracked to completion (a completed course ticks its activity
off by itself)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from lms.accounts.models import Employee
from lms.competencies.models import (
    ActivityKind,
    ActivityStatus,
    Competency,
    DevelopmentPlan,
    EvidenceSource,
    PlanActivity,
    PlanStatus,
)
from lms.competencies.profile import profile
from tests.competencies.test_manage import audit_actions, login_as


def solok_competency(db, demo, code: str) -> Competency:
    return db.session.scalar(
        select(Competency).where(
            Competency.code == code, Competency.organisation_id == demo["solok"].id
        )
    )


def the_plan(db, employee: Employee, year: int) -> DevelopmentPlan | None:
    db.session.expire_all()
    return db.session.scalar(
        select(DevelopmentPlan).where(
            DevelopmentPlan.employee_id == employee.id, DevelopmentPlan.year == year
        )
    )


def draft_one_goal(db, auth, demo, year: int) -> DevelopmentPlan:
    """The demo learner logs in and drafts the plan of ``year`` with one goal: T-MPROY to 3."""
    auth.login("pegawai.solok@lentera.test")
    mproy = solok_competency(db, demo, "T-MPROY")
    auth.post("/rencana/sasaran", {"year": year, "competency_id": mproy.id, "target_level": "3"})
    return the_plan(db, demo["learner"].employee, year)


def notices(db, user, kind: str) -> list[tuple[str, str, str]]:
    """(title, body, link) of the user's notifications of a kind, oldest first."""
    from lms.notifications.models import Kind, Notification

    return [
        (n.title, n.body, n.link)
        for n in db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.kind == Kind(kind))
            .order_by(Notification.id)
        )
    ]


def flashed(response) -> str:
    return " ".join(re.findall(r'role="alert">([^<]+)<', response.text))


def test_the_whole_plan_flow(client, db, auth, demo, courses):
    learner = demo["learner"].employee
    year = date.today().year
    mproy = solok_competency(db, demo, "T-MPROY")
    course = courses.course(
        "RPI-MPROY", title="Manajemen Proyek untuk RPI", competencies=[("T-MPROY", 3)]
    )
    lessons = courses.lessons(course)

    # --- the employee drafts: the gap is suggested, a goal with two activities ---------------
    auth.login("pegawai.solok@lentera.test")
    page = client.get("/rencana")
    assert page.status_code == 200
    assert "Saran dari kesenjangan" in page.text and "T-MPROY" in page.text
    assert the_plan(db, learner, year) is None  # opening the page writes nothing
    response = auth.post(
        "/rencana/sasaran",
        {"year": year, "competency_id": mproy.id, "target_level": "3", "note": "Untuk proyek."},
    )
    assert response.status_code == 302
    plan = the_plan(db, learner, year)
    assert plan.status is PlanStatus.DRAFT
    [goal] = plan.goals
    page = client.get("/rencana")
    assert "Manajemen Proyek untuk RPI" in page.text  # offered for the goal's competency
    prefix = f"g{goal.id}"
    course_activity = {
        f"{prefix}-csrf_token": auth.csrf,
        f"{prefix}-kind": "course",
        f"{prefix}-course_id": str(course.id),
        f"{prefix}-description": "",
        f"{prefix}-due_on": date(year, 11, 30).isoformat(),
    }
    assert (
        client.post(f"/rencana/sasaran/{goal.id}/kegiatan", data=course_activity).status_code == 302
    )
    mentoring = {
        f"{prefix}-csrf_token": auth.csrf,
        f"{prefix}-kind": "mentoring",
        f"{prefix}-course_id": "",
        f"{prefix}-description": "Mentoring oleh Kepala Dinas tiap bulan.",
        f"{prefix}-due_on": "",
    }
    assert client.post(f"/rencana/sasaran/{goal.id}/kegiatan", data=mentoring).status_code == 302
    # a mentoring activity needs a description
    empty = dict(mentoring, **{f"{prefix}-description": ""})
    refused = client.post(f"/rencana/sasaran/{goal.id}/kegiatan", data=empty, follow_redirects=True)
    assert "Uraikan kegiatannya" in flashed(refused)
    plan = the_plan(db, learner, year)
    assert [a.kind for a in plan.goals[0].activities] == [
        ActivityKind.COURSE,
        ActivityKind.MENTORING,
    ]

    # --- submitted: no more changes ------------------------------------------------------------
    assert auth.post(f"/rencana/{plan.id}/kirim").status_code == 302
    plan = the_plan(db, learner, year)
    assert plan.status is PlanStatus.SUBMITTED and plan.submitted_at is not None
    # the direct supervisor is told, with a link to the plan
    [waiting] = notices(db, demo["supervisor"], "plan_submitted")
    assert learner.name in waiting[1] and waiting[2] == f"/rencana/{plan.id}"
    kespol = solok_competency(db, demo, "T-KESPOL")
    blocked = auth.post(
        "/rencana/sasaran",
        {"year": year, "competency_id": kespol.id, "target_level": "3"},
        follow_redirects=True,
    )
    assert "tidak dapat diubah" in flashed(blocked)
    assert auth.post(f"/rencana/sasaran/{goal.id}/hapus").status_code == 302
    activity_id = plan.goals[0].activities[1].id
    assert auth.post(f"/rencana/kegiatan/{activity_id}/hapus").status_code == 302
    plan = the_plan(db, learner, year)
    assert len(plan.goals) == 1 and len(plan.goals[0].activities) == 2
    # the employee cannot decide on their own plan
    assert auth.post(f"/rencana/{plan.id}/keputusan", {"decision": "setujui"}).status_code == 403
    auth.logout()

    # --- not the direct supervisor: HR reads it but cannot decide; others do not see it -----
    auth.login("bkpsdm.solok@lentera.test")
    assert client.get(f"/rencana/{plan.id}").status_code == 200
    assert auth.post(f"/rencana/{plan.id}/keputusan", {"decision": "setujui"}).status_code == 403
    auth.logout()
    colleague = db.session.scalar(
        select(Employee).where(
            Employee.supervisor_id == learner.supervisor_id, Employee.id != learner.id
        )
    )
    login_as(db, auth, colleague)
    assert client.get(f"/rencana/{plan.id}").status_code == 404
    assert auth.post(f"/rencana/{plan.id}/keputusan", {"decision": "setujui"}).status_code == 404
    auth.logout()
    auth.login("bkpsdm.serang@lentera.test")
    assert client.get(f"/rencana/{plan.id}").status_code == 404
    auth.logout()
    assert the_plan(db, learner, year).status is PlanStatus.SUBMITTED

    # --- the supervisor returns it with a note ---------------------------------------------
    auth.login("atasan.solok@lentera.test")
    home = client.get("/")  # the supervisor's home says a plan waits, and where
    assert "1 rencana pengembangan menunggu persetujuan Anda" in home.text
    assert 'href="/rencana/tim"' in home.text
    team = client.get(f"/rencana/tim?tahun={year}")
    assert team.status_code == 200
    assert learner.name in team.text and "1 rencana menunggu" in team.text
    review = client.get(f"/rencana/{plan.id}")
    assert "Setujui rencana" in review.text and "Manajemen Proyek untuk RPI" in review.text
    no_note = auth.post(
        f"/rencana/{plan.id}/keputusan", {"decision": "kembalikan"}, follow_redirects=True
    )
    assert "Tuliskan alasan pengembalian" in flashed(no_note)
    assert the_plan(db, learner, year).status is PlanStatus.SUBMITTED
    note = "Tambahkan penugasan di tempat kerja."
    response = auth.post(f"/rencana/{plan.id}/keputusan", {"decision": "kembalikan", "note": note})
    assert response.status_code == 302
    plan = the_plan(db, learner, year)
    assert (plan.status, plan.supervisor_note) == (PlanStatus.RETURNED, note)
    [returned] = notices(db, demo["learner"], "plan_decided")
    assert "dikembalikan" in returned[0] and note in returned[1]
    auth.logout()

    # --- the employee sees the note, edits and submits again -------------------------------
    auth.login("pegawai.solok@lentera.test")
    page = client.get("/rencana")
    assert note in page.text and "Dikembalikan untuk diperbaiki" in page.text
    assignment = {
        f"{prefix}-csrf_token": auth.csrf,
        f"{prefix}-kind": "on_the_job",
        f"{prefix}-course_id": "",
        f"{prefix}-description": "Menyusun rencana proyek posyandu digital.",
        f"{prefix}-due_on": date(year, 10, 1).isoformat(),
    }
    assert client.post(f"/rencana/sasaran/{goal.id}/kegiatan", data=assignment).status_code == 302
    assert auth.post(f"/rencana/{plan.id}/kirim").status_code == 302
    assert the_plan(db, learner, year).status is PlanStatus.SUBMITTED
    auth.logout()

    # --- approved ----------------------------------------------------------------------------
    auth.login("atasan.solok@lentera.test")
    assert auth.post(f"/rencana/{plan.id}/keputusan", {"decision": "setujui"}).status_code == 302
    plan = the_plan(db, learner, year)
    assert plan.status is PlanStatus.APPROVED and plan.decided_at is not None
    assert len(notices(db, demo["supervisor"], "plan_submitted")) == 2  # sent twice, told twice
    assert "disetujui" in notices(db, demo["learner"], "plan_decided")[-1][0]
    auth.logout()

    # --- tracking: two activities by hand (one linked to evidence), the course by itself -----
    auth.login("pegawai.solok@lentera.test")
    page = client.get("/rencana")
    assert "Disetujui" in page.text and "Tambah sasaran" not in page.text
    blocked = auth.post(
        "/rencana/sasaran",
        {"year": year, "competency_id": kespol.id, "target_level": "3"},
        follow_redirects=True,
    )
    assert "tidak dapat diubah" in flashed(blocked)
    course_done, mentoring_row, assignment_row = the_plan(db, learner, year).goals[0].activities
    rating = next(
        e
        for r in profile(learner)
        if r.competency.code == "T-MPROY"
        for e in r.evidence
        if e.source is EvidenceSource.ASSESSOR
    )
    for activity, evidence_id in ((mentoring_row, str(rating.id)), (assignment_row, "")):
        key = f"a{activity.id}"
        response = client.post(
            f"/rencana/kegiatan/{activity.id}/status",
            data={
                f"{key}-csrf_token": auth.csrf,
                f"{key}-status": "done",
                f"{key}-evidence_id": evidence_id,
            },
        )
        assert response.status_code == 302
    db.session.expire_all()
    mentoring_row = db.session.get(PlanActivity, mentoring_row.id)
    assert mentoring_row.status is ActivityStatus.DONE and mentoring_row.evidence_id == rating.id
    assert the_plan(db, learner, year).status is PlanStatus.APPROVED  # the course is still open
    enrollment = courses.enrol(course, learner)
    courses.complete(enrollment, *lessons)
    db.session.expire_all()
    assert db.session.get(PlanActivity, course_done.id).status is ActivityStatus.DONE
    plan = the_plan(db, learner, year)
    assert plan.status is PlanStatus.COMPLETED

    # --- the history: submitted, returned with the note, submitted, approved ---------------
    assert audit_actions(db, "development_plans", plan.id) == [
        "plan.submitted",
        "plan.returned",
        "plan.submitted",
        "plan.approved",
    ]
    page = client.get("/rencana")
    assert "Selesai" in page.text
    assert page.text.count("Dikirim ke atasan") == 2
    assert "Dikembalikan atasan" in page.text and "Disetujui atasan" in page.text


def test_a_plan_goes_only_to_a_supervisor_on_record(client, db, auth, demo):
    learner = demo["learner"].employee
    year = date.today().year
    plan = draft_one_goal(db, auth, demo, year)
    learner.supervisor_id = None
    db.session.flush()
    response = auth.post(f"/rencana/{plan.id}/kirim", follow_redirects=True)
    assert "Atasan langsung Anda belum tercatat" in flashed(response)
    assert the_plan(db, learner, year).status is PlanStatus.DRAFT


def test_an_empty_plan_cannot_be_submitted_and_other_plans_are_out_of_reach(client, db, auth, demo):
    year = date.today().year
    plan = draft_one_goal(db, auth, demo, year)
    goal_id = plan.goals[0].id
    assert auth.post(f"/rencana/sasaran/{goal_id}/hapus").status_code == 302
    response = auth.post(f"/rencana/{plan.id}/kirim", follow_redirects=True)
    assert "sedikitnya satu sasaran" in flashed(response)
    assert client.get("/rencana?tahun=abcd").status_code == 400
    auth.logout()
    # another employee's goals and plans answer 404, even to the supervisor
    auth.login("atasan.solok@lentera.test")
    assert auth.post(f"/rencana/{plan.id}/kirim").status_code == 404
    assert auth.post(f"/rencana/sasaran/{goal_id}/hapus").status_code == 404
    assert client.get("/rencana/tim").status_code == 200
    auth.logout()
    auth.login("pegawai.solok@lentera.test")
    assert client.get("/rencana/tim").status_code == 403  # not a supervisor
