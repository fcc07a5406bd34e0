"""Questions as plain data: what the GIFT and Moodle XML formats read and write.

The question bank stores the same fields; grading works on this shape too, so a question means
the same thing whether it came from a file, the editor or the database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class QuestionType(enum.StrEnum):
    """The question types Lentera grades."""

    MULTICHOICE = "multichoice"  # one answer; choices carry fractions (Moodle "single")
    MULTIRESPONSE = "multiresponse"  # several answers; positive and negative weights
    TRUEFALSE = "truefalse"
    SHORTANSWER = "shortanswer"  # accepted answers, case-insensitive, ``*`` wildcard
    NUMERICAL = "numerical"  # value ± tolerance, several graded answers
    MATCHING = "matching"  # choice.text (left) -> choice.match (right)
    ORDERING = "ordering"  # choices in the correct order
    ESSAY = "essay"  # graded by a trainer
    DESCRIPTION = "description"  # text only, no answer (GIFT "{}"-less text is refused instead)


class TextFormat(enum.StrEnum):
    """How a question's text is written (GIFT ``[markdown]`` etc., Moodle XML ``format=``)."""

    MARKDOWN = "markdown"
    HTML = "html"
    PLAIN = "plain"
    MOODLE = "moodle"


class Difficulty(enum.StrEnum):
    """How hard a question is meant to be."""

    EASY = "mudah"
    MEDIUM = "sedang"
    HARD = "sulit"


@dataclass
class Choice:
    """One option, accepted answer, numeric answer, matching pair or ordering item."""

    text: str = ""  # option text; accepted answer; matching left side; ordering item
    fraction: float = 0.0  # -1.0 … 1.0: credit for choosing/giving it (1.0 = fully right)
    feedback: str = ""  # shown after the attempt when review options allow
    match: str = ""  # matching only: the right side paired with ``text``
    value: float | None = None  # numerical only: the answer …
    tolerance: float = 0.0  # … accepted within ± tolerance
    key: str = ""  # stable id inside the question (assigned when stored; never shown as a hint)


@dataclass
class Question:
    """A question as read from or written to a file."""

    type: QuestionType
    text: str  # the question stem; missing-word questions keep "_____" where the blank is
    title: str = ""
    text_format: TextFormat = TextFormat.MARKDOWN
    general_feedback: str = ""
    category: str = ""  # "Parent/Child" path, as in GIFT $CATEGORY: and Moodle XML categories
    competency: str | None = None  # competency code, e.g. "M-PP"
    level: int | None = None  # 1 … 5
    difficulty: Difficulty | None = None
    default_mark: float = 1.0
    choices: list[Choice] = field(default_factory=list)
    # true/false: the right answer and the feedback for each answer given
    correct: bool | None = None
    feedback_true: str = ""
    feedback_false: str = ""
    shuffle: bool = True  # whether options may be shuffled (Moodle shuffleanswers)
    # images and other files the text refers to, by name (Moodle XML <file encoding="base64">)
    files: dict[str, bytes] = field(default_factory=dict)
    line: int = 0  # where the question starts in the source file (1-based), for messages


@dataclass
class ImportProblem:
    """A question that could not be read, and why (Indonesian message)."""

    line: int
    message: str


@dataclass
class ImportResult:
    """Everything read from one file: good questions and problems, never half of a question."""

    questions: list[Question] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
