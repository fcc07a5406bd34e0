"""What each report's export holds: its columns, with how to read each from a row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import g
from flask_babel import lazy_gettext as _l

from lms.extensions import db
from lms.reports import learning
from lms.reports import queries as q
from lms.reports.pages import percent

#: enrolment statuses as the pages and exports name them
STATUS_LABELS = {
    "completed": _l("Selesai"),
    "overdue": _l("Terlambat"),
    "in_progress": _l("Sedang berjalan"),
    "not_started": _l("Belum mulai"),
}
#: how a learner came to be enrolled, in words
SOURCE_LABELS = {
    "self": _l("Mandiri"),
    "assigned": _l("Ditugaskan"),
    "rule": _l("Aturan penugasan"),
}

#: (header, how to read the cell from a row) per column
Columns = list[tuple[Any, Callable[[Any], Any]]]


def headers(columns: Columns) -> list[str]:
    """The header row of an export."""
    return [str(title) for title, _get in columns]


def label(labels: dict[str, Any], value: Any) -> str:
    """A status or source (a string or an enum) in words."""
    value = getattr(value, "value", value)
    # translated once per request: an export asks for the same few words on every row
    words = g.setdefault("report_labels", {})
    key = (id(labels), value)
    if key not in words:
        words[key] = str(labels.get(value, value or ""))
    return words[key]


#: who a row of a per-employee report is about
EMPLOYEE: Columns = [
    (_l("NIP"), lambda r: r.nip),
    (_l("Nama"), lambda r: r.name),
    (_l("Unit kerja"), lambda r: r.unit),
]

COMPLETION: Columns = [
    *EMPLOYEE,
    (_l("Kode kursus"), lambda r: r.course),
    (_l("Judul kursus"), lambda r: r.course_title),
    (_l("JP"), lambda r: r.jp),
    (_l("Status"), lambda r: label(STATUS_LABELS, r.status)),
    (_l("Tenggat"), lambda r: r.due_date),
    (_l("Selesai pada"), lambda r: r.completed_at),
    (_l("Progres (%)"), lambda r: r.progress_percent),
    (_l("Sumber"), lambda r: label(SOURCE_LABELS, r.source)),
]

JP: Columns = [
    *EMPLOYEE,
    (_l("JP diperoleh"), lambda r: r.earned),
    (_l("Target JP"), lambda r: r.target),
    (_l("Target tercapai"), lambda r: str(_l("Ya") if r.earned >= r.target else _l("Tidak"))),
]


def share(row: Any) -> int:
    """Employees below the standard, in percent of those it applies to."""
    return percent(row.short, row.required_count) or 0


GAPS: Columns = [
    (_l("Unit kerja"), lambda r: r.unit),
    (_l("Kode kompetensi"), lambda r: r.code),
    (_l("Kompetensi"), lambda r: r.name),
    (_l("Pegawai dengan standar"), lambda r: r.required_count),
    (_l("Di bawah standar"), lambda r: r.short),
    (_l("Di bawah standar (%)"), share),
    (_l("Rata-rata kesenjangan (level)"), lambda r: round(float(r.mean_gap or 0), 2)),
]

QUIZZES: Columns = [
    (_l("Kode kursus"), lambda r: r.code),
    (_l("Judul kursus"), lambda r: r.course_title),
    (_l("Kuis"), lambda r: r.quiz_title),
    (_l("Percobaan"), lambda r: r.attempts),
    (_l("Peserta"), lambda r: r.learners),
    (
        _l("Rata-rata nilai (%)"),
        lambda r: None if r.mean_percent is None else round(r.mean_percent, 1),
    ),
    (_l("Peserta lulus"), lambda r: r.passed),
    (_l("Tingkat kelulusan (%)"), lambda r: percent(r.passed, r.learners)),
]


def evaluation_headers(by_trainer: bool) -> list[str]:
    """The header row of the evaluation export, per trainer or per course."""
    key = [_l("Pelatih")] if by_trainer else [_l("Kode kursus"), _l("Judul kursus")]
    titles = [*key, _l("Pernyataan"), _l("Tanggapan"), _l("Rata-rata (1–5)")]
    return [*(str(title) for title in titles), *(str(n) for n in range(1, 6))]


def evaluation_rows(f: q.ReportFilter, by_trainer: bool) -> Iterator[list[Any]]:
    """The evaluation results in long form: one row per course (or trainer) and statement."""
    if by_trainer:
        trainers = db.session.execute(learning.evaluation_by_trainer(f)).all()
        courses = learning.trainer_courses(f, [t.user_id for t in trainers])
        groups = [([t.trainer], courses[t.user_id]) for t in trainers]
    else:
        groups = [
            ([c.code, c.course_title], [c.course_id])
            for c in db.session.execute(learning.evaluation_by_course(f))
        ]
    for key, course_ids in groups:
        _responses, items, _comments = learning.evaluation_results(f, course_ids)
        for item in items:
            yield [*key, item.text, item.responses, item.mean, *item.distribution]
