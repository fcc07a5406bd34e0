"""Small validation rules shared by forms, imports and the API."""

from __future__ import annotations

import re

#: a practical email shape: something@domain.tld, no spaces; deliverability is not checked
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email(value: str) -> bool:
    """Whether ``value`` looks like an email address (at most 254 characters)."""
    return len(value) <= 254 and bool(EMAIL_PATTERN.match(value))
