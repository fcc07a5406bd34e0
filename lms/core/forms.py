"""The base form every Lentera form subclasses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from lms.core.errors import DomainError


class BaseForm(FlaskForm):
    """A CSRF-protected form. Forms validate; services save."""

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's refusal on the field it names, or on the form as a whole."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), error.message]
        else:
            self.form_errors.append(error.message)


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
