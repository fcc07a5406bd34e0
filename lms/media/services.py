"""Media use cases: queue processing, retry a failed job."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from lms.core.errors import DomainError
from lms.extensions import db
from lms.media.models import MediaAsset, MediaStatus


def enqueue(media: MediaAsset) -> None:
    """Queue processing of an uploaded video (call after the upload is committed)."""
    from lms.media.jobs import process_media

    process_media(media.id)


def enqueue_waiting() -> int:
    """Queue every uploaded video not yet processed (after an import); returns how many."""
    waiting = db.session.scalars(
        select(MediaAsset).where(MediaAsset.status == MediaStatus.UPLOADED)
    ).all()
    for media in waiting:
        enqueue(media)
    return len(waiting)


def retry(media: MediaAsset) -> None:
    """Process a failed video again; the original upload was kept."""
    if media.status is not MediaStatus.FAILED:
        raise DomainError(_("Hanya video yang gagal diproses yang dapat diulang."), code="invalid")
    media.status = MediaStatus.UPLOADED
    media.progress = 0.0
    media.error = media.error_code = None
    db.session.commit()
    enqueue(media)
