"""Authoring use cases: courses, versions, modules, lessons, publishing. The caller commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.accounts import audit
from lms.accounts.models import Organisation, Role, User
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.core.signals import course_published
from lms.courses.models import (
    Category,
    Course,
    CourseCompetency,
    CoursePrerequisite,
    CourseStatus,
    CourseTrainer,
    CourseVersion,
    Lesson,
    LessonType,
    Module,
    Visibility,
)
from lms.extensions import db

#: the built-in categories; admins add more
DEFAULT_CATEGORIES = ("Kepemimpinan", "Teknologi Informasi", "Manajemen")
CODE_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def new_key() -> str:
    """A lesson key: stable across versions of a course."""
    return secrets.token_hex(16)


def content_hash(lesson_type: LessonType, body: str, url: str | None, file_path: str | None) -> str:
    """What a learner studies in a lesson; a change means the lesson must be done again."""
    digest = hashlib.sha256()
    for part in (lesson_type.value, body.strip(), url or "", file_path or ""):
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def category_named(name: str) -> Category:
    """The category with this name, created if new."""
    name = " ".join(name.split())
    category = db.session.scalar(select(Category).where(func.lower(Category.name) == name.lower()))
    if category is None:
        category = Category(name=name)
        db.session.add(category)
        db.session.flush()
    return category


@dataclass
class CourseDetails:
    """What an author enters about a course."""

    title: str
    summary: str = ""
    description: str = ""
    jp: int = 1
    category: str = "Manajemen"
    visibility: Visibility = Visibility.SHARED
    self_enrollment: bool = True
    completion_is_evidence: bool = False
    certificate_months: int | None = None
    requires_evaluation: bool = False
    competencies: list[tuple[str, int]] = field(default_factory=list)
    prerequisites: list[str] = field(default_factory=list)


def _check_details(details: CourseDetails) -> None:
    months = details.certificate_months
    if months is not None and (
        not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 120
    ):
        raise DomainError(
            _("Masa berlaku sertifikat 1 sampai 120 bulan, atau kosong."),
            field="certificate_months",
        )
    if not details.title.strip():
        raise DomainError(_("Judul kursus wajib diisi."), field="title")
    if not 1 <= details.jp <= 1000:
        raise DomainError(_("JP harus antara 1 dan 1000."), field="jp")
    seen: set[str] = set()
    for code, level in details.competencies:
        if not code or len(code) > 20 or not set(code) <= CODE_ALPHABET:
            raise DomainError(
                _("Kode kompetensi %(code)s tidak valid.", code=code), field="competencies"
            )
        if not 1 <= level <= 5:
            raise DomainError(
                _("Level kompetensi %(code)s harus 1 sampai 5.", code=code), field="competencies"
            )
        if code in seen:
            raise DomainError(
                _("Kompetensi %(code)s ditulis dua kali.", code=code), field="competencies"
            )
        seen.add(code)


def create_course(
    organisation: Organisation, code: str, details: CourseDetails, *, actor: User | None
) -> Course:
    """A new course with an empty draft version; a trainer who creates it teaches it."""
    code = code.strip().upper()
    if not code or len(code) > 30 or not set(code) <= CODE_ALPHABET:
        raise DomainError(
            _("Kode kursus hanya huruf besar, angka dan tanda minus (maksimal 30)."), field="code"
        )
    if db.session.scalar(select(Course.id).where(Course.code == code)):
        raise DomainError(
            _("Kode kursus %(code)s sudah dipakai.", code=code), field="code", code="duplicate"
        )
    _check_details(details)
    course = Course(code=code, organisation=organisation, category=category_named(details.category))
    db.session.add(course)
    version = CourseVersion(course=course, number=1, title=details.title.strip())
    db.session.add(version)
    db.session.flush()
    course.draft_version = version
    _apply_details(course, version, details)
    if actor is not None and actor.has_role(Role.TRAINER):
        course.trainers.append(CourseTrainer(user=actor))
    db.session.flush()
    audit.record(
        "course.created",
        actor=actor,
        organisation_id=organisation.id,
        target=course,
        data={"code": code, "title": version.title},
    )
    return course


def _apply_details(course: Course, version: CourseVersion, details: CourseDetails) -> None:
    version.title = details.title.strip()
    version.summary = details.summary.strip()
    version.description = details.description
    version.jp = details.jp
    course.category = category_named(details.category)
    course.visibility = details.visibility
    course.self_enrollment = details.self_enrollment
    course.completion_is_evidence = details.completion_is_evidence
    course.certificate_months = details.certificate_months
    course.requires_evaluation = details.requires_evaluation
    wanted = dict(details.competencies)
    for item in list(course.competencies):
        if item.code not in wanted:
            course.competencies.remove(item)
        else:
            item.level = wanted.pop(item.code)
    for code, level in wanted.items():
        course.competencies.append(CourseCompetency(code=code, level=level))
    required_ids: list[int] = []
    for prerequisite in details.prerequisites:
        found = db.session.scalar(select(Course.id).where(Course.code == prerequisite.upper()))
        if found is None:
            raise DomainError(
                _("Kursus prasyarat %(code)s tidak ditemukan.", code=prerequisite),
                field="prerequisites",
            )
        if found == course.id:
            raise DomainError(
                _("Kursus tidak boleh menjadi prasyarat dirinya sendiri."), field="prerequisites"
            )
        required_ids.append(found)
    for item in list(course.prerequisites):
        if item.required_course_id not in required_ids:
            course.prerequisites.remove(item)
    existing = {item.required_course_id for item in course.prerequisites}
    for required_id in required_ids:
        if required_id not in existing:
            course.prerequisites.append(CoursePrerequisite(required_course_id=required_id))


def update_details(course: Course, details: CourseDetails, *, actor: User | None) -> None:
    """Change a course's details in its draft (a published course gets a new draft first)."""
    _check_details(details)
    version = ensure_draft(course, actor=actor)
    _apply_details(course, version, details)
    db.session.flush()
    audit.record(
        "course.updated",
        actor=actor,
        organisation_id=course.organisation_id,
        target=course,
        data={"version": version.number},
    )


def ensure_draft(course: Course, *, actor: User | None) -> CourseVersion:
    """The course's draft version; editing a published course copies it into a new draft."""
    if course.status is CourseStatus.ARCHIVED:
        raise DomainError(_("Kursus yang diarsipkan tidak dapat diubah."), code="archived")
    if course.draft_version is not None:
        return course.draft_version
    source = course.published_version
    number = (
        db.session.scalar(
            select(func.max(CourseVersion.number)).where(CourseVersion.course_id == course.id)
        )
        or 0
    ) + 1
    draft = CourseVersion(
        course=course,
        number=number,
        title=source.title,
        summary=source.summary,
        description=source.description,
        jp=source.jp,
    )
    db.session.add(draft)
    db.session.flush()  # the draft's id, which the copied lessons carry
    for module in source.modules:
        copy = Module(position=module.position, title=module.title)
        draft.modules.append(copy)  # in the session (and its lessons with it) before any autoflush
        for lesson in module.lessons:
            copy.lessons.append(
                Lesson(
                    version_id=draft.id,
                    key=lesson.key,
                    position=lesson.position,
                    title=lesson.title,
                    lesson_type=lesson.lesson_type,
                    is_required=lesson.is_required,
                    body=lesson.body,
                    url=lesson.url,
                    file_path=lesson.file_path,
                    file_name=lesson.file_name,
                    file_mime=lesson.file_mime,
                    file_size=lesson.file_size,
                    media_id=lesson.media_id,
                    content_hash=lesson.content_hash,
                )
            )
    db.session.flush()
    course.draft_version = draft
    audit.record(
        "course.draft_started",
        actor=actor,
        organisation_id=course.organisation_id,
        target=course,
        data={"version": number},
    )
    return draft


def publish(course: Course, *, actor: User | None) -> CourseVersion:
    """Make the draft the version learners see; progress on unchanged lessons is kept."""
    draft = course.draft_version
    if course.status is CourseStatus.ARCHIVED:
        raise DomainError(_("Kursus yang diarsipkan tidak dapat diterbitkan."), code="archived")
    if draft is None:
        raise DomainError(_("Tidak ada draf untuk diterbitkan."), code="no_draft")
    lessons = [lesson for module in draft.modules for lesson in module.lessons]
    if not lessons:
        raise DomainError(
            _("Kursus belum memiliki pelajaran; tambahkan minimal satu sebelum diterbitkan."),
            code="no_lessons",
        )
    if not any(lesson.is_required for lesson in lessons):
        raise DomainError(
            _("Minimal satu pelajaran harus wajib agar kursus dapat diselesaikan."),
            code="no_required_lessons",
        )
    draft.published_at = utcnow()
    course.published_version = draft
    course.draft_version = None
    course.status = CourseStatus.PUBLISHED
    db.session.flush()
    from lms.courses.enrollment import recompute_course

    recompute_course(course)
    audit.record(
        "course.published",
        actor=actor,
        organisation_id=course.organisation_id,
        target=course,
        data={"version": draft.number},
    )
    course_published.send(None, course=course, version=draft)
    return draft


def archive(course: Course, *, actor: User | None) -> None:
    """Take the course out of the catalog; enrolments and progress are kept."""
    course.archive()
    audit.record(
        "course.archived", actor=actor, organisation_id=course.organisation_id, target=course
    )
    db.session.flush()


def set_trainers(course: Course, users: list[User], *, actor: User | None) -> None:
    """Choose who teaches the course; they must hold the trainer role."""
    for user in users:
        if not user.has_role(Role.TRAINER):
            raise DomainError(
                _("%(name)s bukan pelatih.", name=user.display_name), field="trainers"
            )
    wanted = {user.id for user in users}
    before = sorted(t.user_id for t in course.trainers)
    for trainer in list(course.trainers):
        if trainer.user_id not in wanted:
            course.trainers.remove(trainer)
    have = {t.user_id for t in course.trainers}
    for user in users:
        if user.id not in have:
            course.trainers.append(CourseTrainer(user=user))
    db.session.flush()
    audit.record(
        "course.trainers_changed",
        actor=actor,
        organisation_id=course.organisation_id,
        target=course,
        data={"before": before, "after": sorted(wanted)},
    )


# --- modules and lessons ------------------------------------------------------------------------


def add_module(course: Course, title: str, *, actor: User | None) -> Module:
    """Append a module to the draft."""
    title = " ".join(title.split())
    if not title:
        raise DomainError(_("Judul modul wajib diisi."), field="title")
    draft = ensure_draft(course, actor=actor)
    module = Module(version=draft, title=title[:200], position=len(draft.modules))
    draft.modules.append(module)
    db.session.flush()
    return module


def move(items: list[Any], item: Any, delta: int) -> None:
    """Move ``item`` up (-1) or down (+1) in a positioned list and renumber it."""
    ordered = sorted(items, key=lambda x: x.position)
    index = ordered.index(item)
    target = index + delta
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, element in enumerate(ordered):
        element.position = position


def remove_module(course: Course, module: Module) -> None:
    """Delete a module of the draft with its lessons."""
    draft = module.version
    draft.modules.remove(module)
    for position, element in enumerate(sorted(draft.modules, key=lambda m: m.position)):
        element.position = position
    db.session.flush()


@dataclass
class LessonData:
    """What an author enters for a lesson."""

    title: str
    lesson_type: LessonType
    is_required: bool = True
    body: str = ""
    url: str | None = None
    file_path: str | None = None
    file_name: str | None = None
    file_mime: str | None = None
    file_size: int | None = None
    media_id: int | None = None


def save_lesson(module: Module, lesson: Lesson | None, data: LessonData) -> Lesson:
    """Create or update a lesson of a draft module, checking what its type needs."""
    title = " ".join(data.title.split())
    if not title:
        raise DomainError(_("Judul pelajaran wajib diisi."), field="title")
    if data.lesson_type is LessonType.LINK:
        url = (data.url or "").strip()
        if not url.startswith(("https://", "http://")) or len(url) > 1000 or " " in url:
            raise DomainError(
                _("Tautan harus alamat web lengkap yang diawali https:// atau http://."),
                field="url",
            )
        data.url = url
    if data.lesson_type in (LessonType.VIDEO, LessonType.FILE) and not (
        data.file_path or (lesson and lesson.file_path)
    ):
        raise DomainError(_("Unggah berkas untuk pelajaran ini."), field="upload")
    if data.lesson_type is LessonType.TEXT and not data.body.strip():
        raise DomainError(_("Isi pelajaran teks wajib diisi."), field="body")
    if lesson is None:
        lesson = Lesson(
            module=module,
            version_id=module.version_id,
            key=new_key(),
            position=len(module.lessons),
        )
        module.lessons.append(lesson)
    elif data.file_path is None and lesson.file_path:
        data.file_path, data.file_name = lesson.file_path, lesson.file_name
        data.file_mime, data.file_size = lesson.file_mime, lesson.file_size
        data.media_id = lesson.media_id
    lesson.title = title[:200]
    lesson.lesson_type = data.lesson_type
    lesson.is_required = data.is_required
    lesson.body = data.body
    lesson.url = data.url if data.lesson_type is LessonType.LINK else None
    if data.lesson_type in (LessonType.VIDEO, LessonType.FILE):
        lesson.file_path, lesson.file_name = data.file_path, data.file_name
        lesson.file_mime, lesson.file_size = data.file_mime, data.file_size
    else:
        lesson.file_path = lesson.file_name = lesson.file_mime = None
        lesson.file_size = None
    lesson.media_id = data.media_id if data.lesson_type is LessonType.VIDEO else None
    # Stored files are named by their content, so the path stands for the file's bytes.
    lesson.content_hash = content_hash(data.lesson_type, data.body, lesson.url, lesson.file_path)
    db.session.flush()
    return lesson


def remove_lesson(lesson: Lesson) -> None:
    """Delete a lesson of a draft."""
    module = lesson.module
    module.lessons.remove(lesson)
    for position, element in enumerate(sorted(module.lessons, key=lambda x: x.position)):
        element.position = position
    db.session.flush()
