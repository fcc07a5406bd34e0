"""Media use cases: queue processing, retry a failed job."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import User
from lms.core.errors import DomainError
from lms.extensions import db
from lms.media.detect import probe_video
from lms.media.models import MediaAsset, MediaStatus
from lms.media.storage import StoredFile, absolute, remove


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


#: where videos uploaded before they belong to a course are kept, in the media folder
VIDEO_FOLDER = "videos"
#: the suffixes kept on stored videos, with the MIME type they are served with
VIDEO_MIME = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
    ".avi": "video/x-msvideo",
}


def video_suffix(filename: str) -> str:
    """The suffix a stored video keeps: the name's, if it is a known video suffix."""
    suffix = Path(filename).suffix.lower()
    return suffix if suffix in VIDEO_MIME else ""


def video_mime(filename: str) -> str:
    """The MIME type a stored video is served with, from its (checked) name."""
    return VIDEO_MIME.get(Path(filename).suffix.lower(), "video/mp4")


def create_media(stored: StoredFile, filename: str, user: User) -> MediaAsset:
    """The media record of a stored file uploaded by ``user``, after checking it is a video.

    The file is judged by its content (ffprobe), never by its name; a file that is not a
    video is removed and refused. The same bytes uploaded again in the same organisation share
    one record (and one HLS ladder). Queue it with :func:`enqueue` after the commit.
    """
    if probe_video(absolute(stored.path)) is None:
        remove(stored.path)
        raise DomainError(
            _("Berkas ini bukan video yang dapat dibaca (MP4, MOV, MKV, WEBM, AVI)."),
            field="upload",
            code="not_video",
        )
    media = db.session.scalar(
        select(MediaAsset)
        .where(
            MediaAsset.original_path == stored.path,
            MediaAsset.organisation_id == user.organisation_id,
        )
        .limit(1)
    )
    if media is None:
        media = MediaAsset(
            organisation_id=user.organisation_id,
            created_by_id=user.id,
            original_path=stored.path,
            original_name=Path(filename).name[:200] or "video",
            original_size=stored.size,
        )
        db.session.add(media)
        db.session.flush()
    return media


def media_of_author(public_id: str, user: User) -> MediaAsset | None:
    """An uploaded video the user may put into a lesson: theirs or their organisation's."""
    media = db.session.scalar(select(MediaAsset).where(MediaAsset.public_id == public_id[:32]))
    if media is None:
        return None
    if media.created_by_id == user.id or (
        media.organisation_id is not None and media.organisation_id == user.organisation_id
    ):
        return media
    return None
