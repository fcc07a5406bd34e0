"""Video uploads: resumable (tus 1.0 core, creation, termination, expiration) and in one request.

The resumable endpoints take a bearer token (API clients) or the logged-in session of the
lesson editor; a session request must carry the CSRF token in ``X-CSRFToken``. Partial data is
kept in ``<instance>/uploads/<upload_id>.part``; when the last byte arrives the file is probed
and becomes a :class:`~lms.media.models.MediaAsset` queued for processing, or is refused.
An unfinished upload expires ``LMS_UPLOAD_EXPIRE_HOURS`` after its last bytes (announced in
``Upload-Expires``): a request to it then gets 410 Gone, and the periodic task
:func:`lms.media.jobs.remove_expired_uploads` deletes what is left of it.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
from pathlib import Path
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import ClientDisconnected
from werkzeug.http import http_date

from lms.accounts import policy as people
from lms.accounts.models import User
from lms.accounts.services import user_for_token
from lms.api import bp
from lms.api.auth import ApiError, api_user, bearer_token, commit_token_use, token_required
from lms.core.errors import DomainError
from lms.core.input_guard import bad_characters_message, has_unkeepable
from lms.courses import enrollment as enrolment
from lms.courses import policy
from lms.courses.models import Course, CourseVersion, Lesson
from lms.extensions import csrf, db
from lms.media import services as media_services
from lms.media.models import MediaAsset, MediaStatus, ResumableUpload
from lms.media.services import part_path
from lms.media.storage import CHUNK, TooLarge, stage, stage_file

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
TUS_ENDPOINTS = {"api.tus_create", "api.tus_upload"}
MEDIA_ID_HEADER = "Lentera-Media-Id"
MB = 1024 * 1024


@bp.after_request
def _tus_headers(response: Response) -> Response:
    """Every tus reply, errors included, names the protocol version."""
    if request.endpoint in TUS_ENDPOINTS:
        response.headers["Tus-Resumable"] = TUS_VERSION
        response.headers.setdefault("Cache-Control", "no-store")
        if response.status_code == 412:
            response.headers["Tus-Version"] = TUS_VERSION
    return response


# --- who uploads ---------------------------------------------------------------------------------


def _may_upload(user: User) -> bool:
    """Trainers, HR administrators and admins upload videos."""
    return policy.can_create_course(user)


def _uploader() -> User:
    """The bearer token's user, else the session's (with a valid CSRF token); must author."""
    token = bearer_token()
    if token is not None:
        user = user_for_token(token)
        if user is None:
            raise ApiError(
                401, "invalid_token", _("Token tidak valid, kedaluwarsa, atau sudah dicabut.")
            )
        if db.session.dirty:
            commit_token_use(token)
    elif current_user.is_authenticated:
        try:
            csrf.protect()  # the blueprint is exempt; a session request must prove its origin
        except CSRFError:
            raise ApiError(
                400,
                "csrf_failed",
                _(
                    "Sesi formulir sudah kedaluwarsa atau tidak sah. "
                    "Muat ulang halaman lalu coba lagi."
                ),
            ) from None
        user = current_user._get_current_object()
    else:
        raise ApiError(401, "unauthorized", _("Sertakan header Authorization: Bearer <token>."))
    if not _may_upload(user):
        raise ApiError(
            403, "forbidden", _("Hanya pelatih, admin kepegawaian dan admin yang dapat mengunggah.")
        )
    return user


# --- tus helpers ---------------------------------------------------------------------------------


def _require_tus() -> None:
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        raise ApiError(
            412,
            "unsupported_version",
            _("Sertakan header Tus-Resumable: 1.0.0."),
            version=TUS_VERSION,
        )


def _int_header(name: str) -> int | None:
    raw = request.headers.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 15:
        return None
    return int(raw)


def _metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64value`` pairs."""
    values: dict[str, str] = {}
    for pair in header.split(",")[:20]:
        key, _sep, encoded = pair.strip().partition(" ")
        if not key:
            continue
        try:
            values[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError(
                400, "bad_metadata", _("Upload-Metadata tidak sah (nilai harus base64).")
            ) from None
        if has_unkeepable(values[key]):
            raise ApiError(400, "invalid_characters", bad_characters_message())
    return values


def _max_bytes() -> int:
    return int(current_app.config["UPLOAD_VIDEO_MAX_MB"]) * MB


def _too_large() -> ApiError:
    mb = current_app.config["UPLOAD_VIDEO_MAX_MB"]
    return ApiError(413, "too_large", _("Berkas melebihi batas %(mb)d MB.", mb=mb))


def _own_upload(upload_id: str, user: User) -> ResumableUpload:
    """The user's own upload; anyone else's is not found, exactly like one that does not exist."""
    upload = db.session.scalar(
        select(ResumableUpload).where(
            ResumableUpload.upload_id == upload_id[:43], ResumableUpload.user_id == user.id
        )
    )
    if upload is None:
        raise ApiError(404, "not_found", _("Unggahan tidak ditemukan."))
    if media_services.upload_expired(upload):
        # tus: 410 for an upload the server knows expired; once it is deleted, 404.
        media_services.discard_upload(upload)
        db.session.commit()
        raise ApiError(410, "expired", _("Unggahan ini sudah kedaluwarsa. Mulai unggah dari awal."))
    return upload


def _options() -> Response:
    response = Response(status=204)
    response.headers["Tus-Version"] = TUS_VERSION
    response.headers["Tus-Extension"] = TUS_EXTENSIONS
    response.headers["Tus-Max-Size"] = str(_max_bytes())
    return response


def _expires_header(response: Response, upload: ResumableUpload) -> Response:
    """``Upload-Expires`` (an RFC 7231 date) while the upload is unfinished."""
    expires = upload.expires_at(media_services.upload_lifetime())
    if expires is not None:
        response.headers["Upload-Expires"] = http_date(expires)
    return response


def _offset_headers(response: Response, upload: ResumableUpload) -> Response:
    response.headers["Upload-Offset"] = str(upload.received)
    response.headers["Upload-Length"] = str(upload.length)
    _expires_header(response, upload)
    if upload.media_id is not None:
        media = db.session.get(MediaAsset, upload.media_id)
        if media is not None:
            response.headers[MEDIA_ID_HEADER] = media.public_id
    return response


# --- tus endpoints -------------------------------------------------------------------------------


@bp.route("/uploads", methods=["POST", "OPTIONS"])
def tus_create() -> Response:
    """OPTIONS: what the server supports. POST: start an upload of ``Upload-Length`` bytes."""
    if request.method == "OPTIONS":
        return _options()
    user = _uploader()
    _require_tus()
    if request.headers.get("Upload-Defer-Length"):
        raise ApiError(400, "defer_length", _("Upload-Defer-Length tidak didukung."))
    length = _int_header("Upload-Length")
    if length is None:
        raise ApiError(400, "bad_length", _("Sertakan Upload-Length berupa bilangan bulat."))
    if length > _max_bytes():
        raise _too_large()
    if length == 0:
        raise ApiError(422, "empty", _("Berkas kosong."))
    meta = _metadata(request.headers.get("Upload-Metadata", ""))
    filename = (meta.get("filename") or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    upload = ResumableUpload(
        user_id=user.id, filename=filename[:200] or "video", length=length, received=0
    )
    db.session.add(upload)
    db.session.flush()
    path = part_path(upload.upload_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    db.session.commit()
    response = Response(status=201)
    response.headers["Location"] = url_for(
        "api.tus_upload", upload_id=upload.upload_id, _external=True
    )
    response.headers["Upload-Offset"] = "0"
    return _expires_header(response, upload)


@bp.route("/uploads/<upload_id>", methods=["HEAD", "PATCH", "DELETE", "OPTIONS"])
def tus_upload(upload_id: str) -> Response:
    """HEAD: how far it got. PATCH: more bytes at ``Upload-Offset``. DELETE: give it up."""
    if request.method == "OPTIONS":
        return _options()
    user = _uploader()
    upload = _own_upload(upload_id, user)
    _require_tus()
    if request.method == "HEAD":
        return _offset_headers(Response(status=200), upload)
    if request.method == "DELETE":
        part_path(upload.upload_id).unlink(missing_ok=True)
        db.session.delete(upload)
        db.session.commit()
        return Response(status=204)
    return _patch(upload, user)


def _mismatch(upload: ResumableUpload) -> ApiError:
    return ApiError(
        409,
        "offset_mismatch",
        _("Posisi unggahan tidak cocok: server sudah menerima %(n)d bita.", n=upload.received),
        offset=upload.received,
    )


def _patch(upload: ResumableUpload, user: User) -> Response:
    if request.mimetype != "application/offset+octet-stream":
        raise ApiError(
            415,
            "unsupported_media_type",
            _("Kirim potongan berkas sebagai application/offset+octet-stream."),
        )
    offset = _int_header("Upload-Offset")
    if offset is None:
        raise ApiError(400, "bad_offset", _("Sertakan Upload-Offset berupa bilangan bulat."))
    if upload.media_id is not None or offset != upload.received:
        raise _mismatch(upload)
    remaining = upload.length - upload.received
    if request.content_length is not None and request.content_length > remaining:
        raise _past_length()
    # The chunk may be as large as what is left; the general request limit does not apply. One
    # byte more, so that a body sent without Content-Length and running past the length reaches
    # the check below (and a body of exactly the rest is not refused when the stream ends).
    request.max_content_length = remaining + 1
    path = part_path(upload.upload_id)
    if not path.exists():
        raise ApiError(404, "not_found", _("Unggahan tidak ditemukan."))
    written = 0
    with path.open("r+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ApiError(
                423, "locked", _("Unggahan ini sedang menerima data dari permintaan lain.")
            ) from None
        db.session.refresh(upload)  # another request may have written before the lock
        if offset != upload.received:
            raise _mismatch(upload)
        fh.seek(offset)
        fh.truncate()  # drop bytes of an interrupted request that were never recorded
        while chunk := _read(request.stream):
            if written + len(chunk) > remaining:
                fh.truncate(offset)
                raise _past_length()
            fh.write(chunk)
            written += len(chunk)
        fh.flush()
        upload.received = offset + written
        db.session.commit()
    if upload.received == upload.length:
        _finish(upload, user)
    return _offset_headers(Response(status=204), upload)


def _read(stream: Any) -> bytes:
    """The next piece of the body; nothing once the client is gone (what arrived is kept, and
    the client resumes from the offset HEAD reports)."""
    try:
        return stream.read(CHUNK)
    except (ClientDisconnected, OSError):  # gunicorn's NoMoreData is an OSError
        return b""


def _past_length() -> ApiError:
    return ApiError(413, "past_length", _("Data melebihi panjang unggahan (Upload-Length)."))


def _finish(upload: ResumableUpload, user: User) -> None:
    """The last byte arrived: a video becomes a queued media record; anything else is removed.

    If the store cannot take it now (a 503), the complete file stays in the instance folder: a
    PATCH with no bytes at the final offset finishes it later.
    """
    path = part_path(upload.upload_id)
    try:
        media = media_services.create_media(stage_file(path), upload.filename, user)
    except DomainError as error:
        db.session.rollback()
        path.unlink(missing_ok=True)
        db.session.delete(upload)
        db.session.commit()
        raise ApiError(422, error.code or "invalid", error.message) from None
    upload.media_id = media.id
    db.session.commit()
    if media.status is MediaStatus.UPLOADED:
        media_services.enqueue(media)


# --- one-request upload and status ---------------------------------------------------------------


@bp.post("/media")
@token_required
def create_media() -> tuple[Response, int]:
    """Upload a video in one multipart request (field ``file``); it is checked and queued."""
    user = api_user()
    if not _may_upload(user):
        raise ApiError(
            403, "forbidden", _("Hanya pelatih, admin kepegawaian dan admin yang dapat mengunggah.")
        )
    max_mb = int(current_app.config["UPLOAD_MAX_MB"])
    request.max_content_length = (max_mb + 1) * MB
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(400, "missing_file", _("Kirim berkas video di kolom file (multipart)."))
    if has_unkeepable(upload.filename):
        raise ApiError(400, "invalid_characters", bad_characters_message())
    filename = Path(upload.filename.replace("\\", "/")).name[:200] or "video"
    try:
        staged = stage(upload.stream, max_bytes=max_mb * MB)
    except TooLarge:
        raise ApiError(413, "too_large", _("Berkas melebihi batas %(mb)d MB.", mb=max_mb)) from None
    with staged:
        if staged.size == 0:
            raise ApiError(422, "empty", _("Berkas kosong."))
        try:
            media = media_services.create_media(staged, filename, user)
        except DomainError as error:
            db.session.rollback()
            raise ApiError(422, error.code or "invalid", error.message) from None
    db.session.commit()
    if media.status is MediaStatus.UPLOADED:
        media_services.enqueue(media)
    return jsonify(id=media.public_id, status=media.status.value), 201


def _hls_url(media: MediaAsset, user: User) -> str | None:
    """The master playlist of a lesson showing the video that the user may watch, if any."""
    if media.status is not MediaStatus.READY or media.hls_path is None:
        return None
    rows = db.session.execute(
        select(Lesson, Course)
        .join(CourseVersion, CourseVersion.id == Lesson.version_id)
        .join(Course, Course.id == CourseVersion.course_id)
        .where(Lesson.media_id == media.id)
        .order_by(Lesson.id.desc())
        .limit(50)
    ).all()
    for lesson, course in rows:
        editor = policy.can_edit_course(user, course)
        watchable = lesson.version_id == course.published_version_id and (
            editor or enrolment.active_enrollment(course, user.employee_id) is not None
        )
        if watchable or (editor and lesson.version_id == course.draft_version_id):
            return url_for("courses.hls", code=course.code, lesson_id=lesson.id, name="master.m3u8")
    return None


def media_json(media: MediaAsset, user: User) -> dict[str, Any]:
    """A video's processing status as the API shows it."""
    return {
        "id": media.public_id,
        "status": media.status.value,
        "progress": media.progress,
        "duration": media.duration,
        "width": media.width,
        "height": media.height,
        "renditions": [
            {"name": r.get("name"), "height": r.get("height"), "bandwidth": r.get("bandwidth")}
            for r in media.renditions or []
        ],
        "hls_url": _hls_url(media, user),
        "error": media.error,
    }


@bp.get("/media/<public_id>")
@token_required
def media_detail(public_id: str) -> Response:
    """Processing status of a video, for authors of its organisation (admins: any)."""
    user = api_user()
    media = db.session.scalar(select(MediaAsset).where(MediaAsset.public_id == public_id[:32]))
    visible = (
        media is not None
        and _may_upload(user)
        and (people.is_admin(user) or media.organisation_id == user.organisation_id)
    )
    if not visible:
        raise ApiError(404, "not_found", _("Video tidak ditemukan."))
    return jsonify(media_json(media, user))
