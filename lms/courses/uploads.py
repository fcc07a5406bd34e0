"""Files uploaded into lessons: stored by content and checked by what they really are."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from flask import current_app, has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.models import User
from lms.core.errors import DomainError
from lms.courses.models import Course, LessonType
from lms.courses.services import LessonData
from lms.extensions import db
from lms.media.detect import DOCUMENT_TYPES, IMAGE_TYPES, probe_video, sniff_document, sniff_image
from lms.media.models import MediaAsset
from lms.media.storage import Staged, StoredFile, TooLarge, keep, stage, store

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v"}


def store_checked(
    course: Course, lesson_type: LessonType, stream: BinaryIO, filename: str
) -> tuple[StoredFile, str]:
    """Store a lesson file and return it with its MIME type, or refuse it with a reason.

    The file is checked on local disk before it reaches the store, so a refused file is never
    stored.
    """
    max_mb = current_app.config["UPLOAD_MAX_MB"]
    try:
        staged = stage(stream, max_bytes=max_mb * 1024 * 1024)
    except TooLarge:
        raise DomainError(
            _("Berkas melebihi batas %(mb)d MB.", mb=max_mb), field="upload", code="too_large"
        ) from None
    suffix = Path(filename).suffix.lower()[:8]
    with staged:
        mime = _checked_mime(lesson_type, staged, suffix)
        return keep(staged, f"courses/{course.code}", suffix), mime


def _checked_mime(lesson_type: LessonType, staged: Staged, suffix: str) -> str:
    """The MIME type of a staged lesson file judged by its content, or a refusal."""
    if staged.size == 0:
        raise DomainError(_("Berkas kosong."), field="upload")
    if lesson_type is LessonType.VIDEO:
        if probe_video(staged.path) is None:
            raise DomainError(
                _("Berkas ini bukan video yang dapat dibaca (MP4, MOV, MKV, WEBM, AVI)."),
                field="upload",
                code="not_video",
            )
        if suffix in (".mp4", ".m4v"):
            return "video/mp4"
        return "video/webm" if suffix == ".webm" else "application/octet-stream"
    if lesson_type is LessonType.FILE:
        kind = sniff_document(staged.path)
        if kind is None:
            raise DomainError(
                _("Jenis berkas tidak didukung. Gunakan PDF, PPTX, DOCX atau XLSX."),
                field="upload",
                code="unsupported_file",
            )
        return DOCUMENT_TYPES[kind][0]
    raise DomainError(_("Jenis pelajaran ini tidak memakai berkas."), field="upload")


def store_lesson_upload(course: Course, data: LessonData, upload: BinaryIO) -> None:
    """Store an uploaded file for a lesson form and record it in ``data``."""
    filename = Path(getattr(upload, "filename", "") or "berkas").name
    stored, mime = store_checked(course, data.lesson_type, upload.stream, filename)
    record_file(course, data, stored, mime, filename)


def record_file(
    course: Course, data: LessonData, stored: StoredFile, mime: str, filename: str
) -> None:
    """Put a stored file into lesson data; a video also gets its media record for processing."""
    data.file_path, data.file_name = stored.path, filename[:200]
    data.file_mime, data.file_size = mime, stored.size
    if data.lesson_type is LessonType.VIDEO:
        data.media_id = media_for(course, stored, filename).id


def media_for(course: Course, stored: StoredFile, filename: str) -> MediaAsset:
    """The media record of a stored original; the same bytes share one record and one ladder."""
    media = db.session.scalar(select(MediaAsset).where(MediaAsset.original_path == stored.path))
    if media is None:
        media = MediaAsset(
            organisation_id=course.organisation_id,
            created_by_id=(
                current_user.id if has_request_context() and current_user.is_authenticated else None
            ),
            original_path=stored.path,
            original_name=filename[:200],
            original_size=stored.size,
        )
        db.session.add(media)
        db.session.flush()
    return media


#: the largest cover image accepted
COVER_MAX_BYTES = 2 * 1024 * 1024


def store_cover(course: Course, stream: BinaryIO) -> None:
    """Store a course's cover image (PNG, JPEG, GIF or WebP up to 2 MB, checked by content)."""
    head = stream.read(16)
    kind = sniff_image(head)
    if kind is None:
        raise DomainError(
            _("Sampul harus gambar PNG, JPEG, GIF atau WebP."), field="cover", code="not_image"
        )
    rest = stream.read(COVER_MAX_BYTES)
    if len(head) + len(rest) > COVER_MAX_BYTES or stream.read(1):
        raise DomainError(_("Sampul melebihi 2 MB."), field="cover", code="too_large")
    import io

    stored = store(
        io.BytesIO(head + rest),
        f"courses/{course.code}",
        IMAGE_TYPES[kind][1],
        max_bytes=COVER_MAX_BYTES,
    )
    course.cover_path = stored.path


def record_uploaded_media(data: LessonData, public_id: str, user: User) -> None:
    """Put a video uploaded beforehand (resumable upload, API) into lesson data.

    Only a video of the user or of their organisation may be used; any other id is refused as
    if it did not exist.
    """
    from lms.media import services as media_services

    media = media_services.media_of_author(public_id.strip(), user)
    if media is None:
        raise DomainError(
            _("Video unggahan tidak ditemukan. Unggah ulang videonya."),
            field="upload",
            code="unknown_media",
        )
    data.file_path, data.file_name = media.original_path, media.original_name
    data.file_mime = media_services.video_mime(media.original_name)
    data.file_size = media.original_size
    data.media_id = media.id
