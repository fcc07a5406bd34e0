"""Checking and grading answers: pure functions over :mod:`lms.quizzes.formats.model` data.

Every answer arrives in the API's shape (an option key, a list of keys, a boolean, a text, a
number, a ``{left: right}`` mapping, an ordered list of keys or an essay text); ``normalise``
refuses any other shape, ``grade`` turns a normalised answer into a credit from 0 to 1.
"""

from __future__ import annotations

import hashlib
import math
import re
from itertools import pairwise
from typing import Any

from flask_babel import gettext as _

from lms.core.errors import DomainError
from lms.quizzes.formats.model import Question, QuestionType

#: longest text answer kept (an essay of several pages)
MAX_TEXT = 20_000


def right_key(text: str) -> str:
    """The id of a matching question's right-hand item (the same for equal texts)."""
    return "m" + hashlib.sha256(text.strip().encode()).hexdigest()[:10]


def right_items(question: Question) -> dict[str, str]:
    """A matching question's right-hand items by id, in the order they were written."""
    items: dict[str, str] = {}
    for choice in question.choices:
        if choice.match.strip():
            items.setdefault(right_key(choice.match), choice.match)
    return items


def left_items(question: Question) -> list[Any]:
    """A matching question's left-hand items (choices with text; others are distractors)."""
    return [c for c in question.choices if c.text.strip()]


def _shape(message: str) -> DomainError:
    return DomainError(message, code="invalid_answer")


def normalise(question: Question, answer: Any) -> Any:
    """The answer in its stored form, or a DomainError saying what shape was expected."""
    kind = question.type
    keys = {c.key for c in question.choices}
    if answer is None:
        return None
    if kind is QuestionType.MULTICHOICE:
        if not isinstance(answer, str) or answer not in keys:
            raise _shape(_("Jawaban harus salah satu id pilihan soal ini."))
        return answer
    if kind is QuestionType.MULTIRESPONSE:
        if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
            raise _shape(_("Jawaban harus daftar id pilihan."))
        if not set(answer) <= keys:
            raise _shape(_("Jawaban memuat id pilihan yang tidak ada di soal ini."))
        return sorted(set(answer))
    if kind is QuestionType.TRUEFALSE:
        if not isinstance(answer, bool):
            raise _shape(_("Jawaban harus true atau false."))
        return answer
    if kind in (QuestionType.SHORTANSWER, QuestionType.ESSAY):
        if not isinstance(answer, str):
            raise _shape(_("Jawaban harus teks."))
        limit = MAX_TEXT if kind is QuestionType.ESSAY else 500
        if len(answer) > limit:
            raise _shape(_("Jawaban terlalu panjang (maksimal %(n)d karakter).", n=limit))
        return answer
    if kind is QuestionType.NUMERICAL:
        return _number(answer)
    if kind is QuestionType.MATCHING:
        lefts = {c.key for c in left_items(question)}
        rights = set(right_items(question))
        if not isinstance(answer, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in answer.items()
        ):
            raise _shape(_("Jawaban harus pasangan {id_kiri: id_kanan}."))
        if not set(answer) <= lefts or not set(answer.values()) <= rights:
            raise _shape(_("Jawaban memuat id pasangan yang tidak ada di soal ini."))
        return dict(sorted(answer.items()))
    if kind is QuestionType.ORDERING:
        if (
            not isinstance(answer, list)
            or not all(isinstance(a, str) for a in answer)
            or sorted(answer) != sorted(keys)
        ):
            raise _shape(_("Jawaban harus daftar semua id butir, masing-masing sekali."))
        return answer
    raise _shape(_("Soal ini tidak menerima jawaban."))


def _number(answer: Any) -> float:
    if isinstance(answer, bool):
        raise _shape(_("Jawaban harus angka."))
    if isinstance(answer, int | float):
        try:
            value = float(answer)
        except OverflowError:  # an integer past the largest float, e.g. 10**400
            raise _shape(_("Jawaban harus angka.")) from None
    elif isinstance(answer, str) and answer.strip():
        text = answer.strip().replace(" ", "")
        # Indonesian writing: 1.234,5 — a comma is the decimal mark when it is the last separator
        if "," in text and ("." not in text or text.rfind(",") > text.rfind(".")):
            text = text.replace(".", "").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise _shape(_("Jawaban harus angka, misalnya 12 atau 3,5.")) from None
    else:
        raise _shape(_("Jawaban harus angka."))
    if not math.isfinite(value):
        raise _shape(_("Jawaban harus angka."))
    return value


def _wildcard(pattern: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in _squash(pattern).split("*")]
    return re.compile("^" + ".*".join(parts) + "$", re.IGNORECASE | re.DOTALL)


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def grade(question: Question, answer: Any) -> float | None:
    """Credit 0–1 for a normalised answer; None when a trainer must grade it (essays)."""
    kind = question.type
    if kind is QuestionType.ESSAY:
        return None
    if answer is None or kind is QuestionType.DESCRIPTION:
        return 0.0
    if kind is QuestionType.MULTICHOICE:
        credit = next((c.fraction for c in question.choices if c.key == answer), 0.0)
    elif kind is QuestionType.MULTIRESPONSE:
        credit = sum(c.fraction for c in question.choices if c.key in set(answer))
    elif kind is QuestionType.TRUEFALSE:
        credit = 1.0 if answer == question.correct else 0.0
    elif kind is QuestionType.SHORTANSWER:
        given = _squash(answer)
        credit = max(
            (c.fraction for c in question.choices if c.text and _wildcard(c.text).match(given)),
            default=0.0,
        )
    elif kind is QuestionType.NUMERICAL:
        credit = max(
            (c.fraction for c in question.choices if _numeric_match(c, answer)), default=0.0
        )
    elif kind is QuestionType.MATCHING:
        lefts = left_items(question)
        right = sum(1 for c in lefts if answer.get(c.key) == right_key(c.match))
        credit = right / len(lefts) if lefts else 0.0
    elif kind is QuestionType.ORDERING:
        credit = _ordering_credit([c.key for c in question.choices], answer)
    else:
        credit = 0.0
    return min(1.0, max(0.0, round(credit, 6)))


def _numeric_match(choice: Any, answer: float) -> bool:
    """The answer is within the choice's tolerance; ``*`` (Moodle's "any other answer") matches
    every number."""
    if choice.value is None:
        return choice.text == "*"
    return abs(answer - choice.value) <= abs(choice.tolerance) + 1e-9


def _ordering_credit(correct: list[str], given: list[str]) -> float:
    """Share of neighbouring pairs in the right order (Moodle's "relative to the next item")."""
    if len(correct) < 2:
        return 1.0 if given == correct else 0.0
    follows = dict(pairwise(correct))
    right = sum(1 for a, b in pairwise(given) if follows.get(a) == b)
    return right / (len(correct) - 1)


def correct_answer(question: Question) -> Any:
    """The fully right answer in the API's shape (shown in reviews that allow it)."""
    kind = question.type
    if kind is QuestionType.MULTICHOICE:
        best = max(question.choices, key=lambda c: c.fraction, default=None)
        return best.key if best else None
    if kind is QuestionType.MULTIRESPONSE:
        return sorted(c.key for c in question.choices if c.fraction > 0)
    if kind is QuestionType.TRUEFALSE:
        return question.correct
    if kind is QuestionType.SHORTANSWER:
        best = max(question.choices, key=lambda c: c.fraction, default=None)
        return best.text if best else None
    if kind is QuestionType.NUMERICAL:
        best = max(
            (c for c in question.choices if c.value is not None),
            key=lambda c: c.fraction,
            default=None,
        )
        return best.value if best else None
    if kind is QuestionType.MATCHING:
        return {c.key: right_key(c.match) for c in left_items(question)}
    if kind is QuestionType.ORDERING:
        return [c.key for c in question.choices]
    return None


def feedback_for(question: Question, answer: Any) -> list[str]:
    """Per-option feedback that applies to the answer given."""
    if answer is None:
        return []
    kind = question.type
    if kind is QuestionType.TRUEFALSE:
        text = question.feedback_true if answer else question.feedback_false
        return [text] if text else []
    if kind is QuestionType.MULTICHOICE:
        return [c.feedback for c in question.choices if c.key == answer and c.feedback]
    if kind is QuestionType.MULTIRESPONSE:
        return [c.feedback for c in question.choices if c.key in set(answer) and c.feedback]
    if kind is QuestionType.SHORTANSWER:
        given = _squash(answer)
        for choice in question.choices:
            if choice.text and _wildcard(choice.text).match(given):
                return [choice.feedback] if choice.feedback else []
    if kind is QuestionType.NUMERICAL:
        matching = [c for c in question.choices if _numeric_match(c, answer)]
        # the best matching answer speaks (a "*" catch-all only when nothing else matched)
        for choice in sorted(matching, key=lambda c: (c.value is None, -c.fraction)):
            return [choice.feedback] if choice.feedback else []
    return []
