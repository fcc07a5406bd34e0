"""Forms of the certificate template settings and of HR's revoke and reissue actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from lms.core.forms import BaseForm

REQUIRED = _l("Wajib diisi.")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class TemplateForm(BaseForm):
    """An organisation's numbering, signer, images and design (the service checks them)."""

    number_pattern = StringField(
        _l("Pola nomor"),
        validators=[DataRequired(REQUIRED), Length(max=120)],
        filters=[_strip],
    )
    signer_name = StringField(_l("Nama penanda tangan"), validators=[Length(max=200)])
    signer_title = StringField(_l("Jabatan penanda tangan"), validators=[Length(max=200)])
    signature = FileField(_l("Gambar tanda tangan (PNG atau JPEG, maksimal 1 MB)"))
    remove_signature = BooleanField(_l("Hapus gambar tanda tangan"))
    logo = FileField(_l("Logo instansi (PNG atau JPEG, maksimal 1 MB)"))
    remove_logo = BooleanField(_l("Hapus logo"))
    layout = SelectField(_l("Tata letak"))
    accent = StringField(
        _l("Warna aksen"),
        validators=[DataRequired(REQUIRED), Length(max=7)],
        filters=[_strip],
        render_kw={"type": "color"},
    )


class RevokeForm(BaseForm):
    """Revoke a certificate: a reason and a confirmation."""

    reason = TextAreaField(
        _l("Alasan pencabutan"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        filters=[_strip],
    )
    confirm = BooleanField(
        _l("Saya yakin: sertifikat ini tidak berlaku lagi dan verifikasi menampilkan alasannya."),
        validators=[InputRequired(_l("Centang untuk memastikan."))],
    )


class ReissueForm(BaseForm):
    """Reissue a corrected copy under the same number."""

    holder_name = StringField(
        _l("Nama pemegang yang benar"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        filters=[_strip],
    )
