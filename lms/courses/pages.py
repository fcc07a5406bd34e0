"""What the learner's busiest pages show: the catalog, a course page and the home page's courses.

These pages read plain rows (Core selects), not ORM objects, in a fixed number of statements:
building ORM objects cost more than the database did. What a published version shows besides
its title — the rendered description and the syllabus — never changes (an edit makes a new
draft version), so each process keeps it under the version's id and publication time; a new
version comes with a new key, and nothing ever has to be invalidated. Everything that may change
without a new version (category, organisation, trainers, competencies, prerequisites) and
everything about the learner is read on every request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)

from lms.accounts import policy as people
from lms.accounts.models import Employee, Organisation, User
from lms.core import labels
from lms.core.cache import app_cache
from lms.core.markdown import render_markdown
from lms.core.pagination import Page
from lms.courses import enrollment as enrolment
from lms.courses import queries
from lms.courses.models import (
    Category,
    Course,
    CourseCompetency,
    CoursePrerequisite,
    CourseStatus,
    CourseTrainer,
    CourseVersion,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    Lesson,
    LessonType,
    Module,
    Visibility,
)
from lms.extensions import db

#: published versions whose description and syllabus each process keeps
VERSION_CACHE_SIZE = 256
#: catalog statements each process keeps, one per scope (admin, organisation) and filters
CATALOG_STATEMENT_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class Competency:
    """A competency a course develops, and to which level; its name from the dictionary of the
    course's organisation (None for a code the dictionary does not know)."""

    code: str
    level: int
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Prerequisite:
    """A course to complete first."""

    id: int
    code: str


@dataclass(frozen=True, slots=True)
class OutlineLesson:
    """A lesson as the syllabus lists it (never its body)."""

    id: int
    key: str
    title: str
    lesson_type: LessonType
    is_required: bool


@dataclass(frozen=True, slots=True)
class OutlineModule:
    """A module of the syllabus with its lessons in order."""

    title: str
    lessons: tuple[OutlineLesson, ...]


@dataclass(frozen=True, slots=True)
class VersionContent:
    """What a version shows to everyone alike: its rendered description and its syllabus."""

    description: Markup
    modules: tuple[OutlineModule, ...]

    @property
    def lessons(self) -> list[OutlineLesson]:
        """Every lesson, in the order of the syllabus."""
        return [lesson for module in self.modules for lesson in module.lessons]


@dataclass(frozen=True, slots=True)
class CoursePage:
    """Everything a course page shows about the course (nothing about the learner)."""

    title: str
    summary: str
    jp: int
    category: str
    organisation: str
    trainers: tuple[str, ...]
    competencies: tuple[Competency, ...]
    prerequisites: tuple[Prerequisite, ...]
    content: VersionContent


@dataclass(frozen=True, slots=True)
class CatalogCard:
    """A course in the catalog, with the learner's status in it if enrolled."""

    id: int
    code: str
    cover_path: str | None
    category: str
    organisation: str
    title: str
    summary: str
    jp: int
    competencies: tuple[Competency, ...]
    status: str | None


@dataclass(frozen=True, slots=True)
class MyCourse:
    """A course on the learner's home page: status, progress and due date."""

    code: str
    title: str
    jp: int | None
    status: str
    progress_percent: int
    due_date: date | None
    is_mandatory: bool


# --- course page ----------------------------------------------------------------------------------


def course_page(course: Course, rewrite_url: Callable[[str], str]) -> CoursePage:
    """The course page's view of ``course``: its published version, else its draft (authors).

    ``rewrite_url`` maps the description's ``../media/`` links to served URLs.
    """
    version_id = course.published_version_id or course.draft_version_id
    header = db.session.execute(
        _header_query(), {"course_id": course.id, "version_id": version_id}
    ).one()
    if version_id == course.published_version_id:
        content = app_cache("published_versions", VERSION_CACHE_SIZE).get_or_build(
            (version_id, header.published_at),
            lambda: version_content(version_id, rewrite_url),
        )
    else:
        content = version_content(version_id, rewrite_url)  # a draft changes with every edit
    trainers: list[str] = []
    competencies: list[Competency] = []
    prerequisites: list[Prerequisite] = []
    for row in db.session.execute(_details_query(), {"course_id": course.id}):
        if row.kind == _TRAINER:
            trainers.append(row.text)
        elif row.kind == _COMPETENCY:
            competencies.append(Competency(row.text, row.number, row.name))
        else:
            prerequisites.append(Prerequisite(row.number, row.text))
    return CoursePage(
        title=header.title,
        summary=header.summary,
        jp=header.jp,
        category=header.category,
        organisation=header.organisation,
        trainers=tuple(trainers),
        competencies=tuple(competencies),
        prerequisites=tuple(prerequisites),
        content=content,
    )


def version_content(version_id: int, rewrite_url: Callable[[str], str]) -> VersionContent:
    """A version's rendered description and its syllabus (lesson bodies are not read)."""
    description = db.session.scalar(
        select(CourseVersion.description).where(CourseVersion.id == version_id)
    )
    modules: dict[int, tuple[str, list[OutlineLesson]]] = {}
    for row in db.session.execute(
        select(
            Module.id,
            Module.title,
            Lesson.id.label("lesson_id"),
            Lesson.key,
            Lesson.title.label("lesson_title"),
            Lesson.lesson_type,
            Lesson.is_required,
        )
        .outerjoin(Lesson, Lesson.module_id == Module.id)
        .where(Module.version_id == version_id)
        .order_by(Module.position, Module.id, Lesson.position, Lesson.id)
    ):
        _title, lessons = modules.setdefault(row.id, (row.title, []))
        if row.lesson_id is not None:
            lessons.append(
                OutlineLesson(
                    row.lesson_id, row.key, row.lesson_title, row.lesson_type, row.is_required
                )
            )
    return VersionContent(
        description=render_markdown(description or "", rewrite_url),
        modules=tuple(OutlineModule(title, tuple(lessons)) for title, lessons in modules.values()),
    )


# The statements each request runs are built once: building a select and working out its
# cache key cost more than SQLite took to run it.


@functools.cache
def _header_query() -> Select:
    return (
        select(
            Category.name.label("category"),
            Organisation.name.label("organisation"),
            CourseVersion.title,
            CourseVersion.summary,
            CourseVersion.jp,
            CourseVersion.published_at,
        )
        .select_from(Course)
        .join(Category, Category.id == Course.category_id)
        .join(Organisation, Organisation.id == Course.organisation_id)
        .join(CourseVersion, CourseVersion.id == bindparam("version_id"))
        .where(Course.id == bindparam("course_id"))
    )


_TRAINER, _COMPETENCY, _PREREQUISITE = 0, 1, 2


def _constant(value: int | str) -> ColumnElement:
    # inline SQL rather than a parameter, whose type PostgreSQL could not work out in a UNION
    if isinstance(value, int):
        return literal_column(str(value), Integer)
    return literal_column(f"'{value}'", String)


@functools.cache
def _details_query() -> CompoundSelect:
    """A course's trainers (names), competencies (code, level) and prerequisites (code, id),
    each in its order, in one statement: one round trip instead of three."""
    trainers = (
        select(
            _constant(_TRAINER).label("kind"),
            func.coalesce(Employee.name, User.email, "").label("text"),  # as User.display_name
            _constant(0).label("number"),
            CourseTrainer.id.label("order_number"),
            _constant("").label("order_text"),
            null().label("name"),
        )
        .select_from(CourseTrainer)
        .join(User, User.id == CourseTrainer.user_id)
        .outerjoin(Employee, Employee.id == User.employee_id)
        .where(CourseTrainer.course_id == bindparam("course_id"))
    )
    competencies = (
        select(
            _constant(_COMPETENCY),
            CourseCompetency.code,
            CourseCompetency.level,
            _constant(0),
            CourseCompetency.code,
            labels.competency_name(CourseCompetency.code, Course.organisation_id),
        )
        .join(Course, Course.id == CourseCompetency.course_id)
        .where(CourseCompetency.course_id == bindparam("course_id"))
    )
    prerequisites = (
        select(
            _constant(_PREREQUISITE),
            Course.code,
            Course.id,
            CoursePrerequisite.id,
            _constant(""),
            null(),
        )
        .join(CoursePrerequisite, CoursePrerequisite.required_course_id == Course.id)
        .where(CoursePrerequisite.course_id == bindparam("course_id"))
    )
    return union_all(trainers, competencies, prerequisites).order_by(
        "kind", "order_number", "order_text"
    )


@functools.cache
def _competencies_query() -> Select:
    return (
        select(
            CourseCompetency.course_id,
            CourseCompetency.code,
            CourseCompetency.level,
            labels.competency_name(CourseCompetency.code, Course.organisation_id).label("name"),
        )
        .join(Course, Course.id == CourseCompetency.course_id)
        .where(CourseCompetency.course_id.in_(bindparam("course_ids", expanding=True)))
        .order_by(CourseCompetency.course_id, CourseCompetency.code)
    )


# --- catalog --------------------------------------------------------------------------------------


def catalog_page(
    user: User,
    page: int,
    per_page: int,
    **filters: str | int | None,
) -> Page:
    """One page of catalog cards (filters as :func:`queries.catalog_conditions` takes them),
    each with the user's own enrolment status, joined in the same statement."""
    # The statement depends on the user only through what catalog_scope reads (admin or not,
    # the organisation); the learner's enrolment join takes the employee as a parameter. So it
    # is built (and its cache key worked out) once per scope and filters, not on every request.
    key = (people.is_admin(user), user.organisation_id, per_page, tuple(sorted(filters.items())))
    statement, count = app_cache("catalog_statements", CATALOG_STATEMENT_CACHE_SIZE).get_or_build(
        key, lambda: _catalog_statements(user, per_page, filters)
    )
    parameters = {"employee_id": user.employee_id, "offset": (page - 1) * per_page}
    rows = db.session.execute(statement, parameters).all()
    # a page past the end has no row to carry the total
    total = rows[0].total_rows if rows else db.session.scalar(count, parameters) if page > 1 else 0
    ids = [row.id for row in rows]
    competencies = _competencies(ids) if ids else {}
    today = date.today()
    cards = [
        CatalogCard(
            id=row.id,
            code=row.code,
            cover_path=row.cover_path,
            category=row.category,
            organisation=row.organisation,
            title=row.title,
            summary=row.summary,
            jp=row.jp,
            competencies=competencies.get(row.id, ()),
            status=EnrollmentStatus.on(
                today,
                completed_at=row.completed_at,
                due_date=row.due_date,
                started_at=row.started_at,
            ).value
            if row.enrollment_id is not None
            else None,
        )
        for row in rows
    ]
    return Page(items=cards, page=page, per_page=per_page, total=total or 0)


def _catalog_statements(
    user: User, per_page: int, filters: dict[str, str | int | None]
) -> tuple[Select, Select]:
    """The catalog's page statement (with the total beside each row) and its count, taking
    ``employee_id`` and ``offset`` as parameters."""
    cards = (
        select(
            Course.id,
            Course.code,
            Course.cover_path,
            Category.name.label("category"),
            Organisation.name.label("organisation"),
            CourseVersion.title,
            CourseVersion.summary,
            CourseVersion.jp,
            Enrollment.id.label("enrollment_id"),
            Enrollment.completed_at,
            Enrollment.due_date,
            Enrollment.started_at,
        )
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .join(Category, Category.id == Course.category_id)
        .join(Organisation, Organisation.id == Course.organisation_id)
        # at most one row: one enrolment per course and employee (withdrawn ones stay)
        .outerjoin(Enrollment, enrolment.is_current_enrollment(Course.id))
        .where(*queries.catalog_conditions(user, **filters))
    )
    page = (
        cards.add_columns(func.count().over().label("total_rows"))
        .order_by(CourseVersion.title, Course.id)
        .limit(per_page)
        .offset(bindparam("offset"))
    )
    return page, select(func.count()).select_from(cards.subquery())


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """The catalog's choices: categories and organisations (``id``, ``name``), and the
    competencies the user's courses target (``code``, ``name``), each by name."""

    categories: tuple[Row, ...]
    organisations: tuple[Row, ...]
    competencies: tuple[Row, ...]


def filter_choices(user: User) -> FilterChoices:
    """The catalog's filter choices in one statement; the competencies are those of the
    published courses the user's organisation may take (its own and the shared ones)."""
    found: dict[int, list[Row]] = {_CATEGORY: [], _ORGANISATION: [], _TARGETED: []}
    parameters = {"organisation_id": user.organisation_id or 0}
    for row in db.session.execute(_choices_query(), parameters):
        found[row.kind].append(row)
    return FilterChoices(
        tuple(found[_CATEGORY]), tuple(found[_ORGANISATION]), tuple(found[_TARGETED])
    )


def _competencies(course_ids: list[int]) -> dict[int, tuple[Competency, ...]]:
    found: dict[int, list[Competency]] = {}
    for row in db.session.execute(_competencies_query(), {"course_ids": course_ids}):
        found.setdefault(row.course_id, []).append(Competency(row.code, row.level, row.name))
    return {course_id: tuple(items) for course_id, items in found.items()}


_CATEGORY, _ORGANISATION, _TARGETED = 0, 1, 2


@functools.cache
def _choices_query() -> CompoundSelect:
    name = labels.competency_name(CourseCompetency.code, Course.organisation_id)
    targeted = (
        select(
            _constant(_TARGETED),
            _constant(0),
            func.coalesce(func.min(name), CourseCompetency.code),
            CourseCompetency.code,
        )
        .join(Course, Course.id == CourseCompetency.course_id)
        .where(
            Course.status == CourseStatus.PUBLISHED,
            or_(
                Course.visibility == Visibility.SHARED,
                Course.organisation_id == bindparam("organisation_id"),
            ),
        )
        .group_by(CourseCompetency.code)
    )
    return union_all(
        select(
            _constant(_CATEGORY).label("kind"),
            Category.id.label("id"),
            Category.name.label("name"),
            _constant("").label("code"),
        ),
        select(_constant(_ORGANISATION), Organisation.id, Organisation.name, _constant("")),
        targeted,
    ).order_by("kind", "name")


# --- learner home ---------------------------------------------------------------------------------


def my_courses(employee_id: int, today: date) -> list[MyCourse]:
    """The learner's current enrolments for the home page: open ones first, earliest due first."""
    return [
        MyCourse(
            code=row.code,
            title=row.title if row.title is not None else row.code,
            jp=row.jp,
            status=EnrollmentStatus.on(
                today,
                completed_at=row.completed_at,
                due_date=row.due_date,
                started_at=row.started_at,
            ).value,
            progress_percent=row.progress_percent,
            due_date=row.due_date,
            is_mandatory=row.source is not EnrollmentSource.SELF,
        )
        for row in db.session.execute(_my_courses_query(), {"employee_id": employee_id})
    ]


@functools.cache
def _my_courses_query() -> Select:
    return (
        select(
            Course.code,
            CourseVersion.title,
            CourseVersion.jp,
            Enrollment.completed_at,
            Enrollment.due_date,
            Enrollment.started_at,
            Enrollment.progress_percent,
            Enrollment.source,
        )
        .join(Course, Course.id == Enrollment.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(
            Enrollment.employee_id == bindparam("employee_id"), Enrollment.withdrawn_at.is_(None)
        )
        .order_by(
            Enrollment.completed_at.is_not(None),
            Enrollment.due_date.is_(None),
            Enrollment.due_date,
            Enrollment.id,
        )
    )
