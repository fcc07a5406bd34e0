"""Organisations and the people in them."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from lms.core.db import TimestampMixin, UTCDateTime, enum_column, utcnow
from lms.extensions import db


class PositionType(enum.Enum):
    """Jenis jabatan."""

    JPT = "jpt"
    ADMINISTRATOR = "administrator"
    PENGAWAS = "pengawas"
    PELAKSANA = "pelaksana"
    FUNGSIONAL = "fungsional"


class Jenjang(enum.Enum):
    """Jenjang of a JPT or a fungsional position."""

    UTAMA = "utama"
    MADYA = "madya"
    PRATAMA = "pratama"
    AHLI_PERTAMA = "ahli_pertama"
    AHLI_MUDA = "ahli_muda"
    AHLI_MADYA = "ahli_madya"
    AHLI_UTAMA = "ahli_utama"
    PEMULA = "pemula"
    TERAMPIL = "terampil"
    MAHIR = "mahir"
    PENYELIA = "penyelia"


#: which jenjang each position type allows (none means the type takes no jenjang)
JENJANG_BY_TYPE: dict[PositionType, tuple[Jenjang, ...]] = {
    PositionType.JPT: (Jenjang.UTAMA, Jenjang.MADYA, Jenjang.PRATAMA),
    PositionType.FUNGSIONAL: (
        Jenjang.AHLI_PERTAMA,
        Jenjang.AHLI_MUDA,
        Jenjang.AHLI_MADYA,
        Jenjang.AHLI_UTAMA,
        Jenjang.PEMULA,
        Jenjang.TERAMPIL,
        Jenjang.MAHIR,
        Jenjang.PENYELIA,
    ),
}


class EmployeeType(enum.Enum):
    """PNS (civil servant) or PPPK (government employee on contract)."""

    PNS = "pns"
    PPPK = "pppk"


class Role(enum.Enum):
    """Roles granted explicitly; learner and supervisor follow from the employee record."""

    TRAINER = "trainer"
    HR_ADMIN = "hr_admin"
    ADMIN = "admin"


class Organisation(TimestampMixin, db.Model):
    """An instansi, e.g. Pemerintah Kota Solok."""

    __tablename__ = "organisations"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: short unique code used in URLs, imports and certificate numbers (e.g. ``SLK``)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: full name
    name: Mapped[str] = mapped_column(String(200))
    #: inactive organisations keep their records but nobody in them can log in
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    units: Mapped[list[Unit]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"


class Unit(TimestampMixin, db.Model):
    """A unit kerja / perangkat daerah; units form a tree inside one organisation."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the organisation the unit belongs to
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: the parent unit, or none for a top-level unit
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    #: short code, unique within the organisation
    code: Mapped[str] = mapped_column(String(30))
    #: name, e.g. Dinas Kesehatan
    name: Mapped[str] = mapped_column(String(200))
    #: inactive units stay for history but take no new people
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    organisation: Mapped[Organisation] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class Position(TimestampMixin, db.Model):
    """A jabatan in an organisation."""

    __tablename__ = "positions"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the organisation the position belongs to
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: the unit the position sits in, if any
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    #: name, e.g. Kepala Dinas Kesehatan
    name: Mapped[str] = mapped_column(String(200))
    #: JPT, administrator, pengawas, pelaksana or fungsional
    position_type: Mapped[PositionType] = mapped_column(enum_column(PositionType))
    #: jenjang for JPT and fungsional positions
    jenjang: Mapped[Jenjang | None] = mapped_column(enum_column(Jenjang))
    #: inactive positions stay for history but take no new people
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    organisation: Mapped[Organisation] = relationship()
    unit: Mapped[Unit | None] = relationship()

    def __repr__(self) -> str:
        return f"<Position {self.name}>"


class Employee(TimestampMixin, db.Model):
    """A PNS or PPPK employee (pegawai) of an organisation."""

    __tablename__ = "employees"
    __table_args__ = (Index("ix_employees_organisation_id_name", "organisation_id", "name"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the employing organisation
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: the 18-digit NIP, unique nationally
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    #: PNS or PPPK
    employee_type: Mapped[EmployeeType] = mapped_column(enum_column(EmployeeType))
    #: full name with titles as the employee writes it
    name: Mapped[str] = mapped_column(String(200))
    #: work email, optional
    email: Mapped[str | None] = mapped_column(String(254))
    #: birth date, read from the NIP
    birth_date: Mapped[date] = mapped_column(Date)
    #: ``L`` or ``P``, read from the NIP
    sex: Mapped[str] = mapped_column(String(1))
    #: golongan code (``III/a`` for PNS, ``IX`` for PPPK)
    golongan: Mapped[str | None] = mapped_column(String(8), index=True)
    #: the unit kerja
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    #: the current position
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"), index=True)
    #: the direct supervisor (atasan langsung)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    #: inactive employees (retired, moved away) keep their records
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    organisation: Mapped[Organisation] = relationship()
    unit: Mapped[Unit | None] = relationship()
    position: Mapped[Position | None] = relationship()
    supervisor: Mapped[Employee | None] = relationship(remote_side=[id])
    user: Mapped[User | None] = relationship(back_populates="employee", uselist=False)

    def __repr__(self) -> str:
        return f"<Employee {self.nip}>"


class User(UserMixin, TimestampMixin, db.Model):
    """A login account, usually linked to an employee."""

    __tablename__ = "users"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: login email, lower-case, unique
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    #: the employee this account belongs to (none for platform administrators)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), unique=True)
    #: the organisation the account works in (none for platform administrators)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: hashed password (werkzeug scrypt)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: set by a reset: the next login must choose a new password
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    #: disabled accounts cannot log in
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: rotated whenever the password changes, which ends every other session
    session_token: Mapped[str] = mapped_column(
        String(43), default=lambda: secrets.token_urlsafe(32)
    )
    #: consecutive failed logins since the last success
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    #: logins are refused until then after too many failures
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the last successful login
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: preferred interface language (``id`` or ``en``)
    locale: Mapped[str | None] = mapped_column(String(5))

    employee: Mapped[Employee | None] = relationship(back_populates="user")
    organisation: Mapped[Organisation | None] = relationship()
    role_assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self) -> str:
        """Flask-Login identity: id plus session token, so a password change logs out others."""
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        """Hash and store a new password and end every other session."""
        self.password_hash = generate_password_hash(password)
        self.session_token = secrets.token_urlsafe(32)

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is this account's password."""
        return check_password_hash(self.password_hash, password)

    @property
    def roles(self) -> set[Role]:
        """The explicitly granted roles."""
        return {assignment.role for assignment in self.role_assignments}

    def has_role(self, role: Role) -> bool:
        """Whether the role is granted explicitly."""
        return role in self.roles

    @property
    def display_name(self) -> str:
        """The employee's name, else the email."""
        return self.employee.name if self.employee else (self.email or "")

    def is_locked(self, now: datetime | None = None) -> bool:
        """Whether logins are refused for now after too many failures."""
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class RoleAssignment(db.Model):
    """An explicit role granted to a user."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the user holding the role
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: trainer, hr_admin or admin
    role: Mapped[Role] = mapped_column(enum_column(Role))
    #: when it was granted (UTC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_assignments")


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 hash is stored."""

    __tablename__ = "api_tokens"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the owner
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: a label the owner chose
    name: Mapped[str] = mapped_column(String(100), default="")
    #: hex SHA-256 of the token
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters of the token, to tell tokens apart in lists
    prefix: Mapped[str] = mapped_column(String(8))
    #: when it was issued (UTC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: when it stops working (UTC)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: when the owner or an admin revoked it (UTC)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the last request made with it (UTC)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime | None = None) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and self.expires_at > (now or utcnow())

    def revoke(self) -> None:
        """Revoke the token; revoking twice is refused."""
        if self.revoked_at is not None:
            raise ValueError("token already revoked")
        self.revoked_at = utcnow()


class AuditEvent(db.Model):
    """One security-relevant or HR action, kept for review."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_organisation_id_created_at", "organisation_id", "created_at"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the organisation the action concerns (none for platform-wide actions)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    #: who did it (none for anonymous attempts)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: what happened, a dotted name such as ``auth.login_failed``
    action: Mapped[str] = mapped_column(String(60), index=True)
    #: the kind of object acted on
    target_type: Mapped[str | None] = mapped_column(String(40))
    #: the object's id or key
    target_id: Mapped[str | None] = mapped_column(String(64))
    #: details: changed fields with old and new values, counts, reasons
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the client's address
    ip_address: Mapped[str | None] = mapped_column(String(45))
    #: when it happened (UTC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
