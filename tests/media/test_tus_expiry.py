"""tus expiration: unfinished uploads say when they expire, then are refused and deleted."""

from __future__ import annotations

import fcntl
import os
import time
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select, update

from lms.api.uploads import part_path
from lms.core.db import utcnow
from lms.extensions import huey
from lms.media import storage
from lms.media.jobs import remove_expired_uploads
from lms.media.models import ResumableUpload
from tests.fixtures.courses import bearer, login_token
from tests.media.test_tus import TRAINER, TUS, create, head, patch


@pytest.fixture
def token(client, db):
    return bearer(login_token(client, TRAINER))


def _expires(response):
    return parsedate_to_datetime(response.headers["Upload-Expires"])


def _upload_id(response) -> str:
    return response.headers["Location"].rsplit("/", 1)[-1]


def _age(db, upload_id: str, hours: float) -> None:
    """Make the last bytes of an upload ``hours`` old."""
    db.session.execute(
        update(ResumableUpload)
        .where(ResumableUpload.upload_id == upload_id)
        .values(updated_at=utcnow() - timedelta(hours=hours))
    )
    db.session.commit()


def test_unfinished_uploads_announce_when_they_expire(client, db, token, tiny_mp4):
    before = utcnow()
    created = create(client, token, len(tiny_mp4))
    assert created.status_code == 201
    # RFC 7231 (IMF-fixdate), the default lifetime after the last activity
    assert created.headers["Upload-Expires"].endswith(" GMT")
    expires = _expires(created)
    assert abs(expires - before - timedelta(hours=24)) < timedelta(minutes=1)
    url, upload_id = created.headers["Location"], _upload_id(created)
    _age(db, upload_id, 5)
    assert _expires(head(client, url, token)) < expires
    first = patch(client, url, token, 0, tiny_mp4[:1000])
    assert first.status_code == 204
    assert _expires(first) >= expires  # bytes arriving move the expiry forward
    huey.flush()
    last = patch(client, url, token, 1000, tiny_mp4[1000:])
    assert last.status_code == 204 and last.headers["Lentera-Media-Id"]
    assert "Upload-Expires" not in last.headers  # a complete upload never expires
    assert "Upload-Expires" not in head(client, url, token).headers
    huey.flush()


def test_the_lifetime_is_configurable(app, client, db, token):
    saved = app.config["UPLOAD_EXPIRE_HOURS"]
    app.config["UPLOAD_EXPIRE_HOURS"] = 2
    try:
        created = create(client, token, 10)
    finally:
        app.config["UPLOAD_EXPIRE_HOURS"] = saved
    assert abs(_expires(created) - utcnow() - timedelta(hours=2)) < timedelta(minutes=1)


def test_an_expired_upload_is_gone(client, db, token):
    created = create(client, token, 10)
    url, upload_id = created.headers["Location"], _upload_id(created)
    assert patch(client, url, token, 0, b"12345").status_code == 204
    _age(db, upload_id, 25)
    gone = patch(client, url, token, 5, b"67890")
    assert gone.status_code == 410
    assert gone.headers["Tus-Resumable"] == "1.0.0"
    error = gone.get_json()["error"]
    assert error["code"] == "expired" and "kedaluwarsa" in error["message"]
    assert not part_path(upload_id).exists()
    # Once removed it is simply unknown, as the protocol allows.
    assert head(client, url, token).status_code == 404
    assert client.delete(url, headers={**TUS, **token}).status_code == 404
    assert (
        db.session.scalar(select(ResumableUpload).where(ResumableUpload.upload_id == upload_id))
        is None
    )


def test_the_periodic_task_deletes_expired_unfinished_uploads(client, db, token, tiny_mp4):
    huey.flush()
    old = _upload_id(create(client, token, 10))
    assert patch(client, f"/api/v1/uploads/{old}", token, 0, b"12345").status_code == 204
    fresh = _upload_id(create(client, token, 10))
    done = create(client, token, len(tiny_mp4))
    assert patch(client, done.headers["Location"], token, 0, tiny_mp4).status_code == 204
    done = _upload_id(done)
    busy = _upload_id(create(client, token, 10))
    for upload_id in (old, done, busy):
        _age(db, upload_id, 25)
    # Leftovers of an interrupted request in the staging folder go too, once old enough.
    staging = storage.backend().staging_dir()
    staging.mkdir(parents=True, exist_ok=True)
    leftover, recent = staging / ".upload-abandoned", staging / ".upload-recent"
    leftover.write_bytes(b"x")
    recent.write_bytes(b"y")
    two_days_ago = time.time() - 48 * 3600
    os.utime(leftover, (two_days_ago, two_days_ago))
    try:
        # A request is writing to ``busy`` right now: it is left alone.
        with part_path(busy).open("r+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            assert remove_expired_uploads.call_local() == 1
        db.session.expire_all()
        left = set(db.session.scalars(select(ResumableUpload.upload_id)))
        assert old not in left and {fresh, done, busy} <= left
        assert not part_path(old).exists()
        assert part_path(fresh).exists() and part_path(busy).exists()
        assert not leftover.exists() and recent.exists()
    finally:
        recent.unlink(missing_ok=True)
        huey.flush()
