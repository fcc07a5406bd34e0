"""Trainer pages of the question banks: list, edit, archive, regrade, import and export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from werkzeug.wrappers import Response

from lms.accounts import policy as people
from lms.core.errors import DomainError
from lms.core.forms import ConfirmImportForm, choices
from lms.core.pagination import paginate, parse_page
from lms.core.previews import PreviewStore, read_upload
from lms.courses import policy as course_policy
from lms.courses import queries as course_queries
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes import attempts as taking
from lms.quizzes import bank, editing
from lms.quizzes.formats.model import QuestionType
from lms.quizzes.forms import (
    TYPE_LABELS,
    ActionForm,
    ArchiveForm,
    ImportQuestionsForm,
    QuestionFilterForm,
    QuestionForm,
    competency_code,
)
from lms.quizzes.models import Question, QuestionCategory
from lms.quizzes.policy import can_edit_question, can_edit_shared_bank
from lms.quizzes.views import bp, question_html

#: largest GIFT or Moodle XML file accepted
MAX_IMPORT_BYTES = 20 * 1024 * 1024
#: previewed files wait this long for the trainer's confirmation
QUESTION_IMPORTS = PreviewStore("questions", max_age=3600)
#: endpoints that receive question files (a larger request than the app's default)
IMPORT_ENDPOINTS = {"quizzes.import_questions"}


@bp.url_value_preprocessor
def _import_limit(endpoint: str | None, _values: dict | None) -> None:
    """Question files may be 20 MB; set before CSRF protection reads the form."""
    if endpoint in IMPORT_ENDPOINTS:
        request.max_content_length = MAX_IMPORT_BYTES + 1024 * 1024


@dataclass
class Bank:
    """A question bank: a course's, or (without a course) the organisation's shared one."""

    organisation_id: int
    course: Course | None

    @property
    def course_id(self) -> int | None:
        """The course's id, or None for the shared bank."""
        return self.course.id if self.course else None

    @property
    def code(self) -> str | None:
        """The course code for URLs (None: the shared bank's URLs)."""
        return self.course.code if self.course else None

    def categories(self) -> list[QuestionCategory]:
        """The bank's categories by path."""
        return list(
            db.session.scalars(
                select(QuestionCategory)
                .where(*_in_bank(self.organisation_id, self.course_id))
                .order_by(QuestionCategory.path)
            )
        )

    def default_category(self, filename: str = "") -> str:
        """Where questions without a category go."""
        stem = Path(filename).stem.replace("/", "-")[:60] or "impor"  # data, not interface text
        return f"{self.course.code}/{stem}" if self.course else stem


def _in_bank(organisation_id: int, course_id: int | None) -> list:
    return [
        QuestionCategory.organisation_id == organisation_id,
        QuestionCategory.course_id.is_(None)
        if course_id is None
        else QuestionCategory.course_id == course_id,
    ]


def _bank(code: str | None) -> Bank:
    """The course bank the user edits, or their organisation's shared bank; else 404/403."""
    if code is not None:
        course = course_queries.course_for_access(code)
        if course is None or not course_policy.can_edit_course(current_user, course):
            abort(404)
        return Bank(course.organisation_id, course)
    if people.is_admin(current_user):
        from lms.accounts.views_people import current_organisation

        organisation_id = current_organisation().id
    else:
        organisation_id = current_user.organisation_id
    if not can_edit_shared_bank(current_user, organisation_id):
        abort(403)
    return Bank(organisation_id, None)


def _page(template: str, scope: Bank, **context: object) -> str:
    """A bank page; its header links the shared bank when the user may edit it."""
    shared = people.is_admin(current_user) or can_edit_shared_bank(
        current_user, current_user.organisation_id
    )
    return render_template(template, scope=scope, can_shared=shared, **context)


def _question(question_id: int) -> tuple[Question, Bank]:
    """A question whose bank the user edits, else 404."""
    question = db.session.get(Question, question_id)
    if question is None or not can_edit_question(current_user, question):
        abort(404)
    category = question.category
    course = db.session.get(Course, category.course_id) if category.course_id else None
    return question, Bank(category.organisation_id, course)


# --- the list ------------------------------------------------------------------------------------


@bp.get("/ajar/bank-soal", defaults={"code": None})
@bp.get("/ajar/<code>/soal")
@login_required
def bank_index(code: str | None) -> str:
    """A bank's questions by category, filtered by category, type and competency."""
    scope = _bank(code)
    categories = scope.categories()
    filters = QuestionFilterForm(request.args)
    filters.kategori.choices = choices(
        [("", _("Semua kategori"))] + [(str(c.id), c.path) for c in categories]
    )
    query = (
        select(Question)
        .join(Question.category)
        .options(contains_eager(Question.category))
        .where(*_in_bank(scope.organisation_id, scope.course_id))
        .order_by(QuestionCategory.path, Question.id)
    )
    if not filters.arsip.data:
        query = query.where(Question.is_archived.is_(False))
    chosen = next((c for c in categories if str(c.id) == filters.kategori.data), None)
    if chosen is not None:  # only a category of this bank ("²" or a huge number was a 500)
        query = query.where(Question.category_id == chosen.id)
    if filters.jenis.data in {t.value for t in QuestionType}:
        query = query.where(Question.type == QuestionType(filters.jenis.data))
    competency = competency_code(filters.kompetensi.data)
    if competency:
        query = query.where(Question.competency == competency)
    page = paginate(query, parse_page(request.args.get("page")), 25)
    return _page(
        "quizzes/manage/bank.html",
        scope,
        page=page,
        filters=filters,
        type_labels=TYPE_LABELS,
        archive_form=ArchiveForm(),
    )


# --- one question --------------------------------------------------------------------------------


def _category_choices(scope: Bank) -> list:
    return choices([("", _("— pilih —"))] + [(c.path, c.path) for c in scope.categories()])


def _save(form: QuestionForm, scope: Bank, question: Question | None) -> Response | None:
    """Save the posted question; a redirect on success, None (errors on the form) otherwise."""
    try:
        saved, key_changed = editing.save_question(
            scope.organisation_id,
            scope.course_id,
            question,
            form.data_for_bank(),
            form.category_path(),
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        form.add_domain_error(error)
        return None
    db.session.commit()
    flash(_("Soal disimpan."), "success")
    if key_changed and taking.stale_attempt_count(saved):
        flash(_("Kunci jawaban berubah. Nilai ulang percobaan yang sudah dinilai?"), "warning")
        return redirect(url_for("quizzes.edit_question", question_id=saved.id))
    return redirect(url_for("quizzes.bank_index", code=scope.code))


def _question_page(
    form: QuestionForm, scope: Bank, question: Question | None
) -> Response | tuple[str, int]:
    """The question form of a new (``question`` None) or existing question; a post is saved
    and redirects, or shows its errors."""
    form.category.choices = _category_choices(scope)
    status = 200
    if request.method == "POST":
        if form.validate():
            done = _save(form, scope, question)
            if done is not None:
                return done
        status = 400
    stale = taking.stale_attempt_count(question) if question is not None else 0
    return _page(
        "quizzes/manage/question_form.html",
        scope,
        form=form,
        question=question,
        preview=question_html(question) if question is not None else None,
        stale=stale,
        action_form=ActionForm(),
        archive_form=ArchiveForm(),
    ), status


def _formdata() -> object | None:
    """The posted fields; None on a GET, so that the form shows the question."""
    return request.form if request.method == "POST" else None


@bp.route("/ajar/bank-soal/baru", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/ajar/<code>/soal/baru", methods=["GET", "POST"])
@login_required
def new_question(code: str | None) -> str | Response | tuple[str, int]:
    """Write a new question into a bank."""
    scope = _bank(code)
    form = QuestionForm.for_question(None, _formdata(), request.args.get("kategori", ""))
    return _question_page(form, scope, None)


@bp.route("/ajar/soal/<int:question_id>", methods=["GET", "POST"])
@login_required
def edit_question(question_id: int) -> str | Response | tuple[str, int]:
    """Change a question; a changed answer key offers to regrade finished attempts."""
    question, scope = _question(question_id)
    return _question_page(QuestionForm.for_question(question, _formdata()), scope, question)


@bp.post("/ajar/soal/<int:question_id>/arsip")
@login_required
def archive_question(question_id: int) -> Response:
    """Archive a question (new quizzes stop asking it), or bring it back."""
    question, scope = _question(question_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        abort(400)
    archived = form.archived.data == "1"
    editing.set_archived(question, archived, actor=current_user)
    db.session.commit()
    flash(_("Soal diarsipkan.") if archived else _("Soal dipulihkan."), "success")
    return redirect(url_for("quizzes.bank_index", code=scope.code))


@bp.post("/ajar/soal/<int:question_id>/nilai-ulang")
@login_required
def regrade_question(question_id: int) -> Response:
    """Grade again the finished attempts graded on an older answer key."""
    question, _scope = _question(question_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    changed = taking.regrade(question, actor=current_user)
    db.session.commit()
    flash(_("Penilaian ulang selesai: %(n)d percobaan berubah nilainya.", n=changed), "success")
    return redirect(url_for("quizzes.edit_question", question_id=question.id))


# --- import and export ---------------------------------------------------------------------------


@bp.route("/ajar/bank-soal/impor", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/ajar/<code>/soal/impor", methods=["GET", "POST"])
@login_required
def import_questions(code: str | None) -> str | tuple[str, int]:
    """Upload a GIFT or Moodle XML file and preview it; nothing is saved yet."""
    scope = _bank(code)
    form = ImportQuestionsForm()
    result = token = None
    status = 200
    if form.validate_on_submit():
        content = read_upload(form.file, MAX_IMPORT_BYTES // 2**20)
        if content is None:
            status = 413
        else:
            filename = Path(form.file.data.filename or "").name[:200]
            result = bank.parse_file(content, form.format.data)
            status = 200 if result.questions else 422
            if result.questions:
                token = QUESTION_IMPORTS.save(
                    content,
                    user_id=current_user.id,
                    organisation_id=scope.organisation_id,
                    course_id=scope.course_id,
                    format=form.format.data,
                    filename=filename,
                )
            default = scope.default_category(filename)
            for question in result.questions:
                question.category = bank.clean_path(question.category, default)
    elif request.method == "POST":
        status = 400
    return _page(
        "quizzes/manage/import.html",
        scope,
        form=form,
        result=result,
        confirm=ConfirmImportForm(token=token),
        type_labels=TYPE_LABELS,
        max_mb=MAX_IMPORT_BYTES // 2**20,
    ), status


@bp.post("/ajar/bank-soal/impor/konfirmasi", defaults={"code": None})
@bp.post("/ajar/<code>/soal/impor/konfirmasi")
@login_required
def confirm_import(code: str | None) -> Response:
    """Import the good questions of the previewed file."""
    scope = _bank(code)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    pending = QUESTION_IMPORTS.load(
        form.token.data,
        user_id=current_user.id,
        organisation_id=scope.organisation_id,
        course_id=scope.course_id,
    )
    if pending is None:
        flash(_("Pratinjau impor sudah tidak berlaku. Unggah berkas lagi."), "warning")
        return redirect(url_for("quizzes.import_questions", code=scope.code))
    meta = pending.meta
    result = bank.parse_file(pending.content, meta["format"])
    try:
        saved = bank.import_questions(
            scope.organisation_id,
            scope.course_id,
            result.questions,
            default_category=scope.default_category(meta["filename"]),
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("quizzes.import_questions", code=scope.code))
    db.session.commit()
    QUESTION_IMPORTS.discard(pending.token)
    flash(_("%(n)d soal diimpor.", n=len(saved)), "success")
    return redirect(url_for("quizzes.bank_index", code=scope.code))


@bp.get("/ajar/bank-soal/ekspor", defaults={"code": None})
@bp.get("/ajar/<code>/soal/ekspor")
@login_required
def export_questions(code: str | None) -> str | Response:
    """Download the bank as GIFT or Moodle XML; without a format, what GIFT cannot hold."""
    scope = _bank(code)
    kind = request.args.get("format")
    questions = bank.bank_questions(scope.organisation_id, scope.course_id)
    if kind not in ("gift", "moodlexml"):
        _content, problems = bank.export(questions, "gift")
        notes = [  # a problem's line is the question's place in the exported list
            (questions[p.line - 1] if 0 < p.line <= len(questions) else None, p.message)
            for p in problems
        ]
        return _page("quizzes/manage/export.html", scope, count=len(questions), notes=notes)
    content, _problems = bank.export(questions, kind)
    suffix, mime = (
        ("gift.txt", "text/plain; charset=utf-8")
        if kind == "gift"
        else ("xml", "application/xml; charset=utf-8")
    )
    response = Response(content, mimetype=mime)
    name = f"{scope.code}-soal" if scope.code else f"bank-soal-{scope.organisation_id}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
    return response
