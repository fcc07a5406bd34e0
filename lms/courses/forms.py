"""Forms for authoring courses and assigning them."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from lms.core.forms import BaseForm, choices
from lms.courses.models import LessonType, TargetType, Visibility

REQUIRED = _l("Wajib diisi.")
_COMPETENCY = re.compile(r"^\s*([A-Za-z0-9-]{1,20})\s*[:=]\s*([1-5])\s*$")


def parse_competencies(text: str) -> list[tuple[str, int]]:
    """``M-PP:3, T-MPROY:2`` → ``[("M-PP", 3), ("T-MPROY", 2)]``; raises ValueError."""
    result = []
    for part in re.split(r"[,\n;]+", text or ""):
        if not part.strip():
            continue
        match = _COMPETENCY.match(part)
        if not match:
            raise ValueError(part.strip())
        result.append((match.group(1).upper(), int(match.group(2))))
    return result


def parse_codes(text: str) -> list[str]:
    """A list of course codes separated by commas or spaces."""
    return [code.upper() for code in re.split(r"[\s,;]+", text or "") if code]


class CourseForm(BaseForm):
    """Create a course or edit its details."""

    code = StringField(_l("Kode kursus"), validators=[Optional(), Length(max=30)])
    title = StringField(_l("Judul"), validators=[DataRequired(REQUIRED), Length(max=200)])
    summary = TextAreaField(_l("Ringkasan"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("Deskripsi (Markdown)"), validators=[Length(max=50_000)])
    jp = IntegerField(
        _l("JP (jam pelajaran)"),
        validators=[
            InputRequired(REQUIRED),  # 0 is filled in, and out of range: not "required"
            NumberRange(1, 1000, message=_l("JP harus antara 1 dan 1000.")),
        ],
    )
    category = SelectField(_l("Kategori"), validators=[DataRequired(REQUIRED)])
    visibility = SelectField(
        _l("Keterbukaan"),
        choices=choices(
            [
                (Visibility.SHARED.value, _l("Terbuka untuk semua instansi")),
                (Visibility.ORGANISATION.value, _l("Hanya instansi sendiri")),
            ]
        ),
    )
    self_enrollment = BooleanField(_l("Pegawai boleh mendaftar sendiri"), default=True)
    certificate_months = IntegerField(
        _l("Masa berlaku sertifikat (bulan)"),
        validators=[Optional(), NumberRange(min=1, max=120)],
        description=_l("Kosongkan bila sertifikat berlaku tanpa batas."),
    )
    requires_evaluation = BooleanField(_l("Kursus selesai setelah peserta mengisi evaluasi kursus"))
    completion_is_evidence = BooleanField(
        _l("Kelulusan kursus menjadi bukti kompetensi sasaran pada levelnya")
    )
    competencies = StringField(
        _l("Kompetensi sasaran (kode:level, dipisah koma)"),
        validators=[Optional(), Length(max=500)],
    )
    prerequisites = StringField(
        _l("Kursus prasyarat (kode, dipisah koma)"), validators=[Optional(), Length(max=300)]
    )
    cover = FileField(_l("Gambar sampul (PNG, JPEG, GIF atau WebP, maksimal 2 MB)"))

    def validate_competencies(self, field: StringField) -> None:
        """Each entry must read CODE:LEVEL with a level from 1 to 5."""
        try:
            parse_competencies(field.data)
        except ValueError as error:
            raise ValidationError(
                _l("Tulis kompetensi sebagai KODE:LEVEL (level 1–5), bukan %(text)s.",
                   text=str(error))
            ) from None  # fmt: skip


class ModuleForm(BaseForm):
    """Add or rename a module."""

    title = StringField(_l("Judul modul"), validators=[DataRequired(REQUIRED), Length(max=200)])


class LessonForm(BaseForm):
    """Create or edit a lesson."""

    title = StringField(_l("Judul pelajaran"), validators=[DataRequired(REQUIRED), Length(max=200)])
    lesson_type = SelectField(
        _l("Jenis"),
        choices=choices(
            [
                (LessonType.TEXT.value, _l("Teks")),
                (LessonType.VIDEO.value, _l("Video")),
                (LessonType.FILE.value, _l("Berkas (PDF, PPTX, DOCX, XLSX)")),
                (LessonType.LINK.value, _l("Tautan luar")),
                (LessonType.QUIZ.value, _l("Kuis")),
            ]
        ),
    )
    is_required = BooleanField(_l("Wajib untuk menyelesaikan kursus"), default=True)
    body = TextAreaField(_l("Isi (Markdown)"), validators=[Length(max=200_000)])
    url = URLField(_l("Alamat tautan"), validators=[Optional(), Length(max=1000)])
    upload = FileField(_l("Berkas"))


class AssignForm(BaseForm):
    """Assign a course to employees as mandatory training."""

    target_type = SelectField(
        _l("Sasaran"),
        choices=choices(
            [
                (TargetType.EMPLOYEE.value, _l("Pegawai (NIP atau nama)")),
                (TargetType.UNIT.value, _l("Unit kerja beserta sub-unitnya")),
                (TargetType.POSITION.value, _l("Jabatan")),
                (TargetType.GOLONGAN.value, _l("Golongan")),
            ]
        ),
    )
    nip = TextAreaField(
        _l("NIP atau nama pegawai"),
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 3},
    )
    unit_id = SelectField(_l("Unit kerja"), validators=[Optional()])
    position_id = SelectField(_l("Jabatan"), validators=[Optional()])
    golongan = SelectField(_l("Golongan"), validators=[Optional()])
    due_date = DateField(_l("Tenggat"), validators=[Optional()], format="%Y-%m-%d")


class CategoryForm(BaseForm):
    """Add a category (admins)."""

    name = StringField(_l("Nama kategori"), validators=[DataRequired(REQUIRED), Length(max=80)])


# --- course evaluation ---------------------------------------------------------------------------

#: the Likert scale as learners read it
SCALE_LABELS = {
    1: _l("Sangat tidak setuju"),
    2: _l("Tidak setuju"),
    3: _l("Netral"),
    4: _l("Setuju"),
    5: _l("Sangat setuju"),
}


def _rating(value: object) -> int | None:
    """A posted rating as a number; anything else is None (refused by :class:`Rating`)."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class Rating:
    """One statement's rating: given, and from 1 to 5."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        if not field.raw_data or not str(field.raw_data[0]).strip():
            raise StopValidation(str(_l("Pilih salah satu nilai 1 sampai 5.")))
        if field.data not in SCALE_LABELS:
            raise StopValidation(str(_l("Nilai harus 1 sampai 5.")))


class EvaluationForm(BaseForm):
    """The learner's end-of-course evaluation: one rating per statement and a comment.

    The statements are the organisation's, so the rating fields are added per request by
    :meth:`for_items` (``nilai_1`` … ``nilai_n``).
    """

    comment = TextAreaField(
        validators=[Optional(), Length(max=5000, message=_l("Komentar paling banyak 5000 huruf."))]
    )

    @classmethod
    def for_items(cls, items: list[str], prompt: str) -> EvaluationForm:
        """The form for these statements, the comment box labelled with ``prompt``."""
        form_class = type("EvaluationItemsForm", (cls,), {})
        for number, text in enumerate(items, start=1):
            setattr(
                form_class,
                f"nilai_{number}",
                RadioField(
                    text,
                    choices=choices((value, str(value)) for value in SCALE_LABELS),
                    coerce=_rating,
                    validate_choice=False,  # Rating says what is wrong, in Indonesian
                    validators=[Rating()],
                ),
            )
        form = form_class()
        form.comment.label.text = prompt
        form.item_count = len(items)
        return form

    def rating_fields(self) -> list[RadioField]:
        """The rating fields in the order of the statements."""
        return [self[f"nilai_{number}"] for number in range(1, self.item_count + 1)]

    def ratings(self) -> list[int | None]:
        """The ratings given, in the order of the statements."""
        return [field.data for field in self.rating_fields()]


class EvaluationTemplateForm(BaseForm):
    """HR write the organisation's evaluation survey."""

    items = TextAreaField(
        _l("Pernyataan (satu per baris, 1 sampai 20)"),
        validators=[DataRequired(REQUIRED), Length(max=20 * 310)],
        description=_l("Peserta menilai setiap pernyataan dari 1 (sangat tidak setuju) sampai 5 "
                       "(sangat setuju)."),
    )  # fmt: skip
    comment_prompt = StringField(
        _l("Pertanyaan terbuka"),
        validators=[DataRequired(REQUIRED), Length(max=300)],
        description=_l("Misalnya: Saran untuk perbaikan kursus ini"),
    )

    def item_lines(self) -> list[str]:
        """The statements, one per non-empty line."""
        return [line.strip() for line in (self.items.data or "").splitlines() if line.strip()]
