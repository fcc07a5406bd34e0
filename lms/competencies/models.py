"""The competency dictionary, position standards, evidence, current levels, development plans
and external training (for the JP ledger)."""

from __future__ import annotations

import enum
from datetime import date, datetime

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

from lms.accounts.models import Employee, Organisation, Position, PositionType, User
from lms.core.db import TimestampMixin, UTCDateTime, enum_column, utcnow
from lms.core.errors import DomainError
from lms.extensions import db


class CompetencyKind(enum.Enum):
    """The three kinds of PermenPANRB 38/2017."""

    MANAGERIAL = "manajerial"
    SOCIO_CULTURAL = "sosial_kultural"
    TECHNICAL = "teknis"


class EvidenceSource(enum.Enum):
    """Where a piece of evidence comes from."""

    QUIZ = "quiz"  # a graded quiz attempt, per competency and level
    COURSE = "course"  # a completed course that says it evidences its targets
    ASSESSOR = "assessor"  # a supervisor's or an HR assessor's rating
    EXTERNAL = "external"  # external training recorded by HR


class PlanStatus(enum.Enum):
    """Where an individual development plan is in its life."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    COMPLETED = "completed"


class ActivityKind(enum.Enum):
    """Ways of developing a competency."""

    COURSE = "course"
    MENTORING = "mentoring"
    ON_THE_JOB = "on_the_job"
    ROTATION = "rotation"
    EDUCATION = "education"


class ActivityStatus(enum.Enum):
    """Progress of one plan activity."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Competency(TimestampMixin, db.Model):
    """A competency of the dictionary: national (managerial, socio-cultural) or an
    organisation's technical one."""

    __tablename__ = "competencies"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: code used by courses and questions, e.g. ``M-PP``, ``T-MPROY``
    code: Mapped[str] = mapped_column(String(20), index=True)
    #: the organisation that defines it; empty for the national dictionary
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    #: name, e.g. Pelayanan Publik
    name: Mapped[str] = mapped_column(String(200))
    #: manajerial, sosial kultural or teknis
    kind: Mapped[CompetencyKind] = mapped_column(enum_column(CompetencyKind))
    #: the definition
    definition: Mapped[str] = mapped_column(Text, default="")
    #: retired competencies keep their evidence but get no new standards
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    organisation: Mapped[Organisation | None] = relationship()
    levels: Mapped[list[CompetencyLevel]] = relationship(
        back_populates="competency",
        cascade="all, delete-orphan",
        order_by="CompetencyLevel.level",
    )


class CompetencyLevel(db.Model):
    """One of a competency's five levels with its behaviour indicators."""

    __tablename__ = "competency_levels"
    __table_args__ = (UniqueConstraint("competency_id", "level"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the competency
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id", ondelete="CASCADE"))
    #: 1–5
    level: Mapped[int] = mapped_column(Integer)
    #: what the level means, in a sentence
    title: Mapped[str] = mapped_column(Text, default="")
    #: observable behaviours (list of texts)
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)

    competency: Mapped[Competency] = relationship(back_populates="levels")


class TypeStandard(db.Model):
    """The default required level of a competency for a position type (and jenjang)."""

    __tablename__ = "type_standards"
    __table_args__ = (
        UniqueConstraint("organisation_id", "position_type", "jenjang", "competency_id"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the organisation whose default this is
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: jenis jabatan
    position_type: Mapped[PositionType] = mapped_column(enum_column(PositionType))
    #: jenjang (JPT and fungsional), empty for any
    jenjang: Mapped[str] = mapped_column(String(20), default="")
    #: the competency
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id", ondelete="CASCADE"))
    #: required level 1–5
    level: Mapped[int] = mapped_column(Integer)


class PositionStandard(db.Model):
    """Standar kompetensi jabatan: the required level of a competency for one position."""

    __tablename__ = "position_standards"
    __table_args__ = (UniqueConstraint("position_id", "competency_id"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the position
    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"))
    #: the competency
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), index=True
    )
    #: required level 1–5; 0 takes the competency out of the position's standard
    level: Mapped[int] = mapped_column(Integer)

    position: Mapped[Position] = relationship()
    competency: Mapped[Competency] = relationship()


class Evidence(db.Model):
    """Something that shows an employee's level in a competency."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("source", "source_id", "employee_id", "competency_id", "level"),
        Index("ix_evidence_employee_id_competency_id", "employee_id", "competency_id"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: whose evidence
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    #: which competency
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)
    #: quiz, course, assessor or external
    source: Mapped[EvidenceSource] = mapped_column(enum_column(EvidenceSource))
    #: the attempt, enrolment, assessment or external training it comes from
    source_id: Mapped[int] = mapped_column(Integer)
    #: what the source was about, for people (course code and title, assessor's name, …)
    label: Mapped[str] = mapped_column(String(300), default="")
    #: the level the evidence is about
    level: Mapped[int] = mapped_column(Integer)
    #: score in percent, when the source has one
    score: Mapped[float | None] = mapped_column(Float)
    #: whether it demonstrates ``level`` (a quiz below the mastery threshold does not)
    is_demonstrated: Mapped[bool] = mapped_column(Boolean, default=True)
    #: when it was shown
    observed_on: Mapped[date] = mapped_column(Date)
    #: it stops counting after this day
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: the assessor's note
    note: Mapped[str] = mapped_column(Text, default="")
    #: who recorded it (assessors, HR); empty for automatic evidence
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: when it was recorded (UTC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    competency: Mapped[Competency] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    def is_valid(self, today: date) -> bool:
        """Still counts on ``today``."""
        return self.valid_until is None or self.valid_until >= today


class EmployeeCompetency(db.Model):
    """An employee's current level in a competency, kept from the evidence by one rule."""

    __tablename__ = "employee_competencies"
    __table_args__ = (UniqueConstraint("employee_id", "competency_id"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the employee
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    #: the competency
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), index=True
    )
    #: current level 0–5 (0: nothing demonstrated yet)
    level: Mapped[int] = mapped_column(Integer, default=0)
    #: the earliest ``valid_until`` of the evidence that makes the level (recomputed then)
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: when it was computed (UTC)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    competency: Mapped[Competency] = relationship()


class ExternalTraining(TimestampMixin, db.Model):
    """Training outside Lentera that HR records (counts for JP, may evidence a competency)."""

    __tablename__ = "external_trainings"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the employee
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    #: title, e.g. Pelatihan Kepemimpinan Pengawas (PKP)
    title: Mapped[str] = mapped_column(String(300))
    #: who held it, e.g. BPSDM Provinsi Sumatera Barat
    provider: Mapped[str] = mapped_column(String(300), default="")
    #: jam pelajaran
    jp: Mapped[int] = mapped_column(Integer)
    #: when it ended
    completed_on: Mapped[date] = mapped_column(Date, index=True)
    #: the certificate's file (path in the media store) and original name
    certificate_path: Mapped[str | None] = mapped_column(String(300))
    certificate_name: Mapped[str | None] = mapped_column(String(200))
    #: the competency it develops, with the level shown, if any
    competency_id: Mapped[int | None] = mapped_column(ForeignKey("competencies.id"))
    level: Mapped[int | None] = mapped_column(Integer)
    #: when its certificate expires
    expires_on: Mapped[date | None] = mapped_column(Date)
    #: the HR user who recorded it
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    employee: Mapped[Employee] = relationship()
    competency: Mapped[Competency | None] = relationship()


class DevelopmentPlan(TimestampMixin, db.Model):
    """Rencana pengembangan individu: an employee's plan for one year."""

    __tablename__ = "development_plans"
    __table_args__ = (UniqueConstraint("employee_id", "year"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the employee
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    #: the year it plans
    year: Mapped[int] = mapped_column(Integer)
    #: draft, submitted, approved, returned, completed
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus), default=PlanStatus.DRAFT)
    #: the supervisor's note when approving or returning
    supervisor_note: Mapped[str] = mapped_column(Text, default="")
    #: who approved or returned it, and when
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    employee: Mapped[Employee] = relationship()
    goals: Mapped[list[PlanGoal]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanGoal.id"
    )

    @property
    def is_editable(self) -> bool:
        """The employee may change it."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)

    def submit(self, now: datetime) -> None:
        """The employee sends the plan to the supervisor."""
        if not self.is_editable:
            raise DomainError(_("Rencana ini tidak dapat dikirim lagi."), code="invalid_state")
        if not self.goals:
            raise DomainError(_("Tambahkan sedikitnya satu sasaran."), code="empty_plan")
        self.status = PlanStatus.SUBMITTED
        self.submitted_at = now

    def decide(self, approve: bool, note: str, supervisor: User, now: datetime) -> None:
        """The supervisor approves the plan or returns it with a note."""
        if self.status is not PlanStatus.SUBMITTED:
            raise DomainError(_("Rencana belum dikirim ke atasan."), code="invalid_state")
        if not approve and not note.strip():
            raise DomainError(_("Tuliskan alasan pengembalian."), field="note")
        self.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
        self.supervisor_note = note.strip()
        self.decided_by_id = supervisor.id
        self.decided_at = now


class PlanGoal(db.Model):
    """A goal of a plan: reach a level in a competency."""

    __tablename__ = "plan_goals"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the plan
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("development_plans.id", ondelete="CASCADE"), index=True
    )
    #: the competency
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"))
    #: the level to reach
    target_level: Mapped[int] = mapped_column(Integer)
    #: why, in the employee's words
    note: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="goals")
    competency: Mapped[Competency] = relationship()
    activities: Mapped[list[PlanActivity]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="PlanActivity.id"
    )


class PlanActivity(db.Model):
    """Something done towards a goal: a course, mentoring, an assignment, a rotation, study."""

    __tablename__ = "plan_activities"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the goal
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("plan_goals.id", ondelete="CASCADE"), index=True
    )
    #: course, mentoring, on-the-job assignment, rotation, further education
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind))
    #: the course, for course activities
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    #: what will be done
    description: Mapped[str] = mapped_column(Text, default="")
    #: planned by
    due_on: Mapped[date | None] = mapped_column(Date)
    #: planned, in progress, done
    status: Mapped[ActivityStatus] = mapped_column(
        enum_column(ActivityStatus), default=ActivityStatus.PLANNED
    )
    #: when it was done
    completed_on: Mapped[date | None] = mapped_column(Date)
    #: the evidence that shows the result, if any
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id", ondelete="SET NULL"))

    goal: Mapped[PlanGoal] = relationship(back_populates="activities")
    evidence: Mapped[Evidence | None] = relationship()
