"""Taking quizzes: start or resume, save answers, submit, grade, essays, regrade.

Rules that keep results trustworthy live here and nowhere else:
- one open attempt per learner and quiz (a unique number per attempt; a second tab resumes);
- the server's clock decides: answers after the deadline are refused, and an attempt past its
  deadline is submitted by the server (when next touched, and by a queue job every minute);
- an attempt is graded exactly once per change: submission locks the row and only an open
  attempt can be submitted, so a double submit returns the same result.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    Update,
    and_,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import defer, joinedload, make_transient_to_detached, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from lms.accounts import audit
from lms.accounts.models import User
from lms.core.db import dialect_insert, utcnow
from lms.core.errors import DomainError
from lms.core.signals import attempt_deleted, attempt_graded, essay_graded
from lms.courses import enrollment as enrolment
from lms.courses.models import Course, Enrollment, Lesson, LessonProgress, LessonType
from lms.extensions import db
from lms.quizzes.asked import (
    AskedQuestion,
    OpenSlot,
    VersionKey,
    asked_questions,
    version_of,
    with_version,
)
from lms.quizzes.formats.model import Question as QuestionData
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.grading import grade, normalise
from lms.quizzes.models import (
    Attempt,
    AttemptSlot,
    AttemptState,
    GradingMethod,
    Question,
    Quiz,
    QuizItem,
)

_random = random.SystemRandom()


@dataclass(frozen=True)
class CompetencyScore:
    """What one attempt shows of one competency at one level."""

    competency: str
    level: int | None
    score: float
    max_score: float

    @property
    def percent(self) -> float:
        """Score as a percentage."""
        return round(self.score * 100 / self.max_score, 2) if self.max_score else 0.0


# --- quizzes ------------------------------------------------------------------------------------


def is_quiz_lesson(version_id: Any, lesson_key: Any) -> ColumnElement[bool]:
    """SQL: the lesson is the quiz lesson of this key in this course version (values or
    columns, so that a query may join the lesson of each quiz it reads)."""
    return and_(
        Lesson.version_id == version_id,
        Lesson.key == lesson_key,
        Lesson.lesson_type == LessonType.QUIZ,
    )


def quiz_lesson(course: Course, quiz: Quiz) -> Lesson | None:
    """The quiz's lesson in the course's published version."""
    if course.published_version_id is None:
        return None
    return db.session.scalar(
        select(Lesson)
        .where(is_quiz_lesson(course.published_version_id, quiz.lesson_key))
        # the body of a quiz lesson from a course folder is its whole GIFT source, which
        # starting and grading never read (it is loaded if something does)
        .options(defer(Lesson.body))
    )


def ensure_quiz(course: Course, lesson: Lesson) -> Quiz:
    """The quiz of a quiz lesson, created with default settings when missing."""
    if lesson.lesson_type is not LessonType.QUIZ:
        raise DomainError(_("Pelajaran ini bukan kuis."), code="invalid")
    quiz = db.session.scalar(
        select(Quiz).where(Quiz.course_id == course.id, Quiz.lesson_key == lesson.key)
    )
    if quiz is None:
        quiz = Quiz(course_id=course.id, lesson_key=lesson.key)
        db.session.add(quiz)
        db.session.flush()
    return quiz


def quiz_ids(course_id: int) -> dict[str, int]:
    """Quiz ids of a course by lesson key (for outlines)."""
    rows = db.session.execute(
        select(Quiz.lesson_key, Quiz.id).where(Quiz.course_id == course_id)
    ).all()
    return dict(rows)


def set_fixed_questions(quiz: Quiz, questions: list[Question]) -> None:
    """Make the quiz ask exactly these questions (keeping its random draws after them)."""
    draws = [item for item in quiz.items if item.question_id is None]
    quiz.items = [
        QuizItem(question_id=q.id, position=index) for index, q in enumerate(questions)
    ] + draws
    for index, item in enumerate(quiz.items):
        item.position = index
    db.session.flush()


def window_problem(quiz: Quiz, now: datetime) -> str | None:
    """Why the quiz cannot be started now, or None."""
    if quiz.opens_at and now < quiz.opens_at:
        return _("Kuis belum dibuka.")
    if quiz.closes_at and now >= quiz.closes_at:
        return _("Kuis sudah ditutup.")
    return None


# --- attempts -----------------------------------------------------------------------------------


def attempts_of(quiz_id: int, employee_id: int, since: datetime | None = None) -> list[Attempt]:
    """A learner's attempts at a quiz, oldest first (only those of the current course cycle,
    when ``since`` is the start of a recertification)."""
    query = select(Attempt).where(Attempt.quiz_id == quiz_id, Attempt.employee_id == employee_id)
    if since is not None:
        query = query.where(Attempt.started_at >= since)
    return list(db.session.scalars(query.order_by(Attempt.number)))


def cycle_start(quiz: Quiz, employee_id: int) -> datetime | None:
    """When the learner's current run through the quiz's course began (recertification)."""
    return db.session.scalar(
        select(Enrollment.restarted_at).where(
            Enrollment.course_id == quiz.course_id,
            Enrollment.employee_id == employee_id,
            Enrollment.withdrawn_at.is_(None),
        )
    )


def _open_attempt(quiz_id: int, employee_id: int) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(
            Attempt.quiz_id == quiz_id,
            Attempt.employee_id == employee_id,
            Attempt.state == AttemptState.IN_PROGRESS,
        )
    )


def _draw(quiz: Quiz) -> list[VersionKey]:
    """The questions of a new attempt, fixed ones and random draws in item order: the version
    of each (the questions themselves come from :mod:`lms.quizzes.asked`)."""
    items = db.session.execute(_items_query(), {"quiz_id": quiz.id}).all()
    fixed = {
        item.question_id: (item.question_id, item.updated_at, item.key_version)
        for item in items
        if item.question_id is not None and item.updated_at is not None
    }
    archived = {item.question_id for item in items if item.is_archived}
    taken = set(fixed)
    chosen: list[VersionKey] = []
    for item in items:
        if item.question_id:
            if item.question_id in fixed and item.question_id not in archived:
                chosen.append(fixed[item.question_id])
            continue
        query = select(Question.id, Question.updated_at, Question.key_version).where(
            Question.category_id == item.category_id, Question.is_archived.is_(False)
        )
        if item.level:
            query = query.where(Question.level == item.level)
        candidates = [tuple(row) for row in db.session.execute(query) if row.id not in taken]
        picked = _random.sample(candidates, min(item.draw_count, len(candidates)))
        taken.update(key[0] for key in picked)
        chosen.extend(picked)
    return chosen


def _shuffled(keys: list[str], *, must_change: bool = False) -> list[str]:
    result = list(keys)
    _random.shuffle(result)
    if must_change and len(result) > 1 and result == keys:
        result = result[1:] + result[:1]
    return result


def _slot_for(quiz: Quiz, number: int, question: AskedQuestion) -> OpenSlot:
    """A new attempt's slot, its options shuffled for this attempt when the quiz says so."""
    keys = list(question.option_keys)
    shuffle = quiz.shuffle_options and question.shuffle
    mark = 0.0 if question.type is QuestionType.DESCRIPTION else question.default_mark
    slot = OpenSlot(number, question.id, mark, [], [])
    if question.type in (QuestionType.MULTICHOICE, QuestionType.MULTIRESPONSE):
        slot.option_order = _shuffled(keys) if shuffle else keys
    elif question.type is QuestionType.ORDERING:
        slot.option_order = _shuffled(keys, must_change=True)
    elif question.type is QuestionType.MATCHING:
        lefts = list(question.left_keys)
        slot.option_order = _shuffled(lefts) if shuffle else lefts
        slot.match_order = _shuffled(list(question.rights))
    return slot


def new_slots(attempt: Attempt) -> list[tuple[OpenSlot, AskedQuestion]] | None:
    """The slots of an attempt this request just created, with their questions, once: they
    spare reading back what was just written. None for any other attempt, and after the
    first call or a change of an answer (then the slots are read from the database)."""
    return attempt.__dict__.pop("_lms_new_slots", None)


def start_or_resume(quiz: Quiz, user: User, *, now: datetime | None = None) -> tuple[Attempt, bool]:
    """The learner's open attempt, or a new one; True when it was just created (the user is
    an employee's account: the caller found their enrolment)."""
    now = now or utcnow()
    employee_id = user.employee_id
    # One statement reads both "is one open?" and "how many so far?": with two, another tab's
    # attempt could commit between them, and this one would become number 2 beside it. An open
    # attempt is always the latest, and a tab that loses the race for a number resumes below.
    latest = db.session.scalar(
        _latest_attempt_query(), {"quiz_id": quiz.id, "employee_id": employee_id}
    )
    if latest is not None and latest.state is AttemptState.IN_PROGRESS:
        if not is_past_deadline(latest, now):
            return latest, False
        # its time ran out while the learner was away: submit what was saved, then start anew
        finish_overdue(quiz_id=quiz.id, employee_id=employee_id, now=now)
    problem = window_problem(quiz, now)
    if problem:
        raise DomainError(problem, code="closed")
    used = latest.number if latest is not None else 0
    this_cycle = used
    if quiz.attempts_allowed and used >= quiz.attempts_allowed:
        # a recertification starts a new count
        since = cycle_start(quiz, employee_id)
        if since is not None:
            this_cycle = len(attempts_of(quiz.id, employee_id, since))
    if quiz.attempts_allowed and this_cycle >= quiz.attempts_allowed:
        raise DomainError(
            _("Kesempatan mengerjakan kuis ini sudah habis (%(n)d kali).", n=quiz.attempts_allowed),
            code="no_attempts_left",
        )
    keys = _draw(quiz)
    if not keys:
        raise DomainError(_("Kuis ini belum berisi soal."), code="empty_quiz")
    asked = asked_questions(keys)
    questions = [asked[key[0]] for key in keys]
    if quiz.shuffle_questions:
        _random.shuffle(questions)
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes)
    if quiz.closes_at and (deadline is None or quiz.closes_at < deadline):
        deadline = quiz.closes_at
    values = {
        "quiz_id": quiz.id,
        "employee_id": employee_id,
        "user_id": user.id,
        "number": used + 1,
        "state": AttemptState.IN_PROGRESS,
        "started_at": now,
        "deadline": deadline,
        "submitted_at": None,
        "is_auto_submitted": False,
        "score": None,
        "max_score": None,
        "percent": None,
        "is_passed": None,
        "graded_at": None,
    }
    # Core statements, no unit of work: an exam start is the busiest moment a quiz has. The
    # INSERT does nothing when another tab or a double click took this number a moment ago
    # (unique quiz, employee, number): then this request resumes that attempt.
    attempt_id = db.session.execute(_new_attempt_query(), values).scalar()
    if attempt_id is None:
        current = _open_attempt(quiz.id, employee_id)
        if current is None:
            raise DomainError(
                _("Percobaan baru saja dimulai di tempat lain; muat ulang halaman."),
                code="conflict",
            )
        return current, False
    slots = [_slot_for(quiz, n, q) for n, q in enumerate(questions, start=1)]
    _insert_slots(attempt_id, slots)
    # the row as written, known to the session as if it had been loaded
    attempt = Attempt(id=attempt_id, **values)
    make_transient_to_detached(attempt)
    db.session.add(attempt)
    attempt.__dict__["_lms_new_slots"] = list(zip(slots, questions, strict=True))
    return attempt, True


def locked(attempt_id: int) -> Attempt | None:
    """The attempt, locked for this transaction (PostgreSQL: no other save or submit runs)."""
    return db.session.scalar(_locked_query(), {"attempt_id": attempt_id})


def is_past_deadline(attempt: Attempt, now: datetime) -> bool:
    """The attempt's time is up."""
    return attempt.deadline is not None and now > attempt.deadline


def locked_with_slot(attempt_id: int, slot_number: int) -> tuple[Attempt | None, Any]:
    """The attempt, locked as :func:`locked` locks it, with one of its slots and that slot's
    question version in the same statement (a row for :func:`save_answer`'s ``found``; None
    when the attempt has no such slot)."""
    row = db.session.execute(
        _locked_with_slot_query(), {"attempt_id": attempt_id, "slot": slot_number}
    ).first()
    if row is None:
        return None, None
    if row.AttemptSlot is None:
        return row.Attempt, None
    return row.Attempt, _FoundSlot(
        row.AttemptSlot, row.question_id, row.updated_at, row.key_version
    )


class _FoundSlot(NamedTuple):
    """A slot as :func:`save_answer` reads it: the slot, then its question's version."""

    slot: AttemptSlot
    question_id: int
    updated_at: datetime
    key_version: int


def save_answer(
    attempt: Attempt, slot_number: int, answer: Any, *, now: datetime, found: Any = ...
) -> AttemptSlot:
    """Keep the learner's answer to one slot (the attempt must be locked by the caller;
    ``found`` is the slot's row from :func:`locked_with_slot` when the caller read it)."""
    if attempt.state is not AttemptState.IN_PROGRESS:
        raise DomainError(_("Percobaan ini sudah dikumpulkan."), code="already_submitted")
    if is_past_deadline(attempt, now):
        raise DomainError(
            _("Waktu mengerjakan sudah habis; jawaban ini tidak dihitung."),
            code="deadline_passed",
        )
    if found is ...:
        found = db.session.execute(
            _slot_query(), {"attempt_id": attempt.id, "slot": slot_number}
        ).first()
    if found is None:
        raise DomainError(_("Nomor soal tidak ada dalam percobaan ini."), code="not_found")
    slot = found[0]
    question = asked_questions([version_of(found)])[slot.question_id]
    new_slots(attempt)  # what the start kept of the slots is out of date now
    value = normalise(question.data, answer)
    # a Core UPDATE, no unit of work: answers are a timed quiz's most frequent request
    db.session.execute(
        _save_answer_statement(), {"slot_id": slot.id, "answer": value, "answered_at": now}
    )
    set_committed_value(slot, "answer", value)
    set_committed_value(slot, "answered_at", now)
    return slot


def submit(attempt: Attempt, *, now: datetime, auto: bool = False) -> Attempt:
    """Close the attempt and grade it; submitting twice changes nothing (caller locks it)."""
    if attempt.state is not AttemptState.IN_PROGRESS:
        return attempt
    new_slots(attempt)
    rows = db.session.execute(_slots_query(), {"attempt_id": attempt.id}).all()
    slots = [row[0] for row in rows]
    asked = asked_questions(version_of(row) for row in rows)
    # the quiz, with its course and version that completion and the evidence read, loaded
    # before anything changes, so that grading flushes once
    quiz = db.session.scalar(_graded_quiz_query(), {"quiz_id": attempt.quiz_id})
    set_committed_value(attempt, "quiz", quiz)  # held: the session keeps it only weakly
    attempt.close(now, auto=auto)
    # every slot's grade in one executemany UPDATE, not through the unit of work
    grades = []
    for slot in slots:
        question = asked[slot.question_id]
        fraction, needs_grading = _slot_grade(slot, question.data)
        graded = {
            "fraction": fraction,
            "needs_grading": needs_grading,
            "graded_key_version": question.key_version,
        }
        for name, value in graded.items():
            set_committed_value(slot, name, value)
        grades.append({"slot_id": slot.id, **graded})
    if grades:
        with db.session.no_autoflush:  # the attempt is written once, by _finish
            db.session.execute(_grade_statement(), grades)
    # an open attempt is always the learner's latest: the first is their only one
    _finish(
        attempt,
        slots,
        now,
        asked,
        attempts=[attempt] if attempt.number == 1 else None,
        first=True,
    )
    audit.record(
        "attempt.submitted",
        actor=None if auto else attempt.user,
        organisation_id=attempt.employee.organisation_id,
        target=attempt,
        data={"quiz": attempt.quiz_id, "auto": auto, "percent": attempt.percent},
    )
    return attempt


def _grade_slot(slot: AttemptSlot, question: QuestionData, key_version: int) -> None:
    slot.fraction, slot.needs_grading = _slot_grade(slot, question)
    slot.graded_key_version = key_version


def _slot_grade(slot: AttemptSlot, question: QuestionData) -> tuple[float | None, bool]:
    """The slot's fraction and whether a trainer must grade it, from its answer."""
    fraction = grade(question, slot.answer)
    if fraction is None:  # an essay: a trainer grades it, unless it was left empty
        if slot.answer in (None, "") or not str(slot.answer).strip():
            return 0.0, False
        if slot.graded_by_id is None:
            return None, True
        return slot.fraction, slot.needs_grading  # already graded by a trainer
    return fraction, False


def _finish(
    attempt: Attempt,
    slots: list[AttemptSlot],
    now: datetime,
    asked: dict[int, AskedQuestion] | None = None,
    *,
    attempts: list[Attempt] | None = None,
    first: bool = False,
) -> None:
    """Score, state and everything that follows from the grade (``attempts``: all the
    learner's attempts at the quiz, when known; ``first``: the attempt was never graded
    before)."""
    quiz = attempt.quiz  # loaded first: loading it later would flush the attempt twice
    attempt.max_score = round(sum(s.max_mark for s in slots), 4)
    attempt.score = round(sum(s.mark or 0.0 for s in slots), 4)
    attempt.percent = (
        round(attempt.score * 100 / attempt.max_score, 2) if attempt.max_score else 0.0
    )
    if any(s.needs_grading for s in slots):
        attempt.state = AttemptState.NEEDS_GRADING
        attempt.is_passed = None
        attempt.graded_at = None
    else:
        attempt.state = AttemptState.GRADED
        attempt.graded_at = now
        attempt.is_passed = attempt.percent >= quiz.pass_percent - 1e-9
    db.session.flush()
    update_completion(quiz, attempt.employee_id, graded=attempt, attempts=attempts)
    if attempt.state is AttemptState.GRADED:
        scores = competency_scores(slots, asked)
        attempt_graded.send(None, attempt=attempt, competencies=scores, first=first)


def competency_scores(
    slots: list[AttemptSlot], asked: dict[int, AskedQuestion] | None = None
) -> list[CompetencyScore]:
    """Marks per competency and level over the attempt's questions that carry a competency
    (their questions from ``asked`` by id when given, else as loaded with the slots)."""
    totals: dict[tuple[str, int | None], list[float]] = {}
    for slot in slots:
        question = asked[slot.question_id] if asked else slot.question
        code = question.competency
        if not code:
            continue
        total = totals.setdefault((code, question.level), [0.0, 0.0])
        total[0] += slot.mark or 0.0
        total[1] += slot.max_mark
    return [
        CompetencyScore(code, level, round(score, 4), round(maximum, 4))
        for (code, level), (score, maximum) in sorted(
            totals.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)
        )
    ]


# --- the learner's grade and the lesson ----------------------------------------------------------


def quiz_grade(quiz: Quiz, attempts: list[Attempt]) -> float | None:
    """The learner's grade in percent by the quiz's grading method (graded attempts only)."""
    graded = [a for a in sorted(attempts, key=lambda a: a.number) if a.state is AttemptState.GRADED]
    if not graded:
        return None
    method = quiz.grading_method
    if method is GradingMethod.FIRST:
        return graded[0].percent
    if method is GradingMethod.LAST:
        return graded[-1].percent
    if method is GradingMethod.AVERAGE:
        return round(sum(a.percent or 0.0 for a in graded) / len(graded), 2)
    return max(a.percent or 0.0 for a in graded)


def lesson_done(quiz: Quiz, attempts: list[Attempt]) -> bool:
    """Post-tests and exams need a pass; pre-tests and practice need a submitted attempt."""
    if not quiz.counts_pass:
        return any(a.state is not AttemptState.IN_PROGRESS for a in attempts)
    grade_ = quiz_grade(quiz, attempts)
    return grade_ is not None and grade_ >= quiz.pass_percent - 1e-9


def update_completion(
    quiz: Quiz,
    employee_id: int,
    *,
    graded: Attempt | None = None,
    attempts: list[Attempt] | None = None,
) -> None:
    """Mark or unmark the quiz lesson done for the learner, from their attempts (``graded``:
    the attempt just graded, which may decide it alone; ``attempts``: all the learner's
    attempts at the quiz, when the caller knows them)."""
    course = db.session.get(Course, quiz.course_id)
    if course.published_version_id is None:
        return
    # the enrolment, the quiz's lesson and whether it is done, in one statement
    found = db.session.execute(
        _completion_query(),
        {
            "course_id": course.id,
            "employee_id": employee_id,
            "version_id": course.published_version_id,
            "lesson_key": quiz.lesson_key,
        },
    ).first()
    if found is None:
        return
    enrollment, lesson, progress_id = found
    since = enrollment.restarted_at
    if attempts is None:
        done = _done_by(quiz, graded, since) or lesson_done(
            quiz, attempts_of(quiz.id, employee_id, since)
        )
    else:
        done = lesson_done(quiz, [a for a in attempts if since is None or a.started_at >= since])
    if done:
        enrolment.mark_done(enrollment, lesson)
    elif progress_id is not None:  # without progress there is nothing to undo
        enrolment.undo_done(enrollment, lesson)
    db.session.flush()


def _done_by(quiz: Quiz, attempt: Attempt | None, since: datetime | None) -> bool:
    """The attempt alone makes the lesson done, whatever the learner's other attempts: a
    finished one where no pass is needed, a passed one where the highest grade counts."""
    if attempt is None or attempt.state is AttemptState.IN_PROGRESS:
        return False
    if since is not None and attempt.started_at < since:
        return False  # from an earlier cycle, which no longer counts
    if not quiz.counts_pass:
        return True
    return (
        quiz.grading_method is GradingMethod.HIGHEST
        and attempt.state is AttemptState.GRADED
        and bool(attempt.is_passed)
    )


# --- overdue attempts ---------------------------------------------------------------------------


def finish_overdue(
    *, now: datetime, quiz_id: int | None = None, employee_id: int | None = None, limit: int = 500
) -> int:
    """Submit attempts whose deadline has passed (answers saved in time count)."""
    query = select(Attempt.id).where(
        Attempt.state == AttemptState.IN_PROGRESS, Attempt.deadline < now
    )
    if quiz_id is not None:
        query = query.where(Attempt.quiz_id == quiz_id)
    if employee_id is not None:
        query = query.where(Attempt.employee_id == employee_id)
    done = 0
    for attempt_id in db.session.scalars(query.limit(limit)).all():
        attempt = locked(attempt_id)
        if attempt is not None and attempt.state is AttemptState.IN_PROGRESS:
            submit(attempt, now=now, auto=True)
            done += 1
    return done


# --- trainers: essays and regrades --------------------------------------------------------------


def grade_essay(slot: AttemptSlot, mark: float, comment: str, *, actor: User) -> Attempt:
    """A trainer's mark and comment on an essay; the attempt's grade follows."""
    attempt = locked(slot.attempt_id)
    if attempt is None or attempt.state is AttemptState.IN_PROGRESS:
        raise DomainError(_("Percobaan ini belum dikumpulkan."), code="invalid")
    if slot.question.type is not QuestionType.ESSAY:
        raise DomainError(_("Hanya soal esai yang dinilai manual."), code="invalid")
    if not 0 <= mark <= slot.max_mark:
        raise DomainError(
            _("Nilai harus antara 0 dan %(max)s.", max=format(slot.max_mark, "g")), field="mark"
        )
    slot.fraction = round(mark / slot.max_mark, 6) if slot.max_mark else 0.0
    slot.needs_grading = False
    slot.comment = comment.strip()[:5000]
    slot.graded_by_id = actor.id
    db.session.flush()
    _finish(attempt, list(attempt.slots), utcnow())
    essay_graded.send(None, slot=slot, attempt=attempt)
    audit.record(
        "attempt.essay_graded",
        actor=actor,
        organisation_id=attempt.employee.organisation_id,
        target=attempt,
        data={"slot": slot.slot, "mark": mark},
    )
    return attempt


def stale_attempt_count(question: Question) -> int:
    """Finished attempts graded on an older answer key of the question."""
    return db.session.scalar(
        select(func.count(func.distinct(AttemptSlot.attempt_id)))
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(
            AttemptSlot.question_id == question.id,
            Attempt.state != AttemptState.IN_PROGRESS,
            AttemptSlot.graded_key_version != question.key_version,
        )
    )


def regrade(question: Question, *, actor: User, batch: int = 200) -> int:
    """Grade again every finished attempt that asked the question; returns how many changed."""
    changed = 0
    while True:
        ids = db.session.scalars(
            select(func.distinct(AttemptSlot.attempt_id))
            .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
            .where(
                AttemptSlot.question_id == question.id,
                Attempt.state != AttemptState.IN_PROGRESS,
                AttemptSlot.graded_key_version != question.key_version,
            )
            .limit(batch)
        ).all()
        if not ids:
            break
        now = utcnow()
        for attempt_id in ids:
            attempt = locked(attempt_id)
            slots = db.session.scalars(
                select(AttemptSlot)
                .where(AttemptSlot.attempt_id == attempt_id)
                .options(selectinload(AttemptSlot.question))
            ).all()
            before = (attempt.score, attempt.state)
            for slot in slots:
                if slot.question_id == question.id:
                    _grade_slot(slot, question.data(), question.key_version)
            _finish(attempt, list(slots), attempt.graded_at or now)
            changed += (attempt.score, attempt.state) != before
    audit.record(
        "question.regraded",
        actor=actor,
        organisation_id=question.organisation_id,
        target=question,
        data={"changed": changed},
    )
    return changed


def delete_attempt(attempt: Attempt, *, actor: User) -> None:
    """A trainer removes an attempt (e.g. taken by mistake); what followed from it goes too."""
    quiz, employee_id, attempt_id = attempt.quiz, attempt.employee_id, attempt.id
    audit.record(
        "attempt.deleted",
        actor=actor,
        organisation_id=attempt.employee.organisation_id,
        target=attempt,
        data={"quiz": quiz.id, "number": attempt.number, "percent": attempt.percent},
    )
    db.session.delete(attempt)
    db.session.flush()
    attempt_deleted.send(None, attempt_id=attempt_id, employee_id=employee_id)
    update_completion(quiz, employee_id)


# --- statements built once ----------------------------------------------------------------------
# Every start, save and submit of an exam sends these: building a select and its cache key cost
# more than running it.


def _new_attempt_query() -> Any:
    return _new_attempt_insert(db.session.get_bind().dialect.name)


@functools.cache
def _new_attempt_insert(dialect_name: str) -> Any:
    table = Attempt.__table__
    return dialect_insert(table, dialect_name).on_conflict_do_nothing().returning(table.c.id)


def _insert_slots(attempt_id: int, slots: list[OpenSlot]) -> None:
    """A new attempt's slots in one statement. On PostgreSQL the rows travel as five arrays in
    a short statement that psycopg parses once per connection; a multi-row VALUES of 20 slots
    is too long for its cache and parsed on every start, and an executemany sends one INSERT
    per slot."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            _SLOTS_FROM_ARRAYS,
            {
                "attempt_id": attempt_id,
                "slots": [slot.slot for slot in slots],
                "question_ids": [slot.question_id for slot in slots],
                "max_marks": [float(slot.max_mark) for slot in slots],
                "option_orders": [json.dumps(slot.option_order) for slot in slots],
                "match_orders": [json.dumps(slot.match_order) for slot in slots],
            },
        )
        return
    rows = [
        {
            "attempt_id": attempt_id,
            "slot": slot.slot,
            "question_id": slot.question_id,
            "max_mark": slot.max_mark,
            "option_order": slot.option_order,
            "match_order": slot.match_order,
        }
        for slot in slots
    ]
    db.session.execute(insert(AttemptSlot.__table__), rows)


_SLOTS_FROM_ARRAYS = text(
    "INSERT INTO attempt_slots (attempt_id, slot, question_id, max_mark, option_order,"
    " match_order, needs_grading, comment)"
    " SELECT :attempt_id, s.slot, s.question_id, s.max_mark, s.option_order, s.match_order,"
    " false, ''"
    " FROM unnest(CAST(:slots AS integer[]), CAST(:question_ids AS integer[]),"
    " CAST(:max_marks AS double precision[]), CAST(:option_orders AS json[]),"
    " CAST(:match_orders AS json[])) AS s(slot, question_id, max_mark, option_order, match_order)"
)


@functools.cache
def _latest_attempt_query() -> Select[Any]:
    return (
        select(Attempt)
        .where(
            Attempt.quiz_id == bindparam("quiz_id"),
            Attempt.employee_id == bindparam("employee_id"),
        )
        .order_by(Attempt.number.desc())
        .limit(1)
    )


@functools.cache
def _items_query() -> Select[Any]:
    """A quiz's items with the version of each fixed question (a few columns)."""
    return (
        select(
            QuizItem.question_id,
            QuizItem.category_id,
            QuizItem.level,
            QuizItem.draw_count,
            Question.updated_at,
            Question.key_version,
            Question.is_archived,
        )
        .outerjoin(Question, Question.id == QuizItem.question_id)
        .where(QuizItem.quiz_id == bindparam("quiz_id"))
        .order_by(QuizItem.position)
    )


@functools.cache
def _locked_query() -> Select[Any]:
    return (
        select(Attempt)
        .where(Attempt.id == bindparam("attempt_id"))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


@functools.cache
def _locked_with_slot_query() -> Select[Any]:
    # FOR UPDATE OF attempts: only the attempt is locked (the slot may be missing: outer join)
    return (
        select(
            Attempt, AttemptSlot, AttemptSlot.question_id, Question.updated_at, Question.key_version
        )
        .outerjoin(
            AttemptSlot,
            and_(AttemptSlot.attempt_id == Attempt.id, AttemptSlot.slot == bindparam("slot")),
        )
        .outerjoin(Question, Question.id == AttemptSlot.question_id)
        .where(Attempt.id == bindparam("attempt_id"))
        .with_for_update(of=Attempt.__table__)
        .execution_options(populate_existing=True)
    )


def _slot_update(*columns: str) -> Update:
    """An UPDATE of one slot (parameter ``slot_id``), each column from the parameter of its
    name."""
    table = AttemptSlot.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("slot_id"))
        .values({column: bindparam(column, type_=table.c[column].type) for column in columns})
    )


@functools.cache
def _grade_statement() -> Update:
    return _slot_update("fraction", "needs_grading", "graded_key_version")


@functools.cache
def _save_answer_statement() -> Update:
    return _slot_update("answer", "answered_at")


@functools.cache
def _slot_query() -> Select[Any]:
    return with_version(select(AttemptSlot)).where(
        AttemptSlot.attempt_id == bindparam("attempt_id"),
        AttemptSlot.slot == bindparam("slot"),
    )


@functools.cache
def _slots_query() -> Select[Any]:
    return with_version(select(AttemptSlot)).where(
        AttemptSlot.attempt_id == bindparam("attempt_id")
    )


@functools.cache
def _graded_quiz_query() -> Select[Any]:
    """A quiz with its course and published version (completion and evidence read them)."""
    return (
        select(Quiz)
        .where(Quiz.id == bindparam("quiz_id"))
        .options(joinedload(Quiz.course).joinedload(Course.published_version))
    )


@functools.cache
def _completion_query() -> Select[Any]:
    """A learner's active enrolment with the quiz lesson of the course's published version and
    the id of the learner's progress in it, if any."""
    return (
        select(Enrollment, Lesson, LessonProgress.id)
        .select_from(Enrollment)
        .join(Lesson, is_quiz_lesson(bindparam("version_id"), bindparam("lesson_key")))
        .outerjoin(
            LessonProgress,
            and_(
                LessonProgress.enrollment_id == Enrollment.id,
                LessonProgress.lesson_key == Lesson.key,
            ),
        )
        .where(
            Enrollment.course_id == bindparam("course_id"),
            Enrollment.employee_id == bindparam("employee_id"),
            Enrollment.withdrawn_at.is_(None),
        )
        .options(defer(Lesson.body))  # see quiz_lesson
    )
