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
