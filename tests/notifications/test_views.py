"""Notification pages: the bell, the list, opening one, marking all read, muting; and the email
of an assignment made on HR's page reaching a real SMTP server."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email import message_from_bytes
from email import policy as email_policy

from sqlalchemy import select

from lms.core.templating import format_tanggal
from lms.notifications import services
from lms.notifications.jobs import send_email
from lms.notifications.models import OPTIONAL, EmailStatus, Kind, Notification
from tests.fixtures.courses import text

LEARNER = "pegawai.solok@lentera.test"
BELL = re.compile(r"notification-bell.*?</a>", re.S)


def tell(user, title: str, link: str = "", kind: Kind = Kind.ESSAY_GRADED) -> Notification:
    found = services.notify(user, kind, f"uji:{title}", lambda: (title, f"Isi {title}."), link)
    assert found is not None
    return found


def bell(html: str) -> str:
    match = BELL.search(html)
    assert match, "no bell in the navigation"
    return match.group(0)


def test_list_open_and_mark_all_read(client, auth, db, demo):
    learner = demo["learner"]
    services.mark_read(learner)  # whatever the demo data left unread
    old = tell(learner, "Pemberitahuan lama", "/kursus")
    new = tell(learner, "Pemberitahuan baru", "/sertifikat")
    read = tell(learner, "Sudah dibaca")
    services.mark_read(learner, read.id)
    db.session.flush()
    auth.login(LEARNER)

    page = client.get("/pemberitahuan")
    assert page.status_code == 200
    body = page.text
    assert body.index("Pemberitahuan baru") < body.index("Pemberitahuan lama")  # newest first
    assert body.count("notification-unread") == 2
    assert '<span class="badge rounded-pill text-bg-warning">2</span>' in bell(body)
    assert "2 pemberitahuan belum dibaca" in bell(body)

    opened = client.get(f"/pemberitahuan/{new.id}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/sertifikat"
    db.session.expire_all()
    assert db.session.get(Notification, new.id).read_at is not None
    assert db.session.get(Notification, old.id).read_at is None
    assert ">1</span>" in bell(client.get("/pemberitahuan").text)

    marked = auth.post("/pemberitahuan/baca-semua")
    assert marked.status_code == 302
    assert services.unread_count(learner.id) == 0
    page = client.get("/pemberitahuan")
    assert "notification-unread" not in page.text
    assert "badge" not in bell(page.text)


def test_only_links_on_this_site_are_followed(client, auth, db, demo):
    learner = demo["learner"]
    foreign = ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x", ""]
    notices = [tell(learner, f"Tautan {n}", link) for n, link in enumerate(foreign)]
    good = tell(learner, "Tautan sah", "/kursus/UJI-1?tab=2")
    db.session.flush()
    auth.login(LEARNER)
    for notice in notices:
        response = client.get(f"/pemberitahuan/{notice.id}")
        assert response.status_code == 302, notice.link
        assert response.headers["Location"] == "/pemberitahuan", notice.link
    assert client.get(f"/pemberitahuan/{good.id}").headers["Location"] == "/kursus/UJI-1?tab=2"


def test_someone_elses_notification_is_not_found(client, auth, db, demo):
    other = tell(demo["learner_serang"], "Milik Serang", "/kursus")
    db.session.flush()
    auth.login(LEARNER)
    assert client.get(f"/pemberitahuan/{other.id}").status_code == 404
    assert "Milik Serang" not in client.get("/pemberitahuan").text
    auth.post("/pemberitahuan/baca-semua")
    db.session.expire_all()
    assert db.session.get(Notification, other.id).read_at is None


def test_mute_and_unmute_optional_kinds_on_the_page(client, auth, db, demo):
    learner = demo["learner"]
    auth.login(LEARNER)
    page = client.get("/pemberitahuan/pengaturan")
    assert page.status_code == 200
    for kind in OPTIONAL:
        assert re.search(rf'<input checked [^>]*value="{kind.value}"', page.text), kind
    assert page.text.count("checked disabled") == len(Kind) - len(OPTIONAL)
    assert "Penugasan kursus" in page.text and "Pelatihan terlambat" in page.text

    saved = auth.post("/pemberitahuan/pengaturan", {"active": [Kind.DUE_SOON.value]})
    assert saved.status_code == 302
    assert not services.is_muted(learner.id, Kind.DUE_SOON)
    for kind in (Kind.CERTIFICATE_ISSUED, Kind.CERTIFICATE_EXPIRING, Kind.ESSAY_GRADED):
        assert services.is_muted(learner.id, kind)
    assert services.notify(learner, Kind.ESSAY_GRADED, "uji:bisu", lambda: ("x", "y")) is None
    page = client.get("/pemberitahuan/pengaturan")
    assert f'value="{Kind.ESSAY_GRADED.value}"' in page.text
    assert not re.search(rf'<input checked[^>]*value="{Kind.ESSAY_GRADED.value}"', page.text)

    refused = auth.post(
        "/pemberitahuan/pengaturan", {"active": [Kind.DUE_SOON.value, Kind.OVERDUE.value]}
    )
    assert refused.status_code == 422
    assert "Pemberitahuan wajib tidak dapat dimatikan." in refused.text
    assert services.is_muted(learner.id, Kind.ESSAY_GRADED)  # nothing changed

    assert auth.post(
        "/pemberitahuan/pengaturan", {"active": [k.value for k in OPTIONAL]}
    ).status_code == 302  # fmt: skip
    assert not any(services.is_muted(learner.id, kind) for kind in OPTIONAL)


def test_the_bell_costs_one_count_and_only_when_logged_in(client, auth, db, demo, count_queries):
    def counts(url: str) -> int:
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code in (200, 302), url
        return sum(
            1
            for statement in counter.statements
            if "count(" in statement.lower() and "notifications" in statement
        )

    assert counts("/masuk") == 0
    assert counts("/healthz") == 0
    auth.login(LEARNER)
    for url in ("/", "/kursus", "/pemberitahuan/pengaturan"):
        assert counts(url) == 1, url
    assert counts("/healthz") == 0
    assert "notification-bell" not in client.get("/healthz").text


def test_pages_need_a_login(client, db):
    for url in ("/pemberitahuan", "/pemberitahuan/1", "/pemberitahuan/pengaturan"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")


def test_assignment_on_the_hr_page_is_emailed_through_smtp(client, auth, db, courses, demo, smtp,
                                                           app):  # fmt: skip
    learner = demo["learner"]
    course = courses.course(title="Pelayanan Prima Uji", modules=[("M", [text("Satu")])])
    due = date.today() + timedelta(days=30)
    saved = app.config.get("BASE_URL")
    app.config["BASE_URL"] = "https://lentera.example.go.id"
    try:
        auth.login("bkpsdm.solok@lentera.test")
        response = auth.post(
            f"/ajar/{course.code}/penugasan",
            {"target_type": "employee", "nip": learner.employee.nip, "due_date": due.isoformat()},
        )
        assert response.status_code == 302
        [notice] = db.session.scalars(
            select(Notification).where(
                Notification.user_id == learner.id, Notification.kind == Kind.ASSIGNED
            )
        ).all()
        assert notice.email_status is EmailStatus.PENDING
        assert send_email.call_local(notice.id) == "sent"
        assert send_email.call_local(notice.id) == "skipped"  # the queue retried: not twice
    finally:
        app.config["BASE_URL"] = saved
    [mail] = smtp.wait()
    assert mail.rcpt_tos == [learner.email]
    message = message_from_bytes(mail.content, policy=email_policy.default)
    assert message["Subject"] == "[Lentera] Kursus baru ditugaskan: Pelayanan Prima Uji"
    body = message.get_content()
    assert f"Anda ditugaskan mengikuti Pelayanan Prima Uji sampai {format_tanggal(due)}." in body
    assert f"https://lentera.example.go.id/kursus/{course.code}" in body
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).email_status is EmailStatus.SENT
    # and the learner sees it in the app
    auth.logout()
    auth.login(LEARNER)
    assert "Kursus baru ditugaskan: Pelayanan Prima Uji" in client.get("/pemberitahuan").text
