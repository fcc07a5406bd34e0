"""Learner pages: the catalog, a course, its lessons, enrolment and progress."""

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
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.core.errors import DomainError
from lms.core.errors_views import json_error
from lms.core.markdown import render_markdown
from lms.core.pagination import parse_page
from lms.courses import enrollment as enrolment
from lms.courses import evaluation, pages, policy, queries, watching
from lms.courses.models import (
    Course,
    CourseAsset,
    CourseStatus,
    Enrollment,
    Lesson,
    LessonType,
)
from lms.extensions import db
from lms.media import storage
from lms.media.models import Caption

bp = Blueprint("courses", __name__)


def _course_or_404(code: str, *, for_page: bool = True) -> Course:
    """A course the user may see. File and stream requests (``for_page=False``) load only
    what the access check needs, because a video fetches a segment every few seconds."""
    course = queries.course_by_code(code) if for_page else queries.course_for_access(code)
    if course is None:
        abort(404)
    if not policy.can_view_course(current_user, course) and not (
        # learners keep access to what they studied in a course that was later archived
        course.status is CourseStatus.ARCHIVED
        and enrolment.active_enrollment(course, current_user.employee_id) is not None
    ):
        abort(404)
    return course


def asset_rewriter(course: Course):  # noqa: ANN201 - returns a small closure
    """Map ``../media/name`` in Markdown to the course's served asset URL."""

    def rewrite(url: str) -> str:
        for prefix in ("../media/", "media/"):
            if url.startswith(prefix):
                return url_for("courses.asset", code=course.code, name=url[len(prefix) :])
        return url

    return rewrite


@bp.get("/kursus")
@login_required
def catalog() -> str:
    """Find courses: search and filters over the published courses one may take."""
    q = request.args.get("q", "").strip()[:100]
    category_id = request.args.get("kategori", type=int)
    organisation_id = request.args.get("instansi", type=int)
    competency = request.args.get("kompetensi", "").strip()[:20]
    jp = request.args.get("jp", "")
    page = pages.catalog_page(
        current_user,
        parse_page(request.args.get("page")),
        12,
        q=q,
        category_id=category_id if category_id and category_id < 2**31 else None,
        organisation_id=organisation_id if organisation_id and organisation_id < 2**31 else None,
        competency=competency,
        jp=jp,
    )
    choices = pages.filter_choices(current_user)
    return render_template(
        "courses/catalog.html",
        page=page,
        categories=choices.categories,
        organisations=choices.organisations,
        competencies=choices.competencies,
        filters={
            "q": q,
            "kategori": category_id,
            "instansi": organisation_id,
            "kompetensi": competency,
            "jp": jp,
        },
    )


@bp.get("/kursus/<code>")
@login_required
def course(code: str) -> str:
    """A course's page: syllabus, JP, competencies, trainers and the learner's status."""
    course = _course_or_404(code, for_page=False)  # what the page shows comes from course_page
    page = pages.course_page(course, asset_rewriter(course))
    mine = enrolment.active_enrollment(course, current_user.employee_id)
    done: frozenset[str] = frozenset()  # frozen: part of the syllabus fragment's key
    continue_lesson = None
    if mine is not None and course.published_version_id:
        done = frozenset(enrolment.done_keys(mine, course.published_version_id))
        lessons = page.content.lessons
        continue_lesson = next((x for x in lessons if x.key == mine.last_lesson_key), None)
        if continue_lesson is None or continue_lesson.key in done:
            continue_lesson = next((x for x in lessons if x.key not in done), None)
    return render_template(
        "courses/course.html",
        course=course,
        page=page,
        enrollment=mine,
        status=mine.status(date.today()).value if mine else None,
        done=done,
        continue_lesson=continue_lesson,
        evaluated=(
            evaluation.response_for(mine) is not None
            if mine is not None and course.requires_evaluation
            else None
        ),
        evaluation_due=mine is not None and evaluation.is_due(mine),
        missing=(
            enrolment.unmet_prerequisites(page.prerequisites, current_user.employee_id)
            if current_user.employee_id and mine is None
            else []
        ),
        can_edit=policy.can_edit_course(current_user, course),
    )


@bp.post("/kursus/<code>/daftar")
@login_required
def enrol(code: str) -> Response:
    """Enrol oneself."""
    course = _course_or_404(code)
    if current_user.employee is None:
        abort(403)
    try:
        enrolment.enrol(
            course,
            current_user.employee,
            source=enrolment.EnrollmentSource.SELF,
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("courses.course", code=course.code))
    db.session.commit()
    flash(_("Anda terdaftar di kursus ini. Selamat belajar!"), "success")
    return redirect(url_for("courses.course", code=course.code))


@bp.post("/kursus/<code>/keluar")
@login_required
def unenrol(code: str) -> Response:
    """Leave a course one enrolled in oneself (records are kept)."""
    course = _course_or_404(code)
    mine = enrolment.active_enrollment(course, current_user.employee_id)
    if mine is None:
        abort(404)
    try:
        enrolment.unenrol(mine, actor=current_user, by_hr=False)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Anda keluar dari kursus ini. Riwayat belajar Anda tetap tersimpan."), "info")
    return redirect(url_for("courses.course", code=course.code))


def _learning(code: str, lesson_id: int) -> tuple[Course, Lesson, Enrollment]:
    course = _course_or_404(code)
    lesson = queries.lesson_in(course.published_version_id, lesson_id)
    if lesson is None:
        abort(404)
    mine = enrolment.active_enrollment(course, current_user.employee_id)
    if mine is None:
        abort(403)
    return course, lesson, mine


@bp.get("/kursus/<code>/pelajaran/<int:lesson_id>")
@login_required
def lesson(code: str, lesson_id: int) -> str | Response:
    """One lesson of a course the learner is enrolled in (quizzes have pages of their own)."""
    course, lesson, mine = _learning(code, lesson_id)
    if lesson.lesson_type is LessonType.QUIZ:
        return redirect(url_for("quizzes.lesson_quiz", code=course.code, lesson_id=lesson.id))
    enrolment.visit(mine, lesson)
    db.session.commit()
    modules = queries.outline(course.published_version_id)
    return _render_lesson(course, lesson, modules, mine, preview=False)


def _render_lesson(
    course: Course, lesson: Lesson, modules: list, mine: Enrollment | None, *, preview: bool
) -> str:
    lessons = [x for module in modules for x in module.lessons]
    index = next(i for i, x in enumerate(lessons) if x.id == lesson.id)
    done = (
        enrolment.done_keys(mine, course.published_version_id)
        if mine is not None and course.published_version_id
        else set()
    )
    return render_template(
        "courses/lesson.html",
        course=course,
        lesson=lesson,
        modules=modules,
        body=render_markdown(lesson.body, asset_rewriter(course), title=lesson.title)
        if lesson.lesson_type is not LessonType.QUIZ
        else None,
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
        done=done,
        enrollment=mine,
        preview=preview,
        resume_at=watching.resume_position(mine, lesson)
        if lesson.lesson_type is LessonType.VIDEO
        else 0,
        captions=db.session.scalars(
            select(Caption).where(Caption.media_id == lesson.media_id).order_by(Caption.language)
        ).all()
        if lesson.media_id
        else [],
    )


@bp.post("/kursus/<code>/pelajaran/<int:lesson_id>/selesai")
@login_required
def complete(code: str, lesson_id: int) -> Response:
    """Mark a text or video lesson done and go on to the next one."""
    course, lesson, mine = _learning(code, lesson_id)
    try:
        finished = enrolment.complete_lesson(mine, lesson)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("courses.lesson", code=course.code, lesson_id=lesson.id))
    db.session.commit()
    if finished:
        flash(_("Selamat! Anda telah menyelesaikan kursus ini."), "success")
        return redirect(url_for("courses.course", code=course.code))
    if evaluation.is_due(mine):
        flash(_("Semua pelajaran selesai. Isi evaluasi kursus untuk menyelesaikan kursus ini."),
              "info")  # fmt: skip
        return redirect(url_for("courses.evaluation_form", code=course.code))
    following = request.form.get("next", type=int)
    if (
        following
        and 0 < following < 2**31  # the largest id PostgreSQL keeps (lms.core.urls.MAX_ID)
        and queries.lesson_in(course.published_version_id, following)
    ):
        return redirect(url_for("courses.lesson", code=course.code, lesson_id=following))
    return redirect(url_for("courses.course", code=course.code))


@bp.post("/kursus/<code>/pelajaran/<int:lesson_id>/tonton")
@login_required
def watch(code: str, lesson_id: int) -> tuple[Response, int] | Response:
    """The player reports what it played (JSON, with the CSRF token in X-CSRFToken)."""
    _course, lesson, mine = _learning(code, lesson_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "bad_json", _("Isi permintaan bukan objek JSON yang sah.")), 400
    try:
        result = watching.record_watch(
            mine, lesson, body.get("from"), body.get("to"), body.get("position")
        )
    except DomainError as error:
        db.session.rollback()
        return json_error(422, error.code, error.message), 422
    db.session.commit()
    return jsonify(
        watched_percent=result.watched_percent,
        completed=result.completed,
        position=result.position,
    )


@bp.get("/kursus/<code>/pelajaran/<int:lesson_id>/buka")
@login_required
def open_link(code: str, lesson_id: int) -> Response:
    """Follow a link lesson; visiting it completes it."""
    _course, lesson, mine = _learning(code, lesson_id)
    if lesson.lesson_type is not LessonType.LINK or not lesson.url:
        abort(404)
    enrolment.complete_lesson(mine, lesson)
    db.session.commit()
    return redirect(lesson.url)


@bp.get("/kursus/<code>/pelajaran/<int:lesson_id>/berkas")
@login_required
def lesson_file(code: str, lesson_id: int) -> Response:
    """The file of a file or video lesson; opening a file lesson completes it.

    Authors previewing a draft may open files of the draft too.
    """
    course = _course_or_404(code, for_page=False)
    lesson = queries.lesson_in(course.published_version_id, lesson_id)
    mine = enrolment.active_enrollment(course, current_user.employee_id)
    if lesson is None and policy.can_edit_course(current_user, course):
        lesson = queries.lesson_in(course.draft_version_id, lesson_id)
    elif lesson is not None and mine is None and not policy.can_edit_course(current_user, course):
        abort(403)
    if lesson is None or not lesson.file_path:
        abort(404)
    if mine is not None and lesson.lesson_type is LessonType.FILE:
        enrolment.complete_lesson(mine, lesson)
        db.session.commit()
    inline = request.args.get("tampil") == "1" or lesson.lesson_type is LessonType.VIDEO
    response = storage.send(
        lesson.file_path,
        mimetype=lesson.file_mime,
        as_attachment=not inline,
        download_name=lesson.file_name or "berkas",
        max_age=0,
    )
    if inline:
        # The PDF preview is framed by the lesson page of this site, and only by it.
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _video_lesson(code: str, lesson_id: int) -> tuple[Course, Lesson]:
    """A video lesson the user may watch: enrolled learners, or the course's editors."""
    course = _course_or_404(code, for_page=False)
    lesson = queries.lesson_in(course.published_version_id, lesson_id)
    editor = policy.can_edit_course(current_user, course)
    if lesson is None and editor:
        lesson = queries.lesson_in(course.draft_version_id, lesson_id)
    if lesson is None or lesson.media is None:
        abort(404)
    if not editor and enrolment.active_enrollment(course, current_user.employee_id) is None:
        abort(403)
    return course, lesson


@bp.get("/kursus/<code>/pelajaran/<int:lesson_id>/hls/<path:name>")
@login_required
def hls(code: str, lesson_id: int, name: str) -> Response:
    """The HLS playlists, segments, poster and thumbnails of a video lesson, after checks.

    Nothing here is listable: only named files inside the lesson's processed folder are sent.
    From S3, segments and images redirect to presigned URLs; playlists (whose relative links
    must come back here) and the sprite's cues are sent by the app.
    """
    _course, lesson = _video_lesson(code, lesson_id)
    media = lesson.media
    if media.hls_path is None or ".." in name.split("/"):
        abort(404)
    text = name.endswith((".m3u8", ".vtt"))
    # Segments never change once written; playlists are small. Both stay private to the user.
    return storage.send(
        f"{media.hls_path}/{name}",
        mimetype=storage.content_type(name),
        max_age=60 if name.endswith(".m3u8") else 86400,
        private=True,
        redirect=not text,
    )


@bp.get("/kursus/<code>/pelajaran/<int:lesson_id>/teks/<language>.vtt")
@login_required
def caption(code: str, lesson_id: int, language: str) -> Response:
    """A WebVTT caption track of a video lesson."""
    _course, lesson = _video_lesson(code, lesson_id)
    track = db.session.scalar(
        select(Caption).where(Caption.media_id == lesson.media_id, Caption.language == language)
    )
    if track is None:
        abort(404)
    return storage.send(track.path, mimetype="text/vtt", private=True, redirect=False)


@bp.get("/kursus/<code>/sampul")
@login_required
def cover(code: str) -> Response:
    """The course's cover image."""
    course = _course_or_404(code, for_page=False)
    if not course.cover_path:
        abort(404)
    return storage.send(course.cover_path, max_age=86400)


@bp.get("/kursus/<code>/aset/<path:name>")
@login_required
def asset(code: str, name: str) -> Response:
    """An image or file used in the course's Markdown."""
    course = _course_or_404(code, for_page=False)
    found = db.session.scalar(
        select(CourseAsset).where(CourseAsset.course_id == course.id, CourseAsset.name == name)
    )
    if found is None:
        abort(404)
    return storage.send(found.path, mimetype=found.mime, max_age=3600)


LESSON_TYPE_LABELS = {
    "text": _l("Teks"),
    "video": _l("Video"),
    "file": _l("Berkas"),
    "link": _l("Tautan"),
    "quiz": _l("Kuis"),
}


COURSE_STATUS_LABELS = {
    "draft": _l("Draf"),
    "published": _l("Terbit"),
    "archived": _l("Diarsipkan"),
}
TARGET_TYPE_LABELS = {
    "employee": _l("Pegawai"),
    "unit": _l("Unit kerja"),
    "position": _l("Jabatan"),
    "golongan": _l("Golongan"),
}


@bp.app_context_processor
def _course_helpers() -> dict[str, object]:
    return {
        "course_status_label": lambda course: COURSE_STATUS_LABELS[course.status.value],
        "target_type_label": lambda value: TARGET_TYPE_LABELS.get(value, value),
        "course_policy": policy,
        "minutes_per_jp": current_app.config["MINUTES_PER_JP"],
        "video_complete_percent": current_app.config["VIDEO_COMPLETE_PERCENT"],
        "lesson_type_label": lambda value: LESSON_TYPE_LABELS.get(value, value),
    }
