"""The JSON API under /api/v1: tokens, bearer auth, the caller, employees in scope, OpenAPI."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from lms.accounts import services
from lms.accounts.models import ApiToken, Employee, PositionType, Unit, User
from lms.core.db import utcnow

API = "/api/v1"


# --- helpers ------------------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def issue(db, user: User, name: str = "uji") -> tuple[str, ApiToken]:
    """A token made directly in the database (no password check), for tests not about login."""
    plain, record = services.issue_api_token(user, name)
    db.session.flush()
    return plain, record


def login_token(client, login: str, password: str = "lentera-demo") -> str:
    response = client.post(f"{API}/tokens", json={"login": login, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def assert_error(response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is ``{"error": {"code", "message"}}`` JSON with the status."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def all_pages(client, token: str, query: str = "") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every item of /employees over all pages, and the first page's envelope."""
    first = client.get(f"{API}/employees?{query}", headers=bearer(token))
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    items = list(body["items"])
    for page in range(2, body["pages"] + 1):
        more = client.get(f"{API}/employees?{query}&page={page}", headers=bearer(token))
        assert more.status_code == 200
        items.extend(more.get_json()["items"])
    return items, body


def org_count(db, organisation_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Employee)
        .where(Employee.organisation_id == organisation_id)
    )


# --- POST /tokens -------------------------------------------------------------------------------


def test_token_by_email_is_created_and_works(client, db, demo):
    response = client.post(
        f"{API}/tokens", json={"login": "pegawai.solok@lentera.test", "password": "lentera-demo"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    assert body["expires_at"]
    me = client.get(f"{API}/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.get_json()["user"]["email"] == "pegawai.solok@lentera.test"


def test_token_by_nip_works(client, db, demo):
    nip = demo["learner"].employee.nip
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    for login in (nip, spaced):
        token = login_token(client, login)
        me = client.get(f"{API}/me", headers=bearer(token)).get_json()
        assert me["employee"]["nip"] == nip


def test_token_is_stored_hashed(client, db, demo):
    token = login_token(client, "pegawai.solok@lentera.test")
    rows = db.session.execute(select(ApiToken.__table__)).mappings().all()
    assert rows, "the token was not stored"
    for row in rows:
        for value in row.values():
            assert token not in str(value), "the plain token is stored in api_tokens"
    digest = hashlib.sha256(token.encode()).hexdigest()
    stored = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    assert stored is not None and stored.user_id == demo["learner"].id


def test_wrong_password_is_401_in_indonesian(client, db):
    response = client.post(
        f"{API}/tokens", json={"login": "pegawai.solok@lentera.test", "password": "salah-sekali"}
    )
    error = assert_error(response, 401, "invalid_credentials")
    assert "kata sandi salah" in error["message"]
    assert "token" not in response.get_json()


def test_unknown_login_is_the_same_401(client, db):
    known = client.post(
        f"{API}/tokens", json={"login": "pegawai.solok@lentera.test", "password": "salah-sekali"}
    )
    unknown = client.post(
        f"{API}/tokens", json={"login": "tidak.ada@lentera.test", "password": "salah-sekali"}
    )
    assert assert_error(unknown, 401) == assert_error(known, 401)


def test_body_that_is_not_json_is_415(client, db):
    response = client.post(
        f"{API}/tokens", data={"login": "pegawai.solok@lentera.test", "password": "lentera-demo"}
    )
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("raw", ['{"login": "a", "password": ', "[1, 2]", '"teks"', "null"])
def test_malformed_json_or_not_an_object_is_400(client, db, raw):
    response = client.post(f"{API}/tokens", data=raw, content_type="application/json")
    assert_error(response, 400, "bad_json")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"login": "pegawai.solok@lentera.test"},
        {"password": "lentera-demo"},
        {"login": 123, "password": "lentera-demo"},
        {"login": "pegawai.solok@lentera.test", "password": ["lentera-demo"]},
        {"login": "", "password": "lentera-demo"},
        {"login": "pegawai.solok@lentera.test", "password": None},
    ],
)
def test_missing_or_non_string_fields_are_422(client, db, body):
    assert_error(client.post(f"{API}/tokens", json=body), 422, "invalid")


def test_token_must_change_password_is_refused(client, db, demo):
    demo["learner"].must_change_password = True
    db.session.flush()
    response = client.post(
        f"{API}/tokens", json={"login": "pegawai.solok@lentera.test", "password": "lentera-demo"}
    )
    assert_error(response, 403, "password_change_required")


# --- bearer authentication ----------------------------------------------------------------------


def test_missing_header_is_401_json(client, db):
    assert_error(client.get(f"{API}/me"), 401, "unauthorized")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer lnt_bukan-token-yang-sah",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "lnt_tanpa-skema",
        "Bearer",
    ],
)
def test_garbage_token_is_401(client, db, header):
    response = client.get(f"{API}/me", headers={"Authorization": header})
    assert_error(response, 401)


def test_session_cookie_does_not_authenticate_the_api(client, db, auth):
    assert auth.login("bkpsdm.solok@lentera.test").status_code == 302
    assert_error(client.get(f"{API}/me"), 401, "unauthorized")
    assert_error(client.get(f"{API}/employees"), 401, "unauthorized")


def test_expired_token_is_401(client, db, demo):
    token, record = issue(db, demo["learner"])
    assert client.get(f"{API}/me", headers=bearer(token)).status_code == 200
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == record.id)
        .values(expires_at=utcnow() - timedelta(seconds=5))
    )
    db.session.flush()
    assert_error(client.get(f"{API}/me", headers=bearer(token)), 401, "invalid_token")


def test_revoked_token_is_401(client, db, demo):
    token, record = issue(db, demo["learner"])
    db.session.execute(update(ApiToken).where(ApiToken.id == record.id).values(revoked_at=utcnow()))
    db.session.flush()
    assert_error(client.get(f"{API}/me", headers=bearer(token)), 401, "invalid_token")


def test_token_of_a_disabled_account_is_401(client, db, demo):
    token, _record = issue(db, demo["learner"])
    demo["learner"].is_active = False
    db.session.flush()
    assert_error(client.get(f"{API}/me", headers=bearer(token)), 401, "invalid_token")


@pytest.mark.parametrize("record", ["employee", "organisation"])
def test_token_of_an_inactive_employee_or_organisation_is_401(client, db, demo, record):
    token, _record = issue(db, demo["learner"])
    assert client.get(f"{API}/me", headers=bearer(token)).status_code == 200
    getattr(demo["learner"], record).is_active = False
    db.session.flush()
    assert_error(client.get(f"{API}/me", headers=bearer(token)), 401, "invalid_token")


def test_use_is_recorded(client, db, demo):
    token, record = issue(db, demo["learner"])
    assert record.last_used_at is None
    assert client.get(f"{API}/me", headers=bearer(token)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, record.id).last_used_at is not None


# --- revocation and listing ---------------------------------------------------------------------


def test_revoke_current_token(client, db):
    token = login_token(client, "pegawai.solok@lentera.test")
    response = client.delete(f"{API}/tokens/current", headers=bearer(token))
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_error(client.get(f"{API}/me", headers=bearer(token)), 401, "invalid_token")
    # revoking again needs a working token: the revoked one no longer is one
    assert_error(client.delete(f"{API}/tokens/current", headers=bearer(token)), 401)


def test_owner_revokes_another_of_their_tokens(client, db, demo):
    working, _ = issue(db, demo["learner"], "laptop")
    other, record = issue(db, demo["learner"], "ponsel")
    response = client.delete(f"{API}/tokens/{record.id}", headers=bearer(working))
    assert response.status_code == 204
    assert_error(client.get(f"{API}/me", headers=bearer(other)), 401)
    assert client.get(f"{API}/me", headers=bearer(working)).status_code == 200
    # twice: a conflict, not a second revocation
    assert_error(client.delete(f"{API}/tokens/{record.id}", headers=bearer(working)), 409)


def test_other_non_admin_cannot_revoke_a_token(client, db, demo):
    victim, record = issue(db, demo["learner"])
    for attacker in ("hr_solok", "supervisor", "hr_serang", "learner_serang"):
        token, _ = issue(db, demo[attacker])
        response = client.delete(f"{API}/tokens/{record.id}", headers=bearer(token))
        assert_error(response, 404, "not_found")
    assert client.get(f"{API}/me", headers=bearer(victim)).status_code == 200


def test_admin_revokes_anyones_token(client, db, demo):
    victim, record = issue(db, demo["learner_serang"])
    admin, _ = issue(db, demo["admin"])
    assert client.delete(f"{API}/tokens/{record.id}", headers=bearer(admin)).status_code == 204
    assert_error(client.get(f"{API}/me", headers=bearer(victim)), 401)


def test_unknown_or_huge_token_id_is_404(client, db, demo):
    token, _ = issue(db, demo["admin"])
    for token_id in (999_999_999, 2**63, 10**30):
        assert_error(client.delete(f"{API}/tokens/{token_id}", headers=bearer(token)), 404)


def test_list_shows_own_tokens_without_values(client, db, demo):
    mine, record = issue(db, demo["learner"], "laptop")
    other_mine, _ = issue(db, demo["learner"], "ponsel")
    someone_elses, _ = issue(db, demo["supervisor"], "atasan")
    response = client.get(f"{API}/tokens", headers=bearer(mine))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert sorted(item["name"] for item in items) == ["laptop", "ponsel"]
    text = response.get_data(as_text=True)
    for plain in (mine, other_mine, someone_elses):
        assert plain not in text
    assert record.token_hash not in text
    for item in items:
        assert set(item) == {
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        }
        assert len(item["prefix"]) == 8
    assert {item["prefix"] for item in items} == {mine[4:12], other_mine[4:12]}


# --- /me ----------------------------------------------------------------------------------------


def test_me_learner(client, db):
    token = login_token(client, "pegawai.solok@lentera.test")
    body = client.get(f"{API}/me", headers=bearer(token)).get_json()
    assert "learner" in body["roles"]
    assert "supervisor" not in body["roles"]
    assert "hr_admin" not in body["roles"]
    assert re.fullmatch(r"[0-9]{18}", body["employee"]["nip"])
    assert body["employee"]["organisation"]["code"] == "SLK"
    assert body["organisation"]["code"] == "SLK"
    assert body["user"]["email"] == "pegawai.solok@lentera.test"


def test_me_supervisor(client, db, demo):
    token, _ = issue(db, demo["supervisor"])
    body = client.get(f"{API}/me", headers=bearer(token)).get_json()
    assert {"learner", "supervisor"} <= set(body["roles"])


def test_me_hr(client, db, demo):
    token, _ = issue(db, demo["hr_serang"])
    body = client.get(f"{API}/me", headers=bearer(token)).get_json()
    assert "hr_admin" in body["roles"]
    assert body["organisation"]["code"] == "SRG"


def test_me_admin(client, db, demo):
    token, _ = issue(db, demo["admin"])
    body = client.get(f"{API}/me", headers=bearer(token)).get_json()
    assert "admin" in body["roles"]
    assert "learner" not in body["roles"]
    assert body["employee"] is None
    assert body["organisation"] is None


# --- /employees: scope --------------------------------------------------------------------------


def test_hr_sees_exactly_their_organisation(client, db, demo):
    token, _ = issue(db, demo["hr_solok"])
    items, body = all_pages(client, token)
    expected = org_count(db, demo["solok"].id)
    assert body["total"] == expected == len(items)
    assert {item["organisation"]["code"] for item in items} == {"SLK"}
    nips = set(
        db.session.scalars(select(Employee.nip).where(Employee.organisation_id == demo["solok"].id))
    )
    assert {item["nip"] for item in items} == nips


def test_hr_sees_inactive_employees_of_their_organisation(client, db, demo, factory):
    gone = factory.employee(demo["solok"], "Pensiunan Uji Solok", is_active=False)
    token, _ = issue(db, demo["hr_solok"])
    body = client.get(f"{API}/employees?q=Pensiunan Uji", headers=bearer(token)).get_json()
    assert [(item["nip"], item["is_active"]) for item in body["items"]] == [(gone.nip, False)]


def test_supervisor_sees_self_and_direct_reports_only(client, db, demo):
    supervisor = demo["supervisor"]
    token, _ = issue(db, supervisor)
    items, body = all_pages(client, token)
    expected = set(
        db.session.scalars(
            select(Employee.nip).where(
                (Employee.id == supervisor.employee_id)
                | (Employee.supervisor_id == supervisor.employee_id)
            )
        )
    )
    assert len(expected) > 2  # the demo Kepala Dinas has several direct reports
    assert {item["nip"] for item in items} == expected
    assert body["total"] == len(expected)
    assert demo["learner"].employee.nip in expected
    # reports of reports are not direct reports
    indirect = db.session.scalars(
        select(Employee.nip).where(
            Employee.supervisor.has(Employee.supervisor_id == supervisor.employee_id)
        )
    ).all()
    assert indirect and not set(indirect) & {item["nip"] for item in items}


def test_learner_sees_only_self(client, db, demo):
    token, _ = issue(db, demo["learner"])
    body = client.get(f"{API}/employees", headers=bearer(token)).get_json()
    assert body["total"] == 1
    assert [item["nip"] for item in body["items"]] == [demo["learner"].employee.nip]


def test_trainer_without_reports_sees_only_self(client, db, demo):
    token, _ = issue(db, demo["trainer"])
    body = client.get(f"{API}/employees", headers=bearer(token)).get_json()
    assert [item["nip"] for item in body["items"]] == [demo["trainer"].employee.nip]


def test_admin_sees_every_organisation(client, db, demo):
    token, _ = issue(db, demo["admin"])
    items, body = all_pages(client, token)
    assert {item["organisation"]["code"] for item in items} == {"SLK", "SWL", "SRG"}
    total = db.session.scalar(select(func.count()).select_from(Employee))
    assert body["total"] == total == len(items)


def test_employee_shape(client, db, demo):
    token, _ = issue(db, demo["learner"])
    item = client.get(f"{API}/employees", headers=bearer(token)).get_json()["items"][0]
    employee = demo["learner"].employee
    assert item["nip"] == employee.nip
    assert item["name"] == employee.name
    assert item["employee_type"] == "pns"
    assert item["unit"]["code"] == "DINKES"
    assert item["position"]["type"] == PositionType.FUNGSIONAL.value
    assert item["supervisor_nip"] == demo["supervisor"].employee.nip
    assert item["golongan"] == employee.golongan and item["pangkat"]
    assert item["is_active"] is True


# --- /employees: search, units, pages -----------------------------------------------------------


def test_search_by_name(client, db, demo, factory):
    wanted = factory.employee(demo["solok"], "Zulhendri Marajo Uji, S.T.")
    factory.employee(demo["serang"], "Zulhendri Marajo Uji Serang")
    token, _ = issue(db, demo["hr_solok"])
    for q in ("Zulhendri Marajo", "zulhendri marajo", "MARAJO UJI"):
        body = client.get(
            f"{API}/employees", query_string={"q": q}, headers=bearer(token)
        ).get_json()
        assert [item["nip"] for item in body["items"]] == [wanted.nip], q


def test_search_by_nip_prefix(client, db, demo):
    token, _ = issue(db, demo["hr_solok"])
    nip = demo["learner"].employee.nip
    expected = set(
        db.session.scalars(
            select(Employee.nip).where(
                Employee.organisation_id == demo["solok"].id, Employee.nip.startswith(nip[:8])
            )
        )
    )
    for q in (nip[:8], f"{nip[:8]} {nip[8:10]}", nip, f"{nip[:8]} {nip[8:14]} {nip[14:]}"):
        body = client.get(
            f"{API}/employees", query_string={"q": q}, headers=bearer(token)
        ).get_json()
        found = {item["nip"] for item in body["items"]}
        assert nip in found, q
        assert all(n.startswith(q.replace(" ", "")) for n in found), q
    body = client.get(
        f"{API}/employees", query_string={"q": nip[:8]}, headers=bearer(token)
    ).get_json()
    assert {item["nip"] for item in body["items"]} == expected


def test_search_does_not_reach_other_organisations(client, db, demo):
    token, _ = issue(db, demo["hr_solok"])
    serang_nip = demo["learner_serang"].employee.nip
    for q in (serang_nip, demo["learner_serang"].employee.name):
        body = client.get(
            f"{API}/employees", query_string={"q": q}, headers=bearer(token)
        ).get_json()
        assert body["total"] == 0 and body["items"] == []


def _unit(db, organisation, code: str) -> Unit:
    return db.session.scalar(
        select(Unit).where(Unit.organisation_id == organisation.id, Unit.code == code)
    )


def test_unit_filter_includes_sub_units(client, db, demo):
    token, _ = issue(db, demo["hr_solok"])
    dinkes = _unit(db, demo["solok"], "DINKES")
    sub_units = [_unit(db, demo["solok"], code) for code in ("DINKES-YANKES", "PKM-1")]
    expected = set(
        db.session.scalars(
            select(Employee.nip).where(
                Employee.unit_id.in_([dinkes.id, *(u.id for u in sub_units)])
            )
        )
    )
    for value in ("DINKES", "dinkes", str(dinkes.id)):
        items, body = all_pages(client, token, f"unit={value}")
        assert {item["nip"] for item in items} == expected, value
        assert body["total"] == len(expected)
        assert {item["unit"]["code"] for item in items} == {"DINKES", "DINKES-YANKES", "PKM-1"}
    # a leaf unit is just itself
    items, _body = all_pages(client, token, "unit=PKM-1")
    assert {item["unit"]["code"] for item in items} == {"PKM-1"}


def test_unit_filter_with_search(client, db, demo):
    token, _ = issue(db, demo["hr_solok"])
    nip = demo["learner"].employee.nip
    body = client.get(
        f"{API}/employees", query_string={"unit": "DINKES", "q": nip}, headers=bearer(token)
    ).get_json()
    assert [item["nip"] for item in body["items"]] == [nip]
    body = client.get(
        f"{API}/employees", query_string={"unit": "DISDIK", "q": nip}, headers=bearer(token)
    ).get_json()
    assert body["items"] == []


@pytest.mark.parametrize("value", ["TIDAK-ADA", "999999999", "²", "9" * 30])
def test_unknown_unit_is_404(client, db, demo, value):
    token, _ = issue(db, demo["hr_solok"])
    response = client.get(f"{API}/employees", query_string={"unit": value}, headers=bearer(token))
    assert_error(response, 404, "unit_not_found")


def test_unit_of_another_organisation_is_404(client, db, demo):
    token, _ = issue(db, demo["hr_solok"])
    serang_dinkes = _unit(db, demo["serang"], "DINKES")
    response = client.get(f"{API}/employees?unit={serang_dinkes.id}", headers=bearer(token))
    assert_error(response, 404, "unit_not_found")


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "", "²", "100001", "9" * 40])
def test_bad_page_is_400(client, db, demo, page):
    token, _ = issue(db, demo["hr_solok"])
    response = client.get(f"{API}/employees", query_string={"page": page}, headers=bearer(token))
    assert_error(response, 400, "invalid_parameter")


def test_pagination_is_consistent(client, db, demo):
    token, _ = issue(db, demo["admin"])
    total = db.session.scalar(select(func.count()).select_from(Employee))
    assert total > 50, "the demo data should span two pages"
    first = client.get(f"{API}/employees?page=1", headers=bearer(token)).get_json()
    second = client.get(f"{API}/employees?page=2", headers=bearer(token)).get_json()
    assert first["per_page"] == second["per_page"] == 50
    assert first["total"] == second["total"] == total
    assert first["pages"] == second["pages"] == -(-total // 50)
    assert (first["page"], second["page"]) == (1, 2)
    assert len(first["items"]) == 50
    seen = [item["nip"] for item in first["items"]]
    for page in range(2, first["pages"] + 1):
        body = client.get(f"{API}/employees?page={page}", headers=bearer(token)).get_json()
        seen.extend(item["nip"] for item in body["items"])
    assert len(seen) == len(set(seen)) == total
    names = [item["name"] for item in first["items"]]
    assert names == sorted(names)
    beyond = client.get(f"{API}/employees?page={first['pages'] + 1}", headers=bearer(token))
    assert beyond.status_code == 200
    assert beyond.get_json()["items"] == []
    assert beyond.get_json()["total"] == total


def test_employees_query_count_does_not_grow(client, db, demo, factory, count_queries):
    """The list is a COUNT and one page query, whatever the page holds (no N+1)."""
    solok = demo["solok"]
    unit = factory.unit(solok, "Dinas Uji Kueri")
    position = factory.position(solok, "Analis Uji Kueri", unit=unit)
    boss = factory.employee(solok, "Atasan Uji Kueri", unit=unit, position=position)

    def add(count: int) -> None:
        # each with a position of their own, so a lazy load per row would show
        for n in range(count):
            own = factory.position(solok, f"Jabatan Uji Kueri {n}", unit=unit)
            factory.employee(
                solok,
                "Pegawai Uji Kueri",
                unit=unit,
                position=own,
                supervisor=boss,
                golongan="III/a",
            )

    token, _ = issue(db, demo["hr_solok"])
    url = f"{API}/employees?unit={unit.code}"
    assert client.get(url, headers=bearer(token)).status_code == 200  # records last use
    add(10)
    with count_queries() as small:
        response = client.get(url, headers=bearer(token))
    assert response.get_json()["total"] == 11
    add(50)
    with count_queries() as large:
        response = client.get(url, headers=bearer(token))
    body = response.get_json()
    assert body["total"] == 61 and len(body["items"]) == 50
    assert all(
        item["supervisor_nip"] == boss.nip and item["position"]["name"].startswith("Jabatan Uji")
        for item in body["items"]
        if item["nip"] != boss.nip
    )
    assert large.count == small.count, (small.statements, large.statements)
    assert large.count <= 12, large.statements


# --- /employees/<nip> ---------------------------------------------------------------------------


def test_employee_by_nip_in_own_organisation(client, db, demo):
    token, _ = issue(db, demo["hr_solok"])
    nip = demo["learner"].employee.nip
    response = client.get(f"{API}/employees/{nip}", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["nip"] == nip
    assert response.get_json()["organisation"]["code"] == "SLK"
    dotted = f"{nip[:8]}.{nip[8:14]}.{nip[14]}.{nip[15:]}"
    assert client.get(f"{API}/employees/{dotted}", headers=bearer(token)).status_code == 200


def test_employee_of_another_organisation_is_404(client, db, demo):
    token, _ = issue(db, demo["hr_solok"])
    target = demo["learner_serang"].employee
    response = client.get(f"{API}/employees/{target.nip}", headers=bearer(token))
    assert_error(response, 404, "not_found")
    assert target.name not in response.get_data(as_text=True)
    # and a NIP nobody has answers the same
    unknown = client.get(f"{API}/employees/199001012015011999", headers=bearer(token))
    assert unknown.get_json() == response.get_json()


def test_learner_cannot_read_a_colleague_by_nip(client, db, demo):
    token, _ = issue(db, demo["learner"])
    colleague = demo["supervisor"].employee  # the learner's own supervisor: not in scope
    assert_error(client.get(f"{API}/employees/{colleague.nip}", headers=bearer(token)), 404)
    own = client.get(f"{API}/employees/{demo['learner'].employee.nip}", headers=bearer(token))
    assert own.status_code == 200


def test_supervisor_reads_a_direct_report_by_nip(client, db, demo):
    token, _ = issue(db, demo["supervisor"])
    nip = demo["learner"].employee.nip
    assert client.get(f"{API}/employees/{nip}", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("nip", ["abc", "12345", "1" * 19, "19850315201003100x", "²" * 18])
def test_malformed_nip_is_400(client, db, demo, nip):
    token, _ = issue(db, demo["hr_solok"])
    assert_error(client.get(f"{API}/employees/{nip}", headers=bearer(token)), 400, "invalid_nip")


# --- unknown routes and methods -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/whatever", "/employees/1/2", "/tokens/abc", "/"])
def test_unknown_api_path_is_404_json(client, db, path):
    assert_error(client.get(f"{API}{path}"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/me", {"GET"}),
        ("PUT", "/employees", {"GET"}),
        ("GET", "/tokens/current", {"DELETE"}),
        ("PATCH", "/tokens", {"GET", "POST"}),
    ],
)
def test_wrong_method_is_405_json_with_allow(client, db, method, path, allowed):
    response = client.open(f"{API}{path}", method=method)
    assert_error(response, 405, "method_not_allowed")
    # RFC 9110: a 405 names the methods that would work
    assert allowed <= {m.strip() for m in response.headers.get("Allow", "").split(",")}


# --- OpenAPI ------------------------------------------------------------------------------------

_IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _openapi_path(rule: str) -> str:
    """``/api/v1/tokens/<int:token_id>`` as OpenAPI writes it relative to the server url."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix(API)) or "/"


def test_openapi_document_looks_valid(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["servers"] == [{"url": API}]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, operations in doc["paths"].items():
        assert path.startswith("/")
        for method, operation in operations.items():
            assert method in {"get", "post", "put", "patch", "delete"}, (path, method)
            assert operation["responses"], (path, method)
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert f"{{{parameter['name']}}}" in path
                    assert parameter["required"] is True
            # every path parameter is described
            documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert documented == set(re.findall(r"{([^}]+)}", path)), (path, method)
    # every $ref points at something that exists
    text = response.get_data(as_text=True)
    for ref in set(re.findall(r'"\$ref":\s*"#/([^"]+)"', text)):
        node: Any = doc
        for part in ref.split("/"):
            assert part in node, f"dangling $ref #/{ref}"
            node = node[part]


def test_openapi_matches_the_routes(app, client, db):
    doc = client.get(f"{API}/openapi.json").get_json()
    base = doc["servers"][0]["url"]
    assert base == API
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule == API or rule.rule.startswith(f"{API}/"):
            methods = {m.lower() for m in rule.methods or ()} - {
                m.lower() for m in _IGNORED_METHODS
            }
            routes.setdefault(_openapi_path(rule.rule), set()).update(methods)
    documented = {path: set(operations) for path, operations in doc["paths"].items()}
    missing = {
        f"{method.upper()} {path}"
        for path, methods in routes.items()
        for method in methods - documented.get(path, set())
    }
    extra = {
        f"{method.upper()} {path}"
        for path, methods in documented.items()
        for method in methods - routes.get(path, set())
    }
    assert not missing, f"routes missing from openapi.json: {sorted(missing)}"
    assert not extra, f"openapi.json documents routes that do not exist: {sorted(extra)}"
    assert routes  # the walk found the API at all


def test_a_writing_request_records_use_in_its_own_commit(client, db, demo, courses, monkeypatch):
    """A POST carries the token's last use in the transaction it commits anyway: one commit."""
    from tests.conftest import _BoundSession

    token, record = issue(db, demo["hr_solok"])
    course = courses.course()
    original, commits = _BoundSession.commit, []

    def commit(self):
        commits.append(True)
        return original(self)

    monkeypatch.setattr(_BoundSession, "commit", commit)
    body = {"nip": demo["learner"].employee.nip, "course": course.code}
    response = client.post(f"{API}/enrollments", headers=bearer(token), json=body)
    assert response.status_code == 201
    assert len(commits) == 1  # the token rode along with the enrolment's commit
    db.session.expire_all()
    assert db.session.get(ApiToken, record.id).last_used_at is not None
