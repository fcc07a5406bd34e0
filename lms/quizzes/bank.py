"""Question banks: categories, adding and changing questions, import and export."""

from __future__ import annotations

import io
import secrets
from dataclasses import asdict

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from lms.accounts import audit
from lms.accounts.models import User
from lms.core.errors import DomainError
from lms.extensions import db
from lms.media.detect import IMAGE_TYPES, sniff_image
from lms.media.storage import local_copy, store
from lms.quizzes.formats import gift, moodlexml
from lms.quizzes.formats.model import Choice, ImportProblem, ImportResult, QuestionType
from lms.quizzes.formats.model import Question as QuestionData
from lms.quizzes.models import Question, QuestionCategory

#: types whose answer key is a list of choices
CHOICE_TYPES = {
    QuestionType.MULTICHOICE,
    QuestionType.MULTIRESPONSE,
    QuestionType.SHORTANSWER,
    QuestionType.NUMERICAL,
    QuestionType.MATCHING,
    QuestionType.ORDERING,
}
#: largest image embedded in a question file
MAX_QUESTION_FILE = 5 * 1024 * 1024


def clean_path(path: str, fallback: str) -> str:
    """A category path without empty parts or surrounding spaces."""
    parts = [p.strip() for p in (path or "").replace("\\", "/").split("/") if p.strip()]
    return "/".join(parts)[:300] or fallback


def category_for(organisation_id: int, course_id: int | None, path: str) -> QuestionCategory:
    """The bank category with that path, created when missing."""
    found = db.session.scalar(
        select(QuestionCategory).where(
            QuestionCategory.organisation_id == organisation_id,
            QuestionCategory.course_id.is_(None)
            if course_id is None
            else QuestionCategory.course_id == course_id,
            QuestionCategory.path == path,
        )
    )
    if found is None:
        found = QuestionCategory(organisation_id=organisation_id, course_id=course_id, path=path)
        db.session.add(found)
        db.session.flush()
    return found


def check(data: QuestionData) -> None:
    """Refuse a question that cannot be graded as its type says."""
    if not data.text.strip():
        raise DomainError(_("Teks soal wajib diisi."), field="text")
    if data.level is not None and not 1 <= data.level <= 5:
        raise DomainError(_("Level harus 1 sampai 5."), field="level")
    if data.type is not QuestionType.DESCRIPTION and not 0 < data.default_mark <= 100:
        raise DomainError(_("Bobot soal harus lebih dari 0 dan paling banyak 100."), field="mark")
    kind = data.type
    choices = data.choices
    if kind is QuestionType.TRUEFALSE and data.correct is None:
        raise DomainError(_("Tentukan jawaban benar (benar/salah)."), field="correct")
    if kind in (QuestionType.MULTICHOICE, QuestionType.MULTIRESPONSE) and len(choices) < 2:
        raise DomainError(_("Soal pilihan perlu sedikitnya dua pilihan."), field="choices")
    if (
        kind in CHOICE_TYPES
        and kind is not QuestionType.ORDERING
        and not any(c.fraction > 0 for c in choices)
    ):
        raise DomainError(_("Sedikitnya satu jawaban harus bernilai benar."), field="choices")
    if kind is QuestionType.NUMERICAL and any(c.value is None and c.text != "*" for c in choices):
        raise DomainError(_("Setiap jawaban angka perlu nilai."), field="choices")
    if kind is QuestionType.MATCHING and (
        sum(1 for c in choices if c.text.strip() and c.match.strip()) < 2
    ):
        raise DomainError(_("Soal menjodohkan perlu sedikitnya dua pasangan."), field="choices")
    if kind is QuestionType.ORDERING and len(choices) < 2:
        raise DomainError(_("Soal mengurutkan perlu sedikitnya dua butir."), field="choices")
    if any(not -1.0 <= c.fraction <= 1.0 for c in choices):
        raise DomainError(_("Bobot jawaban harus dari -100 sampai 100 persen."), field="choices")


def _grading_key(kind: QuestionType, choices: list[dict], correct: bool | None) -> tuple:
    return (
        kind.value,
        correct,
        tuple(
            (c["key"], c["text"] if kind is not QuestionType.MATCHING else c["match"],
             c["fraction"], c.get("value"), c.get("tolerance"), c.get("match"))
            for c in choices
        ),
    )  # fmt: skip


def _choices_with_keys(data: QuestionData, old: list[dict]) -> list[dict]:
    """Choices as stored; a choice keeps its key when its text is unchanged, so answers keep
    meaning across edits."""
    by_text = {(c["text"], c.get("match", "")): c["key"] for c in old}
    used: set[str] = set()
    result = []
    for choice in data.choices:
        key = choice.key or by_text.get((choice.text, choice.match), "")
        if not key or key in used:
            key = secrets.token_hex(4)
        used.add(key)
        stored = asdict(choice)
        stored["key"] = key
        result.append(stored)
    return result


def _apply(question: Question, data: QuestionData) -> None:
    question.type = data.type
    question.title = (data.title or data.text.strip().splitlines()[0])[:255]
    question.text = data.text
    question.text_format = data.text_format
    question.general_feedback = data.general_feedback
    question.competency = (data.competency or "").strip().upper()[:20] or None
    question.level = data.level
    question.difficulty = data.difficulty
    question.default_mark = data.default_mark
    question.shuffle = data.shuffle
    question.correct = data.correct if data.type is QuestionType.TRUEFALSE else None
    question.feedback_true = data.feedback_true
    question.feedback_false = data.feedback_false


def check_files(data: QuestionData) -> None:
    """A DomainError when a file of the question is not an image a question may show."""
    for name, content in data.files.items():
        if len(content) > MAX_QUESTION_FILE or sniff_image(content[:64]) not in IMAGE_TYPES:
            raise DomainError(
                _("Berkas %(name)s bukan gambar yang didukung.", name=name[:200]), field="files"
            )


def _store_files(question: Question, data: QuestionData) -> None:
    check_files(data)
    files = dict(question.files or {})
    for name, content in data.files.items():
        suffix = IMAGE_TYPES[sniff_image(content[:64])][1]
        stored = store(io.BytesIO(content), "questions", suffix, max_bytes=MAX_QUESTION_FILE)
        files[name[:200]] = stored.path
    question.files = files


def add_question(category: QuestionCategory, data: QuestionData, *, actor: User | None) -> Question:
    """A new question in a bank category."""
    check(data)
    question = Question(category=category, organisation_id=category.organisation_id)
    _apply(question, data)
    question.choices = _choices_with_keys(data, [])
    question.files = {}
    _store_files(question, data)
    db.session.add(question)
    db.session.flush()
    return question


def update_question(question: Question, data: QuestionData, *, actor: User | None) -> bool:
    """Change a question; True when its answer key changed (attempts may need a regrade)."""
    check(data)
    before = _grading_key(question.type, question.choices, question.correct)
    _apply(question, data)
    question.choices = _choices_with_keys(data, question.choices or [])
    _store_files(question, data)
    changed = _grading_key(question.type, question.choices, question.correct) != before
    if changed:
        question.key_version += 1
        audit.record(
            "question.key_changed",
            actor=actor,
            organisation_id=question.organisation_id,
            target=question,
            data={"title": question.title},
        )
    db.session.flush()
    return changed


def parse_file(content: bytes, kind: str) -> ImportResult:
    """Questions and problems read from an uploaded GIFT or Moodle XML file."""
    if kind == "gift":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return ImportResult(errors=[ImportProblem(1, _("Berkas GIFT harus teks UTF-8."))])
        if "\x00" in text:  # a binary file; PostgreSQL cannot keep the character either
            line = text.count("\n", 0, text.index("\x00")) + 1
            message = _("Berkas GIFT memuat karakter NUL; simpan ulang sebagai teks UTF-8.")
            return ImportResult(errors=[ImportProblem(line, message)])
        result = gift.parse(text)
    elif kind == "moodlexml":
        result = moodlexml.parse(content)
    else:
        raise DomainError(_("Format harus gift atau moodlexml."), code="invalid", field="format")
    good = []
    for question in result.questions:
        try:
            check(question)
            check_files(question)  # the preview names them, not a failed confirmation
        except DomainError as error:
            result.errors.append(ImportProblem(question.line, error.message))
        else:
            good.append(question)
    result.questions = good
    if not good and not result.errors:  # an empty file, or only comments and categories
        result.errors.append(ImportProblem(1, _("Berkas tidak memuat satu soal pun.")))
    result.errors.sort(key=lambda p: p.line)
    return result


def import_questions(
    organisation_id: int,
    course_id: int | None,
    questions: list[QuestionData],
    *,
    default_category: str,
    actor: User | None,
) -> list[Question]:
    """Add the questions to a bank; a question whose category and title exist replaces it."""
    saved = []
    for data in questions:
        category = category_for(
            organisation_id, course_id, clean_path(data.category, default_category)
        )
        title = (data.title or data.text.strip().splitlines()[0])[:255]
        existing = db.session.scalar(
            select(Question).where(Question.category_id == category.id, Question.title == title)
        )
        if existing is None:
            saved.append(add_question(category, data, actor=actor))
        else:
            update_question(existing, data, actor=actor)
            existing.is_archived = False
            saved.append(existing)
    if saved:
        audit.record(
            "questions.imported",
            actor=actor,
            organisation_id=organisation_id,
            target=None,
            data={"count": len(saved), "course_id": course_id},
        )
    return saved


def bank_questions(organisation_id: int, course_id: int | None) -> list[Question]:
    """The bank's questions (not archived) with their categories, by category path."""
    scope = (
        QuestionCategory.course_id.is_(None)
        if course_id is None
        else QuestionCategory.course_id == course_id
    )
    return list(
        db.session.scalars(
            select(Question)
            .join(Question.category)
            .options(contains_eager(Question.category))
            .where(
                QuestionCategory.organisation_id == organisation_id,
                scope,
                Question.is_archived.is_(False),
            )
            .order_by(QuestionCategory.path, Question.id)
        )
    )


def export(questions: list[Question], kind: str) -> tuple[bytes, list[ImportProblem]]:
    """The questions as a GIFT or Moodle XML file, with what the format could not hold."""
    datas = []
    for question in questions:
        data = question.data(question.category.path)
        data.choices = [Choice(**{**asdict(c), "key": ""}) for c in data.choices]
        for name, path in (question.files or {}).items():
            with local_copy(path) as copy:
                data.files[name] = copy.read_bytes()
        datas.append(data)
    if kind == "gift":
        text, problems = gift.dump(datas)
        return text.encode("utf-8"), problems
    if kind == "moodlexml":
        return moodlexml.dump(datas), []
    raise DomainError(_("Format harus gift atau moodlexml."), code="invalid", field="format")
