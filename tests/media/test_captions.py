"""WebVTT caption tracks per language for video lessons."""

from __future__ import annotations

from html import unescape

from lms.courses.models import LessonType
from lms.media.models import Caption, MediaStatus
from tests.fixtures.courses import post_multipart, text, video

VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nSelamat datang di kursus ini.\n"


def test_trainer_adds_captions_and_learners_get_them(client, auth, db, courses, demo, tiny_mp4):
    course = courses.course(
        trainers=[demo["trainer"]], modules=[("Modul", [text("Bacaan"), video("Video", tiny_mp4)])]
    )
    film = next(x for x in courses.lessons(course) if x.lesson_type is LessonType.VIDEO)
    film.media.status, film.media.hls_path = MediaStatus.READY, "hls/none"
    courses.enrol(course, demo["learner"])
    db.session.commit()
    url = f"/ajar/{course.code}/media/{film.media.public_id}/teks"
    auth.login("pelatih@lentera.test")
    bad = post_multipart(client, auth, url, {"language": "id", "captions": ("x.vtt", b"halo")})
    assert bad.status_code == 400 and "WEBVTT" in unescape(bad.text)
    broken = b"WEBVTT\n\n00:00 --> nanti\nteks\n"
    bad = post_multipart(client, auth, url, {"language": "id", "captions": ("x.vtt", broken)})
    assert bad.status_code == 400 and "baris 3" in bad.text
    other = post_multipart(client, auth, url, {"language": "xx", "captions": ("x.vtt", VTT)})
    assert other.status_code == 400
    ok = post_multipart(client, auth, url, {"language": "id", "captions": ("teks.vtt", VTT)})
    assert ok.status_code == 302
    assert db.session.query(Caption).filter_by(media_id=film.media_id).count() == 1
    auth.logout()

    auth.login("pegawai.solok@lentera.test")
    page = client.get(f"/kursus/{course.code}/pelajaran/{film.id}")
    assert '<track kind="subtitles" srclang="id"' in page.text and "default" in page.text
    track = client.get(f"/kursus/{course.code}/pelajaran/{film.id}/teks/id.vtt")
    assert track.status_code == 200 and track.mimetype == "text/vtt"
    assert track.get_data().startswith(b"WEBVTT")
    track.close()
    missing = client.get(f"/kursus/{course.code}/pelajaran/{film.id}/teks/en.vtt")
    assert missing.status_code == 404
    auth.logout()
    auth.login("pegawai.serang@lentera.test")
    hidden = client.get(f"/kursus/{course.code}/pelajaran/{film.id}/teks/id.vtt")
    assert hidden.status_code in (403, 404)
