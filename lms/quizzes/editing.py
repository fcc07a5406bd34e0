"""Trainers set up quizzes and keep their banks: rules, items, questions, archiving."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from lms.accounts import audit
from lms.accounts.models import User
from lms.core.errors import DomainError
from lms.courses.models import Course
from lms.courses.services import move
from lms.extensions import db
from lms.quizzes import bank
from lms.quizzes.formats.model import Question as QuestionData
from lms.quizzes.models import (
    GradingMethod,
    Question,
    QuestionCategory,
    Quiz,
    QuizItem,
    QuizKind,
    ReviewOption,
)
from lms.quizzes.policy import usable_in

#: most questions one random draw may ask
MAX_DRAW = 100


@dataclass
class QuizSettings:
    """The rules of a quiz as a trainer sets them."""

    kind: QuizKind
    time_limit_minutes: int | None
    attempts_allowed: int
    grading_method: GradingMethod
    pass_percent: float
    opens_at: datetime | None
    closes_at: datetime | None
    shuffle_questions: bool
    shuffle_options: bool
    one_per_page: bool
    review: ReviewOption


def update_settings(quiz: Quiz, course: Course, settings: QuizSettings, *, actor: User) -> None:
    """Change a quiz's rules; they apply to attempts started from now on."""
    if settings.time_limit_minutes is not None and not 1 <= settings.time_limit_minutes <= 1440:
        raise DomainError(_("Batas waktu harus 1 sampai 1440 menit."), field="time_limit")
    if not 0 <= settings.attempts_allowed <= 100:
        raise DomainError(_("Kesempatan harus 0 sampai 100."), field="attempts_allowed")
    if not 0 <= settings.pass_percent <= 100:
        raise DomainError(_("Nilai lulus harus 0 sampai 100."), field="pass_percent")
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        raise DomainError(_("Waktu tutup harus sesudah waktu buka."), field="closes_at")
    for name, value in vars(settings).items():
        setattr(quiz, name, value)
    audit.record(
        "quiz.updated",
        actor=actor,
        organisation_id=course.organisation_id,
        target=quiz,
        data={"course": course.code, "kind": quiz.kind.value},
    )
    db.session.flush()


def _append(quiz: Quiz, item: QuizItem) -> None:
    item.position = max((i.position for i in quiz.items), default=-1) + 1
    quiz.items.append(item)
    db.session.flush()


def add_fixed_question(quiz: Quiz, course: Course, question: Question) -> QuizItem:
    """Ask this question in every attempt."""
    if question.is_archived or not usable_in(question.category, course):
        raise DomainError(_("Soal tidak ada di bank kursus ini."), field="question")
    if any(item.question_id == question.id for item in quiz.items):
        raise DomainError(_("Soal ini sudah ada di kuis."), field="question")
    item = QuizItem(question_id=question.id)
    _append(quiz, item)
    return item


def add_draw(
    quiz: Quiz, course: Course, category: QuestionCategory, level: int | None, count: int
) -> QuizItem:
    """Ask ``count`` questions drawn at random from a category (at one level, or any)."""
    if not usable_in(category, course):
        raise DomainError(_("Kategori tidak ada di bank kursus ini."), field="category")
    if level is not None and not 1 <= level <= 5:
        raise DomainError(_("Level harus 1 sampai 5."), field="level")
    if not 1 <= count <= MAX_DRAW:
        raise DomainError(_("Jumlah soal harus 1 sampai %(n)d.", n=MAX_DRAW), field="count")
    item = QuizItem(category_id=category.id, level=level, draw_count=count)
    _append(quiz, item)
    return item


def remove_item(quiz: Quiz, item: QuizItem) -> None:
    """Stop asking an item (attempts already started keep their questions)."""
    quiz.items.remove(item)
    for position, element in enumerate(sorted(quiz.items, key=lambda i: i.position)):
        element.position = position
    db.session.flush()


def move_item(quiz: Quiz, item: QuizItem, delta: int) -> None:
    """Move an item up (-1) or down (+1)."""
    move(quiz.items, item, delta)
    db.session.flush()


def save_question(
    organisation_id: int,
    course_id: int | None,
    question: Question | None,
    data: QuestionData,
    category_path: str,
    *,
    actor: User,
) -> tuple[Question, bool]:
    """Add or change a bank question in the named category; True when its key changed."""
    path = bank.clean_path(category_path, "")
    if not path:
        raise DomainError(_("Pilih kategori atau tulis kategori baru."), field="category")
    bank.check(data)
    category = bank.category_for(organisation_id, course_id, path)
    if question is None:
        return bank.add_question(category, data, actor=actor), False
    changed = bank.update_question(question, data, actor=actor)
    question.category = category
    db.session.flush()
    return question, changed


def set_archived(question: Question, archived: bool, *, actor: User) -> None:
    """Hide a question from new quizzes and draws, or bring it back (never deleted)."""
    question.is_archived = archived
    audit.record(
        "question.archived" if archived else "question.restored",
        actor=actor,
        organisation_id=question.organisation_id,
        target=question,
        data={"title": question.title},
    )
    db.session.flush()
