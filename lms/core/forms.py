"""The base form every Lentera form subclasses, and the forms several domains share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form, HiddenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Regexp

from lms.core.errors import DomainError
from lms.core.form_messages import TRANSLATIONS, FormTranslations
from lms.core.previews import TOKEN_PATTERN


class BaseForm(FlaskForm):
    """A CSRF-protected form. Forms validate; services save."""

    class Meta:
        def get_translations(self, form: Any) -> FormTranslations:
            """WTForms' own messages in the interface's language (it ships no Indonesian)."""
            return TRANSLATIONS

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's refusal on the field it names, or on the form as a whole."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), error.message]
        else:
            self.form_errors.append(error.message)


class SubForm(Form):
    """A form inside another one (``FormField``): no CSRF token of its own, the same messages."""

    class Meta:
        def get_translations(self, form: Any) -> FormTranslations:
            """WTForms' own messages in the interface's language."""
            return TRANSLATIONS


class ConfirmImportForm(BaseForm):
    """Import a previewed file (see :mod:`lms.core.previews`)."""

    token = HiddenField(validators=[DataRequired(), Regexp(TOKEN_PATTERN)])


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
