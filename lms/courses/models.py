"""Courses, their versions, modules and lessons; enrolments and progress."""

from __future__ import annotations

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Employee, Organisation, User
from lms.core.db import TimestampMixin, UTCDateTime, enum_column, utcnow
from lms.core.errors import DomainError
from lms.extensions import db
from lms.media.models import MediaAsset

JAKARTA = ZoneInfo("Asia/Jakarta")


class CourseStatus(enum.Enum):
    """Where a course is in its life."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Visibility(enum.Enum):
    """Who may find and take a course."""

    ORGANISATION = "organisation"
    SHARED = "shared"


class LessonType(enum.Enum):
    """What a lesson holds."""

    TEXT = "text"
    VIDEO = "video"
    FILE = "file"
    LINK = "link"
    QUIZ = "quiz"


class EnrollmentSource(enum.Enum):
    """How a learner came to be enrolled."""

    SELF = "self"
    ASSIGNED = "assigned"
    RULE = "rule"


class EnrollmentStatus(enum.Enum):
    """A learner's standing in a course (derived from dates and progress)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"

    @classmethod
    def on(
        cls,
        today: date,
        *,
        completed_at: datetime | None,
        due_date: date | None,
        started_at: datetime | None,
    ) -> EnrollmentStatus:
        """Completed, overdue, in progress or not started, on ``today``."""
        if completed_at is not None:
            return cls.COMPLETED
        if due_date is not None and due_date < today:
            return cls.OVERDUE
        if started_at is not None:
            return cls.IN_PROGRESS
        return cls.NOT_STARTED


class TargetType(enum.Enum):
    """Whom an assignment rule names."""

    EMPLOYEE = "employee"
    UNIT = "unit"
    POSITION = "position"
    GOLONGAN = "golongan"


class Category(db.Model):
    """A course category (Kepemimpinan, Teknologi Informasi, Manajemen, …)."""

    __tablename__ = "categories"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: unique name, shown as is
    name: Mapped[str] = mapped_column(String(80), unique=True)


class Course(TimestampMixin, db.Model):
    """A course: its identity and settings; content lives in versions."""

    __tablename__ = "courses"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: unique code, e.g. ``KPP-101``
    code: Mapped[str] = mapped_column(String(30), unique=True)
    #: the owning organisation
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: catalog category
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    #: own organisation only, or shared with all organisations
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.SHARED
    )
    #: whether learners may enrol themselves
    self_enrollment: Mapped[bool] = mapped_column(Boolean, default=True)
    #: completing the course is evidence of its targeted competencies at their levels
    completion_is_evidence: Mapped[bool] = mapped_column(Boolean, default=False)
    #: months a certificate of this course stays valid; empty for no expiry
    certificate_months: Mapped[int | None] = mapped_column(Integer)
    #: the course is complete only after the learner filled the end-of-course evaluation
    requires_evaluation: Mapped[bool] = mapped_column(Boolean, default=False)
    #: draft (never published), published or archived
    status: Mapped[CourseStatus] = mapped_column(
        enum_column(CourseStatus), default=CourseStatus.DRAFT, index=True
    )
    #: the version learners see
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", use_alter=True)
    )
    #: the version being edited, if any
    draft_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", use_alter=True)
    )
    #: stored path of the cover image (in the media folder)
    cover_path: Mapped[str | None] = mapped_column(String(300))

    organisation: Mapped[Organisation] = relationship()
    category: Mapped[Category] = relationship()
    published_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[published_version_id], post_update=True
    )
    draft_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[draft_version_id], post_update=True
    )
    trainers: Mapped[list[CourseTrainer]] = relationship(
        back_populates="course", cascade="all, delete-orphan"
    )
    competencies: Mapped[list[CourseCompetency]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseCompetency.code"
    )
    prerequisites: Mapped[list[CoursePrerequisite]] = relationship(
        foreign_keys="CoursePrerequisite.course_id",
        back_populates="course",
        cascade="all, delete-orphan",
    )

    @property
    def current(self) -> CourseVersion | None:
        """The published version, else the draft (for authors)."""
        return self.published_version or self.draft_version

    def certificate_expiry(self, completed_at: datetime) -> date | None:
        """The last day a certificate for a completion at ``completed_at`` is valid (WIB)."""
        if not self.certificate_months:
            return None
        local = completed_at.astimezone(JAKARTA).date()
        month = local.month - 1 + self.certificate_months
        year, month = local.year + month // 12, month % 12 + 1
        for day in (local.day, 30, 29, 28):
            try:
                return date(year, month, day)
            except ValueError:
                continue
        return None

    def archive(self) -> None:
        """Take a course out of the catalog; learners keep their records."""
        if self.status is CourseStatus.ARCHIVED:
            raise DomainError(_("Kursus sudah diarsipkan."), code="archived")
        self.status = CourseStatus.ARCHIVED

    def __repr__(self) -> str:
        return f"<Course {self.code}>"


class CourseVersion(db.Model):
    """One version of a course's content."""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the course
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    #: 1, 2, 3 … per course
    number: Mapped[int] = mapped_column(Integer)
    #: title
    title: Mapped[str] = mapped_column(String(200))
    #: one or two sentences for the catalog
    summary: Mapped[str] = mapped_column(String(500), default="")
    #: description in Markdown
    description: Mapped[str] = mapped_column(Text, default="")
    #: jam pelajaran
    jp: Mapped[int] = mapped_column(Integer, default=1)
    #: when it became the published version (UTC)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when it was created (UTC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship(foreign_keys=[course_id])
    modules: Mapped[list[Module]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Module.position"
    )


class CourseTrainer(db.Model):
    """A trainer who teaches (and may edit) a course."""

    __tablename__ = "course_trainers"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the course
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: the trainer's account
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    course: Mapped[Course] = relationship(back_populates="trainers")
    user: Mapped[User] = relationship()


class CourseCompetency(db.Model):
    """A competency (by code) and level a course develops."""

    __tablename__ = "course_competencies"
    __table_args__ = (UniqueConstraint("course_id", "code"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the course
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: competency code, e.g. ``M-PP``
    code: Mapped[str] = mapped_column(String(20), index=True)
    #: level 1–5
    level: Mapped[int] = mapped_column(Integer)

    course: Mapped[Course] = relationship(back_populates="competencies")


class CoursePrerequisite(db.Model):
    """A course that must be completed first."""

    __tablename__ = "course_prerequisites"
    __table_args__ = (UniqueConstraint("course_id", "required_course_id"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the course that has the prerequisite
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: the course to complete first
    required_course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))

    course: Mapped[Course] = relationship(foreign_keys=[course_id], back_populates="prerequisites")
    required_course: Mapped[Course] = relationship(foreign_keys=[required_course_id])


class Module(db.Model):
    """A module of a course version: an ordered group of lessons."""

    __tablename__ = "modules"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the version it belongs to
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE"), index=True
    )
    #: order within the version (0-based)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: title
    title: Mapped[str] = mapped_column(String(200))

    version: Mapped[CourseVersion] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="Lesson.position"
    )


class Lesson(db.Model):
    """A lesson: text, video, file, link or quiz."""

    __tablename__ = "lessons"
    __table_args__ = (Index("ix_lessons_version_id_key", "version_id", "key"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the module
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    #: the course version (kept here so a version's lessons are one query)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    #: stable identity across versions; progress is recorded against it
    key: Mapped[str] = mapped_column(String(32))
    #: order within the module (0-based)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: title
    title: Mapped[str] = mapped_column(String(200))
    #: text, video, file, link or quiz
    lesson_type: Mapped[LessonType] = mapped_column(enum_column(LessonType))
    #: required for completion (optional lessons are not)
    is_required: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Markdown body (text lessons; notes for the others; GIFT source for quizzes)
    body: Mapped[str] = mapped_column(Text, default="")
    #: target of a link lesson
    url: Mapped[str | None] = mapped_column(String(1000))
    #: stored file of video and file lessons (path in the media folder)
    file_path: Mapped[str | None] = mapped_column(String(300))
    #: the file's original name
    file_name: Mapped[str | None] = mapped_column(String(200))
    #: the file's type, as detected from its content
    file_mime: Mapped[str | None] = mapped_column(String(100))
    #: the file's size in bytes
    file_size: Mapped[int | None] = mapped_column(Integer)
    #: the processed video of a video lesson
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media_assets.id"), index=True)
    #: SHA-256 of what a learner studies (body, URL, file); progress survives a new version
    #: only where it is unchanged
    content_hash: Mapped[str] = mapped_column(String(64))

    module: Mapped[Module] = relationship(back_populates="lessons")
    media: Mapped[MediaAsset | None] = relationship()


class Enrollment(TimestampMixin, db.Model):
    """An employee's enrolment in a course."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("course_id", "employee_id"),
        Index("ix_enrollments_employee_id_withdrawn_at", "employee_id", "withdrawn_at"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the course
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    #: the learner
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    #: self, assigned by HR, or caught by an assignment rule
    source: Mapped[EnrollmentSource] = mapped_column(enum_column(EnrollmentSource))
    #: the rule that assigned it, if any
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_rules.id"))
    #: mandatory training is due by then
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    #: when the learner first opened a lesson (UTC)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when all required lessons were done (UTC)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: share of required lessons done, 0–100
    progress_percent: Mapped[int] = mapped_column(Integer, default=0)
    #: the lesson the learner was on last ("continue where you left off")
    last_lesson_key: Mapped[str | None] = mapped_column(String(32))
    #: set when the learner unenrolled; records stay
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: 1 for the first run through the course; +1 for each recertification
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    #: when the current cycle began (a recertification), if not the first
    restarted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship()
    employee: Mapped[Employee] = relationship()
    rule: Mapped[AssignmentRule | None] = relationship()

    def status(self, today: date) -> EnrollmentStatus:
        """Completed, overdue, in progress or not started, on ``today``."""
        return EnrollmentStatus.on(
            today,
            completed_at=self.completed_at,
            due_date=self.due_date,
            started_at=self.started_at,
        )


class EvaluationTemplate(TimestampMixin, db.Model):
    """An organisation's end-of-course survey (Kirkpatrick level 1): Likert statements."""

    __tablename__ = "evaluation_templates"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the organisation (one template each)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    #: the statements rated 1 (sangat tidak setuju) … 5 (sangat setuju)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the open question
    comment_prompt: Mapped[str] = mapped_column(String(300), default="")


class EvaluationResponse(db.Model):
    """A learner's evaluation of a course, once per run through it."""

    __tablename__ = "evaluation_responses"
    __table_args__ = (UniqueConstraint("enrollment_id", "cycle"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the enrolment and its cycle (a recertification is evaluated again)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"))
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    #: the course (for results per course without a join)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    #: the statements as asked, and the ratings 1–5 in the same order
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    ratings: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: the learner's comment
    comment: Mapped[str] = mapped_column(Text, default="")
    #: when it was submitted (UTC)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class LessonProgress(db.Model):
    """A learner's completion of one lesson, kept across course versions by the lesson key."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "lesson_key"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the enrolment
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    #: the lesson's stable key
    lesson_key: Mapped[str] = mapped_column(String(32))
    #: the lesson content the learner completed (a changed lesson must be done again)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: when it was completed (UTC)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AssignmentRule(db.Model):
    """Mandatory training for everyone matching a target, now and when they join later."""

    __tablename__ = "assignment_rules"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the organisation whose employees it covers
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: the course to take
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    #: employee, unit (with its sub-units), position or golongan
    target_type: Mapped[TargetType] = mapped_column(enum_column(TargetType))
    #: id of the employee, unit or position
    target_id: Mapped[int | None] = mapped_column(Integer)
    #: golongan code for golongan rules
    target_value: Mapped[str | None] = mapped_column(String(8))
    #: due date of the enrolments it makes
    due_date: Mapped[date | None] = mapped_column(Date)
    #: who made it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: when (UTC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: stopped rules make no new enrolments
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    course: Mapped[Course] = relationship()


class CourseAsset(db.Model):
    """An image or file used inside a course's lessons (``../media/name`` in Markdown)."""

    __tablename__ = "course_assets"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the course
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: the file name used in lessons
    name: Mapped[str] = mapped_column(String(200))
    #: stored path in the media folder
    path: Mapped[str] = mapped_column(String(300))
    #: detected type
    mime: Mapped[str] = mapped_column(String(100))


class WatchRecord(db.Model):
    """What a learner has really watched of a video lesson, each second counted once."""

    __tablename__ = "watch_records"
    __table_args__ = (UniqueConstraint("enrollment_id", "lesson_key"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the enrolment
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    #: the lesson's stable key
    lesson_key: Mapped[str] = mapped_column(String(32))
    #: the watched stretches of the video, merged: ``[[start, end], ...]`` in seconds
    intervals: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    #: total seconds watched (the length of ``intervals``)
    watched_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    #: where the learner stopped, for resuming on any device
    position: Mapped[float] = mapped_column(Float, default=0.0)
    #: the last report (UTC); credit is limited by the time since then
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
