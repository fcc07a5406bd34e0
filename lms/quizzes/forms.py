"""Forms for trainers: quiz rules and items, bank questions, essay marks, question import."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import TextInput

from lms.core.forms import BaseForm, choices
from lms.quizzes.editing import MAX_DRAW, QuizSettings
from lms.quizzes.formats.model import Choice, Difficulty, QuestionType, TextFormat
from lms.quizzes.formats.model import Question as QuestionData
from lms.quizzes.models import GradingMethod, Question, Quiz, QuizKind, ReviewOption

REQUIRED = _l("Wajib diisi.")
#: empty choice rows shown under the filled ones
EMPTY_ROWS = 4
LEVELS = [("", _l("Semua level"))] + [(str(n), str(n)) for n in range(1, 6)]

TYPE_LABELS = {
    QuestionType.MULTICHOICE: _l("Pilihan ganda (satu jawaban)"),
    QuestionType.MULTIRESPONSE: _l("Pilihan ganda (banyak jawaban)"),
    QuestionType.TRUEFALSE: _l("Benar/salah"),
    QuestionType.SHORTANSWER: _l("Jawaban singkat"),
    QuestionType.NUMERICAL: _l("Angka"),
    QuestionType.MATCHING: _l("Menjodohkan"),
    QuestionType.ORDERING: _l("Mengurutkan"),
    QuestionType.ESSAY: _l("Esai"),
    QuestionType.DESCRIPTION: _l("Keterangan (tanpa jawaban)"),
}
DIFFICULTY_LABELS = {
    Difficulty.EASY: _l("mudah"),
    Difficulty.MEDIUM: _l("sedang"),
    Difficulty.HARD: _l("sulit"),
}


def _number(value: Any) -> Any:
    """Accept a decimal comma (``2,5``) as Indonesians write it."""
    return value.strip().replace(",", ".") if isinstance(value, str) else value


class DecimalCommaField(FloatField):
    """A number field that reads ``2,5`` as well as ``2.5`` (a text input: a number input
    refuses the comma in some browsers)."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read the submitted text, with a comma or a point."""
        try:
            super().process_formdata([_number(v) for v in valuelist])
        except ValueError:
            raise ValueError(_l("Tulis angka, misalnya 2,5.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return f"{self.data:.6f}".rstrip("0").rstrip(".")


def local_to_utc(value: datetime | None) -> datetime | None:
    """A WIB wall-clock time from a ``datetime-local`` input, as an aware UTC time."""
    return None if value is None else to_utc(value).replace(tzinfo=UTC)


def utc_to_local(value: datetime | None) -> datetime | None:
    """A stored UTC time as the WIB wall-clock time a ``datetime-local`` input shows."""
    return None if value is None else to_user_timezone(value).replace(tzinfo=None)


# --- quizzes -------------------------------------------------------------------------------------


class QuizSettingsForm(BaseForm):
    """The rules of a quiz."""

    kind = SelectField(
        _l("Jenis kuis"),
        choices=choices(
            [
                (QuizKind.PRACTICE.value, _l("Latihan")),
                (QuizKind.PRE_TEST.value, _l("Pre-test")),
                (QuizKind.POST_TEST.value, _l("Post-test")),
                (QuizKind.FINAL_EXAM.value, _l("Ujian akhir")),
            ]
        ),
    )
    time_limit = IntegerField(
        _l("Batas waktu (menit)"),
        validators=[Optional(), NumberRange(1, 1440, message=_l("Isi 1 sampai 1440 menit."))],
    )
    attempts_allowed = IntegerField(
        _l("Kesempatan mengerjakan"),
        default=0,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(0, 100, message=_l("Isi 0 sampai 100.")),
        ],
    )
    grading_method = SelectField(
        _l("Nilai yang dihitung"),
        choices=choices(
            [
                (GradingMethod.HIGHEST.value, _l("Nilai tertinggi")),
                (GradingMethod.LAST.value, _l("Percobaan terakhir")),
                (GradingMethod.FIRST.value, _l("Percobaan pertama")),
                (GradingMethod.AVERAGE.value, _l("Rata-rata")),
            ]
        ),
    )
    pass_percent = DecimalCommaField(
        _l("Nilai lulus (%)"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 100, message=_l("Isi 0 sampai 100."))],
    )
    opens_at = DateTimeLocalField(
        _l("Dibuka (WIB)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    closes_at = DateTimeLocalField(
        _l("Ditutup (WIB)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    shuffle_questions = BooleanField(_l("Acak urutan soal"))
    shuffle_options = BooleanField(_l("Acak urutan pilihan jawaban"))
    one_per_page = BooleanField(_l("Satu soal per halaman"))
    review = SelectField(
        _l("Yang dilihat peserta sesudah mengumpulkan"),
        choices=choices(
            [
                (ReviewOption.SCORE.value, _l("Nilai saja")),
                (ReviewOption.ANSWERS.value, _l("Nilai dan jawaban benar")),
                (ReviewOption.FEEDBACK.value, _l("Nilai, jawaban benar dan umpan balik")),
            ]
        ),
    )

    @classmethod
    def for_quiz(cls, quiz: Quiz, formdata: Any) -> QuizSettingsForm:
        """The form filled from the quiz (or from what was posted)."""
        return cls(
            formdata=formdata,
            kind=quiz.kind.value,
            time_limit=quiz.time_limit_minutes,
            attempts_allowed=quiz.attempts_allowed,
            grading_method=quiz.grading_method.value,
            pass_percent=quiz.pass_percent,
            opens_at=utc_to_local(quiz.opens_at),
            closes_at=utc_to_local(quiz.closes_at),
            shuffle_questions=quiz.shuffle_questions,
            shuffle_options=quiz.shuffle_options,
            one_per_page=quiz.one_per_page,
            review=quiz.review.value,
        )

    def settings(self) -> QuizSettings:
        """The validated rules."""
        return QuizSettings(
            kind=QuizKind(self.kind.data),
            time_limit_minutes=self.time_limit.data,
            attempts_allowed=self.attempts_allowed.data,
            grading_method=GradingMethod(self.grading_method.data),
            pass_percent=float(self.pass_percent.data),
            opens_at=local_to_utc(self.opens_at.data),
            closes_at=local_to_utc(self.closes_at.data),
            shuffle_questions=self.shuffle_questions.data,
            shuffle_options=self.shuffle_options.data,
            one_per_page=self.one_per_page.data,
            review=ReviewOption(self.review.data),
        )


class FixedQuestionForm(BaseForm):
    """Add one question of the bank to a quiz."""

    question = SelectField(_l("Soal"), coerce=int, validate_choice=True)


class DrawForm(BaseForm):
    """Add a random draw to a quiz."""

    category = SelectField(_l("Kategori"), coerce=int, validate_choice=True)
    level = SelectField(_l("Level"), choices=choices(LEVELS), default="")
    count = IntegerField(
        _l("Jumlah soal"),
        default=1,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(1, MAX_DRAW, message=_l("Isi 1 sampai %(n)d.", n=MAX_DRAW)),
        ],
    )


class ActionForm(BaseForm):
    """A button that only needs CSRF protection."""


# --- questions -----------------------------------------------------------------------------------


class ChoiceRowForm(BaseForm):
    """One row of options, accepted answers, pairs or items (inside the question form)."""

    class Meta:
        csrf = False  # the question form around it carries the token

    key = HiddenField()
    text = TextAreaField(_l("Teks"), validators=[Length(max=5000)])
    fraction = DecimalCommaField(
        _l("Bobot (%)"),
        validators=[Optional(), NumberRange(-100, 100, message=_l("Isi -100 sampai 100."))],
    )
    feedback = StringField(_l("Umpan balik"), validators=[Length(max=2000)])
    match = StringField(_l("Pasangan (kanan)"), validators=[Length(max=1000)])
    value = DecimalCommaField(_l("Nilai angka"), validators=[Optional()])
    tolerance = DecimalCommaField(
        _l("Toleransi (±)"),
        validators=[Optional(), NumberRange(0, None, message=_l("Toleransi tidak boleh negatif."))],
    )

    def is_empty(self) -> bool:
        """Nothing typed in the row."""
        return (
            not (self.text.data or "").strip()
            and self.value.data is None
            and not (self.match.data or "").strip()
        )

    def choice(self) -> Choice:
        """The row as a choice."""
        return Choice(
            text=(self.text.data or "").strip(),
            fraction=round((self.fraction.data or 0.0) / 100, 6),
            feedback=(self.feedback.data or "").strip(),
            match=(self.match.data or "").strip(),
            value=self.value.data,
            tolerance=self.tolerance.data or 0.0,
            key=(self.key.data or "")[:16],
        )


class QuestionForm(BaseForm):
    """Create or edit a question of any type."""

    category = SelectField(_l("Kategori"), validators=[Optional()])
    new_category = StringField(
        _l("atau kategori baru"),
        validators=[Optional(), Length(max=300)],
        description=_l("Jalur dengan garis miring, misalnya Pelayanan/Maklumat."),
    )
    title = StringField(_l("Judul singkat"), validators=[Optional(), Length(max=255)])
    type = SelectField(
        _l("Jenis soal"), choices=choices((t.value, label) for t, label in TYPE_LABELS.items())
    )
    text = TextAreaField(_l("Teks soal"), validators=[DataRequired(REQUIRED), Length(max=100_000)])
    text_format = SelectField(
        _l("Format teks"),
        choices=choices(
            [
                (TextFormat.MARKDOWN.value, "Markdown"),
                (TextFormat.HTML.value, "HTML"),
                (TextFormat.PLAIN.value, _l("Teks biasa")),
                (TextFormat.MOODLE.value, _l("Format Moodle")),
            ]
        ),
        default=TextFormat.MARKDOWN.value,
    )
    general_feedback = TextAreaField(
        _l("Pembahasan umum"), validators=[Optional(), Length(max=20_000)]
    )
    competency = StringField(
        _l("Kode kompetensi"),
        validators=[
            Optional(),
            Regexp(
                r"^[A-Za-z0-9-]{1,20}$",
                message=_l("Kode kompetensi: huruf, angka dan tanda minus, paling banyak 20."),
            ),
        ],
    )
    level = SelectField(
        _l("Level kompetensi"),
        choices=choices([("", _l("tanpa level"))] + [(str(n), str(n)) for n in range(1, 6)]),
        default="",
    )
    difficulty = SelectField(
        _l("Kesulitan"),
        choices=choices(
            [("", _l("belum ditentukan"))]
            + [(d.value, label) for d, label in DIFFICULTY_LABELS.items()]
        ),
        default="",
    )
    mark = DecimalCommaField(
        _l("Bobot soal (nilai)"),
        default=1.0,
        validators=[InputRequired(REQUIRED)],
    )
    shuffle = BooleanField(_l("Pilihan boleh diacak"), default=True)
    correct = SelectField(
        _l("Jawaban benar (soal benar/salah)"),
        choices=choices([("", "–"), ("true", _l("Benar")), ("false", _l("Salah"))]),
        default="",
    )
    feedback_true = StringField(
        _l("Umpan balik bila menjawab Benar"), validators=[Optional(), Length(max=2000)]
    )
    feedback_false = StringField(
        _l("Umpan balik bila menjawab Salah"), validators=[Optional(), Length(max=2000)]
    )
    choices = FieldList(FormField(ChoiceRowForm), min_entries=0, max_entries=200)

    @classmethod
    def for_question(cls, question: Question | None, formdata: Any, category: str = "") -> Any:
        """The form filled from a question (or empty), with empty choice rows to add more."""
        if question is None:
            form = cls(formdata=formdata, category=category)
        else:
            form = cls(
                formdata=formdata,
                category=question.category.path,
                title=question.title,
                type=question.type.value,
                text=question.text,
                text_format=question.text_format.value,
                general_feedback=question.general_feedback,
                competency=question.competency or "",
                level=str(question.level or ""),
                difficulty=question.difficulty.value if question.difficulty else "",
                mark=question.default_mark,
                shuffle=question.shuffle,
                correct="" if question.correct is None else str(question.correct).lower(),
                feedback_true=question.feedback_true,
                feedback_false=question.feedback_false,
                choices=[_row(c) for c in question.choices],
            )
        if formdata is None:
            for _n in range(EMPTY_ROWS):
                form.choices.append_entry()
        return form

    def category_path(self) -> str:
        """The category chosen, or the new one typed."""
        return (self.new_category.data or "").strip() or (self.category.data or "")

    def data_for_bank(self) -> QuestionData:
        """The question as plain data, for the bank's checks."""
        kind = QuestionType(self.type.data)
        rows = [row.form.choice() for row in self.choices if not row.form.is_empty()]
        if kind is QuestionType.MATCHING:  # every pair counts; a right side alone is a distractor
            for row in rows:
                row.fraction = 1.0 if row.text else 0.0
        return QuestionData(
            type=kind,
            text=self.text.data or "",
            title=(self.title.data or "").strip(),
            text_format=TextFormat(self.text_format.data),
            general_feedback=self.general_feedback.data or "",
            competency=(self.competency.data or "").strip().upper() or None,
            level=int(self.level.data) if self.level.data else None,
            difficulty=Difficulty(self.difficulty.data) if self.difficulty.data else None,
            default_mark=float(self.mark.data),
            choices=[] if kind in _NO_CHOICES else rows,
            correct={"true": True, "false": False}.get(self.correct.data or ""),
            feedback_true=(self.feedback_true.data or "").strip(),
            feedback_false=(self.feedback_false.data or "").strip(),
            shuffle=self.shuffle.data,
        )


_NO_CHOICES = {QuestionType.TRUEFALSE, QuestionType.ESSAY, QuestionType.DESCRIPTION}


def _row(choice: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": choice.get("key", ""),
        "text": choice.get("text", ""),
        "fraction": round(choice.get("fraction", 0.0) * 100, 4),
        "feedback": choice.get("feedback", ""),
        "match": choice.get("match", ""),
        "value": choice.get("value"),
        "tolerance": choice.get("tolerance") or None,
    }


class QuestionFilterForm(BaseForm):
    """Filter the bank list (a GET form without CSRF)."""

    class Meta:
        csrf = False

    kategori = SelectField(_l("Kategori"), validators=[Optional()], validate_choice=False)
    jenis = SelectField(
        _l("Jenis"),
        choices=choices(
            [("", _l("Semua jenis"))] + [(t.value, label) for t, label in TYPE_LABELS.items()]
        ),
        validators=[Optional()],
        validate_choice=False,
    )
    kompetensi = StringField(_l("Kompetensi"), validators=[Optional(), Length(max=20)])
    arsip = BooleanField(_l("Tampilkan yang diarsipkan"))


class ArchiveForm(BaseForm):
    """Archive a question or bring it back."""

    archived = HiddenField(validators=[Regexp(r"^[01]$")])


# --- import and grading --------------------------------------------------------------------------


class ImportQuestionsForm(BaseForm):
    """Upload a GIFT or Moodle XML file for a preview."""

    format = SelectField(
        _l("Format"),
        choices=choices([("gift", "GIFT"), ("moodlexml", "Moodle XML")]),
    )
    file = FileField(_l("Berkas soal"), validators=[FileRequired(_l("Pilih berkas."))])


class EssayMarkForm(BaseForm):
    """A trainer's mark and comment on an essay."""

    mark = DecimalCommaField(_l("Nilai"), validators=[InputRequired(REQUIRED)])
    comment = TextAreaField(_l("Komentar"), validators=[Optional(), Length(max=5000)])


def competency_code(text: str) -> str:
    """A competency filter as typed, cleaned for comparing."""
    return re.sub(r"[^A-Za-z0-9-]", "", text or "").upper()[:20]
