"""Enrolment: self-enrolment, HR assignment rules (also for people added later), leaving, status."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from html import unescape

from sqlalchemy import func, select

from lms.accounts.models import Employee, Position, Unit
from lms.accounts.tree import unit_subtree_ids
from lms.courses.models import (
    AssignmentRule,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    LessonProgress,
    TargetType,
    Visibility,
)
from tests.fixtures.accounts import make_nip
from tests.fixtures.courses import text

LEARNER = "pegawai.solok@lentera.test"
HR_SOLOK = "bkpsdm.solok@lentera.test"
HR_SERANG = "bkpsdm.serang@lentera.test"
DUE = date.today() + timedelta(days=30)


def enrolled_ids(db, course) -> set[int]:
    db.session.expire_all()
    return set(
        db.session.scalars(
            select(Enrollment.employee_id).where(
                Enrollment.course_id == course.id, Enrollment.withdrawn_at.is_(None)
            )
        )
    )


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def assign(auth, course, **fields):
    data = {"target_type": "employee", "due_date": DUE.isoformat()} | fields
    return auth.post(f"/ajar/{course.code}/penugasan", data)


def flashes(client) -> str:
    """The flashed messages, as the next page shows them."""
    return unescape(client.get("/").text)


# --- self-enrolment -------------------------------------------------------------------------------


def test_learner_enrols_themself(client, auth, db, courses, demo):
    course = courses.course()
    auth.login(LEARNER)
    page = client.get(f"/kursus/{course.code}")
    assert "Daftar kursus" in page.text and f'action="/kursus/{course.code}/daftar"' in page.text
    response = auth.post(f"/kursus/{course.code}/daftar")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/kursus/{course.code}")
    enrollment = courses.enrollment(course, demo["learner"].employee)
    assert enrollment.source is EnrollmentSource.SELF
    assert enrollment.due_date is None and enrollment.withdrawn_at is None
    assert "Anda terdaftar di kursus ini" in client.get(f"/kursus/{course.code}").text
    # enrolling again changes nothing
    assert auth.post(f"/kursus/{course.code}/daftar").status_code == 302
    assert count(db, Enrollment) == 1


def test_self_enrolment_refused_when_closed(client, auth, db, courses, demo):
    course = courses.course(self_enrollment=False)
    auth.login(LEARNER)
    page = client.get(f"/kursus/{course.code}").text
    assert "Daftar kursus" not in page and "melalui penugasan BKPSDM" in page
    response = auth.post(f"/kursus/{course.code}/daftar")
    assert response.status_code == 302
    assert "hanya dapat diikuti melalui penugasan BKPSDM" in flashes(client)
    assert count(db, Enrollment) == 0


def test_self_enrolment_needs_completed_prerequisites(client, auth, db, courses, demo):
    basic = courses.course(title="Dasar")
    advanced = courses.course(title="Lanjutan", prerequisites=[basic.code])
    auth.login(LEARNER)
    page = client.get(f"/kursus/{advanced.code}").text
    assert f"Selesaikan dulu kursus prasyarat: {basic.code}." in page
    assert "Daftar kursus" not in page
    auth.post(f"/kursus/{advanced.code}/daftar")
    assert f"Selesaikan dulu kursus prasyarat: {basic.code}." in flashes(client)
    assert courses.enrollment(advanced, demo["learner"].employee) is None

    # enrolled but not finished: still refused
    enrollment = courses.enrol(basic, demo["learner"], source=EnrollmentSource.SELF)
    auth.post(f"/kursus/{advanced.code}/daftar")
    assert courses.enrollment(advanced, demo["learner"].employee) is None
    courses.complete(enrollment, *courses.lessons(basic))
    assert enrollment.completed_at is not None
    assert "Daftar kursus" in client.get(f"/kursus/{advanced.code}").text
    assert auth.post(f"/kursus/{advanced.code}/daftar").status_code == 302
    assert courses.enrollment(advanced, demo["learner"].employee) is not None


def test_hr_assignment_ignores_prerequisites_and_closed_self_enrolment(
    client, auth, db, courses, demo
):
    basic = courses.course()
    course = courses.course(self_enrollment=False, prerequisites=[basic.code])
    auth.login(HR_SOLOK)
    response = assign(auth, course, nip=demo["learner"].employee.nip)
    assert response.status_code == 302
    enrollment = courses.enrollment(course, demo["learner"].employee)
    assert enrollment.source is EnrollmentSource.RULE and enrollment.due_date == DUE


# --- HR assignment --------------------------------------------------------------------------------


def test_assign_one_employee_by_nip_with_a_due_date(client, auth, db, courses, demo):
    course = courses.course()
    learner = demo["learner"].employee
    auth.login(HR_SOLOK)
    form = client.get(f"/ajar/{course.code}/penugasan")
    assert form.status_code == 200 and "Belum ada penugasan." in form.text
    spaced = " ".join([learner.nip[:8], learner.nip[8:14], learner.nip[14], learner.nip[15:]])
    response = assign(auth, course, nip=spaced)
    assert response.status_code == 302
    assert enrolled_ids(db, course) == {learner.id}
    enrollment = courses.enrollment(course, learner)
    assert enrollment.due_date == DUE
    assert enrollment.source is EnrollmentSource.RULE and enrollment.rule_id is not None
    page = client.get(f"/ajar/{course.code}/penugasan").text
    assert "Penugasan disimpan: 1 pegawai didaftarkan." in unescape(page)
    assert f"Pegawai: {learner.name}" in unescape(page)
    # the same assignment again enrols nobody new
    assign(auth, course, nip=learner.nip)
    assert "Penugasan disimpan: 0 pegawai didaftarkan." in flashes(client)
    assert count(db, Enrollment) == 1


def test_assign_a_unit_includes_its_sub_units(client, auth, db, courses, demo):
    course = courses.course()
    dinkes = courses.unit("SLK", "DINKES")
    auth.login(HR_SOLOK)
    assert assign(auth, course, target_type="unit", unit_id=str(dinkes.id)).status_code == 302
    subtree = unit_subtree_ids(dinkes.id, demo["solok"].id)
    expected = set(
        db.session.scalars(
            select(Employee.id).where(Employee.unit_id.in_(subtree), Employee.is_active.is_(True))
        )
    )
    puskesmas = courses.unit("SLK", "PKM-1")
    assert puskesmas.id in subtree and len(subtree) == 3
    assert len(expected) >= 8
    assert enrolled_ids(db, course) == expected
    assert demo["learner"].employee.id in expected
    assert demo["supervisor"].employee.id in expected
    assert all(e.due_date == DUE for e in db.session.scalars(select(Enrollment)))


def test_assign_a_position_and_a_golongan(client, auth, db, courses, demo):
    by_position = courses.course()
    by_golongan = courses.course()
    perawat = db.session.scalar(
        select(Position).where(
            Position.organisation_id == demo["solok"].id, Position.name == "Perawat"
        )
    )
    auth.login(HR_SOLOK)
    assign(auth, by_position, target_type="position", position_id=str(perawat.id))
    nurses = set(db.session.scalars(select(Employee.id).where(Employee.position_id == perawat.id)))
    assert len(nurses) == 2 and enrolled_ids(db, by_position) == nurses

    assign(auth, by_golongan, target_type="golongan", golongan="II/d")
    solok_iid = set(
        db.session.scalars(
            select(Employee.id).where(
                Employee.golongan == "II/d", Employee.organisation_id == demo["solok"].id
            )
        )
    )
    assert len(solok_iid) >= 3
    assert enrolled_ids(db, by_golongan) == solok_iid  # Serang's II/d staff are not Solok's
    rules = db.session.scalars(select(AssignmentRule).order_by(AssignmentRule.id)).all()
    assert [(r.target_type, r.target_value) for r in rules] == [
        (TargetType.POSITION, None),
        (TargetType.GOLONGAN, "II/d"),
    ]
    page = unescape(client.get(f"/ajar/{by_golongan.code}/penugasan").text)
    assert "Golongan: Golongan II/d" in page


def test_assign_several_employees_by_nip_or_name_all_or_none(
    client, auth, db, courses, demo, factory
):
    course = courses.course()
    solok = demo["solok"]
    rahmi = factory.employee(solok, "Rahmi Yuliani")
    yuli_a = factory.employee(solok, "Yuli Andriani")
    yuli_b = factory.employee(solok, "Yuliana Putri")
    factory.employee(demo["serang"], "Rahmat Serang Satu")
    factory.employee(solok, "Rahmat Nonaktif", is_active=False)
    auth.login(HR_SOLOK)
    # an ambiguous name lists its candidates with their NIPs; nothing is written
    response = assign(auth, course, nip=f"rahmi\nyuli, {demo['learner'].employee.nip}")
    assert response.status_code == 400
    text = unescape(response.text)
    assert "“yuli” cocok dengan beberapa pegawai" in text
    assert f"Yuli Andriani ({yuli_a.nip})" in text and f"Yuliana Putri ({yuli_b.nip})" in text
    assert count(db, Enrollment) == 0 and count(db, AssignmentRule) == 0
    # a name that fits more than five is cut short
    for number in range(6):
        factory.employee(solok, f"Yudi Banyak {number}")
    text = unescape(assign(auth, course, nip="yudi banyak").text)
    assert "Yudi Banyak 4 (" in text and "Yudi Banyak 5" not in text
    assert "; dan lainnya. Tulis NIP-nya." in text
    # other organisations and inactive employees are not found by name
    for name in ("Rahmat Serang", "Rahmat Nonaktif"):
        response = assign(auth, course, nip=name)
        assert f"Tidak ada pegawai bernama “{name}”." in unescape(response.text)
    # names (any case, part of it), NIPs with spaces and repeats: each employee once
    spaced = " ".join(demo["learner"].employee.nip[i : i + 6] for i in range(0, 18, 6))
    named = f"RAHMI; Yuliana\n{spaced}, {yuli_a.nip}, rahmi yuliani"
    response = assign(auth, course, nip=named)
    assert response.status_code == 302
    assert "4 pegawai didaftarkan" in flashes(client)
    assert count(db, AssignmentRule) == 4
    for employee in (rahmi, yuli_a, yuli_b, demo["learner"].employee):
        enrollment = courses.enrollment(course, employee)
        assert enrollment is not None and enrollment.due_date == DUE


def test_assignment_refuses_bad_targets(client, auth, db, courses, demo):
    course = courses.course()
    serang_unit = courses.unit("SRG", "DINKES")
    auth.login(HR_SOLOK)
    cases = [
        ({"nip": demo["learner_serang"].employee.nip}, "tidak ditemukan di instansi ini"),
        ({"nip": "bukan-nip"}, "Tidak ada pegawai bernama “bukan-nip”."),
        ({"nip": "   "}, "Tulis NIP atau nama pegawai."),
        ({"nip": ",".join(["x"] * 201)}, "Paling banyak 200 pegawai sekaligus"),
        ({"target_type": "unit", "unit_id": str(serang_unit.id)}, "Pilihan tidak tersedia."),
        ({"target_type": "unit"}, "Pilih sasaran penugasan."),
        ({"target_type": "golongan", "golongan": "Z/z"}, "Pilihan tidak tersedia."),
        (
            {"nip": demo["learner"].employee.nip, "due_date": "2001-01-01"},
            "Tenggat tidak boleh di masa lalu.",
        ),
    ]
    for fields, message in cases:
        response = assign(auth, course, **fields)
        assert response.status_code == 400, fields
        assert message in unescape(response.text), fields
    assert count(db, Enrollment) == 0 and count(db, AssignmentRule) == 0


def test_who_may_assign(client, auth, db, courses, demo):
    draft = courses.course(publish=False)
    shared = courses.course()
    hidden = courses.course(visibility=Visibility.ORGANISATION)
    auth.login(HR_SOLOK)
    assert client.get(f"/ajar/{draft.code}/penugasan").status_code == 404  # not published
    auth.logout()
    auth.login("pelatih@lentera.test")  # trainers teach; HR assign
    assert client.get(f"/ajar/{shared.code}/penugasan").status_code == 404
    auth.logout()
    auth.login(LEARNER)
    assert assign(auth, shared, nip=demo["learner"].employee.nip).status_code == 404
    auth.logout()

    auth.login(HR_SERANG)
    assert client.get(f"/ajar/{hidden.code}/penugasan").status_code == 404
    assert assign(auth, hidden, nip=demo["learner_serang"].employee.nip).status_code == 404
    # a shared course of Solok: Serang's HR assign Serang's employees, and only them
    serang_learner = demo["learner_serang"].employee
    assert assign(auth, shared, nip=serang_learner.nip).status_code == 302
    assert assign(auth, shared, nip=demo["learner"].employee.nip).status_code == 400
    assert enrolled_ids(db, shared) == {serang_learner.id}
    assert count(db, Enrollment) == 1


# --- rules also catch employees added or moved later ----------------------------------------------


def test_rule_enrols_an_employee_created_later_in_the_unit(client, auth, db, courses, demo):
    course = courses.course()
    dinkes = courses.unit("SLK", "DINKES")
    puskesmas = courses.unit("SLK", "PKM-1")
    auth.login(HR_SOLOK)
    assign(auth, course, target_type="unit", unit_id=str(dinkes.id))
    nip = make_nip()
    response = auth.post(
        "/hr/pegawai/baru",
        {
            "nip": nip,
            "name": "Pegawai Baru Puskesmas",
            "employee_type": "pns",
            "golongan": "III/a",
            "unit_id": str(puskesmas.id),
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    newcomer = db.session.scalar(select(Employee).where(Employee.nip == nip))
    enrollment = courses.enrollment(course, newcomer)
    assert enrollment is not None
    assert enrollment.source is EnrollmentSource.RULE and enrollment.due_date == DUE
    # someone created in another unit is not caught
    other_nip = make_nip()
    auth.post(
        "/hr/pegawai/baru",
        {
            "nip": other_nip,
            "name": "Pegawai Disdik",
            "employee_type": "pns",
            "unit_id": str(courses.unit("SLK", "DISDIK").id),
            "is_active": "y",
        },
    )
    other = db.session.scalar(select(Employee).where(Employee.nip == other_nip))
    assert other is not None and courses.enrollment(course, other) is None


def test_rule_enrols_an_employee_moved_into_the_unit(client, auth, db, courses, demo):
    course = courses.course()
    dinkes = courses.unit("SLK", "DINKES")
    disdik = courses.unit("SLK", "DISDIK")
    mover = db.session.scalars(
        select(Employee).where(Employee.unit_id == disdik.id).order_by(Employee.id)
    ).first()
    auth.login(HR_SOLOK)
    assign(auth, course, target_type="unit", unit_id=str(dinkes.id))
    assert courses.enrollment(course, mover) is None
    response = auth.post(
        f"/hr/pegawai/{mover.id}/ubah",
        {
            "nip": mover.nip,
            "name": mover.name,
            "employee_type": mover.employee_type.value,
            "golongan": mover.golongan or "",
            "unit_id": str(dinkes.id),
            "position_id": str(mover.position_id or ""),
            "supervisor_nip": mover.supervisor.nip if mover.supervisor else "",
            "is_active": "y",
        },
    )
    assert response.status_code == 302, unescape(response.text)[:2000]
    enrollment = courses.enrollment(course, mover)
    assert enrollment is not None and enrollment.due_date == DUE


def test_rule_enrols_employees_imported_later(client, auth, db, courses, demo):
    course = courses.course()
    archived = courses.course()
    dinkes = courses.unit("SLK", "DINKES")
    auth.login(HR_SOLOK)
    assign(auth, course, target_type="unit", unit_id=str(dinkes.id))
    assign(auth, archived, target_type="unit", unit_id=str(dinkes.id))
    from lms.courses import services

    services.archive(courses.get(archived.code), actor=None)
    db.session.flush()
    nip = make_nip()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["NIP", "nama", "unit", "golongan"])
    writer.writerow([nip, "Pegawai Impor Dinkes", "PKM-1", "III/a"])
    preview = auth.post(
        "/hr/impor",
        {"file": (io.BytesIO(buffer.getvalue().encode()), "pegawai.csv")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200, unescape(preview.text)[:2000]
    action = re.search(r'action="(/hr/impor/[A-Za-z0-9_-]+)"', preview.text).group(1)
    assert auth.post(action).status_code == 302
    imported = db.session.scalar(select(Employee).where(Employee.nip == nip))
    assert imported is not None
    enrollment = courses.enrollment(course, imported)
    assert enrollment is not None and enrollment.due_date == DUE
    assert courses.enrollment(archived, imported) is None  # archived courses enrol nobody


def test_rules_cover_only_their_own_organisation(db, courses, demo, factory):
    from lms.courses import enrollment as enrolment

    course = courses.course()
    solok_unit = courses.unit("SLK", "DISKOMINFO")
    enrolment.create_rule(
        demo["solok"],
        course,
        TargetType.UNIT,
        target_id=solok_unit.id,
        due_date=DUE,
        actor=demo["hr_solok"],
    )
    serang_newcomer = factory.employee(
        demo["serang"], "Pendatang Serang", unit=courses.unit("SRG", "DISKOMINFO")
    )
    assert enrolment.apply_rules_to_employees([serang_newcomer.id]) == 0
    assert courses.enrollment(course, serang_newcomer) is None
    solok_newcomer = factory.employee(demo["solok"], "Pendatang Solok", unit=solok_unit)
    assert enrolment.apply_rules_to_employees([solok_newcomer.id]) == 1
    assert courses.enrollment(course, solok_newcomer).due_date == DUE


# --- leaving a course -----------------------------------------------------------------------------


def test_learner_leaves_a_self_enrolment_and_records_stay(client, auth, db, courses, demo):
    course = courses.course()
    learner = demo["learner"].employee
    auth.login(LEARNER)
    auth.post(f"/kursus/{course.code}/daftar")
    first = courses.lessons(course)[0]
    auth.post(f"/kursus/{course.code}/pelajaran/{first.id}/selesai")
    assert "Keluar dari kursus" in client.get(f"/kursus/{course.code}").text
    response = auth.post(f"/kursus/{course.code}/keluar")
    assert response.status_code == 302
    assert "Riwayat belajar Anda tetap tersimpan" in flashes(client)
    enrollment = courses.enrollment(course, learner)
    assert enrollment.withdrawn_at is not None  # the record is kept
    assert count(db, LessonProgress) == 1
    assert "Anda belum mengikuti kursus." in client.get("/").text
    assert client.get(f"/kursus/{course.code}/pelajaran/{first.id}").status_code == 403
    assert auth.post(f"/kursus/{course.code}/keluar").status_code == 404  # nothing to leave
    # coming back restores the progress
    auth.post(f"/kursus/{course.code}/daftar")
    enrollment = courses.enrollment(course, learner)
    assert enrollment.withdrawn_at is None and enrollment.progress_percent == 33
    assert count(db, Enrollment) == 1


def test_mandatory_and_completed_courses_cannot_be_left(client, auth, db, courses, demo):
    mandatory = courses.course()
    done = courses.course(modules=[("Modul", [text("Satu")])])
    learner = demo["learner"]
    courses.enrol(mandatory, learner, due_date=DUE)
    finished = courses.enrol(done, learner, source=EnrollmentSource.SELF)
    courses.complete(finished, *courses.lessons(done))
    auth.login(LEARNER)
    page = client.get(f"/kursus/{mandatory.code}").text
    assert "Keluar dari kursus" not in page
    auth.post(f"/kursus/{mandatory.code}/keluar")
    assert "Kursus wajib dari BKPSDM tidak dapat ditinggalkan sendiri." in flashes(client)
    auth.post(f"/kursus/{done.code}/keluar")
    assert "Kursus yang sudah selesai tetap tercatat." in flashes(client)
    for course in (mandatory, done):
        assert courses.enrollment(course, learner.employee).withdrawn_at is None


# --- status ---------------------------------------------------------------------------------------


def test_status_not_started_in_progress_completed_overdue(client, auth, db, courses, demo):
    c_new, c_started, c_done, c_late = (
        courses.course(title=t) for t in ("Baru", "Berjalan", "Selesai", "Terlambat")
    )
    learner = demo["learner"]
    new = courses.enrol(c_new, learner, due_date=DUE)
    started = courses.enrol(c_started, learner)
    done = courses.enrol(c_done, learner)
    late = courses.enrol(c_late, learner)
    courses.complete(started, courses.lessons(c_started)[0])
    courses.complete(done, *courses.lessons(c_done))
    late.due_date = date.today() - timedelta(days=1)
    db.session.flush()
    today = date.today()
    assert new.status(today) is EnrollmentStatus.NOT_STARTED
    assert started.status(today) is EnrollmentStatus.IN_PROGRESS
    assert done.status(today) is EnrollmentStatus.COMPLETED
    assert late.status(today) is EnrollmentStatus.OVERDUE
    # completing before the due date stays completed after it
    done.due_date = today - timedelta(days=3)
    assert done.status(today) is EnrollmentStatus.COMPLETED
    db.session.flush()

    auth.login(LEARNER)
    badges = [
        (c_new, "secondary", "Belum mulai"),
        (c_started, "primary", "Sedang berjalan"),
        (c_done, "success", "Selesai"),
        (c_late, "danger", "Terlambat"),
    ]
    for course, style, label in badges:
        page = client.get(f"/kursus/{course.code}").text
        assert f'<span class="badge text-bg-{style}">{label}</span>' in page, label
    home = client.get("/").text
    for label in ("Belum mulai", "Sedang berjalan", "Selesai", "Terlambat"):
        assert f">{label}</span>" in home
    catalog = client.get("/kursus").text
    assert catalog.count(">Terlambat</span>") == 1 and catalog.count(">Selesai</span>") == 1


def test_assigned_learner_sees_the_due_date_and_mandatory_mark(client, auth, db, courses, demo):
    course = courses.course(title="Kursus Wajib Dinkes")
    auth.login(HR_SOLOK)
    assign(auth, course, nip=demo["learner"].employee.nip)
    auth.logout()
    auth.login(LEARNER)
    home = client.get("/").text
    section = home[home.index("Kursus saya") : home.index("Profil saya")]
    assert "Kursus Wajib Dinkes" in section
    assert f"Tenggat: {DUE.day} " in section and str(DUE.year) in section
    assert "wajib" in section
    page = client.get(f"/kursus/{course.code}").text
    assert "Tenggat:" in page and "Keluar dari kursus" not in page


def test_inactive_employees_are_not_enrolled(db, courses, demo, factory):
    from lms.courses import enrollment as enrolment

    course = courses.course()
    unit = courses.unit("SLK", "DISDUKCAPIL")
    gone = factory.employee(demo["solok"], "Sudah Pensiun", unit=unit, is_active=False)
    _rule, enrolled = enrolment.create_rule(
        demo["solok"],
        course,
        TargetType.UNIT,
        target_id=unit.id,
        due_date=None,
        actor=demo["hr_solok"],
    )
    active = db.session.scalar(
        select(func.count())
        .select_from(Employee)
        .where(Employee.unit_id == unit.id, Employee.is_active.is_(True))
    )
    assert enrolled == active
    assert courses.enrollment(course, gone) is None
    assert db.session.get(Unit, unit.id) is not None


def test_hr_withdraw_their_own_employees_only(client, auth, db, courses, demo):
    course = courses.course()
    solok = courses.enrol(course, demo["learner"], due_date=DUE)
    serang = courses.enrol(course, demo["learner_serang"])
    courses.complete(solok, courses.lessons(course)[0])
    auth.login(HR_SERANG)
    url = f"/ajar/{course.code}/peserta/{solok.id}/keluarkan"
    assert auth.post(url).status_code == 404
    assert courses.enrollment(course, demo["learner"].employee).withdrawn_at is None
    auth.logout()
    auth.login(LEARNER)
    assert auth.post(url).status_code == 404
    auth.logout()

    auth.login(HR_SOLOK)
    assert f'action="{url}"' in client.get(f"/ajar/{course.code}/peserta").text
    assert auth.post(f"/ajar/{course.code}/peserta/{serang.id}/keluarkan").status_code == 404
    response = auth.post(url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ajar/{course.code}/peserta")
    withdrawn = courses.enrollment(course, demo["learner"].employee)
    assert withdrawn.withdrawn_at is not None  # the record and its progress stay
    assert count(db, LessonProgress) == 1
    assert courses.enrollment(course, demo["learner_serang"].employee).withdrawn_at is None
    assert auth.post(url).status_code == 302  # already withdrawn: refused, nothing changes
    assert "sudah dikeluarkan dari kursus ini" in flashes(client)
    assert (
        courses.enrollment(course, demo["learner"].employee).withdrawn_at == withdrawn.withdrawn_at
    )
