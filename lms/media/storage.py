"""Stored files behind one small interface: the local media folder (default) or an S3 bucket.

Files are named by their content (``<folder>/<sha256[:40]><suffix>``), so storing the same bytes
twice keeps one copy and a path stands for its content. Whichever backend is configured:

* an incoming file is first *staged* on local disk while it is hashed (and, for uploads, checked
  for what it really is), then *kept*: moved into the media folder, or sent to the bucket in
  parts. Nothing is held whole in memory.
* Code that needs a real file (ffprobe, ffmpeg) asks for a :func:`local_copy` and writes its
  output into an :func:`output_folder`, which the S3 backend uploads when the block succeeds.
* Views hand a stored path to :func:`send` after their access checks. The media folder is sent
  by the app, with range requests; from S3, large media get a redirect to a short-lived
  presigned URL, and the small files the app must serve itself (HLS playlists, whose relative
  links must resolve against the checked route, and captions) are streamed through.

A store that cannot be used raises :class:`~lms.core.errors.StorageUnavailable` (a 503).
The S3 backend lives in :mod:`lms.media.storage_s3`.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import mimetypes
import os
import secrets
import shutil
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from flask import abort, current_app, send_file
from werkzeug.wrappers import Response

from lms.core.errors import StorageUnavailable

CHUNK = 1024 * 1024
#: what stored files are served as, beyond what :mod:`mimetypes` knows on every system
CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".vtt": "text/vtt",
}

#: called while an output folder is uploaded, with (files done, files in all)
Heartbeat = Callable[[int, int], None]


class TooLarge(ValueError):
    """A staged stream ran past its ``max_bytes``."""


@dataclass(frozen=True)
class StoredFile:
    """A file in the store."""

    path: str  # the key: relative to the media folder, or to the bucket's prefix
    size: int
    sha256: str


@dataclass(frozen=True)
class Staged:
    """A file on local disk waiting to be kept, with its size and SHA-256.

    Used as a context manager, the file is removed at the end of the block unless it was kept
    (keeping moves it), so a refused upload leaves nothing behind.
    """

    path: Path
    size: int
    sha256: str

    def __enter__(self) -> Staged:
        return self

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


def content_type(name: str) -> str:
    """The MIME type a stored file is served with, from its suffix."""
    suffix = Path(name).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


class Storage(ABC):
    """Where stored files live. Paths (keys) are relative, with ``/`` between folders."""

    @abstractmethod
    def describe(self) -> str:
        """Where files go, for people (the CLI and the logs)."""

    @abstractmethod
    def staging_dir(self) -> Path:
        """A local folder for files on their way in or out of the store."""

    @abstractmethod
    def check(self) -> None:
        """Raise :class:`StorageUnavailable` with a clear reason if the store cannot be used."""

    @abstractmethod
    def put(self, source: Path, path: str) -> None:
        """Move the local file ``source`` to ``path`` in the store."""

    @abstractmethod
    def exists(self, path: str) -> bool:
        """Whether a file is stored at ``path``."""

    @abstractmethod
    def delete(self, path: str) -> None:
        """Delete a stored file if it exists."""

    @abstractmethod
    def local_copy(self, path: str) -> contextlib.AbstractContextManager[Path]:
        """A context manager giving a local file with the stored content, for tools that read
        files; the file may be the stored one itself, so it is only read. Raises
        ``FileNotFoundError`` if nothing is stored at ``path``."""

    @abstractmethod
    def output_folder(
        self, path: str, *, heartbeat: Heartbeat | None = None
    ) -> contextlib.AbstractContextManager[Path]:
        """A context manager giving a local folder (not yet existing) to write a tree into; when
        the block succeeds, the tree is the stored folder ``path``, replacing what was there."""

    @abstractmethod
    def send(
        self,
        path: str,
        *,
        mimetype: str | None,
        download_name: str | None,
        as_attachment: bool,
        max_age: int | None,
        private: bool,
        redirect: bool,
    ) -> Response:
        """The response for a stored file (404 if there is none); see :func:`send`."""

    def sweep(self, older_than: timedelta) -> int:
        """Remove leftovers of interrupted work from the staging folder; returns how many."""
        folder = self.staging_dir()
        if not folder.is_dir():
            return 0
        cutoff = time.time() - older_than.total_seconds()
        removed = 0
        for entry in folder.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if entry.lstat().st_mtime >= cutoff:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink()
                removed += 1
        return removed


class LocalStorage(Storage):
    """Files in the media folder of this instance (``LMS_INSTANCE_DIR/media``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return f"folder {self.root}"

    def staging_dir(self) -> Path:
        # inside the media folder, so keeping a staged file is a rename on the same file system
        return self.root / ".staging"

    def path(self, path: str) -> Path:
        """The absolute location of a stored path; refuses paths that leave the media folder."""
        root = self.root.resolve()
        target = (root / path).resolve()
        if root not in target.parents:
            raise ValueError("path outside the media folder")
        return target

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise self._unavailable(error) from error
        if not os.access(self.root, os.W_OK):
            raise self._unavailable(PermissionError(errno.EACCES, "not writable", str(self.root)))

    def _unavailable(self, error: OSError) -> StorageUnavailable:
        current_app.logger.error("media folder %s cannot be used: %s", self.root, error)
        return StorageUnavailable(f"media folder {self.root}: {error}")

    def put(self, source: Path, path: str) -> None:
        target = self.path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(source, target)
            except OSError as error:
                if error.errno != errno.EXDEV:
                    raise
                # another file system: copy into the folder, then rename
                partial = target.parent / f".upload-{secrets.token_hex(8)}"
                try:
                    shutil.copyfile(source, partial)
                    os.replace(partial, target)
                finally:
                    partial.unlink(missing_ok=True)
                source.unlink(missing_ok=True)
        except OSError as error:
            raise self._unavailable(error) from error

    def exists(self, path: str) -> bool:
        try:
            return self.path(path).is_file()
        except ValueError:
            return False

    def delete(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(path))

    @contextlib.contextmanager
    def local_copy(self, path: str) -> Iterator[Path]:
        target = self.path(path)
        if not target.is_file():
            raise FileNotFoundError(path)
        yield target

    @contextlib.contextmanager
    def output_folder(self, path: str, *, heartbeat: Heartbeat | None = None) -> Iterator[Path]:
        # The transcoder works in a hidden folder beside this one and renames it into place.
        yield self.path(path)

    def send(
        self,
        path: str,
        *,
        mimetype: str | None,
        download_name: str | None,
        as_attachment: bool,
        max_age: int | None,
        private: bool,
        redirect: bool,
    ) -> Response:
        try:
            target = self.path(path)
        except ValueError:
            abort(404)
        if not target.is_file():
            abort(404)
        response = send_file(
            target,
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            conditional=True,
            max_age=None if private else max_age,
        )
        if private:
            response.cache_control.private = True
            if max_age is not None:
                response.cache_control.max_age = max_age
        return response


def _settings(config: Any) -> tuple[Any, ...]:
    """What the backend depends on; a change (in tests) builds a new one."""
    if not config.get("S3_BUCKET"):
        return ("local", config["MEDIA_DIR"])
    keys = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_PREFIX", "S3_ACCESS_KEY_ID")
    keys += ("S3_SECRET_ACCESS_KEY", "S3_URL_EXPIRES_SECONDS", "S3_MULTIPART_MB", "INSTANCE_DIR")
    return ("s3", *(config.get(key) for key in keys))


def backend() -> Storage:
    """The store of the current application: S3 when ``LMS_S3_BUCKET`` is set, else the folder."""
    config = current_app.config
    cache = current_app.extensions.setdefault("lms_storage", {})
    settings = _settings(config)
    found = cache.get(settings)
    if found is None:
        if settings[0] == "s3":
            from lms.media.storage_s3 import S3Storage

            found = S3Storage(config)
        else:
            found = LocalStorage(Path(config["MEDIA_DIR"]))
        cache[settings] = found
    return found


def absolute(path: str) -> Path:
    """The file of a stored path in the media folder (the local backend)."""
    return LocalStorage(Path(current_app.config["MEDIA_DIR"])).path(path)


def stage(stream: BinaryIO, *, max_bytes: int) -> Staged:
    """Copy a stream to a local staging file while hashing it; refuse it past ``max_bytes``."""
    folder = backend().staging_dir()
    digest = hashlib.sha256()
    size = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".upload-{secrets.token_hex(8)}"
        out = partial.open("wb")
    except OSError as error:
        current_app.logger.error("staging folder %s cannot be used: %s", folder, error)
        raise StorageUnavailable(f"staging folder {folder}: {error}") from error
    try:
        with out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge("too large")
                digest.update(chunk)
                try:
                    out.write(chunk)
                except OSError as error:
                    current_app.logger.error("staging folder %s: %s", folder, error)
                    raise StorageUnavailable(f"staging folder {folder}: {error}") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Staged(partial, size, digest.hexdigest())


def stage_file(source: Path) -> Staged:
    """A finished local file (e.g. a completed upload) as a staged file, without copying it."""
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            size += len(chunk)
            digest.update(chunk)
    return Staged(source, size, digest.hexdigest())


def keep(staged: Staged, folder: str, suffix: str) -> StoredFile:
    """Move a staged file into the store's ``folder``, named by its SHA-256."""
    path = f"{folder}/{staged.sha256[:40]}{suffix}"
    backend().put(staged.path, path)
    return StoredFile(path=path, size=staged.size, sha256=staged.sha256)


def store(stream: BinaryIO, folder: str, suffix: str, *, max_bytes: int) -> StoredFile:
    """Store a stream in ``folder``, named by its SHA-256; ``TooLarge`` past ``max_bytes``."""
    with stage(stream, max_bytes=max_bytes) as staged:
        return keep(staged, folder, suffix)


def remove(path: str) -> None:
    """Delete a stored file if it exists."""
    backend().delete(path)


def exists(path: str) -> bool:
    """Whether a file is stored at ``path``."""
    return backend().exists(path)


def local_copy(path: str) -> contextlib.AbstractContextManager[Path]:
    """``with local_copy(path) as file:`` a local file with the stored content (read only)."""
    return backend().local_copy(path)


def output_folder(
    path: str, *, heartbeat: Heartbeat | None = None
) -> contextlib.AbstractContextManager[Path]:
    """``with output_folder(path) as folder:`` write a tree that becomes the stored ``path``."""
    return backend().output_folder(path, heartbeat=heartbeat)


def send(
    path: str,
    *,
    mimetype: str | None = None,
    download_name: str | None = None,
    as_attachment: bool = False,
    max_age: int | None = None,
    private: bool = False,
    redirect: bool = True,
) -> Response:
    """Serve a stored file to a user the view has already checked; 404 if it is not stored.

    ``max_age`` and ``private`` set the caching of the file. ``redirect=False`` asks for the
    bytes to come from this app whatever the store (HLS playlists, captions); otherwise an S3
    store answers with a redirect to a presigned URL valid for ``LMS_S3_URL_EXPIRES_SECONDS``.
    """
    return backend().send(
        path,
        mimetype=mimetype,
        download_name=download_name,
        as_attachment=as_attachment,
        max_age=max_age,
        private=private,
        redirect=redirect,
    )
