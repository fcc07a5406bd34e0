"""Media in an S3-compatible bucket, against a real S3 API server (moto) started by the tests."""

from __future__ import annotations

import io
import os
import re
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from lms.api.uploads import part_path
from lms.config import ConfigError, load_config, media_origin
from lms.courses.models import LessonType
from lms.courses.uploads import store_cover
from lms.extensions import huey
from lms.media import storage
from lms.media.jobs import process_media
from lms.media.models import MediaAsset, MediaStatus
from lms.media.services import save_caption
from tests.fixtures.courses import bearer, login_token, text, video
from tests.fixtures.storage import download, free_port
from tests.media.test_tus import TRAINER, _post_media, create, head, patch

LEARNER = "pegawai.solok@lentera.test"
MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)


def leftovers(app) -> list[Path]:
    """Files the S3 backend left in its local working folder."""
    folder = Path(app.config["INSTANCE_DIR"]) / "tmp"
    return list(folder.iterdir()) if folder.is_dir() else []


def test_store_read_back_serve_and_delete(app, db, s3):
    content = b"WEBVTT\n\n00:00.000 --> 00:01.000\nSelamat datang\n"
    with app.test_request_context():
        stored = storage.store(io.BytesIO(content), "captions", ".vtt", max_bytes=1024)
        assert re.fullmatch(r"captions/[0-9a-f]{40}\.vtt", stored.path)
        assert s3.read(stored.path) == content
        assert storage.exists(stored.path)
        assert not (Path(app.config["MEDIA_DIR"]) / stored.path).exists()
        # The same bytes again: one object, the same path.
        assert storage.store(io.BytesIO(content), "captions", ".vtt", max_bytes=1024) == stored
        assert s3.keys("captions/") == [stored.path]
        with storage.local_copy(stored.path) as copy:
            assert copy.read_bytes() == content
        assert not copy.exists()
        with pytest.raises(storage.TooLarge):
            storage.store(io.BytesIO(content), "captions", ".vtt", max_bytes=10)
        redirect = storage.send(
            stored.path, download_name="teks.vtt", as_attachment=True, max_age=3600
        )
    assert redirect.status_code == 302
    assert redirect.location.startswith(f"{s3.endpoint}/{s3.name}/lentera/captions/")
    assert "X-Amz-Signature=" in redirect.location and "X-Amz-Expires=300" in redirect.location
    # the redirect may be reused privately for half the URL's lifetime, never longer
    assert redirect.cache_control.private and redirect.cache_control.max_age == 150
    status, headers, body = download(redirect.location, {"Range": "bytes=8-15"})
    assert (status, body) == (206, content[8:16])
    assert headers["Content-Type"] == "text/vtt"
    assert headers["Content-Disposition"] == "attachment; filename=teks.vtt"
    with app.test_request_context():
        named = storage.send(stored.path, download_name="Sambutan – Walikota.vtt")
    _status, headers, _body = download(named.location)
    assert headers["Content-Disposition"] == (
        'inline; filename="Sambutan  Walikota.vtt"; '
        "filename*=UTF-8''Sambutan%20%E2%80%93%20Walikota.vtt"
    )
    assert named.cache_control.no_store  # no max_age: the redirect is not kept
    # Through the app: Range and If-None-Match go on to the bucket.
    with app.test_request_context(headers={"Range": "bytes=0-5"}):
        part = storage.send(stored.path, mimetype="text/vtt", private=True, redirect=False)
        assert part.status_code == 206 and part.content_length == 6
        assert part.headers["Content-Range"] == f"bytes 0-5/{len(content)}"
        assert b"".join(part.response) == content[:6]
        part.close()
        etag = part.get_etag()[0]
    with app.test_request_context(headers={"If-None-Match": f'"{etag}"'}):
        assert storage.send(stored.path, redirect=False).status_code == 304
    with app.test_request_context():
        storage.remove(stored.path)
        assert not storage.exists(stored.path)
        with pytest.raises(NotFound):
            storage.send(stored.path, redirect=False)
    assert s3.keys("captions/") == []


def test_large_files_go_up_and_down_in_parts(app, db, s3):
    app.config["S3_MULTIPART_MB"] = 5
    content = os.urandom(11 * MB)
    with app.test_request_context():
        stored = storage.store(io.BytesIO(content), "videos", ".mp4", max_bytes=20 * MB)
        head_ = s3.client.head_object(Bucket=s3.name, Key=s3.key(stored.path))
        assert head_["ETag"].strip('"').endswith("-3")  # a multipart upload of three parts
        assert head_["ContentType"] == "video/mp4"
        with storage.local_copy(stored.path) as copy:
            assert copy.stat().st_size == len(content)
            assert copy.read_bytes() == content
    assert leftovers(app) == []


def test_api_upload_lands_in_the_bucket(app, client, db, s3, tiny_mp4):
    huey.flush()
    token = bearer(login_token(client, TRAINER))
    response = _post_media(client, token, "klip.mp4", tiny_mp4)
    assert response.status_code == 201, response.get_json()
    media = db.session.scalar(
        select(MediaAsset).where(MediaAsset.public_id == response.get_json()["id"])
    )
    assert re.fullmatch(r"videos/[0-9a-f]{40}\.mp4", media.original_path)
    assert s3.read(media.original_path) == tiny_mp4
    assert not storage.absolute(media.original_path).exists()  # not in the media folder
    # A file that is not a video is refused before it reaches the bucket.
    refused = _post_media(client, token, "palsu.mp4", b"bukan video sama sekali")
    assert refused.status_code == 422
    assert s3.keys("videos/") == [media.original_path]
    assert leftovers(app) == []
    huey.flush()


def test_a_resumable_upload_completes_into_the_bucket(app, client, db, s3, tiny_mp4):
    huey.flush()
    token = bearer(login_token(client, TRAINER))
    url = create(client, token, len(tiny_mp4), "rekaman.mov").headers["Location"]
    upload_id = url.rsplit("/", 1)[-1]
    assert patch(client, url, token, 0, tiny_mp4[:1000]).status_code == 204
    # While incomplete the bytes stay on local disk, in the instance folder.
    assert part_path(upload_id).read_bytes() == tiny_mp4[:1000]
    assert s3.keys("videos/") == []
    last = patch(client, url, token, 1000, tiny_mp4[1000:])
    assert last.status_code == 204
    db.session.expire_all()
    media = db.session.scalar(
        select(MediaAsset).where(MediaAsset.public_id == last.headers["Lentera-Media-Id"])
    )
    assert media.original_path.endswith(".mov")
    assert s3.read(media.original_path) == tiny_mp4
    assert not part_path(upload_id).exists()
    assert huey.pending_count() == 1
    huey.flush()


def test_videos_are_transcoded_into_the_bucket_and_served_after_checks(
    app, client, auth, db, courses, demo, s3, tiny_mp4
):
    course = courses.course(
        trainers=[demo["trainer"]],
        modules=[("Modul", [text("Bacaan"), video("Video", tiny_mp4)])],
    )
    film = next(x for x in courses.lessons(course) if x.lesson_type is LessonType.VIDEO)
    courses.enrol(course, demo["learner"])
    huey.flush()
    assert process_media.call_local(film.media_id) == "ready"
    db.session.expire_all()
    media = db.session.get(MediaAsset, film.media_id)
    assert media.status is MediaStatus.READY and media.renditions
    names = {key.removeprefix(f"{media.hls_path}/") for key in s3.keys(f"{media.hls_path}/")}
    assert {"master.m3u8", "poster.jpg", "sprite.jpg", "sprite.vtt"} <= names
    for rendition in media.renditions:
        assert {f"{rendition['name']}/index.m3u8", f"{rendition['name']}/seg_000.ts"} <= names
    playlist = s3.client.head_object(Bucket=s3.name, Key=s3.key(f"{media.hls_path}/master.m3u8"))
    assert playlist["ContentType"] == "application/vnd.apple.mpegurl"
    assert not storage.absolute(media.hls_path).exists()  # nothing written to the media folder
    assert leftovers(app) == []
    save_caption(media, "id", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHalo\n")
    db.session.commit()

    auth.login(LEARNER)
    page = client.get(f"/kursus/{course.code}/pelajaran/{film.id}")
    policy = page.headers["Content-Security-Policy"]
    for directive in ("media-src", "img-src", "connect-src"):
        assert re.search(rf"{directive} [^;]*{re.escape(s3.endpoint)}", policy), directive
    base = f"/kursus/{course.code}/pelajaran/{film.id}/hls/"
    # Playlists come from the app: their relative links must come back to these checked routes.
    master = client.get(base + "master.m3u8")
    assert master.status_code == 200
    assert master.mimetype == "application/vnd.apple.mpegurl"
    assert master.data == s3.read(f"{media.hls_path}/master.m3u8")
    assert master.cache_control.private and master.cache_control.max_age == 60
    variant = re.search(r"^(\S+/index\.m3u8)$", master.text, re.MULTILINE).group(1)
    folder = variant.rsplit("/", 1)[0]
    listing = client.get(base + variant)
    assert listing.status_code == 200
    segment = f"{folder}/" + re.search(r"^(\S+\.ts)$", listing.text, re.MULTILINE).group(1)
    # Segments and the poster: a redirect to a presigned URL that really downloads them.
    moved = client.get(base + segment)
    assert moved.status_code == 302 and moved.location.startswith(s3.endpoint)
    assert moved.cache_control.private
    status, headers, body = download(moved.location, {"Range": "bytes=0-187"})
    assert status == 206 and headers["Content-Type"] == "video/mp2t"
    assert body == s3.read(f"{media.hls_path}/{segment}")[:188]
    assert body[0] == 0x47  # an MPEG-TS sync byte
    poster = client.get(base + "poster.jpg")
    assert poster.status_code == 302
    status, headers, body = download(poster.location)
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert body == s3.read(f"{media.hls_path}/poster.jpg") and body.startswith(b"\xff\xd8")
    # The original, as the lesson's file (inline, under its name).
    original = client.get(f"/kursus/{course.code}/pelajaran/{film.id}/berkas")
    assert original.status_code == 302
    status, headers, body = download(original.location)
    assert body == tiny_mp4 and headers["Content-Disposition"] == "inline; filename=video.mp4"
    # Captions come from the app.
    caption = client.get(f"/kursus/{course.code}/pelajaran/{film.id}/teks/id.vtt")
    assert caption.status_code == 200 and caption.text.startswith("WEBVTT")
    caption.close()

    auth.logout()
    auth.login("pegawai.serang@lentera.test")  # enrolled nowhere: no redirect, no URL
    for name in (segment, "poster.jpg", "master.m3u8"):
        denied = client.get(base + name)
        assert denied.status_code in (403, 404) and "Location" not in denied.headers
    denied = client.get(f"/kursus/{course.code}/pelajaran/{film.id}/berkas")
    assert denied.status_code in (403, 404) and "Location" not in denied.headers


def test_a_cover_redirects_to_the_bucket(app, client, auth, db, courses, s3):
    course = courses.course()
    store_cover(course, io.BytesIO(PNG))
    db.session.commit()
    assert s3.read(course.cover_path) == PNG
    auth.login(LEARNER)
    cover = client.get(f"/kursus/{course.code}/sampul")
    assert cover.status_code == 302
    status, headers, body = download(cover.location)
    assert status == 200 and body == PNG and headers["Content-Type"] == "image/png"
    assert headers["Cache-Control"] == "private, max-age=86400"


def test_an_unreachable_store_is_a_503_in_indonesian(app, client, db, s3, tiny_mp4, caplog):
    app.config["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"
    token = bearer(login_token(client, TRAINER))
    response = _post_media(client, token, "klip.mp4", tiny_mp4)
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "storage_unavailable"
    assert error["message"].startswith("Penyimpanan berkas sedang tidak dapat dijangkau")
    assert response.headers["Retry-After"]
    assert "endpoint unreachable" in caplog.text
    assert leftovers(app) == []


def test_a_missing_bucket_keeps_the_finished_upload_until_it_can_be_stored(
    app, client, db, s3, tiny_mp4, caplog
):
    huey.flush()
    token = bearer(login_token(client, TRAINER))
    app.config["S3_BUCKET"] = "lentera-tidak-ada"
    url = create(client, token, len(tiny_mp4)).headers["Location"]
    upload_id = url.rsplit("/", 1)[-1]
    failed = patch(client, url, token, 0, tiny_mp4)
    assert failed.status_code == 503
    assert failed.get_json()["error"]["code"] == "storage_unavailable"
    assert failed.headers["Tus-Resumable"] == "1.0.0"
    assert "the bucket does not exist" in caplog.text and "lentera-tidak-ada" in caplog.text
    # Nothing is lost: the complete file waits on local disk.
    assert part_path(upload_id).read_bytes() == tiny_mp4
    assert head(client, url, token).headers["Upload-Offset"] == str(len(tiny_mp4))
    app.config["S3_BUCKET"] = s3.name
    finished = patch(client, url, token, len(tiny_mp4), b"")
    assert finished.status_code == 204, finished.get_json()
    db.session.expire_all()
    media = db.session.scalar(
        select(MediaAsset).where(MediaAsset.public_id == finished.headers["Lentera-Media-Id"])
    )
    assert s3.read(media.original_path) == tiny_mp4
    assert not part_path(upload_id).exists()
    huey.flush()


def test_processing_fails_with_a_reason_when_the_store_fails(db, courses, demo, s3, app, tiny_mp4):
    course = courses.course(modules=[("Modul", [video("Video", tiny_mp4)])])
    film = courses.lessons(course)[0]
    db.session.commit()
    huey.flush()
    endpoint = app.config["S3_ENDPOINT_URL"]
    app.config["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"
    assert process_media.call_local(film.media_id) == "failed"
    db.session.expire_all()
    media = db.session.get(MediaAsset, film.media_id)
    assert media.error_code == "storage_unavailable" and "Penyimpanan berkas" in media.error
    app.config["S3_ENDPOINT_URL"] = endpoint
    s3.client.delete_object(Bucket=s3.name, Key=s3.key(media.original_path))
    media.status = MediaStatus.UPLOADED
    db.session.commit()
    assert process_media.call_local(film.media_id) == "failed"
    db.session.expire_all()
    assert db.session.get(MediaAsset, film.media_id).error_code == "missing_original"
    assert leftovers(app) == []


def test_storage_check_command(app, s3, moto_endpoint):
    runner = app.test_cli_runner()
    ready = runner.invoke(args=["lms", "storage-check"])
    assert ready.exit_code == 0, ready.output
    assert s3.name in ready.output
    app.config["S3_BUCKET"] = "lentera-tidak-ada"
    missing = runner.invoke(args=["lms", "storage-check"])
    assert missing.exit_code == 1 and "the bucket does not exist" in missing.output
    app.config["S3_BUCKET"] = s3.name
    # The server starts checking signatures: the test keys are unknown to it.
    _moto_auth(moto_endpoint, "0")
    try:
        refused = runner.invoke(args=["lms", "storage-check"])
    finally:
        _moto_auth(moto_endpoint, "inf")
    assert refused.exit_code == 1 and "credentials refused" in refused.output


def _moto_auth(endpoint: str, after: str) -> None:
    """Make moto authenticate requests after ``after`` more of them (``inf``: never)."""
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=after.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 200


def test_s3_settings_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_S3_BUCKET", "lentera-media")
    monkeypatch.setenv("LMS_S3_REGION", "ap-southeast-3")
    monkeypatch.setenv("LMS_S3_PREFIX", "/produksi/")
    monkeypatch.setenv("LMS_UPLOAD_EXPIRE_HOURS", "6")
    config = load_config({"TESTING": True, "INSTANCE_DIR": str(tmp_path)})
    assert config["S3_BUCKET"] == "lentera-media" and config["S3_PREFIX"] == "produksi"
    assert config["UPLOAD_EXPIRE_HOURS"] == 6
    # AWS: the bucket's virtual host; another provider: its endpoint, addressed by path.
    assert media_origin(config) == "https://lentera-media.s3.ap-southeast-3.amazonaws.com"
    monkeypatch.setenv("LMS_S3_ENDPOINT_URL", "https://minio.bkpsdm.go.id:9000/")
    config = load_config({"TESTING": True, "INSTANCE_DIR": str(tmp_path)})
    assert media_origin(config) == "https://minio.bkpsdm.go.id:9000"
    monkeypatch.setenv("LMS_S3_ACCESS_KEY_ID", "only-half")
    with pytest.raises(ConfigError):
        load_config({"TESTING": True, "INSTANCE_DIR": str(tmp_path)})
