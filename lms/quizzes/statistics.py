"""Item analysis of a quiz and the learning gain between a pre-test and a post-test.

Definitions follow Moodle's quiz statistics, over all graded attempts:
- facility index: the mean credit on the question, in percent (high = easy);
- discrimination index: the Pearson correlation, in percent, between the credit on the question
  and the score on the rest of the quiz (high = the question separates strong from weak learners);
- learning gain: post-test grade minus the first pre-test result, and the normalised gain
  (post - pre) / (100 - pre) per learner; the course's gain is the mean over learners with both.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select

from lms.accounts.models import Employee
from lms.extensions import db
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.models import Attempt, AttemptSlot, AttemptState, Question, Quiz, QuizKind

#: distinct free-text responses listed per question
TOP_RESPONSES = 10


@dataclass
class OptionCount:
    """How often one option was chosen."""

    id: Any
    text: str
    fraction: float
    count: int


@dataclass
class ItemStatistics:
    """One question's analysis."""

    question_id: int
    title: str
    type: str
    competency: str | None
    level: int | None
    attempts: int
    facility: float | None
    discrimination: float | None
    options: list[OptionCount] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LearnerGain:
    """A learner's pre-test and post-test results."""

    nip: str
    name: str
    pre: float
    post: float
    gain: float
    normalised_gain: float | None


@dataclass
class QuizStatistics:
    """A quiz's results and item analysis."""

    quiz_id: int
    attempts: int
    learners: int
    mean_percent: float | None
    pass_rate: float | None
    items: list[ItemStatistics]
    gains: list[LearnerGain]
    course_gain: float | None
    course_normalised_gain: float | None

    def as_json(self) -> dict[str, Any]:
        """The statistics as JSON-ready data."""
        return asdict(self)


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def _options(question: Question, answers: list[Any]) -> list[OptionCount]:
    if question.type is QuestionType.TRUEFALSE:
        counts = Counter(a for a in answers if isinstance(a, bool))
        return [
            OptionCount(True, "Benar", 1.0 if question.correct else 0.0, counts[True]),
            OptionCount(False, "Salah", 0.0 if question.correct else 1.0, counts[False]),
        ]
    if question.type not in (QuestionType.MULTICHOICE, QuestionType.MULTIRESPONSE):
        return []
    counts: Counter[str] = Counter()
    for answer in answers:
        counts.update(answer if isinstance(answer, list) else [answer])
    return [
        OptionCount(c["key"], c["text"], c["fraction"], counts[c["key"]]) for c in question.choices
    ]


def _responses(question: Question, answers: list[Any]) -> list[dict[str, Any]]:
    if question.type not in (QuestionType.SHORTANSWER, QuestionType.NUMERICAL):
        return []
    counts = Counter(
        " ".join(str(a).split()).casefold() if isinstance(a, str) else a
        for a in answers
        if a is not None
    )
    return [{"response": r, "count": n} for r, n in counts.most_common(TOP_RESPONSES)]


def quiz_statistics(quiz: Quiz) -> QuizStatistics:
    """Results, item analysis and (for pre/post-tests) learning gain of a quiz."""
    rows = db.session.execute(
        select(
            AttemptSlot.attempt_id,
            AttemptSlot.question_id,
            AttemptSlot.fraction,
            AttemptSlot.max_mark,
            AttemptSlot.answer,
            Attempt.score,
            Attempt.employee_id,
            Attempt.is_passed,
            Attempt.percent,
        )
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.GRADED)
    ).all()
    per_question: dict[int, list[Any]] = defaultdict(list)
    attempts: dict[int, tuple[int, bool | None, float | None]] = {}
    for row in rows:
        per_question[row.question_id].append(row)
        attempts[row.attempt_id] = (row.employee_id, row.is_passed, row.percent)
    questions = {
        q.id: q
        for q in db.session.scalars(select(Question).where(Question.id.in_(list(per_question))))
    }
    items = []
    for question_id, answers in per_question.items():
        question = questions[question_id]
        credits = [r.fraction or 0.0 for r in answers]
        rest = [(r.score or 0.0) - (r.fraction or 0.0) * r.max_mark for r in answers]
        correlation = _pearson(credits, rest)
        given = [r.answer for r in answers]
        items.append(
            ItemStatistics(
                question_id=question_id,
                title=question.title,
                type=question.type.value,
                competency=question.competency,
                level=question.level,
                attempts=len(answers),
                facility=round(sum(credits) * 100 / len(credits), 1) if credits else None,
                discrimination=None if correlation is None else round(correlation * 100, 1),
                options=_options(question, given),
                responses=_responses(question, given),
            )
        )
    items.sort(key=lambda i: (i.facility if i.facility is not None else 101, i.question_id))
    percents = [p for _e, _passed, p in attempts.values() if p is not None]
    passed = [bool(ok) for _e, ok, _p in attempts.values()]
    gains = learning_gains(quiz)
    with_norm = [g.normalised_gain for g in gains if g.normalised_gain is not None]
    return QuizStatistics(
        quiz_id=quiz.id,
        attempts=len(attempts),
        learners=len({e for e, _ok, _p in attempts.values()}),
        mean_percent=round(sum(percents) / len(percents), 1) if percents else None,
        pass_rate=round(sum(passed) * 100 / len(passed), 1) if passed else None,
        items=items,
        gains=gains,
        course_gain=round(sum(g.gain for g in gains) / len(gains), 1) if gains else None,
        course_normalised_gain=round(sum(with_norm) / len(with_norm), 3) if with_norm else None,
    )


def learning_gains(quiz: Quiz) -> list[LearnerGain]:
    """Per learner: first pre-test result against the best post-test result of the course."""
    if quiz.kind not in (QuizKind.PRE_TEST, QuizKind.POST_TEST, QuizKind.FINAL_EXAM):
        return []
    pair = db.session.execute(
        select(Quiz.id, Quiz.kind).where(
            Quiz.course_id == quiz.course_id,
            Quiz.kind.in_([QuizKind.PRE_TEST, QuizKind.POST_TEST]),
        )
    ).all()
    pre_ids = [i for i, kind in pair if kind is QuizKind.PRE_TEST]
    post_ids = [i for i, kind in pair if kind is QuizKind.POST_TEST]
    if not pre_ids or not post_ids:
        return []
    rows = db.session.execute(
        select(Attempt.quiz_id, Attempt.employee_id, Attempt.number, Attempt.percent)
        .where(
            Attempt.quiz_id.in_(pre_ids + post_ids),
            Attempt.state == AttemptState.GRADED,
        )
        .order_by(Attempt.number)
    ).all()
    pre: dict[int, float] = {}
    post: dict[int, float] = {}
    for quiz_id, employee_id, _number, percent in rows:
        if quiz_id in pre_ids:
            pre.setdefault(employee_id, percent or 0.0)
        else:
            post[employee_id] = max(post.get(employee_id, 0.0), percent or 0.0)
    both = sorted(set(pre) & set(post))
    names = {
        row.id: (row.nip, row.name)
        for row in db.session.execute(
            select(Employee.id, Employee.nip, Employee.name).where(Employee.id.in_(both))
        )
    }
    result = []
    for employee_id in both:
        before, after = pre[employee_id], post[employee_id]
        nip, name = names[employee_id]
        result.append(
            LearnerGain(
                nip=nip,
                name=name,
                pre=round(before, 1),
                post=round(after, 1),
                gain=round(after - before, 1),
                normalised_gain=round((after - before) / (100 - before), 3)
                if before < 100
                else None,
            )
        )
    result.sort(key=lambda g: g.name)
    return result
