"""Queue tasks for media: transcode a video (safe to run twice), pick up abandoned jobs, and
delete resumable uploads that expired unfinished."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import select, update

from lms.core.db import utcnow
from lms.core.errors import StorageUnavailable
from lms.core.queue import task
from lms.extensions import db, huey
from lms.media import services, storage
from lms.media.models import MediaAsset, MediaStatus
from lms.media.transcode import ProgressCallback, TranscodeError, TranscodeResult, transcode

#: a job whose worker has been silent this long is considered dead and is started again
STALE_AFTER = timedelta(minutes=5)


def _set(media_id: int, **values: object) -> None:
    """Write progress in its own short transaction, so the web pages see it at once."""
    db.session.execute(update(MediaAsset).where(MediaAsset.id == media_id).values(**values))
    db.session.commit()


@task(retries=0)
def process_media(media_id: int) -> str:
    """Transcode one video into its HLS ladder; a ready video is left alone."""
    media = db.session.get(MediaAsset, media_id)
    if media is None or media.status is MediaStatus.READY:
        return "skipped"
    if (
        media.status is MediaStatus.PROCESSING
        and media.heartbeat_at is not None
        and media.heartbeat_at > utcnow() - STALE_AFTER
    ):
        return "busy"  # another worker is on it (the same job was queued twice)
    public_id, original, attempts = media.public_id, media.original_path, media.attempts
    # End the reading transaction before writing: under SQLite a transaction that read before
    # another worker wrote could not start writing afterwards.
    db.session.commit()
    _set(
        media_id,
        status=MediaStatus.PROCESSING,
        progress=0.0,
        eta_seconds=None,
        error=None,
        error_code=None,
        attempts=attempts + 1,
        heartbeat_at=utcnow(),
    )
    last = [0.0]

    def on_progress(percent: float, eta: float | None) -> None:
        now = time.monotonic()
        if now - last[0] >= 1.0 or percent >= 100:
            last[0] = now
            _set(media_id, progress=round(percent, 1), eta_seconds=eta, heartbeat_at=utcnow())

    def on_upload(done: int, total: int) -> None:
        # Uploading a long ladder to S3 takes a while: keep showing that the worker lives.
        now = time.monotonic()
        if now - last[0] >= 10.0:
            last[0] = now
            _set(media_id, heartbeat_at=utcnow())

    hls_path = f"hls/{public_id}"
    try:
        result = _transcode_stored(original, hls_path, on_progress, on_upload)
    except TranscodeError as error:
        current_app.logger.warning("media %s failed: %s %s", media_id, error.code, error.developer)
        _set(media_id, status=MediaStatus.FAILED, error=error.message, error_code=error.code)
        return "failed"
    _set(
        media_id,
        status=MediaStatus.READY,
        progress=100.0,
        eta_seconds=0.0,
        duration=result.duration,
        width=result.width,
        height=result.height,
        hls_path=hls_path,
        renditions=[
            {
                "name": r.rendition.name,
                "height": r.rendition.height,
                "bandwidth": r.rendition.bandwidth,
                "size": r.size_bytes,
            }
            for r in result.renditions
        ],
    )
    return "ready"


def _transcode_stored(
    original: str,
    hls_path: str,
    on_progress: ProgressCallback,
    on_upload: storage.Heartbeat,
) -> TranscodeResult:
    """Transcode a stored original into the stored HLS folder ``hls_path``.

    ffmpeg works on local files: with S3 the original is downloaded to the instance folder and
    the ladder written there, then uploaded. Every failure is a :class:`TranscodeError`.
    """
    try:
        if not storage.exists(original):
            raise TranscodeError("missing_original", developer=f"{original} is not stored")
        with (
            storage.local_copy(original) as source,
            storage.output_folder(hls_path, heartbeat=on_upload) as destination,
        ):
            return transcode(source, destination, on_progress=on_progress)
    except StorageUnavailable as error:
        raise TranscodeError("storage_unavailable", developer=str(error)) from error


@huey.periodic_task(crontab(minute="*"))
def requeue_stalled() -> int:
    """Start again the jobs whose worker died (no heartbeat for a while)."""
    from lms.core.queue import _worker_app

    if _worker_app is None:
        return 0
    with _worker_app.app_context():
        stale = db.session.scalars(
            select(MediaAsset.id).where(
                MediaAsset.status == MediaStatus.PROCESSING,
                MediaAsset.heartbeat_at < utcnow() - STALE_AFTER,
            )
        ).all()
        for media_id in stale:
            _set(media_id, status=MediaStatus.UPLOADED)
            process_media(media_id)
        return len(stale)


@huey.periodic_task(crontab(minute="*/15"))
def remove_expired_uploads() -> int:
    """Delete resumable uploads that expired unfinished (row and partial file), and leftovers
    of interrupted work in the storage's staging folder; returns how many uploads went."""
    from lms.core.queue import _worker_app

    if _worker_app is None:
        return 0
    with _worker_app.app_context():
        removed = services.remove_expired_uploads()
        db.session.commit()
        storage.backend().sweep(services.upload_lifetime())
        return removed
