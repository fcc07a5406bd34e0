"""Kept report numbers (large organisations): shown with their time, counted again by the queue
when past their time, at once on HR's request, never across organisations or for a team."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from lms.core.db import utcnow
from lms.courses.models import Enrollment
from lms.reports import jobs, snapshots
from lms.reports.models import ReportSnapshot
from tests.reports.test_views import HR_SERANG, HR_SOLOK, SUPERVISOR, row_starting

AS_OF = "Angka per "


@pytest.fixture
def keep_all(monkeypatch, app):
    """Every count is 'slow': keep it (as for a province)."""
    monkeypatch.setitem(app.config, "REPORT_SNAPSHOT_MS", 0)


@pytest.fixture
def keep_slow(monkeypatch, app):
    """Keep what takes longer than 10 s to count: nothing here (a small organisation)."""
    monkeypatch.setitem(app.config, "REPORT_SNAPSHOT_MS", 10_000)


def kept(db, kind: str | None = None) -> list[ReportSnapshot]:
    query = select(ReportSnapshot).order_by(ReportSnapshot.id)
    if kind:
        query = query.where(ReportSnapshot.kind == kind)
    return list(db.session.scalars(query))


def complete_overdue(db, courses, solok) -> None:
    enrolment = courses.enrollment(solok.course, solok.overdue)
    courses.complete(enrolment, *courses.lessons(solok.course))
    db.session.flush()


def test_small_organisations_are_always_counted_live(client, db, auth, courses, solok, keep_slow):
    auth.login(HR_SOLOK)
    url = f"/laporan?kursus={solok.course.id}"
    assert "1 dari 4 pendaftaran selesai" in client.get(url).text
    complete_overdue(db, courses, solok)
    page = client.get(url).text
    assert "2 dari 4 pendaftaran selesai" in page and AS_OF not in page
    client.get(f"/laporan/penyelesaian?kursus={solok.course.id}")
    assert kept(db) == []


def test_kept_numbers_are_shown_with_their_time_until_recounted(
    client, db, auth, courses, solok, keep_all
):
    auth.login(HR_SOLOK)
    url = f"/laporan?kursus={solok.course.id}"
    first = client.get(url).text
    assert "1 dari 4 pendaftaran selesai" in first and AS_OF not in first  # counted now
    [snapshot] = kept(db)
    assert snapshot.kind == "dashboard" and snapshot.day == date.today()
    assert snapshot.params["course_id"] == solok.course.id

    complete_overdue(db, courses, solok)
    again = client.get(url).text
    assert "1 dari 4 pendaftaran selesai" in again  # the kept numbers, with their time
    assert AS_OF in again and "diperbarui otomatis setiap 10 menit" in again
    assert row_starting(again, "Dinas Kesehatan")[1:3] == ["3", "1"]
    assert 'action="/laporan/hitung-ulang?kursus=' in again

    response = auth.post(
        f"/laporan/hitung-ulang?kursus={solok.course.id}", {"halaman": "reports.dashboard"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url
    recounted = client.get(url).text
    assert "2 dari 4 pendaftaran selesai" in recounted and AS_OF in recounted
    assert "Angka laporan sudah dihitung ulang." in recounted
    assert row_starting(recounted, "Dinas Kesehatan")[1:3] == ["3", "2"]


def test_past_their_time_they_are_shown_once_more_and_queued(
    client, db, auth, courses, solok, keep_all, monkeypatch
):
    queued: list[int] = []
    monkeypatch.setattr(jobs, "refresh_snapshot", queued.append)
    auth.login(HR_SOLOK)
    url = f"/laporan?kursus={solok.course.id}"
    client.get(url)
    [snapshot] = kept(db)
    complete_overdue(db, courses, solok)
    eleven_minutes_ago = utcnow() - timedelta(minutes=11)
    two_hours_ago = utcnow() - timedelta(hours=2)
    db.session.execute(
        update(ReportSnapshot).values(computed_at=eleven_minutes_ago, viewed_at=two_hours_ago)
    )
    db.session.flush()

    assert "1 dari 4 pendaftaran selesai" in client.get(url).text
    db.session.expire_all()
    assert queued == [snapshot.id]
    assert snapshot.refresh_queued_at is not None and snapshot.viewed_at > two_hours_ago
    client.get(url)
    assert queued == [snapshot.id]  # queued once, not once per view

    assert snapshots.refresh(snapshot.id)  # what the queued job does
    db.session.expire_all()
    assert snapshot.refresh_queued_at is None
    assert "2 dari 4 pendaftaran selesai" in client.get(url).text

    # numbers of an earlier day are queued too (overdue depends on the day)
    db.session.execute(update(ReportSnapshot).values(day=date.today() - timedelta(days=1)))
    db.session.flush()
    client.get(url)
    assert queued == [snapshot.id, snapshot.id]


def test_numbers_older_than_a_day_or_unreadable_are_counted_live(
    client, db, auth, courses, solok, keep_all
):
    auth.login(HR_SOLOK)
    url = f"/laporan?kursus={solok.course.id}"
    client.get(url)
    complete_overdue(db, courses, solok)
    db.session.execute(update(ReportSnapshot).values(computed_at=utcnow() - timedelta(hours=25)))
    db.session.flush()
    page = client.get(url).text
    assert "2 dari 4 pendaftaran selesai" in page and AS_OF not in page
    db.session.expire_all()
    [snapshot] = kept(db)
    assert snapshot.computed_at > utcnow() - timedelta(minutes=1)  # and kept again

    db.session.execute(update(ReportSnapshot).values(payload={"totals": "broken"}))
    db.session.flush()
    page = client.get(url)
    assert page.status_code == 200 and "2 dari 4 pendaftaran selesai" in page.text


def test_the_periodic_job_refreshes_what_was_seen_and_forgets_the_rest(
    client, db, auth, courses, solok, keep_all
):
    auth.login(HR_SOLOK)
    client.get(f"/laporan?kursus={solok.course.id}")
    client.get("/laporan")
    seen, unseen = kept(db)
    complete_overdue(db, courses, solok)
    old = utcnow() - timedelta(minutes=30)
    db.session.execute(update(ReportSnapshot).values(computed_at=old))
    db.session.execute(
        update(ReportSnapshot)
        .where(ReportSnapshot.id == unseen.id)
        .values(viewed_at=utcnow() - timedelta(days=8))
    )
    db.session.flush()
    assert snapshots.refresh_due() == 1
    db.session.expire_all()
    assert [s.id for s in kept(db)] == [seen.id]
    assert seen.computed_at > old and seen.payload["totals"]["completed"] == 2
    assert snapshots.refresh_due() == 0  # fresh now


def test_completion_report_keeps_its_totals_and_returns_to_the_same_view(
    client, db, auth, courses, solok, keep_all
):
    auth.login(HR_SOLOK)
    url = f"/laporan/penyelesaian?kursus={solok.course.id}&tampilan=daftar"
    client.get(url)
    assert [s.kind for s in kept(db)] == ["completion"]
    assert kept(db)[0].payload["employees"] == 4
    matrix = client.get(f"/laporan/penyelesaian?kursus={solok.course.id}").text
    assert [s.kind for s in kept(db)] == ["completion"]  # the matrix's count is kept with it
    assert solok.overdue.name in matrix
    complete_overdue(db, courses, solok)
    page = client.get(url).text
    assert "4 pendaftaran: 1 selesai" in page and AS_OF in page
    assert 'name="tampilan" value="daftar"' in page
    response = auth.post(
        f"/laporan/hitung-ulang?kursus={solok.course.id}",
        {"halaman": "reports.completion", "tampilan": "daftar", "status": "<script>"},
    )
    assert response.headers["Location"] == url  # a view of the page only, nothing else
    assert "4 pendaftaran: 2 selesai" in client.get(url).text


def test_kept_numbers_stay_in_their_organisation(client, db, auth, demo, solok, keep_all):
    auth.login(HR_SOLOK)
    client.get("/laporan")
    client.get(f"/laporan?kursus={solok.course.id}")
    solok_kept = len(kept(db))
    auth.logout()
    auth.login(HR_SERANG)
    page = client.get("/laporan").text
    assert solok.completed.name not in page and solok.overdue.name not in page
    assert "Dinas Kesehatan (dengan sub-unit)" not in page  # Solok's units
    organisations = set(db.session.scalars(select(ReportSnapshot.organisation_id)))
    assert organisations == {demo["solok"].id, demo["serang"].id}
    assert len(kept(db)) == solok_kept + 1
    # Serang's HR asking for a recount with Solok's filter counts Serang's numbers only
    auth.post(f"/laporan/hitung-ulang?kursus={solok.course.id}", {"halaman": "reports.dashboard"})
    solok_rows = db.session.scalars(
        select(ReportSnapshot.payload).where(ReportSnapshot.organisation_id == demo["solok"].id)
    ).all()
    assert all(payload["totals"]["total"] for payload in solok_rows)


def test_a_team_is_never_kept_and_recount_needs_hr(client, db, auth, solok, keep_all):
    auth.login(SUPERVISOR)
    assert client.get("/laporan/tim").status_code == 200
    assert kept(db) == []
    assert auth.post("/laporan/hitung-ulang", {"halaman": "reports.dashboard"}).status_code == 403
    auth.logout()
    auth.login(HR_SOLOK)
    assert client.post("/laporan/hitung-ulang", data={}).status_code == 400  # no CSRF token
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) > 0


def test_jp_report_keeps_its_totals_but_reads_its_page_live(
    client, db, auth, courses, solok, keep_all
):
    auth.login(HR_SOLOK)
    first = client.get("/laporan/jp").text
    assert [s.kind for s in kept(db)] == ["jp_attainment"] and AS_OF not in first
    again = client.get("/laporan/jp").text
    assert AS_OF in again and 'name="halaman" value="reports.jp"' in again
    response = auth.post("/laporan/hitung-ulang", {"halaman": "reports.jp"})
    assert response.headers["Location"] == "/laporan/jp"
