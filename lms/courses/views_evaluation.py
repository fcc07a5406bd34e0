"""Course evaluation pages: the learner's survey, results per course and per trainer, and the
organisation's survey. The routes join the ``courses`` and ``authoring`` blueprints."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from lms.accounts import policy as people
from lms.accounts.views_people import current_organisation
from lms.core.errors import DomainError
from lms.core.pagination import paginate, parse_page
from lms.courses import enrollment as enrolment
from lms.courses import evaluation, policy
from lms.courses.forms import SCALE_LABELS, EvaluationForm, EvaluationTemplateForm
from lms.courses.models import Course, CourseTrainer
from lms.courses.views import _course_or_404
from lms.courses.views import bp as courses_bp
from lms.courses.views_authoring import _editable
from lms.courses.views_authoring import bp as authoring_bp
from lms.extensions import db

#: refusals that are about the state of the enrolment, not about what was typed
STATE_ERRORS = {"not_enrolled", "early", "already_submitted"}
#: courses per page of a trainer's results
TRAINER_PAGE = 25


# --- the learner --------------------------------------------------------------------------------


@courses_bp.route("/kursus/<code>/evaluasi", methods=["GET", "POST"])
@login_required
def evaluation_form(code: str) -> str | Response | tuple[str, int]:
    """The end-of-course evaluation of a course the learner is enrolled in."""
    course = _course_or_404(code)
    if not course.requires_evaluation:
        abort(404)
    mine = enrolment.active_enrollment(course, current_user.employee_id)
    if mine is None:
        abort(403)
    items, prompt = evaluation.template_items(course.organisation_id)
    form = EvaluationForm.for_items(items, prompt)
    status = 200
    if request.method == "POST":
        # the service refuses an early or second evaluation whatever was ticked
        open_ = evaluation.response_for(mine) is None and mine.progress_percent == 100
        if not open_ or form.validate():
            try:
                evaluation.submit(mine, form.ratings(), form.comment.data or "", actor=current_user)
            except DomainError as error:
                db.session.rollback()
                form.add_domain_error(error)
                status = 409 if error.code in STATE_ERRORS else 422
            else:
                db.session.commit()
                if mine.completed_at is not None:
                    flash(_("Terima kasih atas evaluasi Anda. Selamat! Kursus selesai; sertifikat "
                            "Anda ada di halaman Sertifikat saya."), "success")  # fmt: skip
                else:
                    flash(_("Terima kasih atas evaluasi Anda."), "success")
                return redirect(url_for("courses.course", code=course.code))
        else:
            status = 422
    return render_template(
        "courses/evaluation.html",
        course=course,
        enrollment=mine,
        response=evaluation.response_for(mine),
        form=form,
        scale=SCALE_LABELS,
    ), status


# --- trainers, editors and HR ---------------------------------------------------------------------


@authoring_bp.get("/<code>/evaluasi")
@login_required
def evaluation_results(code: str) -> str:
    """A course's evaluation results: per statement the mean and the 1–5 distribution, and the
    latest comments, never with who gave them."""
    course = _editable(code)
    responses, items, comments = evaluation.results([course.id])
    return render_template(
        "authoring/evaluation_results.html",
        course=course,
        responses=responses,
        items=items,
        comments=comments,
        scale=SCALE_LABELS,
        can_edit_template=people.can_manage_people(current_user, course.organisation_id),
    )


@authoring_bp.get("/evaluasi-saya")
@login_required
def my_evaluations() -> str:
    """The evaluation results of the courses one teaches: responses and overall means."""
    if not policy.can_create_course(current_user):
        abort(403)
    course_ids = evaluation.trainer_course_ids(current_user.id)
    means = evaluation.course_means(course_ids)
    overall = evaluation.CourseMean()
    for found in means.values():
        overall.add(found)
    page = paginate(
        select(Course)
        .where(Course.trainers.any(CourseTrainer.user_id == current_user.id))
        .options(joinedload(Course.published_version), joinedload(Course.draft_version))
        .order_by(Course.code),
        parse_page(request.args.get("page")),
        TRAINER_PAGE,
    )
    return render_template(
        "authoring/my_evaluations.html",
        page=page,
        means=means,
        overall=overall,
    )


# --- HR: the organisation's survey --------------------------------------------------------------


@courses_bp.route("/evaluasi/templat", methods=["GET", "POST"])
@login_required
def evaluation_template() -> str | Response | tuple[str, int]:
    """HR write the statements and the open question of their organisation's survey."""
    organisation = current_organisation()
    if not people.can_manage_people(current_user, organisation.id):
        abort(403)
    items, prompt = evaluation.template_items(organisation.id)
    form = EvaluationTemplateForm(
        formdata=request.form if request.method == "POST" else None,
        items="\n".join(items),
        comment_prompt=prompt,
    )
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                evaluation.save_template(
                    organisation.id,
                    form.item_lines(),
                    form.comment_prompt.data,
                    actor=current_user,
                )
            except DomainError as error:
                db.session.rollback()
                form.add_domain_error(error)
                status = 422
            else:
                db.session.commit()
                flash(_("Survei evaluasi kursus disimpan."), "success")
                return redirect(url_for("courses.evaluation_template"))
        else:
            status = 422
    return render_template(
        "courses/evaluation_template.html", form=form, organisation=organisation
    ), status
