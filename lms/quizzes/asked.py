"""What an attempt asks: its questions, built once per process for each version of them, and
the slots of an open attempt.

Starting, resuming, saving and submitting attempts read the same questions again and again
(an exam's 20 questions for every learner), while a question rarely changes. Every change of a
question raises its ``updated_at`` (and a change of its answer key its ``key_version``), so
``(id, updated_at, key_version)`` names one version of a question that never changes: each
process keeps what it built under that key (:mod:`lms.core.cache`), and an edited question comes
with a new key, which the request reads from the database in a statement it sends anyway.

What is kept is question content only, never an attempt's or a learner's data, and nothing
translated (the words a learner sees for true/false are added per request, in their language).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, inspect, select

from lms.core.cache import app_cache
from lms.extensions import db
from lms.quizzes.formats.model import Question as QuestionData
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.grading import left_items, right_items
from lms.quizzes.models import AttemptSlot, Question

#: the id, ``updated_at`` and ``key_version`` of a question: one version of it
VersionKey = tuple[int, datetime, int]

#: questions kept per process (an exam's 20 questions take about 60 KB)
CACHE_SIZE = 2048


@dataclass(frozen=True)
class AskedQuestion:
    """One version of a question as attempts use it; shared between requests, never changed."""

    #: the question's id and the answer key version it grades with
    id: int
    key_version: int
    type: QuestionType
    #: the question as plain data, for checking and grading answers (read only)
    data: QuestionData
    default_mark: float
    #: whether its options may be shuffled
    shuffle: bool
    competency: str | None
    level: int | None
    #: option keys as written; matching: the left-hand keys and the right-hand items by id
    option_keys: tuple[str, ...]
    left_keys: tuple[str, ...]
    rights: dict[str, str]
    #: option text by key, what a learner is shown
    option_texts: dict[str, str]
    #: what a learner sees of the question itself, without any slot's data
    shown: dict[str, Any]

    @classmethod
    def of(cls, question: Question) -> AskedQuestion:
        """Built from a question (a loaded one, or one made from a row)."""
        data = question.data()
        is_matching = question.type is QuestionType.MATCHING
        return cls(
            id=question.id,
            key_version=question.key_version,
            type=question.type,
            data=data,
            default_mark=question.default_mark,
            shuffle=question.shuffle,
            competency=question.competency,
            level=question.level,
            option_keys=tuple(c.key for c in data.choices),
            left_keys=tuple(c.key for c in left_items(data)) if is_matching else (),
            rights=right_items(data) if is_matching else {},
            option_texts={c.key: c.text for c in data.choices},
            shown={
                "type": question.type.value,
                "title": question.title,
                "text": question.text,
                "format": question.text_format.value,
            },
        )


class _NotCached(Exception):
    """Raised instead of building, to learn that a key is missing without loading one by one."""


def _not_cached() -> AskedQuestion:
    raise _NotCached


def asked_questions(keys: Iterable[VersionKey]) -> dict[int, AskedQuestion]:
    """The questions of these versions by id: from this process's cache, the others loaded in
    one query (and kept under the version they were loaded at, which is never older)."""
    cache = app_cache("quiz_asked_questions", CACHE_SIZE)
    found: dict[int, AskedQuestion] = {}
    missing: set[int] = set()
    for key in keys:
        if key[0] in found:
            continue
        try:
            found[key[0]] = cache.get_or_build(key, _not_cached)
        except _NotCached:
            missing.add(key[0])
    if missing:
        for question in _load(missing):
            asked = AskedQuestion.of(question)
            key = (question.id, question.updated_at, question.key_version)
            found[question.id] = cache.get_or_build(key, lambda asked=asked: asked)
    return found


def _load(ids: set[int]) -> list[Question]:
    """The questions as read now, as objects outside the session: what an object already in
    the session holds may be older than the version asked for."""
    columns = [getattr(Question, a.key) for a in inspect(Question).column_attrs]
    rows = db.session.execute(select(*columns).where(Question.id.in_(ids)))
    return [Question(**row._asdict()) for row in rows]


# --- the slots of an attempt with the versions of their questions --------------------------------


@dataclass
class OpenSlot:
    """A slot of an open attempt as the learner's view needs it (no ORM object)."""

    slot: int
    question_id: int
    max_mark: float
    option_order: list[str]
    match_order: list[str]
    answer: Any = None


def with_version(query: Select[Any]) -> Select[Any]:
    """A query of slots, with the version of each slot's question (see :func:`version_of`)."""
    return query.add_columns(
        AttemptSlot.question_id, Question.updated_at, Question.key_version
    ).join(Question, Question.id == AttemptSlot.question_id)


def version_of(row: Any) -> VersionKey:
    """The question version of a row of a :func:`with_version` query."""
    return (row.question_id, row.updated_at, row.key_version)


def open_slots(attempt_id: int) -> list[tuple[OpenSlot, AskedQuestion]]:
    """The slots of an open attempt with their questions, in order (a few columns, one query)."""
    rows = db.session.execute(_open_slots_query(), {"attempt_id": attempt_id}).all()
    asked = asked_questions(version_of(row) for row in rows)
    return [
        (
            OpenSlot(
                row.slot,
                row.question_id,
                row.max_mark,
                row.option_order or [],
                row.match_order or [],
                row.answer,
            ),
            asked[row.question_id],
        )
        for row in rows
    ]


@functools.cache
def _open_slots_query() -> Select[Any]:
    # built once: building a select and its cache key cost more than running it
    columns = select(
        AttemptSlot.slot,
        AttemptSlot.max_mark,
        AttemptSlot.option_order,
        AttemptSlot.match_order,
        AttemptSlot.answer,
    )
    return (
        with_version(columns)
        .where(AttemptSlot.attempt_id == bindparam("attempt_id"))
        .order_by(AttemptSlot.slot)
    )
