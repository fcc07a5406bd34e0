"""Stored files in the local media folder (an S3-compatible store can take its place)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    """A file written to the media folder."""

    path: str  # relative to the media folder
    size: int
    sha256: str


def media_root() -> Path:
    """The media folder of this instance."""
    return Path(current_app.config["MEDIA_DIR"])


def absolute(path: str) -> Path:
    """The absolute location of a stored path; refuses paths that leave the media folder."""
    root = media_root().resolve()
    target = (root / path).resolve()
    if root not in target.parents:
        raise ValueError("path outside the media folder")
    return target


def store(stream: BinaryIO, folder: str, suffix: str, *, max_bytes: int) -> StoredFile:
    """Copy a stream into ``folder``, named by its SHA-256; refuse it past ``max_bytes``.

    Files are named by their content, so storing the same bytes twice keeps one copy and the
    path stands for the content.
    """
    root = media_root() / folder
    root.mkdir(parents=True, exist_ok=True)
    partial = root / f".upload-{secrets.token_hex(8)}"
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ValueError("too large")
                digest.update(chunk)
                out.write(chunk)
        name = f"{digest.hexdigest()[:40]}{suffix}"
        os.replace(partial, root / name)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return StoredFile(path=f"{folder}/{name}", size=size, sha256=digest.hexdigest())


def store_path(source: Path, folder: str, suffix: str) -> StoredFile:
    """Move a finished file (e.g. a completed upload) into ``folder``, named by its SHA-256.

    The file is moved, not copied, so a large upload needs no second copy on disk.
    """
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            size += len(chunk)
            digest.update(chunk)
    root = media_root() / folder
    root.mkdir(parents=True, exist_ok=True)
    name = f"{digest.hexdigest()[:40]}{suffix}"
    try:
        os.replace(source, root / name)
    except OSError:  # another file system: copy into the folder, then rename
        partial = root / f".upload-{secrets.token_hex(8)}"
        try:
            shutil.copyfile(source, partial)
            os.replace(partial, root / name)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        source.unlink(missing_ok=True)
    return StoredFile(path=f"{folder}/{name}", size=size, sha256=digest.hexdigest())


def remove(path: str) -> None:
    """Delete a stored file if it exists."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(absolute(path))
