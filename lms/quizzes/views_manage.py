"""Trainer pages of a quiz: rules and items, results, one attempt, statistics, essay grading."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from lms.core.actions import commit_or_flash
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.core.forms import choices
from lms.core.pagination import paginate, parse_page
from lms.courses import policy as course_policy
from lms.courses import queries as course_queries
from lms.courses.models import Course, Lesson, LessonType
from lms.extensions import db
from lms.quizzes import attempts as taking
from lms.quizzes import editing, queries, statistics
from lms.quizzes.forms import (
    TYPE_LABELS,
    ActionForm,
    DrawForm,
    EssayMarkForm,
    FixedQuestionForm,
    QuizSettingsForm,
)
from lms.quizzes.models import (
    Attempt,
    AttemptSlot,
    AttemptState,
    Question,
    QuestionCategory,
    Quiz,
    QuizItem,
)
from lms.quizzes.views import bp, question_html


def _quiz(quiz_id: int) -> tuple[Quiz, Course]:
    """A quiz of a course the user edits, else 404."""
    try:
        return queries.quiz_for_trainer(quiz_id, current_user)
    except DomainError:
        abort(404)


def _back(quiz: Quiz) -> Response:
    """To the quiz's rules and items."""
    return redirect(url_for("quizzes.manage", quiz_id=quiz.id))


def _lesson_of(course: Course, quiz: Quiz) -> Lesson | None:
    """The quiz's lesson in the draft, else in the published version (for its title)."""
    for version_id in (course.draft_version_id, course.published_version_id):
        if version_id is None:
            continue
        lesson = db.session.scalar(
            select(Lesson).where(Lesson.version_id == version_id, Lesson.key == quiz.lesson_key)
        )
        if lesson is not None:
            return lesson
    return None


def _bank_scope(course: Course) -> list:
    """Categories a course's quizzes may use: its own bank and the organisation's shared bank."""
    return [
        QuestionCategory.organisation_id == course.organisation_id,
        or_(QuestionCategory.course_id == course.id, QuestionCategory.course_id.is_(None)),
    ]


def _item_forms(course: Course) -> tuple[FixedQuestionForm, DrawForm]:
    categories = list(
        db.session.scalars(
            select(QuestionCategory)
            .where(*_bank_scope(course))
            .order_by(QuestionCategory.course_id.is_(None), QuestionCategory.path)
        )
    )
    questions = db.session.scalars(
        select(Question)
        .join(Question.category)
        .where(*_bank_scope(course), Question.is_archived.is_(False))
        .order_by(QuestionCategory.course_id.is_(None), QuestionCategory.path, Question.id)
    ).all()
    shared = _("bersama")
    paths = {c.id: c.path + (f" ({shared})" if c.course_id is None else "") for c in categories}
    fixed = FixedQuestionForm()
    fixed.question.choices = choices(
        (q.id, f"{paths[q.category_id]} · {q.title}"[:150]) for q in questions
    )
    draw = DrawForm()
    draw.category.choices = choices(paths.items())
    return fixed, draw


def _manage_page(quiz: Quiz, course: Course, form: QuizSettingsForm, status: int = 200) -> tuple:
    fixed, draw = _item_forms(course)
    items = list(
        db.session.scalars(
            select(QuizItem)
            .where(QuizItem.quiz_id == quiz.id)
            .options(joinedload(QuizItem.question), joinedload(QuizItem.category))
            .order_by(QuizItem.position)
        )
    )
    waiting = db.session.scalar(
        select(func.count())
        .select_from(AttemptSlot)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.quiz_id == quiz.id, AttemptSlot.needs_grading.is_(True))
    )
    return render_template(
        "quizzes/manage/quiz.html",
        quiz=quiz,
        course=course,
        lesson=_lesson_of(course, quiz),
        form=form,
        items=items,
        fixed=fixed,
        draw=draw,
        action_form=ActionForm(),
        type_labels=TYPE_LABELS,
        waiting=waiting,
    ), status


@bp.get("/ajar/<code>/kuis/<int:lesson_id>")
@login_required
def manage_lesson(code: str, lesson_id: int) -> Response:
    """From a quiz lesson of the course editor to its quiz (created on first visit)."""
    course = course_queries.course_for_access(code)
    if course is None or not course_policy.can_edit_course(current_user, course):
        abort(404)
    lesson = course_queries.lesson_in(course.draft_version_id, lesson_id) or (
        course_queries.lesson_in(course.published_version_id, lesson_id)
    )
    if lesson is None or lesson.lesson_type is not LessonType.QUIZ:
        abort(404)
    quiz = taking.ensure_quiz(course, lesson)
    db.session.commit()
    return _back(quiz)


@bp.route("/ajar/kuis/<int:quiz_id>", methods=["GET", "POST"])
@login_required
def manage(quiz_id: int) -> str | Response | tuple:
    """A quiz's rules and questions."""
    quiz, course = _quiz(quiz_id)
    form = QuizSettingsForm.for_quiz(quiz, request.form if request.method == "POST" else None)
    if request.method == "GET":
        return _manage_page(quiz, course, form)
    if form.validate():
        try:
            editing.update_settings(quiz, course, form.settings(), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            flash(_("Pengaturan kuis disimpan."), "success")
            return _back(quiz)
    return _manage_page(quiz, course, form, 400)


@bp.post("/ajar/kuis/<int:quiz_id>/soal")
@login_required
def add_fixed_question(quiz_id: int) -> Response:
    """Add a question of the bank to the quiz."""
    quiz, course = _quiz(quiz_id)
    fixed, _draw = _item_forms(course)
    if not fixed.validate_on_submit():
        flash(_("Pilih soal dari bank."), "danger")
        return _back(quiz)
    question = db.session.get(Question, fixed.question.data)
    commit_or_flash(
        lambda: editing.add_fixed_question(quiz, course, question), _("Soal ditambahkan ke kuis.")
    )
    return _back(quiz)


@bp.post("/ajar/kuis/<int:quiz_id>/acak")
@login_required
def add_draw(quiz_id: int) -> Response:
    """Add a random draw of questions from a category to the quiz."""
    quiz, course = _quiz(quiz_id)
    _fixed, draw = _item_forms(course)
    if not draw.validate_on_submit():
        messages = [str(e) for errors in draw.errors.values() for e in errors]
        flash(" ".join(messages) or _("Periksa isian soal acak."), "danger")
        return _back(quiz)
    category = db.session.get(QuestionCategory, draw.category.data)
    level = int(draw.level.data) if draw.level.data else None
    commit_or_flash(
        lambda: editing.add_draw(quiz, course, category, level, draw.count.data),
        _("Soal acak ditambahkan ke kuis."),
    )
    return _back(quiz)


@bp.post("/ajar/kuis/<int:quiz_id>/butir/<int:item_id>/<action>")
@login_required
def item_action(quiz_id: int, item_id: int, action: str) -> Response:
    """Move an item of the quiz up or down, or remove it."""
    quiz, _course = _quiz(quiz_id)
    item = next((i for i in quiz.items if i.id == item_id), None)
    if item is None or action not in ("naik", "turun", "hapus"):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if action == "hapus":
        editing.remove_item(quiz, item)
    else:
        editing.move_item(quiz, item, -1 if action == "naik" else 1)
    db.session.commit()
    return _back(quiz)


# --- results -------------------------------------------------------------------------------------


@bp.get("/ajar/kuis/<int:quiz_id>/hasil")
@login_required
def results(quiz_id: int) -> str:
    """Every attempt at the quiz, newest first."""
    quiz, course = _quiz(quiz_id)
    query = (
        select(Attempt)
        .where(Attempt.quiz_id == quiz.id)
        .options(joinedload(Attempt.employee))
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
    )
    page = paginate(query, parse_page(request.args.get("page")), 50)
    return render_template(
        "quizzes/manage/results.html",
        quiz=quiz,
        course=course,
        lesson=_lesson_of(course, quiz),
        page=page,
    )


def _readable(attempt_id: int) -> tuple[Attempt, Course]:
    """An attempt at a quiz of a course the user edits, else 404."""
    attempt = db.session.get(Attempt, attempt_id)
    course = db.session.get(Course, attempt.quiz.course_id) if attempt else None
    if course is None or not course_policy.can_edit_course(current_user, course):
        abort(404)
    return attempt, course


@bp.get("/ajar/percobaan/<int:attempt_id>")
@login_required
def trainer_attempt(attempt_id: int) -> str:
    """One attempt as a trainer sees it: every answer, the right answers, marks, essay grading."""
    attempt, course = _readable(attempt_id)
    slots = {s.slot: s for s in queries.slots_of(attempt)}
    return render_template(
        "quizzes/manage/attempt.html",
        attempt=attempt,
        quiz=attempt.quiz,
        course=course,
        lesson=_lesson_of(course, attempt.quiz),
        body=queries.attempt_json(attempt, utcnow(), full=True),
        slots=slots,
        texts={n: question_html(s.question) for n, s in slots.items()},
        mark_form=EssayMarkForm(),
    )


@bp.get("/ajar/kuis/<int:quiz_id>/statistik")
@login_required
def quiz_statistics(quiz_id: int) -> str:
    """Item analysis of the quiz and the learning gain of pre/post-test pairs."""
    quiz, course = _quiz(quiz_id)
    return render_template(
        "quizzes/manage/statistics.html",
        quiz=quiz,
        course=course,
        lesson=_lesson_of(course, quiz),
        stats=statistics.quiz_statistics(quiz),
        type_labels=TYPE_LABELS,
    )


# --- essays --------------------------------------------------------------------------------------


@bp.get("/ajar/kuis/<int:quiz_id>/penilaian")
@login_required
def grading_queue(quiz_id: int) -> str:
    """Essays waiting for a mark, oldest submission first."""
    quiz, course = _quiz(quiz_id)
    query = (
        select(AttemptSlot)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.quiz_id == quiz.id, AttemptSlot.needs_grading.is_(True))
        .options(
            joinedload(AttemptSlot.question),
            joinedload(AttemptSlot.attempt).joinedload(Attempt.employee),
        )
        .order_by(Attempt.submitted_at, Attempt.id, AttemptSlot.slot)
    )
    page = paginate(query, parse_page(request.args.get("page")), 20)
    return render_template(
        "quizzes/manage/grading.html",
        quiz=quiz,
        course=course,
        lesson=_lesson_of(course, quiz),
        page=page,
        texts={s.id: question_html(s.question) for s in page.items},
        mark_form=EssayMarkForm(),
    )


@bp.post("/ajar/jawaban/<int:slot_id>/nilai")
@login_required
def grade_slot(slot_id: int) -> Response:
    """A trainer's mark and comment on an essay (first grading or a change)."""
    slot = db.session.get(AttemptSlot, slot_id)
    if slot is None:
        abort(404)
    attempt, _course = _readable(slot.attempt_id)
    back = (
        url_for("quizzes.trainer_attempt", attempt_id=attempt.id)
        if request.form.get("dari") == "percobaan"
        else url_for("quizzes.grading_queue", quiz_id=attempt.quiz_id)
    )
    form = EssayMarkForm()
    if not form.validate_on_submit():
        flash(_("Isi nilai dengan angka."), "danger")
        return redirect(back)
    try:
        graded = taking.grade_essay(
            slot, float(form.mark.data), form.comment.data or "", actor=current_user
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    if graded.state is AttemptState.GRADED:
        percent = format_decimal(graded.percent)
        flash(_("Nilai disimpan. Nilai percobaan: %(p)s%%.", p=percent), "success")
    else:
        flash(_("Nilai disimpan. Esai lain di percobaan ini masih menunggu."), "success")
    return redirect(back)
