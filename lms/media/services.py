"""Media use cases: queue processing, retry a failed job."""

from __future__ import annotations

import fcntl
import io
import re
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import User
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.extensions import db
from lms.media.detect import probe_video
from lms.media.models import Caption, MediaAsset, MediaStatus, ResumableUpload
from lms.media.storage import Staged, keep, store


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


def create_media(staged: Staged, filename: str, user: User) -> MediaAsset:
    """Keep a staged upload of ``user`` as a video and return its media record.

    The file is judged by its content (ffprobe, on the local staged file), never by its name;
    a file that is not a video is refused before it reaches the store. The same bytes uploaded
    again in the same organisation share one record (and one HLS ladder). Queue it with
    :func:`enqueue` after the commit.
    """
    if probe_video(staged.path) is None:
        raise DomainError(
            _("Berkas ini bukan video yang dapat dibaca (MP4, MOV, MKV, WEBM, AVI)."),
            field="upload",
            code="not_video",
        )
    stored = keep(staged, VIDEO_FOLDER, video_suffix(filename))
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


def part_path(upload_id: str) -> Path:
    """Where the bytes received so far of a resumable upload are kept (always on local disk:
    appending to an object in S3 is not possible, and the last byte decides what it becomes)."""
    return Path(current_app.config["INSTANCE_DIR"]) / "uploads" / f"{upload_id}.part"


def upload_lifetime() -> timedelta:
    """How long an unfinished upload is kept after its last bytes (``LMS_UPLOAD_EXPIRE_HOURS``)."""
    return timedelta(hours=float(current_app.config["UPLOAD_EXPIRE_HOURS"]))


def upload_expired(upload: ResumableUpload) -> bool:
    """Whether an unfinished upload is past its expiry."""
    expires = upload.expires_at(upload_lifetime())
    return expires is not None and expires <= utcnow()


def discard_upload(upload: ResumableUpload) -> bool:
    """Delete an upload's row and partial file, unless a request is writing to it right now.

    Returns whether it was deleted. The caller commits.
    """
    path = part_path(upload.upload_id)
    try:
        fh = path.open("r+b")
    except FileNotFoundError:
        pass
    else:
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # a PATCH holds it; it will move the expiry forward
            path.unlink(missing_ok=True)
    db.session.delete(upload)
    db.session.flush()
    return True


def remove_expired_uploads() -> int:
    """Discard every unfinished upload past its expiry; returns how many. The caller commits."""
    cutoff = utcnow() - upload_lifetime()
    expired = db.session.scalars(
        select(ResumableUpload).where(
            ResumableUpload.media_id.is_(None), ResumableUpload.updated_at <= cutoff
        )
    ).all()
    return sum(discard_upload(upload) for upload in expired)


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


#: caption languages offered in the editor
CAPTION_LANGUAGES = {
    "id": "Bahasa Indonesia",
    "en": "English",
    "min": "Baso Minang",
    "su": "Basa Sunda",
}
#: the largest caption file accepted
CAPTION_MAX_BYTES = 1024 * 1024
_CUE_TIMING = re.compile(
    r"^(?:\d{2,}:)?\d{2}:\d{2}\.\d{3} --> (?:\d{2,}:)?\d{2}:\d{2}\.\d{3}(?: .*)?$"
)


def save_caption(media: MediaAsset, language: str, content: bytes) -> Caption:
    """Store a WebVTT caption track for a video, replacing the one of that language."""
    if language not in CAPTION_LANGUAGES:
        raise DomainError(_("Bahasa teks terjemahan tidak dikenal."), field="language")
    if len(content) > CAPTION_MAX_BYTES:
        raise DomainError(_("Berkas teks terjemahan melebihi 1 MB."), field="captions")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            _("Berkas teks terjemahan harus WebVTT UTF-8."), field="captions"
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0].startswith("WEBVTT"):
        raise DomainError(
            _("Berkas teks terjemahan harus WebVTT: baris pertama 'WEBVTT'."), field="captions"
        )
    timings = [number for number, line in enumerate(lines, 1) if "-->" in line]
    if not timings:
        raise DomainError(_("Berkas WebVTT tidak berisi teks berwaktu."), field="captions")
    for number in timings:
        if not _CUE_TIMING.match(lines[number - 1].strip()):
            raise DomainError(
                _("Waktu pada baris %(line)d berkas WebVTT tidak sah.", line=number),
                field="captions",
            )
    stored = store(io.BytesIO(text.encode()), "captions", ".vtt", max_bytes=CAPTION_MAX_BYTES)
    caption = db.session.scalar(
        select(Caption).where(Caption.media_id == media.id, Caption.language == language)
    )
    if caption is None:
        caption = Caption(media_id=media.id, language=language)
        db.session.add(caption)
    caption.label, caption.path = CAPTION_LANGUAGES[language], stored.path
    db.session.flush()
    return caption
