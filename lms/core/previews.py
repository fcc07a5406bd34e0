"""Uploads waiting for confirmation: preview first, import on confirm.

An import page parses an upload and shows what importing it would do; the upload is kept under a
random token (in a folder of the instance's ``IMPORT_DIR``) so that the confirming request imports
exactly the bytes that were previewed, without sending them again. The token is handed only to the
user who uploaded, and a stored upload is good only for the scope it was made in (its user, its
organisation, its bank …) and for a limited time.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from wtforms import Field

#: the form of a token (:meth:`PreviewStore.save` hands out 32 characters), for form validators
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{20,64}$"  # noqa: S105 - a pattern, not a secret
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def is_token(value: str) -> bool:
    """Whether ``value`` has the form of a token (and so is safe as a file name)."""
    return _TOKEN.fullmatch(value) is not None


def read_upload(field: Field, max_mb: int) -> bytes | None:
    """The bytes of the file uploaded in ``field``; None, with the reason on the field, when the
    file is larger than ``max_mb`` megabytes (read no further than one byte past the limit)."""
    max_bytes = max_mb * 1024 * 1024
    content = field.data.read(max_bytes + 1)
    if len(content) > max_bytes:
        field.errors = [_("Berkas melebihi %(mb)d MB.", mb=max_mb)]
        return None
    return content


@dataclass(frozen=True)
class Preview:
    """A stored upload: its bytes and what was saved with them."""

    token: str
    content: bytes
    meta: dict[str, Any]


@dataclass(frozen=True)
class PreviewStore:
    """The stored uploads of one kind of import, each usable for ``max_age`` seconds."""

    #: the folder's name inside ``IMPORT_DIR``
    kind: str
    max_age: int

    def _folder(self) -> Path:
        folder = Path(current_app.config["IMPORT_DIR"]) / self.kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def files(self, token: str) -> tuple[Path, Path]:
        """Where an upload's bytes and its metadata are kept."""
        folder = self._folder()
        return folder / f"{token}.bin", folder / f"{token}.json"

    def save(self, content: bytes, **meta: Any) -> str:
        """Keep ``content`` with ``meta`` (JSON values: the owner and scope, and whatever the
        confirmation needs) and return its new token; uploads past their age are removed."""
        self._purge_expired()
        token = secrets.token_urlsafe(24)
        data_path, meta_path = self.files(token)
        data_path.write_bytes(content)
        meta_path.write_text(json.dumps(meta))
        return token

    def load(self, token: str, **scope: Any) -> Preview | None:
        """The upload under ``token`` if it is still fresh and its metadata holds every value
        of ``scope`` (e.g. ``user_id=…, organisation_id=…``); otherwise None."""
        if not is_token(token):
            return None
        data_path, meta_path = self.files(token)
        try:
            if time.time() - data_path.stat().st_mtime > self.max_age:
                return None
            meta = json.loads(meta_path.read_text())
            content = data_path.read_bytes()
        except (FileNotFoundError, ValueError):
            return None
        if any(meta.get(key) != value for key, value in scope.items()):
            return None
        return Preview(token, content, meta)

    def discard(self, token: str) -> None:
        """Remove a used upload."""
        for path in self.files(token):
            path.unlink(missing_ok=True)

    def _purge_expired(self) -> None:
        cutoff = time.time() - self.max_age
        for item in self._folder().iterdir():
            try:
                if item.stat().st_mtime < cutoff:
                    item.unlink(missing_ok=True)
            except FileNotFoundError:
                continue  # a concurrent request removed it
