"""Quiz pages for learners: the quiz of a lesson, taking an attempt, the result."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.core.errors_views import json_error
from lms.core.markdown import clean_html, render_markdown
from lms.courses import enrollment as enrolment
from lms.courses import policy as course_policy
from lms.courses import queries as course_queries
from lms.courses.models import Course, LessonType
from lms.extensions import db
from lms.media import storage
from lms.quizzes import attempts as taking
from lms.quizzes import policy as quiz_policy
from lms.quizzes import queries
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.models import Attempt, AttemptSlot, Question, Quiz

bp = Blueprint("quizzes", __name__)

#: HTTP status for each refusal code of the quiz services (JSON saves from the page)
STATUS = {
    "not_found": 404,
    "already_submitted": 409,
    "deadline_passed": 409,
    "invalid_answer": 422,
}


@bp.get("/kursus/<code>/kuis/<int:lesson_id>")
@login_required
def lesson_quiz(code: str, lesson_id: int) -> str | Response:
    """A quiz lesson: the quiz's rules, the learner's attempts and grade, start or resume."""
    course = course_queries.course_for_access(code)
    if course is None or not course_policy.can_view_course(current_user, course):
        abort(404)
    lesson = course_queries.lesson_in(course.published_version_id, lesson_id)
    if lesson is None or lesson.lesson_type is not LessonType.QUIZ:
        abort(404)
    mine = enrolment.active_enrollment(course, current_user.employee_id)
    if mine is None:
        flash(_("Daftar ke kursus ini dulu untuk mengerjakan kuisnya."), "warning")
        return redirect(url_for("courses.course", code=course.code))
    quiz = taking.ensure_quiz(course, lesson)
    now = utcnow()
    taking.finish_overdue(now=now, quiz_id=quiz.id, employee_id=mine.employee_id)
    enrolment.visit(mine, lesson)
    db.session.commit()
    attempts = taking.attempts_of(quiz.id, mine.employee_id)
    # after a recertification only the new run's attempts count
    current = [a for a in attempts if not mine.restarted_at or a.started_at >= mine.restarted_at]
    open_attempt = next((a for a in attempts if a.is_open), None)
    modules = course_queries.outline(course.published_version_id)
    return render_template(
        "quizzes/quiz.html",
        course=course,
        lesson=lesson,
        quiz=quiz,
        attempts=attempts,
        open_attempt=open_attempt,
        grade=taking.quiz_grade(quiz, current),
        done=taking.lesson_done(quiz, current),
        question_count=_question_count(quiz),
        window_problem=taking.window_problem(quiz, now),
        attempts_left=None
        if not quiz.attempts_allowed
        else max(0, quiz.attempts_allowed - len(current)),
        intro=render_markdown(lesson.body, title=lesson.title)
        if not _looks_like_gift(lesson.body)
        else None,
        modules=modules,
        can_edit=course_policy.can_edit_course(current_user, course),
    )


def _looks_like_gift(body: str) -> bool:
    # quiz lessons imported from course folders keep their GIFT source as the lesson body
    return "{" in body and "}" in body


def _question_count(quiz: Quiz) -> int:
    return sum(1 if item.question_id else item.draw_count for item in quiz.items)


@bp.post("/kuis/<int:quiz_id>/mulai")
@login_required
def start(quiz_id: int) -> Response:
    """Start an attempt, or go back to the open one."""
    try:
        quiz, course, lesson, _mine = queries.quiz_for_learner(quiz_id, current_user)
    except DomainError:
        abort(404)
    try:
        attempt, _created = taking.start_or_resume(quiz, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("quizzes.lesson_quiz", code=course.code, lesson_id=lesson.id))
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


def _own(attempt_id: int, *, lock: bool = False) -> Attempt:
    try:
        return queries.own_attempt(attempt_id, current_user, lock=lock)
    except DomainError:
        abort(404)


def _page_of(attempt: Attempt, slots: list[AttemptSlot]) -> tuple[list[AttemptSlot], int, int]:
    """The slots on the requested page (one per page, or all), the page and the page count."""
    if not attempt.quiz.one_per_page:
        return slots, 1, 1
    page = request.args.get("halaman", 1, type=int) or 1
    page = min(max(page, 1), len(slots))
    return [slots[page - 1]], page, len(slots)


@bp.get("/percobaan/<int:attempt_id>")
@login_required
def attempt(attempt_id: int) -> str | Response:
    """Answer the questions of an open attempt, or see the result of a finished one."""
    found = _own(attempt_id)
    now = utcnow()
    if found.is_open and taking.is_past_deadline(found, now):
        taking.finish_overdue(now=now, quiz_id=found.quiz_id, employee_id=found.employee_id)
        db.session.commit()
        flash(_("Waktu habis; jawaban yang tersimpan sudah dikumpulkan."), "info")
    course = db.session.get(Course, found.quiz.course_id)
    lesson = taking.quiz_lesson(course, found.quiz)
    if not found.is_open:
        return _result(found, course, lesson)
    slots = queries.slots_of(found)
    shown, page, pages = _page_of(found, slots)
    return render_template(
        "quizzes/attempt.html",
        attempt=found,
        course=course,
        lesson=lesson,
        questions=[(s, queries.question_json(s), _text(s)) for s in shown],
        page=page,
        pages=pages,
        answered=sum(1 for s in slots if s.answer is not None),
        total=len(slots),
        remaining=queries.remaining_seconds(found, now),
    )


def question_html(question: Any) -> Any:
    """A question's text as safe HTML; embedded files point at the checked file route."""
    files = question.files or {}

    def rewrite(url: str) -> str:
        name = url.removeprefix("@@PLUGINFILE@@/")
        if url.startswith("@@PLUGINFILE@@/") and name in files:
            return url_for("quizzes.question_file", question_id=question.id, name=name)
        return url

    if question.text_format.value == "html":
        return clean_html(question.text, rewrite)
    if question.text_format.value == "plain":
        return Markup("<p>%s</p>") % question.text
    return render_markdown(question.text, rewrite)


def _text(slot: AttemptSlot) -> Any:
    return question_html(slot.question)


def _result(found: Attempt, course: Any, lesson: Any) -> str:
    now = utcnow()
    body = queries.attempt_json(found, now)
    slots = {s.slot: s for s in queries.slots_of(found)}
    attempts = taking.attempts_of(found.quiz_id, found.employee_id)
    return render_template(
        "quizzes/result.html",
        attempt=found,
        course=course,
        lesson=lesson,
        quiz=found.quiz,
        body=body,
        texts={n: _text(s) for n, s in slots.items()},
        grade=taking.quiz_grade(found.quiz, attempts),
        done=taking.lesson_done(found.quiz, attempts),
    )


def answer_from_form(slot: AttemptSlot, form: Any) -> Any:
    """The answer in the API's shape from the fields of the no-script form (None: no answer)."""
    name = f"s{slot.slot}"
    kind = slot.question.type
    if kind is QuestionType.MULTIRESPONSE:
        values = form.getlist(name)
        return values if values or f"{name}-shown" in form else None
    if kind is QuestionType.TRUEFALSE:
        value = form.get(name)
        return {"true": True, "false": False}.get(value) if value else None
    if kind is QuestionType.MATCHING:
        pairs = {k: form.get(f"{name}-{k}") for k in slot.option_order}
        pairs = {k: v for k, v in pairs.items() if v}
        return pairs or None
    if kind is QuestionType.ORDERING:
        positions = []
        for key in slot.option_order:
            raw = form.get(f"{name}-{key}", "")
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
                return None
            positions.append((int(raw), key))
        return [key for _p, key in sorted(positions)]
    value = form.get(name)
    if value is None or (kind is not QuestionType.ESSAY and not value.strip()):
        return None
    return value


@bp.post("/percobaan/<int:attempt_id>/simpan")
@login_required
def save_page(attempt_id: int) -> Response:
    """Save the answers of a page (the form without scripts), then move or submit."""
    found = _own(attempt_id, lock=True)
    now = utcnow()
    slots = {s.slot: s for s in queries.slots_of(found)}
    shown = request.form.getlist("slot", type=int)
    problems = []
    for number in shown:
        slot = slots.get(number)
        if slot is None:
            continue
        answer = answer_from_form(slot, request.form)
        if answer is None:
            continue
        try:
            with db.session.begin_nested():
                taking.save_answer(found, number, answer, now=now)
        except DomainError as error:
            problems.append(_("Soal %(n)d: %(m)s", n=number, m=error.message))
            if error.code in ("deadline_passed", "already_submitted"):
                break
    if request.form.get("aksi") == "kumpulkan":
        taking.submit(found, now=now, auto=taking.is_past_deadline(found, now))
        db.session.commit()
        for problem in problems:
            flash(problem, "warning")
        return redirect(url_for("quizzes.attempt", attempt_id=found.id))
    db.session.commit()
    for problem in problems:
        flash(problem, "danger")
    if not problems:
        flash(_("Jawaban tersimpan."), "success")
    page = request.form.get("ke", type=int)
    return redirect(url_for("quizzes.attempt", attempt_id=found.id, halaman=page or None))


@bp.put("/percobaan/<int:attempt_id>/jawaban/<int:slot>")
@login_required
def save_one(attempt_id: int, slot: int) -> Response:
    """Save one answer as it is given (from the page's script; CSRF token in a header)."""
    body = request.get_json(silent=True)
    now = utcnow()
    try:
        # whose attempt it is comes first: someone else's id is a 404 whatever the body
        found, the_slot = queries.own_attempt_for_answer(attempt_id, current_user, slot)
        if not isinstance(body, dict) or "answer" not in body:
            raise DomainError(_('Kirim {"answer": …}.'), code="invalid_answer")
        saved = taking.save_answer(found, slot, body["answer"], now=now, found=the_slot)
    except DomainError as error:
        db.session.rollback()
        return json_error(STATUS.get(error.code, 422), error.code, error.message)
    db.session.commit()
    return {
        "slot": saved.slot,
        "saved_at": now.isoformat(),
        "remaining_seconds": queries.remaining_seconds(found, now),
    }


@bp.post("/percobaan/<int:attempt_id>/kumpulkan")
@login_required
def submit(attempt_id: int) -> Response:
    """Submit the attempt (again: nothing changes)."""
    found = _own(attempt_id, lock=True)
    now = utcnow()
    taking.submit(found, now=now, auto=taking.is_past_deadline(found, now))
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=found.id))


@bp.get("/soal/<int:question_id>/berkas/<path:name>")
@login_required
def question_file(question_id: int, name: str) -> Response:
    """An image embedded in a question: for learners whose attempt asks it, and bank editors."""
    question = db.session.get(Question, question_id)
    path = (question.files or {}).get(name) if question else None
    if path is None or not _may_see_question(question):
        abort(404)
    return storage.send(path, max_age=3600, private=True)


def _may_see_question(question: Question) -> bool:
    asked = db.session.scalar(
        select(AttemptSlot.id)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(AttemptSlot.question_id == question.id, Attempt.user_id == current_user.id)
        .limit(1)
    )
    return asked is not None or quiz_policy.can_edit_question(current_user, question)


from lms.quizzes import views_bank, views_manage  # noqa: E402,F401 - registers the trainer pages
