"""End-of-course evaluation (Kirkpatrick level 1): the survey, responses and results."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select

from lms.accounts import audit
from lms.accounts.models import Employee, User
from lms.core.errors import DomainError
from lms.courses.models import (
    CourseTrainer,
    Enrollment,
    EvaluationResponse,
    EvaluationTemplate,
)
from lms.extensions import db

#: the statements asked when an organisation has not written its own
DEFAULT_ITEMS = (
    _l("Materi kursus relevan dengan pekerjaan saya."),
    _l("Materi tersusun runtut dan mudah dipahami."),
    _l("Pelatih atau narasumber menguasai materi."),
    _l("Video dan bahan ajar lancar diakses dengan koneksi saya."),
    _l("Kuis sesuai dengan materi yang diajarkan."),
    _l("Saya akan menerapkan yang saya pelajari dalam pekerjaan."),
    _l("Secara keseluruhan saya puas dengan kursus ini."),
)
#: the Likert scale
SCALE = (1, 2, 3, 4, 5)
MAX_ITEMS = 20


def template_items(organisation_id: int) -> tuple[list[str], str]:
    """The statements and the comment prompt the organisation asks."""
    template = db.session.scalar(
        select(EvaluationTemplate).where(EvaluationTemplate.organisation_id == organisation_id)
    )
    if template is None or not template.items:
        return [str(item) for item in DEFAULT_ITEMS], _("Saran untuk perbaikan kursus ini")
    return list(template.items), template.comment_prompt or _("Saran untuk perbaikan kursus ini")


def save_template(organisation_id: int, items: list[str], prompt: str, *, actor: User) -> None:
    """HR set the organisation's survey (1–20 statements)."""
    cleaned = [i.strip()[:300] for i in items if i.strip()]
    if not 1 <= len(cleaned) <= MAX_ITEMS:
        raise DomainError(_("Isi 1 sampai 20 pernyataan."), field="items")
    template = db.session.scalar(
        select(EvaluationTemplate).where(EvaluationTemplate.organisation_id == organisation_id)
    )
    if template is None:
        template = EvaluationTemplate(organisation_id=organisation_id)
        db.session.add(template)
    template.items = cleaned
    template.comment_prompt = prompt.strip()[:300]
    db.session.flush()
    audit.record(
        "evaluation.template_changed",
        actor=actor,
        organisation_id=organisation_id,
        target=template,
        data={"items": len(cleaned)},
    )


def response_for(enrollment: Enrollment) -> EvaluationResponse | None:
    """The learner's evaluation of the current run through the course."""
    return db.session.scalar(
        select(EvaluationResponse).where(
            EvaluationResponse.enrollment_id == enrollment.id,
            EvaluationResponse.cycle == enrollment.cycle,
        )
    )


def is_due(enrollment: Enrollment) -> bool:
    """The course asks for an evaluation, the lessons are done and it is not filled yet."""
    return (
        enrollment.course.requires_evaluation
        and enrollment.progress_percent == 100
        and enrollment.completed_at is None
        and response_for(enrollment) is None
    )


def submit(enrollment: Enrollment, ratings: list[int], comment: str, *, actor: User) -> None:
    """Keep the learner's evaluation; the course completes if it waited for it."""
    from lms.courses.enrollment import recompute

    if enrollment.withdrawn_at is not None:
        raise DomainError(_("Anda tidak terdaftar di kursus ini."), code="not_enrolled")
    if enrollment.progress_percent < 100:
        raise DomainError(_("Evaluasi diisi setelah semua pelajaran wajib selesai."), code="early")
    if response_for(enrollment) is not None:
        raise DomainError(_("Evaluasi kursus ini sudah Anda isi."), code="already_submitted")
    items, _prompt = template_items(enrollment.course.organisation_id)
    if len(ratings) != len(items) or any(r not in SCALE for r in ratings):
        raise DomainError(_("Beri nilai 1 sampai 5 untuk setiap pernyataan."), field="ratings")
    db.session.add(
        EvaluationResponse(
            enrollment_id=enrollment.id,
            cycle=enrollment.cycle,
            course_id=enrollment.course_id,
            items=items,
            ratings=list(ratings),
            comment=comment.strip()[:5000],
        )
    )
    db.session.flush()
    recompute(enrollment)
    audit.record(
        "evaluation.submitted",
        actor=actor,
        organisation_id=enrollment.employee.organisation_id,
        target=enrollment,
        data={"course": enrollment.course.code},
    )


@dataclass
class ItemResult:
    """One statement's results."""

    text: str
    responses: int
    mean: float | None
    distribution: list[int]  # count of ratings 1..5


def results(
    course_ids: list[int], *, where: list[ColumnElement[bool]] | None = None
) -> tuple[int, list[ItemResult], list[str]]:
    """Responses, per-statement results and the latest comments of the courses' evaluations.

    Statements are matched by their text, so a survey changed midway keeps its history apart.
    ``where`` limits the responses by conditions on them, their enrolment and the employee
    (a report keeps to one organisation's employees and a period).
    """
    query = select(
        EvaluationResponse.items, EvaluationResponse.ratings, EvaluationResponse.comment
    ).where(EvaluationResponse.course_id.in_(course_ids or [0]))
    if where:
        query = (
            query.join(Enrollment, Enrollment.id == EvaluationResponse.enrollment_id)
            .join(Employee, Employee.id == Enrollment.employee_id)
            .where(*where)
        )
    rows = db.session.execute(query.order_by(EvaluationResponse.submitted_at.desc())).all()
    stats: dict[str, list[int]] = {}
    comments = []
    for items, ratings, comment in rows:
        for text, rating in zip(items, ratings, strict=False):
            stats.setdefault(text, [0, 0, 0, 0, 0])[rating - 1] += 1
        if comment:
            comments.append(comment)
    results_ = []
    for text, counts in stats.items():
        total = sum(counts)
        mean = sum((i + 1) * c for i, c in enumerate(counts)) / total if total else None
        results_.append(ItemResult(text, total, round(mean, 2) if mean else None, counts))
    return len(rows), results_, comments[:50]


def trainer_course_ids(user_id: int) -> list[int]:
    """The courses a trainer teaches (for results per trainer)."""
    return list(
        db.session.scalars(select(CourseTrainer.course_id).where(CourseTrainer.user_id == user_id))
    )


def response_counts(course_ids: list[int]) -> dict[int, int]:
    """Responses per course."""
    rows = db.session.execute(
        select(EvaluationResponse.course_id, func.count())
        .where(EvaluationResponse.course_id.in_(course_ids or [0]))
        .group_by(EvaluationResponse.course_id)
    ).all()
    return dict(rows)


@dataclass
class CourseMean:
    """All the ratings of one course's evaluations together."""

    responses: int = 0
    ratings: int = 0
    total: int = 0

    @property
    def mean(self) -> float | None:
        """The mean of every rating given (1–5), or None without any."""
        return round(self.total / self.ratings, 2) if self.ratings else None

    def add(self, other: CourseMean) -> None:
        """Fold another course's ratings in (for the mean over several courses)."""
        self.responses += other.responses
        self.ratings += other.ratings
        self.total += other.total


def course_means(course_ids: list[int]) -> dict[int, CourseMean]:
    """Per course: responses and the mean of all their ratings, in one streamed query.

    Ratings are JSON lists, which SQLite and PostgreSQL cannot average alike, so they are
    summed here, a thousand rows at a time.
    """
    means: dict[int, CourseMean] = {}
    rows = db.session.execute(
        select(EvaluationResponse.course_id, EvaluationResponse.ratings)
        .where(EvaluationResponse.course_id.in_(course_ids or [0]))
        .execution_options(yield_per=1000)
    )
    for course_id, ratings in rows:
        found = means.setdefault(course_id, CourseMean())
        found.responses += 1
        found.ratings += len(ratings)
        found.total += sum(ratings)
    return means
