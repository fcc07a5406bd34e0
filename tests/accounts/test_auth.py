"""Logging in, lockout, rate limits, password changes and resets, sessions."""

from datetime import timedelta

from sqlalchemy import func, select

from lms.accounts.models import AuditEvent, User
from lms.core.db import utcnow
from lms.extensions import limiter
from tests.conftest import extract_csrf


def _audit_count(db, action):
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def test_login_by_email_and_by_nip(client, auth, demo):
    assert auth.login("PEGAWAI.SOLOK@lentera.test").status_code == 302
    assert client.get("/").status_code == 200
    auth.logout()
    nip = demo["learner"].employee.nip
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    assert auth.login(spaced).status_code == 302
    assert "Profil saya" in client.get("/").text


def test_wrong_password_gets_an_indonesian_message_and_is_audited(client, auth, db, demo):
    before = _audit_count(db, "auth.login_failed")
    response = auth.login("pegawai.solok@lentera.test", "salah-sekali")
    assert response.status_code == 401
    assert "NIP/email atau kata sandi salah." in response.text
    assert _audit_count(db, "auth.login_failed") == before + 1


def test_unknown_account_gets_the_same_message(client, auth):
    response = auth.login("tidak.ada@lentera.test", "apa-saja-123")
    assert response.status_code == 401
    assert "NIP/email atau kata sandi salah." in response.text


def test_empty_login_form_is_a_400_with_field_errors(client):
    page = client.get("/masuk")
    response = client.post("/masuk", data={"csrf_token": extract_csrf(page.text)})
    assert response.status_code == 400
    assert "Wajib diisi." in response.text


def test_login_without_csrf_token_is_refused(client):
    response = client.post(
        "/masuk", data={"login": "pegawai.solok@lentera.test", "password": "lentera-demo"}
    )
    assert response.status_code == 400
    assert "Sesi formulir" in response.text


def test_account_locks_after_repeated_failures(app, client, auth, db, demo):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        auth.login("pegawai.solok@lentera.test", "salah-sekali")
    response = auth.login("pegawai.solok@lentera.test", "lentera-demo")
    assert response.status_code == 401
    assert "dikunci sementara" in response.text
    assert "menit" in response.text
    user = demo["learner"]
    db.session.refresh(user)
    assert user.is_locked()
    # After the lockout ends, the right password works again.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert auth.login("pegawai.solok@lentera.test").status_code == 302


def test_login_requests_are_rate_limited_per_address(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        page = client.get("/masuk")
        token = extract_csrf(page.text)
        statuses = [
            client.post(
                "/masuk", data={"login": f"x{i}@uji.test", "password": "x", "csrf_token": token}
            ).status_code
            for i in range(4)
        ]
        assert statuses[:3] == [401, 401, 401]
        assert statuses[3] == 429
        blocked = client.post("/masuk", data={"login": "a", "password": "b", "csrf_token": token})
        assert "Terlalu banyak" in blocked.text
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10000 per minute"
        limiter.reset()


def test_inactive_account_cannot_log_in(client, auth, db, demo):
    demo["learner"].is_active = False
    db.session.flush()
    response = auth.login("pegawai.solok@lentera.test")
    assert response.status_code == 401


def test_inactive_employee_cannot_log_in(client, auth, db, demo):
    demo["learner"].employee.is_active = False
    db.session.flush()
    response = auth.login("pegawai.solok@lentera.test")
    assert response.status_code == 401
    assert "tidak aktif" in response.text


def test_pages_need_login_and_return_to_next(client, auth):
    response = client.get("/hr/pegawai?q=budi")
    assert response.status_code == 302
    assert "/masuk?next=" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    response = client.post(
        response.headers["Location"],
        data={
            "login": "bkpsdm.solok@lentera.test",
            "password": "lentera-demo",
            "csrf_token": extract_csrf(page.text),
        },
    )
    assert response.headers["Location"].startswith("/hr/pegawai")


def test_next_parameter_cannot_redirect_off_site(client):
    page = client.get("/masuk?next=//evil.example/x")
    response = client.post(
        "/masuk?next=//evil.example/x",
        data={
            "login": "pegawai.solok@lentera.test",
            "password": "lentera-demo",
            "csrf_token": extract_csrf(page.text),
        },
    )
    assert response.headers["Location"] == "/"


def test_logout_needs_post_and_ends_session(client, auth):
    auth.login("pegawai.solok@lentera.test")
    assert client.get("/keluar").status_code == 405
    assert auth.logout().status_code == 302
    assert client.get("/").headers["Location"].endswith("/masuk")


def test_password_change_rules_and_other_sessions_end(app, client, auth, db, demo):
    auth.login("pegawai.solok@lentera.test")
    other = app.test_client()
    page = other.get("/masuk")
    other.post(
        "/masuk",
        data={
            "login": "pegawai.solok@lentera.test",
            "password": "lentera-demo",
            "csrf_token": extract_csrf(page.text),
        },
    )
    assert other.get("/").status_code == 200
    short = auth.post(
        "/akun/kata-sandi",
        {"current_password": "lentera-demo", "new_password": "pendek", "confirm": "pendek"},
    )
    assert short.status_code == 400 and "minimal 10 karakter" in short.text
    wrong = auth.post(
        "/akun/kata-sandi",
        {
            "current_password": "bukan-ini",
            "new_password": "sandi-baru-123",
            "confirm": "sandi-baru-123",
        },
    )
    assert wrong.status_code == 400 and "saat ini salah" in wrong.text
    mismatch = auth.post(
        "/akun/kata-sandi",
        {
            "current_password": "lentera-demo",
            "new_password": "sandi-baru-123",
            "confirm": "lain-lagi-123",
        },
    )
    assert mismatch.status_code == 400 and "tidak sama" in mismatch.text
    ok = auth.post(
        "/akun/kata-sandi",
        {
            "current_password": "lentera-demo",
            "new_password": "sandi-baru-123",
            "confirm": "sandi-baru-123",
        },
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # this session continues
    assert other.get("/").status_code == 302  # the other one ended
    assert _audit_count(db, "auth.password_changed") >= 1


def test_hr_reset_forces_a_new_password_at_next_login(client, auth, db, demo):
    employee = demo["learner"].employee
    auth.login("bkpsdm.solok@lentera.test")
    response = auth.post(f"/hr/pegawai/{employee.id}/reset-sandi")
    assert response.status_code == 302
    page = client.get(f"/pegawai/{employee.id}")
    temporary = page.text.split("Kata sandi sementara:")[1].split("<code>")[1].split("</code>")[0]
    assert _audit_count(db, "user.password_reset") >= 1
    auth.logout()
    assert auth.login("pegawai.solok@lentera.test", "lentera-demo").status_code == 401
    response = auth.login("pegawai.solok@lentera.test", temporary)
    assert response.headers["Location"].endswith("/akun/kata-sandi")
    # Every other page sends the user back until the password is changed.
    assert client.get("/").headers["Location"].endswith("/akun/kata-sandi")
    auth.post(
        "/akun/kata-sandi",
        {
            "current_password": temporary,
            "new_password": "sandi-milik-saya",
            "confirm": "sandi-milik-saya",
        },
    )
    assert client.get("/").status_code == 200
    user = db.session.get(User, demo["learner"].id)
    assert not user.must_change_password


def test_remember_me_sets_a_persistent_cookie(client):
    page = client.get("/masuk")
    response = client.post(
        "/masuk",
        data={
            "login": "pegawai.solok@lentera.test",
            "password": "lentera-demo",
            "remember": "y",
            "csrf_token": extract_csrf(page.text),
        },
    )
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "Expires=" in remember[0]
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_demo_accounts_are_listed_only_in_demo_mode(app, client):
    assert "bkpsdm.solok@lentera.test" in client.get("/masuk").text
    app.config["DEMO_MODE"] = False
    try:
        assert "bkpsdm.solok@lentera.test" not in client.get("/masuk").text
    finally:
        app.config["DEMO_MODE"] = True
