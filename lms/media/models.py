"""Uploaded videos and what processing made of them."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import TimestampMixin, UTCDateTime, enum_column
from lms.extensions import db


class MediaStatus(enum.Enum):
    """Where a video is in its processing."""

    UPLOADED = "uploaded"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class MediaAsset(TimestampMixin, db.Model):
    """An uploaded video: the original (always kept) and its HLS ladder once processed."""

    __tablename__ = "media_assets"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: unguessable id used in URLs and the API
    public_id: Mapped[str] = mapped_column(
        String(32), unique=True, default=lambda: secrets.token_urlsafe(16)
    )
    #: the organisation of the uploader
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    #: who uploaded it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the original file (path in the media folder)
    original_path: Mapped[str] = mapped_column(String(300))
    #: the original file name
    original_name: Mapped[str] = mapped_column(String(200))
    #: the original's size in bytes
    original_size: Mapped[int] = mapped_column(Integer)
    #: uploaded, processing, ready or failed
    status: Mapped[MediaStatus] = mapped_column(
        enum_column(MediaStatus), default=MediaStatus.UPLOADED, index=True
    )
    #: processing progress, 0–100
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    #: estimated seconds left while processing
    eta_seconds: Mapped[float | None] = mapped_column(Float)
    #: why processing failed (Indonesian, for people)
    error: Mapped[str | None] = mapped_column(Text)
    #: why processing failed (a stable code)
    error_code: Mapped[str | None] = mapped_column(String(40))
    #: duration in seconds
    duration: Mapped[float | None] = mapped_column(Float)
    #: display width after rotation
    width: Mapped[int | None] = mapped_column(Integer)
    #: display height after rotation
    height: Mapped[int | None] = mapped_column(Integer)
    #: renditions: name, height, bandwidth, size in bytes
    renditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: folder of the HLS output (path in the media folder)
    hls_path: Mapped[str | None] = mapped_column(String(300))
    #: how many times processing was started
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: last sign of life from the worker processing it (UTC)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ResumableUpload(TimestampMixin, db.Model):
    """A video being uploaded in pieces (tus 1.0); its bytes so far are in the instance folder."""

    __tablename__ = "resumable_uploads"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: unguessable id in the upload's URL
    upload_id: Mapped[str] = mapped_column(
        String(43), unique=True, default=lambda: secrets.token_urlsafe(24)
    )
    #: who uploads it (only they may continue, read or end it)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the file name the client sent in Upload-Metadata
    filename: Mapped[str] = mapped_column(String(200))
    #: the announced total size in bytes (Upload-Length)
    length: Mapped[int] = mapped_column(BigInteger)
    #: bytes received so far (Upload-Offset)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    #: the video it became once complete
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media_assets.id", ondelete="SET NULL"))

    def expires_at(self, lifetime: timedelta) -> datetime | None:
        """When it expires unless more bytes arrive (tus expiration); a complete one never does.

        Every PATCH that stores bytes moves ``updated_at``, so a slow upload that keeps going
        never expires; an abandoned one does, ``lifetime`` after its last bytes.
        """
        if self.media_id is not None:
            return None
        return self.updated_at + lifetime


class Caption(db.Model):
    """A WebVTT caption track of a video, one per language."""

    __tablename__ = "captions"
    __table_args__ = (UniqueConstraint("media_id", "language"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the video
    media_id: Mapped[int] = mapped_column(ForeignKey("media_assets.id", ondelete="CASCADE"))
    #: BCP 47 language code, e.g. ``id`` or ``en``
    language: Mapped[str] = mapped_column(String(12))
    #: the label the player shows, e.g. ``Bahasa Indonesia``
    label: Mapped[str] = mapped_column(String(60))
    #: the stored .vtt file (path in the media folder)
    path: Mapped[str] = mapped_column(String(300))
