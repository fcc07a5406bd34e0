"""HR screens: units, positions, employees, roles and the audit log."""

from sqlalchemy import func, select

from lms.accounts.models import AuditEvent, Employee, Position, Role, Unit, User
from tests.fixtures.accounts import make_nip


def _events(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_hr_lists_and_searches_only_their_organisation(client, auth, demo, db):
    auth.login("bkpsdm.solok@lentera.test")
    page = client.get("/hr/pegawai?status=semua")
    assert page.status_code == 200
    serang_name = demo["learner_serang"].employee.name
    solok_name = demo["learner"].employee.name
    assert solok_name in page.text or "Berikutnya" in page.text
    found = client.get("/hr/pegawai", query_string={"q": solok_name.split(",")[0]})
    assert solok_name in found.text
    assert (
        serang_name
        not in client.get("/hr/pegawai", query_string={"q": serang_name.split(",")[0]}).text
    )
    by_nip = client.get("/hr/pegawai", query_string={"q": demo["learner"].employee.nip[:12]})
    assert solok_name in by_nip.text


def test_unit_filter_includes_sub_units(client, auth, demo, db):
    dinkes = db.session.scalar(
        select(Unit).where(Unit.organisation_id == demo["solok"].id, Unit.code == "DINKES")
    )
    puskesmas_staff = db.session.scalar(
        select(Employee)
        .join(Unit, Employee.unit_id == Unit.id)
        .where(Unit.code == "PKM-1", Employee.organisation_id == demo["solok"].id)
    )
    auth.login("bkpsdm.solok@lentera.test")
    page = client.get(f"/hr/pegawai?unit={dinkes.id}")
    assert puskesmas_staff.name in page.text


def test_employee_list_runs_a_bounded_number_of_queries(client, auth, demo, factory, count_queries):
    auth.login("bkpsdm.solok@lentera.test")
    with count_queries() as few:
        assert client.get("/hr/pegawai").status_code == 200
    unit = factory.unit(demo["solok"], "Unit Tambahan")
    position = factory.position(demo["solok"], "Jabatan Tambahan", unit)
    for i in range(40):
        factory.employee(demo["solok"], f"Aaa Pegawai {i}", unit=unit, position=position)
    with count_queries() as many:
        assert client.get("/hr/pegawai").status_code == 200
    assert many.count == few.count
    assert many.count <= 12


def test_create_employee_validates_and_audits(client, auth, demo, db):
    auth.login("bkpsdm.solok@lentera.test")
    unit = db.session.scalar(
        select(Unit).where(Unit.organisation_id == demo["solok"].id, Unit.code == "DISDIK")
    )
    bad = auth.post(
        "/hr/pegawai/baru",
        {"nip": "198513152010031001", "name": "Uji Salah", "employee_type": "pns"},
    )
    assert bad.status_code == 400
    assert "bukan tanggal lahir yang sah" in bad.text
    nip = make_nip(sex="2")
    supervisor = demo["supervisor"].employee
    ok = auth.post(
        "/hr/pegawai/baru",
        {
            "nip": nip,
            "name": "  Siti   Rahma, S.Kom. ",
            "employee_type": "pns",
            "email": "Siti.Rahma@Solok.test",
            "golongan": "III/a",
            "unit_id": str(unit.id),
            "position_id": "",
            "supervisor_nip": supervisor.nip,
            "is_active": "y",
        },
    )
    assert ok.status_code == 302
    employee = db.session.scalar(select(Employee).where(Employee.nip == nip))
    assert employee.name == "Siti Rahma, S.Kom."
    assert employee.sex == "P"
    assert employee.supervisor_id == supervisor.id
    assert employee.organisation_id == demo["solok"].id
    assert employee.user is not None and employee.user.email == "siti.rahma@solok.test"
    assert any(e.target_id == str(employee.id) for e in _events(db, "employee.created"))
    duplicate = auth.post("/hr/pegawai/baru", {"nip": nip, "name": "Lagi", "employee_type": "pns"})
    assert duplicate.status_code == 400 and "sudah terdaftar" in duplicate.text


def test_edit_employee_records_changed_fields(client, auth, demo, db):
    employee = demo["learner"].employee
    auth.login("bkpsdm.solok@lentera.test")
    form = client.get(f"/hr/pegawai/{employee.id}/ubah")
    assert form.status_code == 200 and employee.nip in form.text
    response = auth.post(
        f"/hr/pegawai/{employee.id}/ubah",
        {
            "nip": employee.nip,
            "name": employee.name,
            "employee_type": "pns",
            "email": "pegawai.solok@lentera.test",
            "golongan": "III/c",
            "unit_id": str(employee.unit_id),
            "position_id": str(employee.position_id),
            "supervisor_nip": employee.supervisor.nip,
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    event = _events(db, "employee.updated")[-1]
    assert event.data == {"golongan": ["III/b", "III/c"]}
    log = client.get("/hr/audit").text
    assert "<strong>Golongan</strong>: III/b → III/c" in log
    assert f"Pegawai #{employee.id}" in log  # what it is about, in Indonesian
    auth.post("/bahasa", {"locale": "en", "next": "/"})
    log = client.get("/hr/audit").text
    assert "<strong>Grade</strong>: III/b → III/c" in log and f"Employees #{employee.id}" in log


def test_supervisor_cannot_be_own_subordinate(client, auth, demo, db):
    head = demo["supervisor"].employee
    report = demo["learner"].employee
    auth.login("bkpsdm.solok@lentera.test")
    response = auth.post(
        f"/hr/pegawai/{head.id}/ubah",
        {"nip": head.nip, "name": head.name, "employee_type": "pns", "supervisor_nip": report.nip},
    )
    assert response.status_code == 400
    assert "bawahannya" in response.text


def test_supervisor_from_another_organisation_is_refused(client, auth, demo):
    employee = demo["learner"].employee
    auth.login("bkpsdm.solok@lentera.test")
    response = auth.post(
        f"/hr/pegawai/{employee.id}/ubah",
        {
            "nip": employee.nip,
            "name": employee.name,
            "employee_type": "pns",
            "supervisor_nip": demo["learner_serang"].employee.nip,
        },
    )
    assert response.status_code == 400
    assert "tidak ditemukan di instansi ini" in response.text


def test_unit_tree_refuses_cycles_and_duplicate_codes(client, auth, demo, db):
    auth.login("bkpsdm.solok@lentera.test")
    dinkes = db.session.scalar(
        select(Unit).where(Unit.organisation_id == demo["solok"].id, Unit.code == "DINKES")
    )
    puskesmas = db.session.scalar(
        select(Unit).where(Unit.organisation_id == demo["solok"].id, Unit.code == "PKM-1")
    )
    page = client.get(f"/hr/unit/{dinkes.id}/ubah")
    assert f'value="{puskesmas.id}"' not in page.text  # sub-units are not offered as parents
    response = auth.post(
        f"/hr/unit/{dinkes.id}/ubah",
        {"code": "DINKES", "name": dinkes.name, "parent_id": str(puskesmas.id), "is_active": "y"},
    )
    assert response.status_code == 400
    db.session.refresh(dinkes)
    assert dinkes.parent_id is None
    clash = auth.post("/hr/unit/baru", {"code": "dinkes", "name": "Lain", "parent_id": ""})
    assert clash.status_code == 400 and "sudah dipakai" in clash.text
    created = auth.post(
        "/hr/unit/baru",
        {"code": "PKM-2", "name": "Puskesmas Baru", "parent_id": str(dinkes.id), "is_active": "y"},
    )
    assert created.status_code == 302
    unit = db.session.scalar(
        select(Unit).where(Unit.organisation_id == demo["solok"].id, Unit.code == "PKM-2")
    )
    assert unit.parent_id == dinkes.id
    assert "Puskesmas Baru" in client.get("/hr/unit").text


def test_positions_need_a_jenjang_that_fits_the_type(client, auth, demo, db):
    auth.login("bkpsdm.solok@lentera.test")
    missing = auth.post(
        "/hr/jabatan/baru",
        {"name": "Analis Kebijakan", "position_type": "fungsional", "unit_id": ""},
    )
    assert missing.status_code == 400 and "jenjang" in missing.text
    wrong = auth.post(
        "/hr/jabatan/baru",
        {
            "name": "Pengolah Data",
            "position_type": "pelaksana",
            "jenjang": "ahli_muda",
            "unit_id": "",
        },
    )
    assert wrong.status_code == 400
    bogus = auth.post("/hr/jabatan/baru", {"name": "X", "position_type": "raja", "unit_id": ""})
    assert bogus.status_code == 400
    ok = auth.post(
        "/hr/jabatan/baru",
        {
            "name": "Analis Kebijakan Ahli Muda",
            "position_type": "fungsional",
            "jenjang": "ahli_muda",
            "unit_id": "",
            "is_active": "y",
        },
    )
    assert ok.status_code == 302
    assert db.session.scalar(
        select(func.count())
        .select_from(Position)
        .where(Position.name == "Analis Kebijakan Ahli Muda")
    )
    assert "Analis Kebijakan Ahli Muda" in client.get("/hr/jabatan?q=Ahli+Muda").text


def test_hr_grants_trainer_but_not_admin(client, auth, demo, db):
    employee = demo["learner"].employee
    auth.login("bkpsdm.solok@lentera.test")
    page = client.get(f"/pegawai/{employee.id}")
    assert 'value="trainer"' in page.text and 'value="admin"' not in page.text
    auth.post(f"/hr/pegawai/{employee.id}/peran", {"roles": ["trainer"]})
    user = db.session.get(User, demo["learner"].id)
    db.session.refresh(user)
    assert user.roles == {Role.TRAINER}
    event = _events(db, "user.roles_changed")[-1]
    assert event.data == {"added": ["trainer"], "removed": []}
    auth.post(f"/hr/pegawai/{employee.id}/peran", {"roles": ["trainer", "admin"]})
    db.session.refresh(user)
    assert Role.ADMIN not in user.roles
    bogus = auth.post(f"/hr/pegawai/{employee.id}/peran", {"roles": ["raja"]})
    assert bogus.status_code == 400


def test_admin_can_grant_admin_and_keeps_own_admin_role(client, auth, demo, db):
    auth.login("admin@lentera.test")
    auth.post(f"/admin/instansi/{demo['solok'].id}/pilih")
    employee = demo["hr_solok"].employee
    auth.post(f"/hr/pegawai/{employee.id}/peran", {"roles": ["hr_admin", "admin"]})
    user = db.session.get(User, demo["hr_solok"].id)
    db.session.refresh(user)
    assert user.roles == {Role.HR_ADMIN, Role.ADMIN}


def test_disable_account_blocks_login(client, auth, demo, db):
    employee = demo["learner"].employee
    auth.login("bkpsdm.solok@lentera.test")
    auth.post(f"/hr/pegawai/{employee.id}/akun", {"active": "0"})
    auth.logout()
    assert auth.login("pegawai.solok@lentera.test").status_code == 401
    assert _events(db, "user.disabled")


def test_admin_creates_organisation_and_switches_to_it(client, auth, db):
    auth.login("admin@lentera.test")
    response = auth.post("/admin/instansi", {"code": "pdg", "name": "Pemerintah Kota Padang"})
    assert response.status_code == 302
    page = client.get("/admin/instansi")
    assert "Pemerintah Kota Padang" in page.text
    duplicate = auth.post("/admin/instansi", {"code": "PDG", "name": "Lagi"})
    assert duplicate.status_code == 400
    from lms.accounts.models import Organisation

    padang = db.session.scalar(select(Organisation).where(Organisation.code == "PDG"))
    auth.post(f"/admin/instansi/{padang.id}/pilih")
    assert "Pemerintah Kota Padang" in client.get("/hr/pegawai").text


def test_audit_log_is_scoped_to_the_organisation(client, auth, demo, db):
    auth.login("bkpsdm.serang@lentera.test")
    auth.logout()
    auth.login("bkpsdm.solok@lentera.test")
    page = client.get("/hr/audit")
    assert page.status_code == 200
    assert demo["hr_solok"].employee.name in page.text
    assert demo["hr_serang"].employee.name not in page.text
    assert client.get("/hr/audit?lingkup=platform").status_code == 200  # falls back to own org
    auth.logout()
    auth.login("admin@lentera.test")
    platform = client.get("/hr/audit?lingkup=platform")
    assert "Muat data demo" in platform.text


def test_learner_cannot_reach_hr_screens(client, auth):
    auth.login("pegawai.solok@lentera.test")
    for url in (
        "/hr/pegawai",
        "/hr/unit",
        "/hr/jabatan",
        "/hr/impor",
        "/hr/audit",
        "/admin/instansi",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Akses ditolak" in response.text


def test_supervisor_sees_team_on_home(client, auth, demo):
    auth.login("atasan.solok@lentera.test")
    home = client.get("/")
    assert "Tim saya" in home.text
    assert demo["learner"].employee.name in home.text
    auth.logout()
    auth.login("pegawai.solok@lentera.test")
    assert "Tim saya" not in client.get("/").text


def test_admin_revokes_another_users_api_token_from_the_employee_page(client, auth, demo, db):
    from lms.accounts import services
    from lms.accounts.models import ApiToken

    plain, token = services.issue_api_token(demo["learner"], "skrip")
    db.session.flush()
    employee = demo["learner"].employee
    auth.login("admin@lentera.test")
    page = client.get(f"/pegawai/{employee.id}")
    assert token.prefix in page.text
    response = auth.post(f"/akun/token/{token.id}/cabut", {"next": f"/pegawai/{employee.id}"})
    assert response.headers["Location"] == f"/pegawai/{employee.id}"
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401


def test_hr_does_not_see_token_controls(client, auth, demo, db):
    from lms.accounts import services

    _plain, token = services.issue_api_token(demo["learner"], "skrip")
    db.session.flush()
    auth.login("bkpsdm.solok@lentera.test")
    assert token.prefix not in client.get(f"/pegawai/{demo['learner'].employee.id}").text
    assert auth.post(f"/akun/token/{token.id}/cabut").status_code == 404
