"""Resumable video uploads (tus 1.0) and the media API."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from lms.api.uploads import part_path
from lms.courses.models import Lesson, LessonType
from lms.extensions import huey
from lms.media.models import MediaAsset, MediaStatus, ResumableUpload
from lms.media.storage import absolute
from tests.fixtures.courses import bearer, login_token

API = "/api/v1"
TRAINER = "pelatih@lentera.test"
TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


def _meta(name: str) -> str:
    return f"filename {base64.b64encode(name.encode()).decode()},filetype dmlkZW8vbXA0"


def create(client, headers, length: int, name: str = "rekaman.mp4"):
    return client.post(
        f"{API}/uploads",
        headers={**TUS, **headers, "Upload-Length": str(length), "Upload-Metadata": _meta(name)},
    )


def patch(client, url, headers, offset: int, data: bytes, content_type: str = OCTETS):
    return client.patch(
        url,
        data=data,
        headers={**TUS, **headers, "Upload-Offset": str(offset), "Content-Type": content_type},
    )


def head(client, url, headers):
    return client.head(url, headers={**TUS, **headers})


def media_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(MediaAsset))


@pytest.fixture
def token(client, db):
    return bearer(login_token(client, TRAINER))


def test_options_advertises_the_protocol(client, db):
    response = client.options(f"{API}/uploads")
    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) == {
        "creation",
        "termination",
        "expiration",
    }
    assert int(response.headers["Tus-Max-Size"]) == 2048 * 1024 * 1024


def test_chunked_upload_of_a_video_is_resumed_and_queued(client, db, token, tiny_mp4):
    huey.flush()
    created = create(client, token, len(tiny_mp4), "rekaman.mov")
    assert created.status_code == 201
    assert created.headers["Tus-Resumable"] == "1.0.0"
    url = created.headers["Location"]
    assert url.startswith("http://localhost/api/v1/uploads/")
    upload_id = url.rsplit("/", 1)[-1]
    assert len(upload_id) >= 32  # unguessable
    status = head(client, url, token)
    assert status.status_code == 200
    assert status.headers["Upload-Offset"] == "0"
    assert status.headers["Upload-Length"] == str(len(tiny_mp4))
    assert "no-store" in status.headers["Cache-Control"]

    first = patch(client, url, token, 0, tiny_mp4[:1000])
    assert first.status_code == 204
    assert first.headers["Upload-Offset"] == "1000"
    assert "Lentera-Media-Id" not in first.headers
    # A client that lost its connection asks where to go on, and goes on from there.
    assert head(client, url, token).headers["Upload-Offset"] == "1000"
    stale = patch(client, url, token, 0, tiny_mp4[:1000])
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "offset_mismatch"
    assert head(client, url, token).headers["Upload-Offset"] == "1000"

    last = patch(client, url, token, 1000, tiny_mp4[1000:])
    assert last.status_code == 204, last.get_data(as_text=True)
    assert last.headers["Upload-Offset"] == str(len(tiny_mp4))
    public_id = last.headers["Lentera-Media-Id"]
    assert head(client, url, token).headers["Lentera-Media-Id"] == public_id

    db.session.expire_all()
    media = db.session.scalar(select(MediaAsset).where(MediaAsset.public_id == public_id))
    assert media.status is MediaStatus.UPLOADED
    assert media.original_name == "rekaman.mov"
    assert media.original_size == len(tiny_mp4)
    assert media.original_path.endswith(".mov")
    assert absolute(media.original_path).read_bytes() == tiny_mp4
    assert media.created_by_id is not None
    assert not part_path(upload_id).exists()
    assert huey.pending_count() == 1
    huey.flush()


def test_an_interrupted_chunk_keeps_what_arrived(client, db, token, tiny_mp4):
    url = create(client, token, len(tiny_mp4)).headers["Location"]
    # The client announced 3000 bytes but the connection dropped after 1200.
    response = client.patch(
        url,
        input_stream=io.BytesIO(tiny_mp4[:1200]),
        headers={
            **TUS,
            **token,
            "Upload-Offset": "0",
            "Content-Type": OCTETS,
            "Content-Length": "3000",
        },
    )
    assert response.status_code == 204
    assert head(client, url, token).headers["Upload-Offset"] == "1200"
    huey.flush()
    assert patch(client, url, token, 1200, tiny_mp4[1200:]).status_code == 204
    assert huey.pending_count() == 1
    huey.flush()


def test_protocol_errors(client, db, token, app):
    max_bytes = app.config["UPLOAD_VIDEO_MAX_MB"] * 1024 * 1024
    assert create(client, token, max_bytes + 1).status_code == 413
    no_version = client.post(f"{API}/uploads", headers={**token, "Upload-Length": "10"})
    assert no_version.status_code == 412
    assert no_version.headers["Tus-Version"] == "1.0.0"
    missing_length = client.post(f"{API}/uploads", headers={**TUS, **token})
    assert missing_length.status_code == 400
    url = create(client, token, 10).headers["Location"]
    wrong_type = patch(client, url, token, 0, b"abc", content_type="application/octet-stream")
    assert wrong_type.status_code == 415
    past = patch(client, url, token, 0, b"x" * 11)
    assert past.status_code == 413
    assert head(client, url, token).headers["Upload-Offset"] == "0"


def test_termination_removes_the_partial_data(client, db, token):
    url = create(client, token, 10).headers["Location"]
    upload_id = url.rsplit("/", 1)[-1]
    assert patch(client, url, token, 0, b"12345").status_code == 204
    assert part_path(upload_id).read_bytes() == b"12345"
    deleted = client.delete(url, headers={**TUS, **token})
    assert deleted.status_code == 204
    assert not part_path(upload_id).exists()
    assert head(client, url, token).status_code == 404
    assert (
        db.session.scalar(select(ResumableUpload).where(ResumableUpload.upload_id == upload_id))
        is None
    )


def test_another_users_upload_is_not_found(client, db, token):
    url = create(client, token, 10).headers["Location"]
    other = bearer(login_token(client, "bkpsdm.solok@lentera.test"))
    assert head(client, url, other).status_code == 404
    assert patch(client, url, other, 0, b"12345").status_code == 404
    assert client.delete(url, headers={**TUS, **other}).status_code == 404
    assert head(client, url, token).headers["Upload-Offset"] == "0"


def test_learners_may_not_upload(client, db):
    learner = bearer(login_token(client, "pegawai.solok@lentera.test"))
    assert create(client, learner, 10).status_code == 403
    assert client.post(f"{API}/uploads", headers={**TUS, "Upload-Length": "10"}).status_code == 401


def test_session_requests_need_the_csrf_header(client, db, auth, tiny_mp4):
    auth.login(TRAINER)
    refused = create(client, {}, len(tiny_mp4))
    assert refused.status_code in (400, 403)
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    csrf = {"X-CSRFToken": auth.csrf}
    created = create(client, csrf, len(tiny_mp4))
    assert created.status_code == 201
    url = created.headers["Location"]
    assert patch(client, url, {}, 0, tiny_mp4[:100]).status_code in (400, 403)
    assert head(client, url, {}).headers["Upload-Offset"] == "0"  # reading needs no token
    huey.flush()
    assert patch(client, url, csrf, 0, tiny_mp4).status_code == 204
    assert huey.pending_count() == 1
    huey.flush()


def test_a_text_file_named_mp4_is_refused(client, db, token):
    before = media_count(db)
    content = b"ini bukan video, hanya teks biasa\n" * 10
    url = create(client, token, len(content), "palsu.mp4").headers["Location"]
    upload_id = url.rsplit("/", 1)[-1]
    huey.flush()
    response = patch(client, url, token, 0, content)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "not_video"
    assert "bukan video" in error["message"]
    assert media_count(db) == before
    assert huey.pending_count() == 0
    assert not part_path(upload_id).exists()
    assert head(client, url, token).status_code == 404
    videos = Path(absolute("videos/x").parent)
    assert not any(p.read_bytes() == content for p in videos.glob("*") if p.is_file())


def test_lesson_form_takes_the_uploaded_media(client, db, auth, courses, demo, tiny_mp4):
    course = courses.course(trainers=[demo["trainer"]], publish=False)
    module = course.draft_version.modules[0]
    auth.login(TRAINER)
    csrf = {"X-CSRFToken": auth.csrf}
    huey.flush()
    url = create(client, csrf, len(tiny_mp4), "kelas.mp4").headers["Location"]
    public_id = patch(client, url, csrf, 0, tiny_mp4).headers["Lentera-Media-Id"]
    form = client.get(f"/ajar/{course.code}/modul/{module.id}/pelajaran/baru")
    assert 'name="media"' in form.text and "tus-upload.js" in form.text
    response = auth.post(
        f"/ajar/{course.code}/modul/{module.id}/pelajaran/baru",
        {"title": "Video besar", "lesson_type": "video", "is_required": "y", "media": public_id},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    lesson = db.session.scalar(select(Lesson).where(Lesson.title == "Video besar"))
    assert lesson.lesson_type is LessonType.VIDEO
    assert lesson.media.public_id == public_id
    assert lesson.file_path == lesson.media.original_path
    assert lesson.file_name == "kelas.mp4"
    assert lesson.file_mime == "video/mp4"
    assert lesson.file_size == len(tiny_mp4)
    huey.flush()


def test_lesson_form_refuses_media_of_another_organisation(client, db, auth, courses, demo):
    course = courses.course(trainers=[demo["trainer"]], publish=False)
    module = course.draft_version.modules[0]
    foreign = MediaAsset(
        organisation_id=demo["serang"].id,
        created_by_id=demo["hr_serang"].id,
        original_path="videos/asing.mp4",
        original_name="asing.mp4",
        original_size=10,
    )
    db.session.add(foreign)
    db.session.flush()
    auth.login(TRAINER)
    response = auth.post(
        f"/ajar/{course.code}/modul/{module.id}/pelajaran/baru",
        {"title": "Curian", "lesson_type": "video", "is_required": "y", "media": foreign.public_id},
    )
    assert response.status_code == 400
    assert "Video unggahan tidak ditemukan" in response.get_data(as_text=True)
    assert db.session.scalar(select(Lesson).where(Lesson.title == "Curian")) is None


def _post_media(client, token, name: str, content: bytes):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename=name)})
    return client.post(
        f"{API}/media",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=token,
    )


def test_media_api_upload_and_status(client, db, token, tiny_mp4, demo):
    huey.flush()
    response = _post_media(client, token, "klip.webm", tiny_mp4)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "uploaded"
    assert huey.pending_count() == 1
    huey.flush()
    status = client.get(f"{API}/media/{body['id']}", headers=token)
    assert status.status_code == 200
    data = status.get_json()
    assert data["status"] == "uploaded"
    assert set(data) >= {
        "status",
        "progress",
        "duration",
        "width",
        "height",
        "renditions",
        "hls_url",
        "error",
    }
    assert data["hls_url"] is None
    # Another organisation's author does not see it; a learner of the same one neither.
    serang = bearer(login_token(client, "bkpsdm.serang@lentera.test"))
    assert client.get(f"{API}/media/{body['id']}", headers=serang).status_code == 404
    learner = bearer(login_token(client, "pegawai.solok@lentera.test"))
    assert client.get(f"{API}/media/{body['id']}", headers=learner).status_code == 404
    assert _post_media(client, learner, "klip.mp4", tiny_mp4).status_code == 403


def test_media_api_refuses_a_non_video(client, db, token):
    before = media_count(db)
    response = _post_media(client, token, "palsu.mp4", b"bukan video sama sekali")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "not_video"
    assert media_count(db) == before


def test_media_status_gives_the_hls_url_of_a_ready_lesson_video(
    client, db, courses, demo, tiny_mp4
):
    from tests.fixtures.courses import video

    course = courses.course(
        trainers=[demo["trainer"]], modules=[("Modul", [video("Film", tiny_mp4)])]
    )
    film = courses.lessons(course)[0]
    media = film.media
    media.status, media.hls_path = MediaStatus.READY, f"hls/{media.public_id}"
    media.renditions = [{"name": "360p", "height": 360, "bandwidth": 800000, "size": 1}]
    db.session.flush()
    token = bearer(login_token(client, TRAINER))
    data = client.get(f"{API}/media/{media.public_id}", headers=token).get_json()
    assert data["status"] == "ready"
    assert data["renditions"] == [{"name": "360p", "height": 360, "bandwidth": 800000}]
    assert data["hls_url"] == f"/kursus/{course.code}/pelajaran/{film.id}/hls/master.m3u8"
