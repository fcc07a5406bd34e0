"""What every logged-in page pays: one statement loads the user, the roles, the supervisor flag
and the bell's number; the number is counted again once the request writes; headers are kept."""

from __future__ import annotations

from flask import Response, g, render_template_string
from flask_login import login_user

from lms.notifications import services
from lms.notifications.models import Kind


def test_one_statement_loads_the_user_the_menu_and_the_bell(client, auth, demo, count_queries):
    supervisor = demo["supervisor"]
    auth.login("atasan.solok@lentera.test")
    services.mark_read(supervisor)
    services.notify(supervisor, Kind.ESSAY_GRADED, "uji:lantai", lambda: ("Judul", "Isi"))
    with count_queries() as counter:
        page = client.get("/akun/kata-sandi")
    assert page.status_code == 200
    assert counter.count == 1, counter.statements
    assert "FROM notifications" in counter.statements[0]
    assert 'href="/tim"' in page.text or "Tim saya" in page.text
    assert "1 pemberitahuan belum dibaca" in page.text


def test_the_bell_counts_again_after_the_request_writes(app, demo):
    learner = demo["learner"]
    services.mark_read(learner)
    bell = "{{ unread_notifications() }}"
    with app.test_request_context("/"):
        user = app.login_manager._user_callback(learner.get_id())
        login_user(user)
        assert g.unread_notifications == 0
        services.notify(learner, Kind.ESSAY_GRADED, "uji:baru", lambda: ("Baru", "Isi"))
        assert render_template_string(bell) == "1"
    with app.test_request_context("/"):
        login_user(app.login_manager._user_callback(learner.get_id()))
        assert g.unread_notifications == 1
        services.mark_read(learner)
        assert render_template_string(bell) == "0"


def test_a_response_keeps_its_own_headers_and_gets_the_rest(app):
    with app.test_request_context("/"):
        own = Response(
            "x",
            mimetype="text/html",
            headers={"X-Frame-Options": "SAMEORIGIN", "Cache-Control": "max-age=5"},
        )
        headers = app.process_response(own).headers
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers["Cache-Control"] == "max-age=5, private, no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
