"""What GIFT and Moodle XML share: Moodle's grade list, Lentera's tags, the rules for a question."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from flask_babel import gettext as _

from lms.quizzes.formats.model import Choice, Difficulty, Question, QuestionType

#: Moodle accepts only these credits (question_bank::fraction_options_full); an import with any
#: other value is refused there, so Lentera refuses it too and files stay portable
MOODLE_FRACTIONS = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05,
)  # fmt: skip
_ALL_FRACTIONS = (0.0, *MOODLE_FRACTIONS, *(-f for f in MOODLE_FRACTIONS))

#: a number as PHP's is_numeric reads it, without Python's extras (inf, nan, 1_000)
NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")

#: the keys of Lentera's tags (GIFT comment line, Moodle XML <tag>)
TAG_KEYS = ("kompetensi", "level", "kesulitan")

#: the types whose choices carry a credit the grade list applies to
_GRADED_CHOICES = {
    QuestionType.MULTICHOICE,
    QuestionType.MULTIRESPONSE,
    QuestionType.SHORTANSWER,
    QuestionType.NUMERICAL,
}


class Refused(Exception):
    """A question cannot be read or written; ``message`` says why, in Indonesian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def snap_fraction(fraction: float) -> float:
    """Moodle's grade nearest to ``fraction`` (within 0.00001), or refuse it as Moodle does."""
    for allowed in _ALL_FRACTIONS:
        if abs(fraction - allowed) < 0.00001:
            return allowed
    raise Refused(
        _(
            "Bobot %(weight)s tidak termasuk bobot yang diterima Moodle "
            "(misalnya 100, 50, 33.33333, 25, 20, 10, 0, -50, -100).",
            weight=format_number(fraction * 100, 5),
        )
    )


def format_number(value: float, decimals: int = 7) -> str:
    """``value`` without trailing zeros: 50, 33.33333, -100."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def format_value(value: float) -> str:
    """A numerical answer written back exactly as read (14, 3.1415, 1e-07)."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def read_number(text: str) -> float:
    """``text`` as a number, or refuse it."""
    text = text.strip()
    if not NUMBER_RE.match(text) or not math.isfinite(number := float(text)):
        raise Refused(_("“%(value)s” bukan angka.", value=text))
    return number


def clean_category(path: str) -> str:
    """A Moodle category path as Lentera stores it: ``$course$/top/A/B`` → ``A/B``."""
    path = re.sub(r"^\$[a-z]+\$/?", "", path.strip())
    path = re.sub(r"^top(?:/|$)", "", path)
    return "/".join(part.strip() for part in path.split("/") if part.strip())


def apply_tag(question: Question, key: str, value: str) -> None:
    """Set a Lentera field from one tag (``kompetensi``, ``level``, ``kesulitan``)."""
    key, value = key.strip().lower(), value.strip()
    if key == "kompetensi":
        if not value:
            raise Refused(_("Kode kompetensi pada tag kosong."))
        question.competency = value
    elif key == "level":
        if value not in ("1", "2", "3", "4", "5"):  # not int(): "²", or 5,000 digits, raise
            raise Refused(_("Level harus 1 sampai 5, bukan “%(value)s”.", value=value[:20]))
        question.level = int(value)
    elif key == "kesulitan":
        try:
            question.difficulty = Difficulty(value.lower())
        except ValueError:
            raise Refused(
                _("Kesulitan harus mudah, sedang, atau sulit, bukan “%(value)s”.", value=value)
            ) from None
    else:
        raise Refused(
            _("Tag “%(key)s” tidak dikenal; gunakan kompetensi, level, dan kesulitan.", key=key)
        )


def tag_pairs(question: Question) -> list[tuple[str, str]]:
    """Lentera's fields of ``question`` as (key, value) tags, in a fixed order."""
    pairs = []
    if question.competency:
        pairs.append(("kompetensi", question.competency))
    if question.level is not None:
        pairs.append(("level", str(question.level)))
    if question.difficulty is not None:
        pairs.append(("kesulitan", question.difficulty.value))
    return pairs


def check(question: Question) -> None:
    """Refuse a question that Moodle would refuse or that Lentera could not grade."""
    if not question.text.strip():
        raise Refused(_("Teks soal kosong."))
    kind, choices = question.type, question.choices
    if kind in _GRADED_CHOICES:
        # judge Moodle's grades, not float noise, and leave the caller's objects alone
        choices = [replace(c, fraction=snap_fraction(c.fraction)) for c in choices]
    if kind in (QuestionType.MULTICHOICE, QuestionType.MULTIRESPONSE):
        _check_choices(kind, choices)
    elif kind is QuestionType.SHORTANSWER:
        if not choices:
            raise Refused(_("Soal isian singkat memerlukan sedikitnya satu jawaban."))
        if any(not c.text.strip() for c in choices):
            raise Refused(_("Ada jawaban yang kosong."))
        if max(c.fraction for c in choices) != 1.0:
            raise Refused(_("Soal isian singkat memerlukan satu jawaban bernilai penuh."))
    elif kind is QuestionType.NUMERICAL:
        _check_numerical(choices)
    elif kind is QuestionType.MATCHING:
        _check_matching(choices)
    elif kind is QuestionType.ORDERING:
        if len(choices) < 2 or any(not c.text.strip() for c in choices):
            raise Refused(_("Soal mengurutkan memerlukan sedikitnya dua butir yang berisi."))
    elif kind is QuestionType.TRUEFALSE and question.correct is None:
        raise Refused(_("Soal benar/salah tidak memiliki kunci jawaban."))


def _check_choices(kind: QuestionType, choices: list[Choice]) -> None:
    if len(choices) < 2:
        raise Refused(_("Soal pilihan memerlukan sedikitnya dua pilihan jawaban."))
    if any(not c.text.strip() for c in choices):
        raise Refused(_("Ada pilihan jawaban yang kosong."))
    if kind is QuestionType.MULTICHOICE:
        if max(c.fraction for c in choices) != 1.0:
            raise Refused(_("Soal pilihan ganda memerlukan satu jawaban bernilai penuh."))
        return
    # Moodle rounds the positive credits to two decimals and wants them to make 100
    total = round(sum(c.fraction for c in choices if c.fraction > 0), 2)
    if total != 1.0:
        raise Refused(
            _(
                "Bobot positif pada soal jawaban ganda harus berjumlah 100, bukan %(total)s.",
                total=format_number(total * 100, 2),
            )
        )


def _check_numerical(choices: list[Choice]) -> None:
    numbers = [c for c in choices if c.value is not None]
    if not numbers:
        raise Refused(_("Soal numerik memerlukan sedikitnya satu jawaban angka."))
    if any(c.value is None and c.text != "*" for c in choices):
        raise Refused(_("Jawaban numerik tanpa angka hanya boleh berupa * (jawaban lainnya)."))
    if any(c.tolerance < 0 for c in numbers):
        raise Refused(_("Toleransi jawaban numerik tidak boleh negatif."))
    if max(c.fraction for c in numbers) != 1.0:
        raise Refused(_("Soal numerik memerlukan satu jawaban bernilai penuh."))


def _check_matching(choices: list[Choice]) -> None:
    for choice in choices:
        if choice.text.strip() and not choice.match.strip():
            raise Refused(_("Pasangan “%(text)s” tidak memiliki jawaban.", text=choice.text))
    # Moodle's editor asks for two subquestions and three answers (distractors count)
    questions = sum(1 for c in choices if c.text.strip())
    answers = sum(1 for c in choices if c.match.strip())
    if questions < 2 or answers < 3:
        raise Refused(_("Soal menjodohkan memerlukan sedikitnya dua pasangan dan tiga jawaban."))
