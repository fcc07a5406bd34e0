"""Errors that carry a message meant for the user."""

from __future__ import annotations


class DomainError(ValueError):
    """A rule refused an action; ``message`` is already translated for the user.

    ``field`` names the form field or JSON key at fault, when there is one; ``code`` is a stable
    machine-readable reason for the JSON API.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class StorageUnavailable(RuntimeError):
    """The file store (media folder or S3 bucket) cannot be used now: an outage, a missing
    bucket, refused credentials. The message is for the logs; people get a 503 in Indonesian."""
