"""Trainer and HR pages: author courses, publish versions, assign trainers and learners."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from lms.accounts import policy as people
from lms.accounts import services as account_services
from lms.accounts.forms import ConfirmForm
from lms.accounts.models import Employee, Organisation, Position, Role, RoleAssignment, User
from lms.accounts.reference import golongan_choices
from lms.accounts.tree import units_in_tree_order
from lms.core.errors import DomainError
from lms.core.forms import choices
from lms.core.pagination import paginate, parse_page
from lms.courses import enrollment as enrolment
from lms.courses import policy, queries, services
from lms.courses.forms import (
    AssignForm,
    CategoryForm,
    CourseForm,
    LessonForm,
    ModuleForm,
    parse_codes,
    parse_competencies,
)
from lms.courses.models import (
    AssignmentRule,
    Category,
    Course,
    CourseVersion,
    Enrollment,
    Lesson,
    LessonType,
    Module,
    TargetType,
    Visibility,
)
from lms.courses.uploads import record_uploaded_media, store_cover, store_lesson_upload
from lms.courses.views import _render_lesson
from lms.extensions import db
from lms.media import services as media_services
from lms.media.models import MediaAsset, MediaStatus

bp = Blueprint("authoring", __name__, url_prefix="/ajar")


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, _values: dict | None) -> None:
    """Lesson uploads have their own size limit. Set here, before CSRF protection reads the form
    (a limit set inside the view comes too late: the body has been parsed by then)."""
    if endpoint == "authoring.lesson_form":
        request.max_content_length = (current_app.config["UPLOAD_MAX_MB"] + 1) * 1024 * 1024


def _editable(code: str) -> Course:
    course = queries.course_by_code(code)
    if course is None or not policy.can_edit_course(current_user, course):
        abort(404)
    return course


def _category_choices() -> list:
    return choices(
        (c.name, c.name) for c in db.session.scalars(select(Category).order_by(Category.name))
    )


def _details(form: CourseForm) -> services.CourseDetails:
    return services.CourseDetails(
        title=form.title.data,
        summary=form.summary.data or "",
        description=form.description.data or "",
        jp=form.jp.data,
        category=form.category.data,
        visibility=Visibility(form.visibility.data),
        self_enrollment=form.self_enrollment.data,
        completion_is_evidence=form.completion_is_evidence.data,
        certificate_months=form.certificate_months.data,
        requires_evaluation=form.requires_evaluation.data,
        competencies=parse_competencies(form.competencies.data),
        prerequisites=parse_codes(form.prerequisites.data),
    )


@bp.get("")
@login_required
def index() -> str:
    """The courses one teaches (HR: of the organisation; admins: all)."""
    if not policy.can_create_course(current_user):
        abort(403)
    query = (
        select(Course)
        .options(
            joinedload(Course.published_version),
            joinedload(Course.draft_version),
            joinedload(Course.organisation),
        )
        .where(policy.authoring_scope(current_user))
        .order_by(Course.code)
    )
    page = paginate(query, parse_page(request.args.get("page")), 25)
    counts = dict(
        db.session.execute(
            select(Enrollment.course_id, func.count())
            .where(
                Enrollment.course_id.in_([c.id for c in page.items]),
                Enrollment.withdrawn_at.is_(None),
            )
            .group_by(Enrollment.course_id)
        ).all()
    )
    return render_template(
        "authoring/index.html", page=page, counts=counts, category_form=CategoryForm()
    )


@bp.post("/kategori")
@login_required
def add_category() -> Response:
    """Admins add a catalog category."""
    if not people.is_admin(current_user):
        abort(403)
    form = CategoryForm()
    if form.validate_on_submit():
        services.category_named(form.name.data)
        db.session.commit()
        flash(_("Kategori disimpan."), "success")
    else:
        flash(_("Nama kategori wajib diisi."), "danger")
    return redirect(url_for("authoring.index"))


@bp.route("/baru", methods=["GET", "POST"])
@login_required
def create() -> str | Response:
    """Start a new course (a draft)."""
    if not policy.can_create_course(current_user):
        abort(403)
    organisation = current_user.organisation or db.session.scalar(
        select(Organisation).order_by(Organisation.name)
    )
    form = CourseForm()
    form.category.choices = _category_choices()
    status = 200
    if form.validate_on_submit():
        try:
            if not form.code.data:
                raise DomainError(_("Kode kursus wajib diisi."), field="code")
            course = services.create_course(
                organisation, form.code.data, _details(form), actor=current_user
            )
            _save_cover(course)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            status = 400
        else:
            db.session.commit()
            flash(_("Kursus dibuat sebagai draf."), "success")
            return redirect(url_for("authoring.edit", code=course.code))
    elif request.method == "POST":
        status = 400
    return render_template("authoring/course_form.html", form=form, course=None), status


@bp.get("/<code>")
@login_required
def edit(code: str) -> str:
    """The course editor: details, modules and lessons of the draft, publishing."""
    course = _editable(code)
    version = course.draft_version or course.published_version
    return render_template(
        "authoring/edit.html",
        course=course,
        version=version,
        modules=queries.outline(version.id),
        module_form=ModuleForm(),
        media_label=media_label,
        caption_languages=media_services.CAPTION_LANGUAGES,
        confirm=ConfirmForm(),
        counts=enrolment.status_counts(course.id, date.today(), None),
    )


@bp.route("/<code>/detail", methods=["GET", "POST"])
@login_required
def details(code: str) -> str | Response:
    """Edit a course's details (in its draft)."""
    course = _editable(code)
    version = course.draft_version or course.published_version
    form = CourseForm(
        formdata=request.form if request.method == "POST" else None,
        title=version.title,
        summary=version.summary,
        description=version.description,
        jp=version.jp,
        category=course.category.name,
        visibility=course.visibility.value,
        self_enrollment=course.self_enrollment,
        completion_is_evidence=course.completion_is_evidence,
        certificate_months=course.certificate_months,
        requires_evaluation=course.requires_evaluation,
        competencies=", ".join(f"{c.code}:{c.level}" for c in course.competencies),
        prerequisites=", ".join(p.required_course.code for p in course.prerequisites),
    )
    form.category.choices = _category_choices()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                services.update_details(course, _details(form), actor=current_user)
                _save_cover(course)
            except DomainError as error:
                db.session.rollback()
                form.add_domain_error(error)
                status = 400
            else:
                db.session.commit()
                flash(_("Detail kursus disimpan di draf."), "success")
                return redirect(url_for("authoring.edit", code=course.code))
        else:
            status = 400
    return render_template("authoring/course_form.html", form=form, course=course), status


def _save_cover(course: Course) -> None:
    upload = request.files.get("cover")
    if upload and upload.filename:
        store_cover(course, upload.stream)


def _act(course: Course, action: str) -> Response | tuple[str, int]:
    """Run a draft-changing action, committing on success; a refusal is the editor with a 400."""
    try:
        {
            "publish": lambda: services.publish(course, actor=current_user),
            "draft": lambda: services.ensure_draft(course, actor=current_user),
            "archive": lambda: services.archive(course, actor=current_user),
        }[action]()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return edit(course.code), 400
    db.session.commit()
    messages = {
        "publish": _("Kursus diterbitkan."),
        "draft": _("Draf baru dibuat dari versi terbit."),
        "archive": _("Kursus diarsipkan."),
    }
    flash(messages[action], "success")
    return redirect(url_for("authoring.edit", code=course.code))


@bp.post("/<code>/terbitkan")
@login_required
def publish(code: str) -> Response | tuple[str, int]:
    """Publish the draft."""
    return _act(_editable(code), "publish")


@bp.post("/<code>/draf")
@login_required
def new_draft(code: str) -> Response | tuple[str, int]:
    """Start a new draft from the published version."""
    return _act(_editable(code), "draft")


@bp.post("/<code>/arsipkan")
@login_required
def archive(code: str) -> Response | tuple[str, int]:
    """Archive the course."""
    return _act(_editable(code), "archive")


# --- modules and lessons of the draft --------------------------------------------------------


def _draft_module(course: Course, module_id: int) -> Module:
    module = db.session.scalar(
        select(Module).where(Module.id == module_id, Module.version_id == course.draft_version_id)
    )
    if module is None:
        abort(404)
    return module


def _draft_lesson(course: Course, lesson_id: int) -> Lesson:
    lesson = queries.lesson_in(course.draft_version_id, lesson_id)
    if lesson is None:
        abort(404)
    return lesson


@bp.post("/<code>/modul")
@login_required
def add_module(code: str) -> Response:
    """Add a module to the draft."""
    course = _editable(code)
    form = ModuleForm()
    if not form.validate_on_submit():
        flash(_("Judul modul wajib diisi."), "danger")
        return redirect(url_for("authoring.edit", code=course.code))
    try:
        services.add_module(course, form.title.data, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
    return redirect(url_for("authoring.edit", code=course.code))


@bp.post("/<code>/modul/<int:module_id>/<action>")
@login_required
def module_action(code: str, module_id: int, action: str) -> Response:
    """Rename, move or delete a module of the draft."""
    course = _editable(code)
    module = _draft_module(course, module_id)
    if action in ("naik", "turun"):
        services.move(module.version.modules, module, -1 if action == "naik" else 1)
    elif action == "hapus":
        services.remove_module(course, module)
    elif action == "ubah":
        form = ModuleForm()
        if not form.validate_on_submit():
            abort(400)
        module.title = " ".join(form.title.data.split())
    else:
        abort(404)
    db.session.commit()
    return redirect(url_for("authoring.edit", code=course.code))


@bp.route(
    "/<code>/modul/<int:module_id>/pelajaran/baru", methods=["GET", "POST"],
    defaults={"lesson_id": None},
)  # fmt: skip
@bp.route("/<code>/pelajaran/<int:lesson_id>/ubah", methods=["GET", "POST"],
          defaults={"module_id": None})  # fmt: skip
@login_required
def lesson_form(code: str, module_id: int | None, lesson_id: int | None) -> str | Response:
    """Create or edit a lesson of the draft, with its upload."""
    course = _editable(code)
    if course.draft_version_id is None:
        abort(404)
    lesson = _draft_lesson(course, lesson_id) if lesson_id is not None else None
    module = lesson.module if lesson is not None else _draft_module(course, module_id)
    form = LessonForm(obj=lesson)
    if request.method == "GET" and lesson is not None:
        form.lesson_type.data = lesson.lesson_type.value
    status = 200
    if form.validate_on_submit():
        try:
            data = services.LessonData(
                title=form.title.data,
                lesson_type=LessonType(form.lesson_type.data),
                is_required=form.is_required.data,
                body=form.body.data or "",
                url=form.url.data,
            )
            upload = request.files.get("upload")
            if upload and upload.filename:
                store_lesson_upload(course, data, upload)
            elif request.form.get("media") and data.lesson_type is LessonType.VIDEO:
                # the editor's resumable upload already stored and checked the video
                record_uploaded_media(data, request.form["media"], current_user)
            services.save_lesson(module, lesson, data)
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
            status = 413 if error.code == "too_large" else 400
        else:
            db.session.commit()
            if data.media_id is not None:
                media = db.session.get(MediaAsset, data.media_id)
                if media.status is MediaStatus.UPLOADED:
                    media_services.enqueue(media)
            flash(_("Pelajaran disimpan."), "success")
            return redirect(url_for("authoring.edit", code=course.code))
    elif request.method == "POST":
        status = 400
    return render_template(
        "authoring/lesson_form.html",
        form=form,
        course=course,
        module=module,
        lesson=lesson,
        upload_max_mb=current_app.config["UPLOAD_MAX_MB"],
        video_max_mb=current_app.config["UPLOAD_VIDEO_MAX_MB"],
    ), status


@bp.post("/<code>/pelajaran/<int:lesson_id>/<action>")
@login_required
def lesson_action(code: str, lesson_id: int, action: str) -> Response:
    """Move or delete a lesson of the draft."""
    course = _editable(code)
    lesson = _draft_lesson(course, lesson_id)
    if action in ("naik", "turun"):
        services.move(lesson.module.lessons, lesson, -1 if action == "naik" else 1)
    elif action == "hapus":
        services.remove_lesson(lesson)
    else:
        abort(404)
    db.session.commit()
    return redirect(url_for("authoring.edit", code=course.code))


@bp.get("/<code>/pratinjau/<int:lesson_id>")
@login_required
def preview_lesson(code: str, lesson_id: int) -> str:
    """A lesson of the draft as a learner will see it."""
    course = _editable(code)
    version_id = course.draft_version_id or course.published_version_id
    lesson = queries.lesson_in(version_id, lesson_id)
    if lesson is None:
        abort(404)
    return _render_lesson(course, lesson, queries.outline(version_id), None, preview=True)


# --- videos of the course ----------------------------------------------------------------------


def _course_media(course: Course, public_id: str) -> MediaAsset:
    media = db.session.scalar(
        select(MediaAsset)
        .join(Lesson, Lesson.media_id == MediaAsset.id)
        .join(CourseVersion, CourseVersion.id == Lesson.version_id)
        .where(MediaAsset.public_id == public_id[:32], CourseVersion.course_id == course.id)
        .limit(1)
    )
    if media is None:
        abort(404)
    return media


@bp.get("/<code>/media/<public_id>")
@login_required
def media_status(code: str, public_id: str) -> Response:
    """Processing status of a course video, polled by the editor page."""
    media = _course_media(_editable(code), public_id)
    return jsonify(
        status=media.status.value,
        progress=media.progress,
        eta_seconds=media.eta_seconds,
        error=media.error,
        label=media_label(media),
    )


@bp.post("/<code>/media/<public_id>/ulang")
@login_required
def retry_media(code: str, public_id: str) -> Response:
    """Process a failed video again."""
    course = _editable(code)
    media = _course_media(course, public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        media_services.retry(media)
    except DomainError as error:
        flash(error.message, "warning")
    else:
        flash(_("Video diproses ulang."), "success")
    return redirect(url_for("authoring.edit", code=course.code))


@bp.post("/<code>/media/<public_id>/teks")
@login_required
def upload_caption(code: str, public_id: str) -> Response:
    """Add or replace a WebVTT caption track of a course video."""
    course = _editable(code)
    media = _course_media(course, public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    upload = request.files.get("captions")
    try:
        if upload is None or not upload.filename:
            raise DomainError(_("Pilih berkas WebVTT (.vtt)."), field="captions")
        media_services.save_caption(
            media,
            request.form.get("language", ""),
            upload.read(media_services.CAPTION_MAX_BYTES + 1),
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return edit(course.code), 400  # type: ignore[return-value]
    db.session.commit()
    flash(_("Teks terjemahan disimpan."), "success")
    return redirect(url_for("authoring.edit", code=course.code))


def media_label(media: MediaAsset) -> str:
    """A short Indonesian status line for a video."""
    if media.status is MediaStatus.READY:
        return _("Siap diputar (%(n)d kualitas)", n=len(media.renditions or []))
    if media.status is MediaStatus.FAILED:
        return _("Gagal diproses: %(reason)s", reason=media.error or "")
    if media.status is MediaStatus.PROCESSING:
        if media.eta_seconds:
            return _(
                "Diproses %(p)d%%, sisa sekitar %(m)d menit",
                p=int(media.progress),
                m=max(1, round(media.eta_seconds / 60)),
            )
        return _("Diproses %(p)d%%", p=int(media.progress))
    return _("Menunggu giliran diproses")


# --- people: trainers, learners, assignments -------------------------------------------------


@bp.route("/<code>/pelatih", methods=["GET", "POST"])
@login_required
def trainers(code: str) -> str | Response:
    """HR and admins choose who teaches the course."""
    course = _editable(code)
    if not policy.can_assign_trainers(current_user, course):
        abort(403)
    candidates = db.session.scalars(
        select(User)
        .join(RoleAssignment)
        .options(joinedload(User.employee))
        .where(RoleAssignment.role == Role.TRAINER)
        .where(
            User.organisation_id == course.organisation_id
            if not people.is_admin(current_user)
            else User.id.is_not(None)
        )
        .order_by(User.email)
    ).all()
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        wanted = {int(v) for v in request.form.getlist("trainers") if v.isascii() and v.isdigit()}
        chosen = [u for u in candidates if u.id in wanted]
        if len(chosen) != len(wanted):
            abort(400)
        try:
            services.set_trainers(course, chosen, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Pelatih kursus diperbarui."), "success")
            return redirect(url_for("authoring.edit", code=course.code))
    current = {t.user_id for t in course.trainers}
    return render_template(
        "authoring/trainers.html",
        course=course,
        candidates=candidates,
        current=current,
        confirm=ConfirmForm(),
    )


@bp.get("/<code>/peserta")
@login_required
def learners(code: str) -> str:
    """Enrolled learners with progress and completion (HR: their organisation's)."""
    course = queries.course_by_code(code)
    if course is None or not policy.can_view_learners(current_user, course):
        abort(404)
    # Trainers of the course and admins see every learner; HR only their own organisation's
    # employees, as everywhere else (also in a course their organisation owns).
    organisation_id = None
    if not (policy.is_course_trainer(current_user, course) or people.is_admin(current_user)):
        organisation_id = current_user.organisation_id
    query = (
        select(Enrollment)
        .join(Employee)
        .options(joinedload(Enrollment.employee).joinedload(Employee.unit))
        .where(Enrollment.course_id == course.id, Enrollment.withdrawn_at.is_(None))
        .order_by(Employee.name, Enrollment.id)
    )
    if organisation_id is not None:
        query = query.where(Employee.organisation_id == organisation_id)
    page = paginate(query, parse_page(request.args.get("page")), 50)
    return render_template(
        "authoring/learners.html",
        course=course,
        confirm=ConfirmForm(),
        can_withdraw=people.is_hr(current_user) or people.is_admin(current_user),
        my_org=current_user.organisation_id,
        page=page,
        today=date.today(),
        counts=enrolment.status_counts(course.id, date.today(), organisation_id),
    )


@bp.post("/<code>/peserta/<int:enrollment_id>/keluarkan")
@login_required
def withdraw(code: str, enrollment_id: int) -> Response:
    """HR withdraw one of their organisation's employees from a course (records are kept)."""
    course = queries.course_by_code(code)
    if course is None or not (people.is_hr(current_user) or people.is_admin(current_user)):
        abort(404)
    query = (
        select(Enrollment)
        .join(Employee)
        .where(Enrollment.id == enrollment_id, Enrollment.course_id == course.id)
    )
    if not people.is_admin(current_user):
        query = query.where(Employee.organisation_id == current_user.organisation_id)
    found = db.session.scalar(query)
    if found is None:
        abort(404)
    try:
        enrolment.unenrol(found, actor=current_user, by_hr=True)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
    else:
        db.session.commit()
        flash(_("Pegawai dikeluarkan dari kursus; riwayatnya tetap tersimpan."), "success")
    return redirect(url_for("authoring.learners", code=course.code))


@bp.route("/<code>/penugasan", methods=["GET", "POST"])
@login_required
def assign(code: str) -> str | Response:
    """HR assign the course as mandatory training to employees, units, positions or golongan."""
    course = queries.course_by_code(code)
    if course is None or not policy.can_assign(current_user, course):
        abort(404)
    if people.is_hr(current_user):
        organisation = current_user.organisation
    else:
        from lms.accounts.views_people import current_organisation

        organisation = current_organisation()
    form = AssignForm()
    form.unit_id.choices = choices(
        (str(u.id), "\u2003" * depth + u.name) for u, depth in units_in_tree_order(organisation.id)
    )
    form.position_id.choices = choices(
        (str(p.id), p.name)
        for p in db.session.scalars(
            select(Position)
            .where(Position.organisation_id == organisation.id)
            .order_by(Position.name)
        )
    )
    form.golongan.choices = choices(golongan_choices())
    status = 200
    if form.validate_on_submit():
        target_type = TargetType(form.target_type.data)
        target_id = None
        target_value = None
        try:
            if target_type is TargetType.EMPLOYEE:
                # one rule per employee named (NIPs or names), all or none
                count = 0
                for employee in account_services.employees_named(organisation.id, form.nip.data):
                    _rule, added = enrolment.create_rule(
                        organisation,
                        course,
                        target_type,
                        target_id=employee.id,
                        due_date=form.due_date.data,
                        actor=current_user,
                    )
                    count += added
            else:
                if target_type is TargetType.UNIT:
                    target_id = int(form.unit_id.data)
                elif target_type is TargetType.POSITION:
                    target_id = int(form.position_id.data)
                else:
                    target_value = form.golongan.data
                _rule, count = enrolment.create_rule(
                    organisation,
                    course,
                    target_type,
                    target_id=target_id,
                    target_value=target_value,
                    due_date=form.due_date.data,
                    actor=current_user,
                )
        except (DomainError, ValueError, TypeError) as error:
            db.session.rollback()
            if isinstance(error, DomainError):
                form.add_domain_error(error)
            else:
                form.form_errors.append(_("Pilih sasaran penugasan."))
            status = 400
        else:
            db.session.commit()
            flash(_("Penugasan disimpan: %(n)d pegawai didaftarkan.", n=count), "success")
            return redirect(url_for("authoring.assign", code=course.code))
    elif request.method == "POST":
        status = 400
    rules = db.session.scalars(
        select(AssignmentRule)
        .where(
            AssignmentRule.course_id == course.id,
            AssignmentRule.organisation_id == organisation.id,
        )
        .order_by(AssignmentRule.created_at.desc())
    ).all()
    return render_template(
        "authoring/assign.html",
        course=course,
        form=form,
        rules=rules,
        organisation=organisation,
        rule_label=_rule_labels(rules),
    ), status


def _rule_labels(rules: list[AssignmentRule]) -> dict[int, str]:
    """Readable targets for rules, loaded with one query per kind."""
    from lms.accounts.models import Unit

    labels: dict[int, str] = {}
    by_kind: dict[TargetType, list[AssignmentRule]] = {}
    for rule in rules:
        by_kind.setdefault(rule.target_type, []).append(rule)
    for kind, model, attribute in (
        (TargetType.EMPLOYEE, Employee, "name"),
        (TargetType.UNIT, Unit, "name"),
        (TargetType.POSITION, Position, "name"),
    ):
        items = by_kind.get(kind, [])
        names = dict(
            db.session.execute(
                select(model.id, getattr(model, attribute)).where(
                    model.id.in_([r.target_id for r in items])
                )
            ).all()
        ) if items else {}  # fmt: skip
        for rule in items:
            labels[rule.id] = names.get(rule.target_id, "–")
    for rule in by_kind.get(TargetType.GOLONGAN, []):
        labels[rule.id] = _("Golongan %(g)s", g=rule.target_value)
    return labels
