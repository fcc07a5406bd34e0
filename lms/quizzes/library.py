"""Quizzes for quiz lessons: created on publish; from course folders, questions into the
course's bank and settings from the manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.errors import DomainError
from lms.core.signals import course_imported, course_published
from lms.courses.library import LibraryError, PlannedLesson
from lms.courses.models import Course, CourseVersion, Lesson, LessonType
from lms.extensions import db
from lms.quizzes import attempts, bank
from lms.quizzes.formats import gift
from lms.quizzes.models import GradingMethod, Quiz, QuizKind, ReviewOption

#: manifest keys of ``quiz = {…}`` and how each is read
SETTINGS = (
    "kind",
    "time_limit",
    "pass",
    "attempts",
    "grading",
    "review",
    "one_per_page",
    "shuffle",
)


@course_published.connect
def give_quiz_lessons_their_quiz(
    _sender: Any, *, course: Course, version: CourseVersion, **_extra: Any
) -> None:
    """Every quiz lesson of a published version has a quiz (with default settings at first)."""
    lessons = db.session.scalars(
        select(Lesson).where(Lesson.version_id == version.id, Lesson.lesson_type == LessonType.QUIZ)
    ).all()
    for lesson in lessons:
        attempts.ensure_quiz(course, lesson)


@course_imported.connect
def import_quizzes(
    _sender: Any,
    *,
    course: Course,
    folder: Path,
    quizzes: list[PlannedLesson],
    actor: User | None,
    **_extra: Any,
) -> None:
    """Read each quiz lesson's GIFT file into the course bank and set up its quiz."""
    for planned in quizzes:
        result = gift.parse(planned.body)
        if result.errors:
            problem = result.errors[0]
            raise LibraryError(planned.source, problem.line, problem.message)
        for question in result.questions:
            if not (question.competency and question.level and question.difficulty):
                raise LibraryError(
                    planned.source, question.line, "soal tanpa kompetensi, level dan kesulitan"
                )
        try:
            questions = bank.import_questions(
                course.organisation_id,
                course.id,
                result.questions,
                default_category=f"{course.code}/{planned.source.stem}",
                actor=actor,
            )
        except DomainError as error:
            raise LibraryError(planned.source, None, error.message) from None
        lesson = db.session.scalar(
            select(Lesson).where(
                Lesson.version_id == course.published_version_id, Lesson.key == planned.key
            )
        )
        quiz = attempts.ensure_quiz(course, lesson)
        if [i.question_id for i in quiz.items] != [q.id for q in questions]:
            attempts.set_fixed_questions(quiz, questions)
        _apply_settings(quiz, planned.options, folder / "course.toml")
    db.session.flush()


def _apply_settings(quiz: Quiz, options: dict[str, Any], manifest: Path) -> None:
    unknown = set(options) - set(SETTINGS)
    if unknown:
        raise LibraryError(manifest, None, f"pengaturan kuis tidak dikenal: {', '.join(unknown)}")
    try:
        if "kind" in options:
            quiz.kind = QuizKind(options["kind"])
        if "grading" in options:
            quiz.grading_method = GradingMethod(options["grading"])
        if "review" in options:
            quiz.review = ReviewOption(options["review"])
    except ValueError as error:
        raise LibraryError(manifest, None, f"pengaturan kuis salah: {error}") from None
    limit = options.get("time_limit")
    if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= 600):
        raise LibraryError(manifest, None, "time_limit harus menit, 1–600")
    if "time_limit" in options:
        quiz.time_limit_minutes = limit
    pass_mark = options.get("pass", quiz.pass_percent)
    if not isinstance(pass_mark, int | float) or not 0 <= pass_mark <= 100:
        raise LibraryError(manifest, None, "pass harus 0–100")
    quiz.pass_percent = float(pass_mark)
    allowed = options.get("attempts", quiz.attempts_allowed)
    if not isinstance(allowed, int) or allowed < 0:
        raise LibraryError(manifest, None, "attempts harus bilangan ≥ 0 (0 = tanpa batas)")
    quiz.attempts_allowed = allowed
    quiz.one_per_page = bool(options.get("one_per_page", quiz.one_per_page))
    shuffle = bool(options.get("shuffle", quiz.shuffle_questions))
    quiz.shuffle_questions = quiz.shuffle_options = shuffle
