"""The filter form every report page shares (a GET form: it reads, never changes anything)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from lms.core.forms import BaseForm

#: the years a report may cover
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[call-overload]


class ReportFilterForm(BaseForm):
    """Organisation (admins), a year or a period, unit with sub-units, course, position and
    golongan. The choices are set by the view for the organisation, so a value of another
    organisation is not a valid choice."""

    class Meta:
        csrf = False

    instansi = SelectField(_l("Instansi"), coerce=_optional_int)
    tahun = IntegerField(
        _l("Tahun"),
        validators=[
            Optional(),
            NumberRange(FIRST_YEAR, LAST_YEAR, _l("Tahun harus antara 2000 dan 2100.")),
        ],
    )
    dari = DateField(_l("Dari tanggal"), validators=[Optional()])
    sampai = DateField(_l("Sampai tanggal"), validators=[Optional()])
    unit = SelectField(_l("Unit kerja (dengan sub-unit)"), coerce=_optional_int)
    kursus = SelectField(_l("Kursus"), coerce=_optional_int)
    jabatan = SelectField(_l("Jabatan"), coerce=_optional_int)
    golongan = SelectField(_l("Golongan"), default="")

    def validate_sampai(self, field: Any) -> None:
        """A period needs both dates, in order, within the years reports cover."""
        start, end = self.dari.data, field.data
        if (start is None) != (end is None):
            raise ValidationError(_l("Isi kedua tanggal periode, atau kosongkan keduanya."))
        if start is None or end is None:
            return
        if end < start:
            raise ValidationError(_l("Tanggal akhir periode tidak boleh sebelum tanggal awal."))
        if not (FIRST_YEAR <= start.year <= LAST_YEAR and FIRST_YEAR <= end.year <= LAST_YEAR):
            raise ValidationError(_l("Tahun harus antara 2000 dan 2100."))
