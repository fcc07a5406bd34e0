"""Forms for logging in and for keeping organisations and people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from lms.accounts.models import EmployeeType, Jenjang, PositionType, Role
from lms.accounts.reference import EMPLOYEE_TYPE_LABELS, JENJANG_LABELS, POSITION_TYPE_LABELS
from lms.core.forms import BaseForm, choices
from lms.core.validation import EMAIL_PATTERN

REQUIRED = _l("Wajib diisi.")


def _coerce_optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[call-overload]


def _strip(value: str | None) -> str | None:
    """Trim surrounding spaces; a field with no data yet (``None``) stays ``None``."""
    return value.strip() if isinstance(value, str) else value


class LoginForm(BaseForm):
    """Log in with an NIP or an email address."""

    login = StringField(_l("NIP atau email"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(REQUIRED), Length(max=200)])
    remember = BooleanField(_l("Ingat saya di perangkat ini"))


class ChangePasswordForm(BaseForm):
    """Change one's own password."""

    current_password = PasswordField(
        _l("Kata sandi saat ini"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    new_password = PasswordField(
        _l("Kata sandi baru"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new_password", message=_l("Kedua kata sandi baru tidak sama.")),
        ],
    )


class OrganisationForm(BaseForm):
    """Create an organisation."""

    code = StringField(
        _l("Kode"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Kode hanya huruf, angka dan tanda minus.")),
        ],
    )
    name = StringField(_l("Nama instansi"), validators=[DataRequired(REQUIRED), Length(max=200)])


class UnitForm(BaseForm):
    """Create or edit a unit kerja."""

    code = StringField(
        _l("Kode unit"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=30),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Kode hanya huruf, angka, titik dan minus.")),
        ],
    )
    name = StringField(_l("Nama unit"), validators=[DataRequired(REQUIRED), Length(max=200)])
    parent_id = SelectField(_l("Unit induk"), coerce=_coerce_optional_int, validate_choice=True)
    is_active = BooleanField(_l("Aktif"), default=True)


class PositionForm(BaseForm):
    """Create or edit a jabatan."""

    name = StringField(_l("Nama jabatan"), validators=[DataRequired(REQUIRED), Length(max=200)])
    position_type = SelectField(
        _l("Jenis jabatan"),
        choices=choices((t.value, label) for t, label in POSITION_TYPE_LABELS.items()),
        validators=[DataRequired(REQUIRED)],
    )
    jenjang = SelectField(
        _l("Jenjang"),
        choices=choices(
            [("", _l("— tidak ada —")), *((j.value, label) for j, label in JENJANG_LABELS.items())]
        ),
        validators=[Optional()],
    )
    unit_id = SelectField(_l("Unit kerja"), coerce=_coerce_optional_int)
    is_active = BooleanField(_l("Aktif"), default=True)

    def parsed_type(self) -> PositionType:
        """The chosen position type."""
        return PositionType(self.position_type.data)

    def parsed_jenjang(self) -> Jenjang | None:
        """The chosen jenjang, if any."""
        value = (self.jenjang.data or "").strip()  # Optional() lets a blank " " through
        return Jenjang(value) if value else None


class EmployeeForm(BaseForm):
    """Create or edit an employee."""

    nip = StringField(
        _l("NIP"), validators=[DataRequired(REQUIRED), Length(max=30)], filters=[_strip]
    )
    employee_type = SelectField(
        _l("Jenis pegawai"),
        choices=choices((t.value, label) for t, label in EMPLOYEE_TYPE_LABELS.items()),
        default=EmployeeType.PNS.value,
    )
    name = StringField(_l("Nama lengkap"), validators=[DataRequired(REQUIRED), Length(max=200)])
    email = EmailField(
        _l("Email"),
        validators=[
            Optional(),
            Regexp(EMAIL_PATTERN, message=_l("Alamat email tidak valid.")),
            Length(max=254),
        ],
    )
    golongan = SelectField(_l("Golongan"), validators=[Optional()])
    unit_id = SelectField(_l("Unit kerja"), coerce=_coerce_optional_int)
    position_id = SelectField(_l("Jabatan"), coerce=_coerce_optional_int)
    supervisor_nip = StringField(
        _l("NIP atasan langsung"), validators=[Optional(), Length(max=30)], filters=[_strip]
    )
    is_active = BooleanField(_l("Aktif"), default=True)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RolesForm(BaseForm):
    """Grant or take away roles."""

    roles = MultiCheckboxField(
        _l("Peran"),
        choices=choices(
            [
                (Role.TRAINER.value, _l("Pelatih")),
                (Role.HR_ADMIN.value, _l("Admin BKPSDM")),
                (Role.ADMIN.value, _l("Admin platform")),
            ]
        ),
    )


class ConfirmForm(BaseForm):
    """A button that only needs CSRF protection (reset, revoke, confirm)."""


class ImportForm(BaseForm):
    """Upload an employee file."""

    file = FileField(_l("Berkas CSV atau XLSX"), validators=[FileRequired(_l("Pilih berkas."))])


class TokenForm(BaseForm):
    """Create an API token."""

    name = StringField(_l("Nama token"), validators=[DataRequired(REQUIRED), Length(max=100)])
