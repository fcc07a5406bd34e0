"""Forms of the competency editing pages: the dictionary and its CSV import, position standards,
assessor ratings, external training and individual development plans."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from lms.competencies.models import (
    ActivityKind,
    ActivityStatus,
    Competency,
    CompetencyKind,
    EvidenceSource,
    PlanStatus,
)
from lms.competencies.profile import LAYER_NATIONAL, LAYER_POSITION, LAYER_TYPE
from lms.core.forms import BaseForm, SubForm, choices
from lms.core.urls import MAX_ID

REQUIRED = _l("Wajib diisi.")
#: the five levels of every competency
LEVELS = (1, 2, 3, 4, 5)

KIND_LABELS = {
    CompetencyKind.MANAGERIAL: _l("Manajerial"),
    CompetencyKind.SOCIO_CULTURAL: _l("Sosial kultural"),
    CompetencyKind.TECHNICAL: _l("Teknis"),
}
LAYER_LABELS = {
    LAYER_POSITION: _l("standar jabatan ini"),
    LAYER_TYPE: _l("standar jenis jabatan instansi"),
    LAYER_NATIONAL: _l("standar nasional"),
}
PLAN_STATUS_LABELS = {
    PlanStatus.DRAFT: _l("Draf"),
    PlanStatus.SUBMITTED: _l("Menunggu persetujuan atasan"),
    PlanStatus.APPROVED: _l("Disetujui"),
    PlanStatus.RETURNED: _l("Dikembalikan untuk diperbaiki"),
    PlanStatus.COMPLETED: _l("Selesai"),
}
ACTIVITY_KIND_LABELS = {
    ActivityKind.COURSE: _l("Kursus"),
    ActivityKind.MENTORING: _l("Mentoring / coaching"),
    ActivityKind.ON_THE_JOB: _l("Penugasan di tempat kerja"),
    ActivityKind.ROTATION: _l("Rotasi jabatan"),
    ActivityKind.EDUCATION: _l("Pendidikan lanjutan"),
}
ACTIVITY_STATUS_LABELS = {
    ActivityStatus.PLANNED: _l("Direncanakan"),
    ActivityStatus.IN_PROGRESS: _l("Sedang berjalan"),
    ActivityStatus.DONE: _l("Selesai"),
}


#: what the history of a plan shows for its audit events
PLAN_EVENT_LABELS = {
    "plan.submitted": _l("Dikirim ke atasan"),
    "plan.approved": _l("Disetujui atasan"),
    "plan.returned": _l("Dikembalikan atasan"),
}
EVIDENCE_SOURCE_LABELS = {
    EvidenceSource.QUIZ: _l("Kuis"),
    EvidenceSource.COURSE: _l("Kursus selesai"),
    EvidenceSource.ASSESSOR: _l("Penilaian asesor"),
    EvidenceSource.EXTERNAL: _l("Pelatihan eksternal"),
}


def _optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    number = int(value)  # type: ignore[call-overload]
    if not 0 < number <= MAX_ID:  # no id is that large ("Pilihan tidak sah", not a 500)
        raise ValueError(value)
    return number


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _level_choices(first: int = 1) -> list:
    return choices((n, str(n)) for n in range(first, 6))


# --- the dictionary -------------------------------------------------------------------------------


class LevelEntryForm(SubForm):
    """One level of a competency: what it means and its indicators, one per line."""

    title = TextAreaField(
        _l("Deskripsi level"), validators=[DataRequired(REQUIRED), Length(max=1000)]
    )
    indicators = TextAreaField(
        _l("Indikator perilaku (satu per baris)"), validators=[Optional(), Length(max=5000)]
    )


class CompetencyForm(BaseForm):
    """Create or edit a competency with its five levels."""

    code = StringField(
        _l("Kode"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Kode hanya huruf, angka dan tanda hubung.")),
        ],
    )
    name = StringField(_l("Nama kompetensi"), validators=[DataRequired(REQUIRED), Length(max=200)])
    definition = TextAreaField(_l("Definisi"), validators=[Optional(), Length(max=5000)])
    levels = FieldList(FormField(LevelEntryForm), min_entries=5, max_entries=5)

    def fill(self, competency: Competency) -> None:
        """Show a stored competency."""
        self.code.data = competency.code
        self.name.data = competency.name
        self.definition.data = competency.definition
        stored = {lvl.level: lvl for lvl in competency.levels}
        for number, entry in zip(LEVELS, self.levels, strict=True):
            level = stored.get(number)
            entry.form.title.data = level.title if level else ""
            entry.form.indicators.data = "\n".join(level.indicators) if level else ""

    def entry(self, kind: CompetencyKind) -> dict[str, Any]:
        """The competency as the dictionary service takes it."""
        return {
            "code": self.code.data or "",
            "name": self.name.data or "",
            "kind": kind.value,
            "definition": self.definition.data or "",
            "level": [
                {
                    "level": number,
                    "title": entry.form.title.data or "",
                    "indicators": _lines(entry.form.indicators.data),
                }
                for number, entry in zip(LEVELS, self.levels, strict=True)
            ],
        }


class ActiveForm(BaseForm):
    """Retire a competency or bring it back."""

    active = HiddenField(validators=[AnyOf(["0", "1"])])


class DictionaryImportForm(BaseForm):
    """Upload a dictionary CSV file."""

    file = FileField(_l("Berkas CSV"), validators=[FileRequired(_l("Pilih berkas."))])


# --- standards ------------------------------------------------------------------------------------


class LevelMatrixForm(BaseForm):
    """Required levels of many competencies, posted as ``level-<competency id>``; the fields
    depend on the dictionary, so they are read here rather than declared."""

    def chosen_levels(
        self, formdata: Mapping[str, str], competency_ids: Iterable[int], *, inherit: bool
    ) -> dict[int, int | None] | None:
        """The level chosen for each competency (0–5; with ``inherit``, ``None`` for "follow
        the defaults"); None, with a form error, when a value is missing or malformed."""
        chosen: dict[int, int | None] = {}
        for competency_id in competency_ids:
            raw = (formdata.get(f"level-{competency_id}") or "").strip()
            if raw == "" and inherit:
                chosen[competency_id] = None
            elif raw.isascii() and raw.isdigit() and 0 <= int(raw) <= 5:
                chosen[competency_id] = int(raw)
            else:
                self.form_errors.append(_l("Pilih level 0 sampai 5 untuk setiap kompetensi."))
                return None
        return chosen


# --- assessor ratings and external training ------------------------------------------------------


class RatingForm(BaseForm):
    """An assessor's rating of an employee in one competency."""

    competency_id = SelectField(_l("Kompetensi"), coerce=int, validators=[InputRequired(REQUIRED)])
    level = SelectField(
        _l("Level yang ditunjukkan"), coerce=int, choices=_level_choices(), default=1
    )
    observed_on = DateField(
        _l("Tanggal penilaian"), validators=[InputRequired(REQUIRED)], default=date.today
    )
    note = TextAreaField(
        _l("Catatan dasar penilaian"),
        validators=[DataRequired(REQUIRED), Length(max=5000)],
        description=_l("Misalnya hasil assessment center, observasi kerja, atau umpan balik."),
    )


class ExternalTrainingForm(BaseForm):
    """Training held outside Lentera, recorded by HR."""

    title = StringField(_l("Nama pelatihan"), validators=[DataRequired(REQUIRED), Length(max=300)])
    provider = StringField(_l("Penyelenggara"), validators=[Optional(), Length(max=300)])
    jp = IntegerField(
        _l("Jumlah JP"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=1000, message=_l("JP harus 1 sampai 1000.")),
        ],
    )
    completed_on = DateField(_l("Tanggal selesai"), validators=[InputRequired(REQUIRED)])
    certificate = FileField(
        _l("Sertifikat (PDF atau gambar, maks. 10 MB, opsional)"), validators=[Optional()]
    )
    competency_id = SelectField(_l("Kompetensi yang dikembangkan (opsional)"), coerce=_optional_int)
    level = SelectField(
        _l("Level yang ditunjukkan"),
        coerce=_optional_int,
        choices=choices([("", _l("— tidak ada —")), *((n, str(n)) for n in LEVELS)]),
    )
    expires_on = DateField(_l("Berlaku sampai (opsional)"), validators=[Optional()])


# --- development plans ----------------------------------------------------------------------------


class GoalForm(BaseForm):
    """A goal of a development plan."""

    year = IntegerField(validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    competency_id = SelectField(_l("Kompetensi"), coerce=int, validators=[InputRequired(REQUIRED)])
    target_level = SelectField(_l("Level sasaran"), coerce=int, choices=_level_choices())
    note = TextAreaField(_l("Alasan (opsional)"), validators=[Optional(), Length(max=2000)])


class ActivityForm(BaseForm):
    """An activity towards a goal."""

    kind = SelectField(
        _l("Jenis kegiatan"),
        choices=choices((k.value, label) for k, label in ACTIVITY_KIND_LABELS.items()),
        validators=[AnyOf([k.value for k in ActivityKind])],
    )
    # the view checks the course against the catalog: the options are only a shortlist
    course_id = SelectField(
        _l("Kursus (untuk kegiatan kursus)"), coerce=_optional_int, validate_choice=False
    )
    description = TextAreaField(_l("Uraian"), validators=[Optional(), Length(max=2000)])
    due_on = DateField(_l("Target selesai"), validators=[Optional()])

    def parsed_kind(self) -> ActivityKind:
        """The chosen kind of activity."""
        return ActivityKind(self.kind.data)


class ActivityStatusForm(BaseForm):
    """The progress of an activity of an approved plan."""

    status = SelectField(
        _l("Status"),
        choices=choices((s.value, label) for s, label in ACTIVITY_STATUS_LABELS.items()),
        validators=[AnyOf([s.value for s in ActivityStatus])],
    )
    evidence_id = SelectField(_l("Bukti kompetensi (opsional)"), coerce=_optional_int)

    def parsed_status(self) -> ActivityStatus:
        """The chosen status."""
        return ActivityStatus(self.status.data)


class DecisionForm(BaseForm):
    """The supervisor approves a plan or returns it with a note."""

    decision = HiddenField(validators=[AnyOf(["setujui", "kembalikan"])])
    note = TextAreaField(
        _l("Catatan untuk pegawai"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Wajib diisi bila rencana dikembalikan."),
    )
