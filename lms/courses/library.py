"""The course library on disk: ``courses/<slug>/course.toml`` and its files → a course.

Importing is idempotent: lesson keys are derived from the course code and the lesson's source,
files are stored by their content, and a course whose files did not change is left alone.
A changed course gets a new version, so learners keep progress on unchanged lessons.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lms.accounts.models import Organisation, Role, User
from lms.core.errors import DomainError
from lms.core.signals import course_imported
from lms.courses import services
from lms.courses.models import Course, CourseAsset, CourseStatus, LessonType, Visibility
from lms.courses.uploads import record_file, store_checked, store_cover
from lms.extensions import db
from lms.media.detect import IMAGE_TYPES, sniff_image
from lms.media.storage import store

IMAGE_REF = re.compile(r"!\[[^\]]*\]\((?:\.\./)?media/([^)\s]+)\)")


class LibraryError(ValueError):
    """A problem in a course folder, naming the file and line."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class PlannedLesson:
    """A lesson as the files describe it."""

    key: str
    title: str
    lesson_type: LessonType
    is_required: bool
    body: str = ""
    url: str | None = None
    source: Path | None = None
    #: quiz lessons: the ``quiz = {…}`` settings of the manifest
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlannedCourse:
    """A course as its folder describes it."""

    code: str
    organisation: Organisation
    details: services.CourseDetails
    trainers: list[User]
    modules: list[tuple[str, list[PlannedLesson]]] = field(default_factory=list)
    images: set[str] = field(default_factory=set)
    cover: Path | None = None


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def read_course(folder: Path) -> PlannedCourse:
    """Read and check a course folder; raise :class:`LibraryError` on the first problem."""
    manifest = folder / "course.toml"
    if not manifest.is_file():
        raise LibraryError(manifest, None, "course.toml tidak ditemukan")
    text = manifest.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise LibraryError(manifest, int(match.group(1)) if match else None, str(error)) from None

    def need(key: str, kind: type, where: dict[str, Any] = data) -> Any:
        value = where.get(key)
        if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
            raise LibraryError(
                manifest, _line_of(text, key), f"'{key}' wajib diisi ({kind.__name__})"
            )
        return value

    code = need("code", str).strip().upper()
    org_code = need("organisation", str).strip().upper()
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == org_code))
    if organisation is None:
        raise LibraryError(
            manifest, _line_of(text, "organisation"), f"instansi {org_code} tidak dikenal"
        )
    visibility = data.get("visibility", "shared")
    if visibility not in ("shared", "organisation"):
        raise LibraryError(
            manifest, _line_of(text, "visibility"), "visibility harus shared atau organisation"
        )
    competencies = []
    for item in data.get("competencies", []):
        if not isinstance(item, dict) or not isinstance(item.get("level"), int):
            raise LibraryError(manifest, _line_of(text, "[[competencies]]"), "kompetensi tidak sah")
        competencies.append((str(item.get("code", "")).upper(), item["level"]))
    description_file = folder / "description.md"
    description = (
        description_file.read_text(encoding="utf-8")
        if description_file.is_file()
        else data.get("description", "")
    )
    jp = need("jp", int)
    details = services.CourseDetails(
        title=need("title", str),
        summary=str(data.get("summary", "")),
        description=description,
        jp=jp,
        category=str(data.get("category", "Manajemen")),
        visibility=Visibility(visibility),
        self_enrollment=bool(data.get("self_enrollment", True)),
        completion_is_evidence=bool(data.get("completion_is_evidence", False)),
        certificate_months=data.get("certificate_months"),
        requires_evaluation=bool(data.get("requires_evaluation", False)),
        competencies=competencies,
        prerequisites=[str(p) for p in data.get("prerequisites", [])],
    )
    trainers = []
    for email in data.get("trainers", []):
        user = db.session.scalar(select(User).where(User.email == str(email).lower()))
        if user is None or not user.has_role(Role.TRAINER):
            raise LibraryError(
                manifest, _line_of(text, str(email)), f"{email} bukan akun pelatih yang dikenal"
            )
        trainers.append(user)
    planned = PlannedCourse(code, organisation, details, trainers)
    if data.get("cover"):
        cover = (folder / str(data["cover"])).resolve()
        if folder.resolve() not in cover.parents or not cover.is_file():
            raise LibraryError(
                manifest, _line_of(text, "cover"), f"berkas {data['cover']} tidak ada"
            )
        planned.cover = cover
    modules = data.get("modules")
    if not isinstance(modules, list) or not modules:
        raise LibraryError(manifest, _line_of(text, "[[modules]]"), "kursus tanpa modul")
    for module in modules:
        title = need("title", str, module)
        lessons = []
        for raw in module.get("lessons", []):
            lessons.append(_read_lesson(folder, manifest, text, code, raw, planned))
        planned.modules.append((title, lessons))
    return planned


def _read_lesson(
    folder: Path, manifest: Path, text: str, code: str, raw: dict[str, Any], planned: PlannedCourse
) -> PlannedLesson:
    title = raw.get("title")
    kind = raw.get("type")
    line = _line_of(text, f'"{title}"') if isinstance(title, str) else None
    if not isinstance(title, str) or not title.strip():
        raise LibraryError(manifest, line, "pelajaran tanpa judul")
    try:
        lesson_type = LessonType(kind)
    except ValueError:
        raise LibraryError(
            manifest, line, f"jenis pelajaran '{kind}' tidak dikenal (text|video|file|link|quiz)"
        ) from None
    source_name = raw.get("file") or raw.get("url") or title
    key = hashlib.sha256(f"{code}\x00{source_name}".encode()).hexdigest()[:32]
    lesson = PlannedLesson(key, title.strip(), lesson_type, bool(raw.get("required", True)))
    if lesson_type is LessonType.LINK:
        lesson.url = raw.get("url")
        if not isinstance(lesson.url, str) or not lesson.url.startswith(("https://", "http://")):
            raise LibraryError(manifest, line, "pelajaran tautan perlu url https://")
        return lesson
    relative = raw.get("file")
    if not isinstance(relative, str):
        raise LibraryError(manifest, line, f"pelajaran '{title}' perlu 'file'")
    source = (folder / relative).resolve()
    if folder.resolve() not in source.parents or not source.is_file():
        raise LibraryError(manifest, _line_of(text, relative), f"berkas {relative} tidak ada")
    lesson.source = source
    if lesson_type in (LessonType.TEXT, LessonType.QUIZ):
        try:
            lesson.body = source.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise LibraryError(source, None, "bukan teks UTF-8") from None
        if lesson_type is LessonType.QUIZ:
            _check_gift(source, lesson.body)
            options = raw.get("quiz", {})
            if not isinstance(options, dict):
                raise LibraryError(manifest, line, "'quiz' harus tabel, mis. quiz = { pass = 70 }")
            lesson.options = options
        planned.images.update(IMAGE_REF.findall(lesson.body))
    return lesson


def _check_gift(path: Path, text: str) -> None:
    """Every question carries a competency tag line; braces balance."""
    depth = 0
    tagged = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("// kompetensi:"):
            tagged = True
            continue
        if stripped.startswith("//") or stripped.startswith("$CATEGORY"):
            continue
        cleaned = re.sub(r"\\.", "", line)
        if depth == 0 and "{" in cleaned and not tagged:
            raise LibraryError(path, number, "soal tanpa baris '// kompetensi: …' di atasnya")
        depth += cleaned.count("{") - cleaned.count("}")
        if depth < 0:
            raise LibraryError(path, number, "kurung kurawal '}' tanpa pasangan")
        if depth == 0 and "}" in cleaned:
            tagged = False
    if depth != 0:
        raise LibraryError(path, None, "kurung kurawal '{' tidak ditutup")


def import_course(folder: Path, *, actor: User | None = None) -> tuple[Course, str]:
    """Create or update the course of a folder; returns it with created, updated or unchanged."""
    planned = read_course(folder)
    try:
        course, outcome = _import(folder, planned, actor)
        # the quiz engine reads the questions and settings of the quiz lessons
        quizzes = [
            lesson
            for _title, lessons in planned.modules
            for lesson in lessons
            if lesson.lesson_type is LessonType.QUIZ
        ]
        course_imported.send(None, course=course, folder=folder, quizzes=quizzes, actor=actor)
        return course, outcome
    except DomainError as error:
        # a rule of the services (competency level, unknown prerequisite, …): name the manifest
        manifest = folder / "course.toml"
        line = _line_of(manifest.read_text(encoding="utf-8"), error.field) if error.field else None
        raise LibraryError(manifest, line, error.message) from None


def _import(folder: Path, planned: PlannedCourse, actor: User | None) -> tuple[Course, str]:
    course = db.session.scalar(select(Course).where(Course.code == planned.code))
    created = course is None
    if course is None:
        course = services.create_course(
            planned.organisation, planned.code, planned.details, actor=actor
        )
    elif course.status is CourseStatus.ARCHIVED:
        raise LibraryError(folder / "course.toml", None, f"kursus {planned.code} diarsipkan")
    lessons_data = _lesson_data(course, planned)
    if not created and _unchanged(course, planned, lessons_data):
        return course, "unchanged"
    if not created:
        services.update_details(course, planned.details, actor=actor)
    draft = services.ensure_draft(course, actor=actor)
    for module in list(draft.modules):
        draft.modules.remove(module)
    db.session.flush()
    for (title, lessons), datas in zip(planned.modules, lessons_data, strict=True):
        module = services.add_module(course, title, actor=actor)
        for lesson, data in zip(lessons, datas, strict=True):
            saved = services.save_lesson(module, None, data)
            saved.key = lesson.key
    _store_images(course, folder, planned.images)
    if planned.cover is not None:
        with planned.cover.open("rb") as stream:
            try:
                store_cover(course, stream)
            except Exception as error:
                raise LibraryError(planned.cover, None, str(error)) from None
    if planned.trainers and {u.id for u in planned.trainers} != {
        t.user_id for t in course.trainers
    }:
        services.set_trainers(course, planned.trainers, actor=actor)
    db.session.flush()
    services.publish(course, actor=actor)
    return course, "created" if created else "updated"


def _lesson_data(course: Course, planned: PlannedCourse) -> list[list[services.LessonData]]:
    result = []
    for _title, lessons in planned.modules:
        datas = []
        for lesson in lessons:
            data = services.LessonData(
                title=lesson.title,
                lesson_type=lesson.lesson_type,
                is_required=lesson.is_required,
                body=lesson.body,
                url=lesson.url,
            )
            if lesson.lesson_type in (LessonType.VIDEO, LessonType.FILE):
                with lesson.source.open("rb") as stream:
                    try:
                        stored, mime = store_checked(
                            course, lesson.lesson_type, stream, lesson.source.name
                        )
                    except Exception as error:
                        raise LibraryError(lesson.source, None, str(error)) from None
                record_file(course, data, stored, mime, lesson.source.name)
            datas.append(data)
        result.append(datas)
    return result


def _unchanged(
    course: Course, planned: PlannedCourse, lessons_data: list[list[services.LessonData]]
) -> bool:
    version = course.published_version
    if version is None or course.draft_version is not None:
        return False
    details = planned.details
    if (
        version.title != details.title.strip()
        or version.summary != details.summary.strip()
        or version.description != details.description
        or version.jp != details.jp
        or course.category.name != details.category
        or course.visibility is not details.visibility
        or course.self_enrollment != details.self_enrollment
        or course.completion_is_evidence != details.completion_is_evidence
        or course.certificate_months != details.certificate_months
        or course.requires_evaluation != details.requires_evaluation
        or sorted((c.code, c.level) for c in course.competencies) != sorted(details.competencies)
        or sorted(p.required_course.code for p in course.prerequisites)
        != sorted(code.upper() for code in details.prerequisites)
        or (
            planned.trainers
            and {u.id for u in planned.trainers} != {t.user_id for t in course.trainers}
        )
    ):
        return False
    current = [
        (m.title, [(x.key, x.title, x.is_required, x.content_hash) for x in m.lessons])
        for m in version.modules
    ]
    wanted = [
        (
            title,
            [
                (
                    lesson.key,
                    lesson.title,
                    lesson.is_required,
                    services.content_hash(data.lesson_type, data.body, data.url, data.file_path),
                )
                for lesson, data in zip(lessons, datas, strict=True)
            ],
        )
        for (title, lessons), datas in zip(planned.modules, lessons_data, strict=True)
    ]
    return current == wanted


def _store_images(course: Course, folder: Path, names: set[str]) -> None:
    for name in sorted(names):
        source = (folder / "media" / name).resolve()
        if (folder / "media").resolve() not in source.parents or not source.is_file():
            raise LibraryError(folder / "media" / name, None, "gambar tidak ada")
        kind = sniff_image(source.read_bytes()[:16])
        if kind is None:
            raise LibraryError(source, None, "bukan gambar PNG, JPEG, GIF atau WebP")
        with source.open("rb") as stream:
            stored = store(
                stream, f"courses/{course.code}", IMAGE_TYPES[kind][1], max_bytes=20 * 1024 * 1024
            )
        asset = db.session.scalar(
            select(CourseAsset).where(CourseAsset.course_id == course.id, CourseAsset.name == name)
        )
        if asset is None:
            db.session.add(
                CourseAsset(
                    course_id=course.id, name=name, path=stored.path, mime=IMAGE_TYPES[kind][0]
                )
            )
        else:
            asset.path, asset.mime = stored.path, IMAGE_TYPES[kind][0]
