"""Question banks, quizzes, attempts and their answers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Employee, User
from lms.core.db import TimestampMixin, UTCDateTime, enum_column, utcnow
from lms.core.errors import DomainError
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.formats.model import Choice, Difficulty, QuestionType, TextFormat
from lms.quizzes.formats.model import Question as QuestionData


class QuizKind(enum.Enum):
    """What a quiz is for."""

    PRACTICE = "practice"
    PRE_TEST = "pre_test"
    POST_TEST = "post_test"
    FINAL_EXAM = "final_exam"


class GradingMethod(enum.Enum):
    """Which attempts make the learner's grade."""

    HIGHEST = "highest"
    LAST = "last"
    FIRST = "first"
    AVERAGE = "average"


class ReviewOption(enum.Enum):
    """What a learner sees after an attempt."""

    SCORE = "score"
    ANSWERS = "answers"
    FEEDBACK = "feedback"


class AttemptState(enum.Enum):
    """Where an attempt is in its life."""

    IN_PROGRESS = "in_progress"
    NEEDS_GRADING = "needs_grading"  # submitted; an essay waits for a trainer
    GRADED = "graded"


class QuestionCategory(db.Model):
    """A category in a question bank: a course's bank or the organisation's shared one."""

    __tablename__ = "question_categories"
    __table_args__ = (UniqueConstraint("organisation_id", "course_id", "path"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the organisation whose bank this is
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: the course whose bank this is; empty for the organisation's shared bank
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    #: full path, e.g. ``KPP-101/kuis-akhir``
    path: Mapped[str] = mapped_column(String(300))

    @property
    def name(self) -> str:
        """The last part of the path."""
        return self.path.rsplit("/", 1)[-1]


class Question(TimestampMixin, db.Model):
    """A question in a bank."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_category_id_level", "category_id", "level"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the bank category
    category_id: Mapped[int] = mapped_column(ForeignKey("question_categories.id"))
    #: owning organisation (copied from the category, so scoping needs no join)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: multichoice, multiresponse, truefalse, shortanswer, numerical, matching, ordering, essay
    type: Mapped[QuestionType] = mapped_column(enum_column(QuestionType))
    #: short title
    title: Mapped[str] = mapped_column(String(255), default="")
    #: question text
    text: Mapped[str] = mapped_column(Text)
    #: markdown, html, plain or moodle
    text_format: Mapped[TextFormat] = mapped_column(
        enum_column(TextFormat), default=TextFormat.MARKDOWN
    )
    #: feedback shown to everyone after the attempt
    general_feedback: Mapped[str] = mapped_column(Text, default="")
    #: competency code, e.g. ``M-PP``
    competency: Mapped[str | None] = mapped_column(String(20), index=True)
    #: competency level 1–5
    level: Mapped[int | None] = mapped_column(Integer)
    #: mudah, sedang or sulit
    difficulty: Mapped[Difficulty | None] = mapped_column(enum_column(Difficulty))
    #: marks the question is worth
    default_mark: Mapped[float] = mapped_column(Float, default=1.0)
    #: whether options may be shuffled
    shuffle: Mapped[bool] = mapped_column(Boolean, default=True)
    #: options, accepted answers, pairs or items: list of :class:`Choice` as dicts (with keys)
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: true/false: the right answer
    correct: Mapped[bool | None] = mapped_column(Boolean)
    #: true/false: feedback when the learner answers true / false
    feedback_true: Mapped[str] = mapped_column(Text, default="")
    feedback_false: Mapped[str] = mapped_column(Text, default="")
    #: files the text refers to: ``{name: stored path}``
    files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: raised when the answer key changes (attempts graded on an older key can be regraded)
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    #: hidden from new quizzes; kept for attempts
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)

    category: Mapped[QuestionCategory] = relationship()

    def data(self, category: str = "") -> QuestionData:
        """The question as plain data, for grading and (with its category path) export."""
        return QuestionData(
            type=self.type,
            text=self.text,
            title=self.title,
            text_format=self.text_format,
            general_feedback=self.general_feedback,
            category=category,
            competency=self.competency,
            level=self.level,
            difficulty=self.difficulty,
            default_mark=self.default_mark,
            choices=[Choice(**c) for c in self.choices],
            correct=self.correct,
            feedback_true=self.feedback_true,
            feedback_false=self.feedback_false,
            shuffle=self.shuffle,
        )


class Quiz(TimestampMixin, db.Model):
    """The quiz of a quiz lesson; kept by the lesson's stable key across course versions."""

    __tablename__ = "quizzes"
    __table_args__ = (UniqueConstraint("course_id", "lesson_key"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the course
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    #: the quiz lesson's key
    lesson_key: Mapped[str] = mapped_column(String(32))
    #: practice, pre-test, post-test or final exam
    kind: Mapped[QuizKind] = mapped_column(enum_column(QuizKind), default=QuizKind.POST_TEST)
    #: minutes; empty for no limit
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    #: attempts a learner may make; 0 for unlimited
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=0)
    #: which attempts make the grade
    grading_method: Mapped[GradingMethod] = mapped_column(
        enum_column(GradingMethod), default=GradingMethod.HIGHEST
    )
    #: percent needed to pass
    pass_percent: Mapped[float] = mapped_column(Float, default=70.0)
    #: availability window (UTC); empty for always
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: shuffle question order / options per attempt
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    #: all questions on one page, or one per page
    one_per_page: Mapped[bool] = mapped_column(Boolean, default=False)
    #: what learners see after submitting
    review: Mapped[ReviewOption] = mapped_column(
        enum_column(ReviewOption), default=ReviewOption.FEEDBACK
    )

    course: Mapped[Course] = relationship()
    items: Mapped[list[QuizItem]] = relationship(
        back_populates="quiz", cascade="all, delete-orphan", order_by="QuizItem.position"
    )

    @property
    def counts_pass(self) -> bool:
        """Whether the lesson needs a pass (pre-tests and practice only need an attempt)."""
        return self.kind in (QuizKind.POST_TEST, QuizKind.FINAL_EXAM)


class QuizItem(db.Model):
    """A fixed question, or a random draw of N questions from a category at a level."""

    __tablename__ = "quiz_items"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the quiz
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    #: order in the quiz
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: a fixed question …
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"), index=True)
    #: … or a draw from this category …
    category_id: Mapped[int | None] = mapped_column(ForeignKey("question_categories.id"))
    #: … at this level (any level when empty) …
    level: Mapped[int | None] = mapped_column(Integer)
    #: … of this many questions
    draw_count: Mapped[int] = mapped_column(Integer, default=1)

    quiz: Mapped[Quiz] = relationship(back_populates="items")
    question: Mapped[Question | None] = relationship()
    category: Mapped[QuestionCategory | None] = relationship()


class Attempt(db.Model):
    """One learner's attempt at a quiz."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "employee_id", "number"),
        Index("ix_attempts_state_deadline", "state", "deadline"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the quiz
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    #: the learner
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    #: the learner's account (who may resume it)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: 1, 2, 3 … per learner and quiz
    number: Mapped[int] = mapped_column(Integer)
    #: in progress, waiting for essay grading, or graded
    state: Mapped[AttemptState] = mapped_column(
        enum_column(AttemptState), default=AttemptState.IN_PROGRESS
    )
    #: when it started (UTC)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: when answers stop counting (UTC); empty without a time limit
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when it was submitted (UTC)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: submitted by the server at the deadline, not by the learner
    is_auto_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: marks gained / possible
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    #: score as a percentage of max_score
    percent: Mapped[float | None] = mapped_column(Float)
    #: whether it reached the quiz's pass mark (known once graded)
    is_passed: Mapped[bool | None] = mapped_column(Boolean)
    #: when the grade became final (UTC)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    quiz: Mapped[Quiz] = relationship()
    employee: Mapped[Employee] = relationship()
    user: Mapped[User] = relationship()
    slots: Mapped[list[AttemptSlot]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptSlot.slot"
    )

    @property
    def is_open(self) -> bool:
        """Still being answered."""
        return self.state is AttemptState.IN_PROGRESS

    def close(self, now: datetime, *, auto: bool) -> None:
        """Stop taking answers; grading follows."""
        if self.state is not AttemptState.IN_PROGRESS:
            raise DomainError(_("Percobaan ini sudah dikumpulkan."), code="already_submitted")
        self.submitted_at = now
        self.is_auto_submitted = auto


class AttemptSlot(db.Model):
    """One question of an attempt, with the learner's answer and its grade."""

    __tablename__ = "attempt_slots"
    __table_args__ = (UniqueConstraint("attempt_id", "slot"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the attempt
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    #: 1, 2, 3 … in the order the learner sees them
    slot: Mapped[int] = mapped_column(Integer)
    #: the question
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    #: marks this slot is worth
    max_mark: Mapped[float] = mapped_column(Float, default=1.0)
    #: option keys in the order shown (shuffled once, kept for resuming)
    option_order: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: matching: the right-hand keys in the order shown
    match_order: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the learner's answer, in the API's shape; empty until answered
    answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    #: when the answer was last saved (UTC)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: 0–1 credit once graded; empty while waiting for a trainer
    fraction: Mapped[float | None] = mapped_column(Float)
    #: the question's key version it was graded on
    graded_key_version: Mapped[int | None] = mapped_column(Integer)
    #: an essay waiting for a trainer
    needs_grading: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    #: the trainer's comment on an essay
    comment: Mapped[str] = mapped_column(Text, default="")
    #: the trainer who graded it
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    attempt: Mapped[Attempt] = relationship(back_populates="slots")
    question: Mapped[Question] = relationship()

    @property
    def mark(self) -> float | None:
        """Marks gained in this slot."""
        return None if self.fraction is None else round(self.fraction * self.max_mark, 4)
