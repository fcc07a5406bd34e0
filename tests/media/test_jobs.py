"""Video lessons go through the queue: upload → queued → transcoded → played as HLS."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from lms.core.db import utcnow
from lms.courses.models import Lesson, LessonType
from lms.extensions import huey
from lms.media.jobs import STALE_AFTER, process_media, requeue_stalled
from lms.media.models import MediaAsset, MediaStatus
from lms.media.storage import absolute
from tests.fixtures.courses import post_multipart, text, video

TRAINER = "pelatih@lentera.test"
LEARNER = "pegawai.solok@lentera.test"


def fetch(client, url, **kwargs):
    """GET a file response and close it (file responses keep their file open until closed)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def _video_course(courses, demo, tiny_mp4):
    course = courses.course(
        trainers=[demo["trainer"]],
        modules=[("Modul", [text("Bacaan"), video("Video", tiny_mp4)])],
    )
    film = next(x for x in courses.lessons(course) if x.lesson_type is LessonType.VIDEO)
    return course, film


def test_uploading_a_video_lesson_queues_its_processing(client, auth, db, courses, demo, tiny_mp4):
    course = courses.course(trainers=[demo["trainer"]], publish=False)
    module = course.draft_version.modules[0]
    huey.flush()
    auth.login(TRAINER)
    response = post_multipart(
        client,
        auth,
        f"/ajar/{course.code}/modul/{module.id}/pelajaran/baru",
        {
            "title": "Video pengantar",
            "lesson_type": "video",
            "is_required": "y",
            "body": "",
            "upload": ("rekaman.mov", tiny_mp4),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    lesson = db.session.scalar(select(Lesson).where(Lesson.title == "Video pengantar"))
    assert lesson.media is not None
    assert lesson.media.status is MediaStatus.UPLOADED
    assert lesson.media.original_name == "rekaman.mov"
    assert huey.pending_count() == 1  # a real SQLite queue, waiting for a worker
    editor = client.get(f"/ajar/{course.code}")
    assert "Menunggu giliran diproses" in editor.text
    status = client.get(f"/ajar/{course.code}/media/{lesson.media.public_id}")
    assert status.json["status"] == "uploaded"
    huey.flush()


def test_a_worker_transcodes_and_learners_stream_it(client, auth, db, courses, demo, tiny_mp4):
    course, film = _video_course(courses, demo, tiny_mp4)
    courses.enrol(course, demo["learner"])
    huey.flush()
    process_media(film.media_id)  # queued, as a view does
    task = huey.dequeue()
    assert huey.execute(task) == "ready"  # what the consumer does with it
    db.session.expire_all()
    media = db.session.get(MediaAsset, film.media_id)
    assert media.status is MediaStatus.READY and media.progress == 100.0
    assert media.duration and media.width and media.height
    assert media.renditions and all(r["size"] > 0 for r in media.renditions)
    assert process_media.call_local(media.id) == "skipped"  # running it again does no harm

    auth.login(LEARNER)
    page = client.get(f"/kursus/{course.code}/pelajaran/{film.id}")
    assert 'data-hls="' in page.text and "hls.light.min.js" in page.text
    base = f"/kursus/{course.code}/pelajaran/{film.id}/hls/"
    master = fetch(client, base + "master.m3u8")
    assert master.status_code == 200 and master.text.startswith("#EXTM3U")
    assert master.mimetype == "application/vnd.apple.mpegurl"
    variant = re.search(r"^(\S+/index\.m3u8)$", master.text, re.MULTILINE).group(1)
    playlist = fetch(client, base + variant)
    segment = re.search(r"^(\S+\.ts)$", playlist.text, re.MULTILINE).group(1)
    folder = variant.rsplit("/", 1)[0]
    part = fetch(client, f"{base}{folder}/{segment}", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.data) == 100
    assert fetch(client, base + "../../secret_key").status_code == 404
    assert fetch(client, base + "tidak-ada.ts").status_code == 404
    auth.logout()
    auth.login("pegawai.serang@lentera.test")  # enrolled nowhere: nothing is served
    assert fetch(client, base + "master.m3u8").status_code in (403, 404)


def test_a_broken_video_fails_with_a_reason_and_can_be_retried(
    client, auth, db, courses, demo, tiny_mp4
):
    course, film = _video_course(courses, demo, tiny_mp4)
    media = film.media
    # The original on disk turns out damaged (for example a truncated copy).
    original = absolute(media.original_path)
    kept = original.read_bytes()
    original.write_bytes(kept[: len(kept) // 3])
    try:
        assert process_media.call_local(media.id) == "failed"
        db.session.expire_all()
        media = db.session.get(MediaAsset, film.media_id)
        assert media.status is MediaStatus.FAILED
        assert media.error and media.error_code
        assert original.exists()  # the original upload is always kept
        huey.flush()
        auth.login(TRAINER)
        editor = client.get(f"/ajar/{course.code}")
        assert "Gagal diproses" in editor.text and "Proses ulang" in editor.text
        response = auth.post(f"/ajar/{course.code}/media/{media.public_id}/ulang")
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(MediaAsset, film.media_id).status is MediaStatus.UPLOADED
        assert huey.pending_count() == 1
    finally:
        original.write_bytes(kept)
        huey.flush()


def test_a_job_whose_worker_died_is_started_again(db, courses, demo, tiny_mp4):
    _course, film = _video_course(courses, demo, tiny_mp4)
    media = film.media
    media.status = MediaStatus.PROCESSING
    media.heartbeat_at = utcnow() - STALE_AFTER - timedelta(minutes=1)
    db.session.commit()
    huey.flush()
    assert requeue_stalled.call_local() == 1
    db.session.expire_all()
    assert db.session.get(MediaAsset, film.media_id).status is MediaStatus.UPLOADED
    assert huey.pending_count() == 1
    huey.flush()


def test_a_job_in_progress_elsewhere_is_not_run_twice(db, courses, demo, tiny_mp4):
    _course, film = _video_course(courses, demo, tiny_mp4)
    film.media.status = MediaStatus.PROCESSING
    film.media.heartbeat_at = utcnow()
    db.session.commit()
    assert process_media.call_local(film.media_id) == "busy"
