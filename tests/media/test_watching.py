"""Watch tracking: real viewing completes a video lesson; one forged report cannot."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.courses.models import LessonType
from lms.courses.watching import merge, record_watch
from lms.media.models import MediaStatus
from tests.conftest import extract_csrf
from tests.fixtures.courses import bearer, login_token, text, video

LEARNER = "pegawai.solok@lentera.test"


@pytest.fixture
def watched(courses, demo, tiny_mp4, db):
    """A published course with a text lesson and a ready 100-second video lesson."""
    course = courses.course(modules=[("Modul", [text("Bacaan"), video("Video", tiny_mp4)])])
    film = next(x for x in courses.lessons(course) if x.lesson_type is LessonType.VIDEO)
    film.media.status, film.media.duration = MediaStatus.READY, 100.0
    enrollment = courses.enrol(course, demo["learner"])
    db.session.flush()
    return course, film, enrollment


def test_merge_counts_each_second_once():
    assert merge([[0, 10], [20, 30]], 5, 25) == [[0, 30]]
    assert merge([[0, 10]], 40, 50) == [[0, 10], [40, 50]]


def test_viewing_completes_the_video_at_ninety_percent(app, db, watched):
    _course, film, enrollment = watched
    start = utcnow()
    first = record_watch(enrollment, film, 0, 10, 10, now=start)
    assert (first.watched_percent, first.completed) == (10.0, False)
    # Rewatching the same stretch adds nothing.
    again = record_watch(enrollment, film, 0, 10, 10, now=start + timedelta(seconds=10))
    assert again.watched_percent == 10.0
    moment = start + timedelta(seconds=10)
    for second in range(10, 100, 10):
        moment += timedelta(seconds=10)
        result = record_watch(enrollment, film, second, second + 10, second + 10, now=moment)
    assert result.completed and result.watched_percent == 100.0
    assert enrollment.progress_percent == 50  # the text lesson is still to do


def test_one_report_cannot_complete_a_video(app, db, watched):
    _course, film, enrollment = watched
    start = utcnow()
    first = record_watch(enrollment, film, 0, 100, 100, now=start)
    assert first.watched_percent == 20.0 and not first.completed  # a first report: 20 s at most
    soon = record_watch(enrollment, film, 20, 100, 100, now=start + timedelta(seconds=5))
    assert soon.watched_percent == 32.0  # 5 s later at 2× speed (+2 s slack): 12 s more
    assert not soon.completed
    assert enrollment.progress_percent == 0


@pytest.mark.parametrize(
    ("start", "end", "position"), [(-1, 5, 5), (10, 5, 5), ("a", 5, 5), (None, 5, 5)]
)
def test_malformed_reports_are_refused(app, db, watched, start, end, position):
    _course, film, enrollment = watched
    with pytest.raises(DomainError):
        record_watch(enrollment, film, start, end, position)


def test_the_page_and_the_api_take_reports(client, auth, db, watched, app):
    course, film, _enrollment = watched
    auth.login(LEARNER)
    page = client.get(f"/kursus/{course.code}/pelajaran/{film.id}")
    assert 'data-watch="' in page.text and 'data-position="0' in page.text
    url = f"/kursus/{course.code}/pelajaran/{film.id}/tonton"
    no_csrf = client.post(url, json={"from": 0, "to": 5, "position": 5})
    assert no_csrf.status_code == 400
    token = extract_csrf(page.text)
    ok = client.post(url, json={"from": 0, "to": 8, "position": 8}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.json["watched_percent"] == 8.0
    bad = client.post(url, json={"from": 9, "to": 1}, headers={"X-CSRFToken": token})
    assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid"
    # The position is kept for resuming on another device.
    assert 'data-position="8.0"' in client.get(f"/kursus/{course.code}/pelajaran/{film.id}").text
    # A video cannot be marked done by the button.
    assert auth.post(f"/kursus/{course.code}/pelajaran/{film.id}/selesai").status_code == 302
    assert "ditonton minimal 90%" in client.get(f"/kursus/{course.code}").text

    api = bearer(login_token(client, LEARNER))
    reply = client.post(
        f"/api/v1/lessons/{film.id}/watch", json={"from": 8, "to": 12, "position": 12}, headers=api
    )
    assert reply.status_code == 200 and reply.json["position"] == 12.0
    serang = bearer(login_token(client, "pegawai.serang@lentera.test"))
    refused = client.post(
        f"/api/v1/lessons/{film.id}/watch", json={"from": 0, "to": 5, "position": 5}, headers=serang
    )
    assert refused.status_code == 403


def test_a_watched_video_says_so_when_opened_again(client, auth, db, watched):
    """Coming back to a finished video, the page does not ask to watch 90% again."""
    course, film, enrollment = watched
    auth.login(LEARNER)
    url = f"/kursus/{course.code}/pelajaran/{film.id}"
    assert "Video tercatat selesai setelah ditonton minimal 90%" in client.get(url).text
    moment = utcnow()
    for second in range(0, 100, 10):
        moment += timedelta(seconds=10)
        record_watch(enrollment, film, second, second + 10, second + 10, now=moment)
    db.session.flush()
    page = client.get(url).text
    assert "Video ini tercatat selesai ditonton." in page
    assert "Video tercatat selesai setelah ditonton minimal" not in page
