"""Use cases for organisations and people. They flush and audit; the caller commits."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from lms.accounts import audit
from lms.accounts.models import (
    JENJANG_BY_TYPE,
    ApiToken,
    Employee,
    EmployeeType,
    Jenjang,
    Organisation,
    Position,
    PositionType,
    Role,
    RoleAssignment,
    Unit,
    User,
)
from lms.accounts.nip import NipError, normalise_nip, parse_nip
from lms.accounts.reference import normalise_golongan
from lms.core import signals
from lms.core.db import contains, utcnow
from lms.core.errors import DomainError
from lms.extensions import db

#: the shortest password accepted
MIN_PASSWORD_LENGTH = 10
#: a hash that no password matches, for accounts made without one and for timing-safe misses
UNUSABLE_PASSWORD = "!unusable"  # noqa: S105 - a marker no hash ever equals
_DUMMY_HASH = "scrypt:32768:8:1$0000000000000000$" + "0" * 128


# --- authentication -------------------------------------------------------------------------


@dataclass
class LoginResult:
    """The outcome of a login attempt: a user, or a message saying why not."""

    user: User | None
    error: str | None = None


def find_user_by_login(login: str) -> User | None:
    """The account a login names: an 18-digit NIP or an email address."""
    login = (login or "").strip()
    if not login:
        return None
    compact = login.replace(" ", "").replace(".", "")
    if compact.isdigit():
        return db.session.scalar(select(User).join(User.employee).where(Employee.nip == compact))
    return db.session.scalar(select(User).where(User.email == login.lower()))


def _lockout_message(user: User) -> str:
    remaining = max(1, int((user.locked_until - utcnow()).total_seconds() // 60) + 1)
    return _(
        "Terlalu banyak percobaan masuk yang gagal. Akun dikunci sementara; "
        "coba lagi dalam %(minutes)d menit.",
        minutes=remaining,
    )


def authenticate(login: str, password: str) -> LoginResult:
    """Check a login and password, counting failures and locking the account after too many."""
    user = find_user_by_login(login)
    wrong = _("NIP/email atau kata sandi salah.")
    if user is None:
        # Spend the same time as a real check so response times do not reveal accounts.
        from werkzeug.security import check_password_hash

        check_password_hash(_DUMMY_HASH, password or "")
        audit.record("auth.login_failed", actor=None, data={"login": (login or "")[:60]})
        return LoginResult(None, wrong)
    if user.is_locked():
        audit.record(
            "auth.login_locked", actor=user, organisation_id=user.organisation_id, target=user
        )
        return LoginResult(None, _lockout_message(user))
    if user.password_hash == UNUSABLE_PASSWORD or not user.check_password(password or ""):
        user.failed_login_count += 1
        data: dict[str, Any] = {"failures": user.failed_login_count}
        if user.failed_login_count >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = utcnow() + timedelta(
                minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]
            )
            user.failed_login_count = 0
            data["locked"] = True
        audit.record(
            "auth.login_failed",
            actor=user,
            organisation_id=user.organisation_id,
            target=user,
            data=data,
        )
        return LoginResult(None, _lockout_message(user) if user.is_locked() else wrong)
    if not is_account_active(user):
        audit.record(
            "auth.login_inactive", actor=user, organisation_id=user.organisation_id, target=user
        )
        return LoginResult(None, _("Akun Anda tidak aktif. Hubungi BKPSDM instansi Anda."))
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, organisation_id=user.organisation_id, target=user)
    return LoginResult(user)


def is_account_active(user: User) -> bool:
    """The account, its employee record and its organisation are all active."""
    if not user.is_active:
        return False
    if user.employee is not None and not user.employee.is_active:
        return False
    return not (user.organisation is not None and not user.organisation.is_active)


def check_new_password(user: User, password: str) -> None:
    """Refuse weak passwords with a message saying why."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH), field="new_password"
        )
    lowered = password.lower()
    if (user.email and lowered == user.email.lower()) or (
        user.employee and user.employee.nip in password
    ):
        raise DomainError(
            _("Kata sandi tidak boleh sama dengan NIP atau email."), field="new_password"
        )
    if password.isdigit():
        raise DomainError(_("Kata sandi tidak boleh hanya berisi angka."), field="new_password")


def change_password(user: User, current: str, new: str) -> None:
    """The user changes their own password; every other session ends."""
    if not user.check_password(current):
        raise DomainError(_("Kata sandi saat ini salah."), field="current_password")
    if current == new:
        raise DomainError(_("Kata sandi baru harus berbeda dari yang lama."), field="new_password")
    check_new_password(user, new)
    user.set_password(new)
    user.must_change_password = False
    audit.record(
        "auth.password_changed", actor=user, organisation_id=user.organisation_id, target=user
    )
    db.session.flush()


def reset_password(user: User, *, actor: User) -> str:
    """HR or an admin sets a temporary password, which must be changed at the next login."""
    temporary = secrets.token_urlsafe(9)
    user.set_password(temporary)
    user.must_change_password = True
    user.failed_login_count = 0
    user.locked_until = None
    audit.record(
        "user.password_reset", actor=actor, organisation_id=user.organisation_id, target=user
    )
    db.session.flush()
    return temporary


def set_roles(user: User, roles: set[Role], grantable: set[Role], *, actor: User) -> None:
    """Grant and take away roles, within those the actor may grant."""
    before = user.roles
    if actor.id == user.id and Role.ADMIN in before and Role.ADMIN not in roles:
        raise DomainError(_("Anda tidak dapat mencabut peran admin dari akun Anda sendiri."))
    added = (roles - before) & grantable
    removed = (before - roles) & grantable
    if (roles - before) - grantable:
        raise DomainError(_("Anda tidak berwenang memberikan peran tersebut."), code="forbidden")
    if Role.HR_ADMIN in added and user.organisation_id is None:
        raise DomainError(_("Peran admin BKPSDM memerlukan akun yang terikat pada instansi."))
    for assignment in list(user.role_assignments):
        if assignment.role in removed:
            user.role_assignments.remove(assignment)
    for role in sorted(added, key=lambda r: r.value):
        user.role_assignments.append(RoleAssignment(role=role))
    if added or removed:
        audit.record(
            "user.roles_changed",
            actor=actor,
            organisation_id=user.organisation_id,
            target=user,
            data={
                "added": sorted(r.value for r in added),
                "removed": sorted(r.value for r in removed),
            },
        )
    db.session.flush()


def set_account_active(user: User, active: bool, *, actor: User) -> None:
    """Enable or disable an account."""
    if actor.id == user.id and not active:
        raise DomainError(_("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    if user.is_active != active:
        user.is_active = active
        audit.record(
            "user.enabled" if active else "user.disabled",
            actor=actor,
            organisation_id=user.organisation_id,
            target=user,
        )
    db.session.flush()


# --- API tokens ---------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """SHA-256 of a bearer token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User, name: str = "") -> tuple[str, ApiToken]:
    """A new bearer token; the plain value is returned once and never stored."""
    plain = "lnt_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name[:100],
        token_hash=hash_token(plain),
        prefix=plain[4:12],
        expires_at=utcnow() + timedelta(days=current_app.config["API_TOKEN_DAYS"]),
    )
    db.session.add(token)
    audit.record("api.token_issued", actor=user, organisation_id=user.organisation_id, target=token)
    db.session.flush()
    return plain, token


def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    """Revoke a token (its owner or an admin)."""
    if token.revoked_at is not None:
        raise DomainError(_("Token sudah dicabut."), code="already_revoked")
    token.revoke()
    audit.record(
        "api.token_revoked", actor=actor, organisation_id=token.user.organisation_id, target=token
    )
    db.session.flush()


def user_for_token(plain: str) -> User | None:
    """The active user a bearer token belongs to, if the token is usable."""
    # One query: the token with its user, their employee record and roles, the account's being
    # active (user, employee record, organisation: :func:`is_account_active`) checked in SQL.
    # The organisation is not loaded: few requests read it, and each entity a row carries costs
    # more to load than the statement costs to run.
    token = (
        db.session.execute(_token_query(), {"token_hash": hash_token(plain)})
        .unique()
        .scalar_one_or_none()
    )
    if token is None or not token.is_usable():
        return None
    now = utcnow()
    # Record use at most once a minute so reads stay reads.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token.user


@functools.cache
def _token_query() -> Select[Any]:
    # built once: every API request sends it, and building it cost more than running it
    return (
        select(ApiToken)
        .join(ApiToken.user)
        .outerjoin(User.employee)
        .outerjoin(User.organisation)
        .where(
            ApiToken.token_hash == bindparam("token_hash"),
            User.is_active.is_(True),
            or_(Employee.id.is_(None), Employee.is_active.is_(True)),
            or_(Organisation.id.is_(None), Organisation.is_active.is_(True)),
        )
        .options(
            contains_eager(ApiToken.user).options(
                contains_eager(User.employee), joinedload(User.role_assignments)
            )
        )
    )


# --- organisations, units and positions -------------------------------------------------------


def create_organisation(code: str, name: str, *, actor: User | None) -> Organisation:
    """A new organisation (instansi)."""
    code = code.strip().upper()
    if db.session.scalar(select(Organisation.id).where(Organisation.code == code)):
        raise DomainError(_("Kode instansi %(code)s sudah dipakai.", code=code), field="code")
    organisation = Organisation(code=code, name=name.strip())
    db.session.add(organisation)
    db.session.flush()
    audit.record(
        "organisation.created",
        actor=actor,
        organisation_id=organisation.id,
        target=organisation,
        data={"code": code, "name": organisation.name},
    )
    return organisation


def _unit_in(organisation: Organisation, unit_id: int | None, field: str) -> Unit | None:
    if unit_id is None:
        return None
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.organisation_id != organisation.id:
        raise DomainError(_("Unit kerja tidak ditemukan di instansi ini."), field=field)
    return unit


def save_unit(
    organisation: Organisation,
    unit: Unit | None,
    *,
    code: str,
    name: str,
    parent_id: int | None,
    is_active: bool = True,
    actor: User | None,
) -> Unit:
    """Create (``unit`` is None) or update a unit, refusing cycles and duplicate codes."""
    code = code.strip().upper()
    clash = db.session.scalar(
        select(Unit.id).where(Unit.organisation_id == organisation.id, Unit.code == code)
    )
    if clash and (unit is None or clash != unit.id):
        raise DomainError(_("Kode unit %(code)s sudah dipakai.", code=code), field="code")
    parent = _unit_in(organisation, parent_id, "parent_id")
    if unit is not None and parent is not None:
        ancestor: Unit | None = parent
        while ancestor is not None:
            if ancestor.id == unit.id:
                raise DomainError(
                    _("Unit induk tidak boleh unit itu sendiri atau salah satu sub-unitnya."),
                    field="parent_id",
                )
            ancestor = ancestor.parent
    created = unit is None
    if unit is None:
        unit = Unit(organisation=organisation)
        db.session.add(unit)
        before: dict[str, Any] = {}
    else:
        before = {
            "code": unit.code,
            "name": unit.name,
            "parent_id": unit.parent_id,
            "is_active": unit.is_active,
        }
    unit.code, unit.name, unit.parent, unit.is_active = code, name.strip(), parent, is_active
    db.session.flush()
    after = {"code": code, "name": unit.name, "parent_id": unit.parent_id, "is_active": is_active}
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            "unit.created" if created else "unit.updated",
            actor=actor,
            organisation_id=organisation.id,
            target=unit,
            data=changes,
        )
    return unit


def save_position(
    organisation: Organisation,
    position: Position | None,
    *,
    name: str,
    position_type: PositionType,
    jenjang: Jenjang | None,
    unit_id: int | None,
    is_active: bool = True,
    actor: User | None,
) -> Position:
    """Create (``position`` is None) or update a position, checking the jenjang fits the type."""
    allowed = JENJANG_BY_TYPE.get(position_type, ())
    if allowed and jenjang not in allowed:
        raise DomainError(_("Pilih jenjang yang sesuai dengan jenis jabatan."), field="jenjang")
    if not allowed and jenjang is not None:
        raise DomainError(_("Jenis jabatan ini tidak memiliki jenjang."), field="jenjang")
    unit = _unit_in(organisation, unit_id, "unit_id")
    created = position is None
    if position is None:
        position = Position(organisation=organisation)
        db.session.add(position)
        before: dict[str, Any] = {}
    else:
        before = {
            "name": position.name,
            "position_type": position.position_type.value,
            "jenjang": position.jenjang.value if position.jenjang else None,
            "unit_id": position.unit_id,
            "is_active": position.is_active,
        }
    position.name, position.position_type, position.jenjang = name.strip(), position_type, jenjang
    position.unit, position.is_active = unit, is_active
    db.session.flush()
    after = {
        "name": position.name,
        "position_type": position_type.value,
        "jenjang": jenjang.value if jenjang else None,
        "unit_id": position.unit_id,
        "is_active": is_active,
    }
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            "position.created" if created else "position.updated",
            actor=actor,
            organisation_id=organisation.id,
            target=position,
            data=changes,
        )
    return position


# --- employees and their accounts ---------------------------------------------------------------


@dataclass
class EmployeeData:
    """What HR enters for an employee."""

    nip: str
    name: str
    employee_type: EmployeeType = EmployeeType.PNS
    email: str | None = None
    golongan: str | None = None
    unit_id: int | None = None
    position_id: int | None = None
    supervisor_id: int | None = None
    is_active: bool = True


#: most employees one "NIP or name" list may name at once
MAX_NAMED_EMPLOYEES = 200
#: matches shown when a name fits several employees
SHOWN_MATCHES = 5


def employees_named(organisation_id: int, text: str) -> list[Employee]:
    """The organisation's active employees named in ``text``: NIPs or (parts of) names,
    separated by commas, semicolons or new lines, in the order given, each once.

    Every entry must name exactly one employee; otherwise nothing is returned and the
    :class:`DomainError` (field ``nip``) names each entry that did not, with the candidates of
    an ambiguous name and their NIPs, so HR can write the NIP instead.
    """
    entries = [e.strip() for e in re.split(r"[,;\n]+", text or "") if e.strip()]
    if not entries:
        raise DomainError(_("Tulis NIP atau nama pegawai."), field="nip")
    if len(entries) > MAX_NAMED_EMPLOYEES:
        raise DomainError(
            _("Paling banyak %(n)d pegawai sekaligus; untuk lebih banyak, tugaskan per unit, "
              "jabatan atau golongan.", n=MAX_NAMED_EMPLOYEES),
            field="nip",
        )  # fmt: skip
    scope = and_(Employee.organisation_id == organisation_id, Employee.is_active.is_(True))
    nips = {nip for nip in map(normalise_nip, entries) if nip.isdigit()}
    by_nip = (
        {
            e.nip: e
            for e in db.session.scalars(select(Employee).where(scope, Employee.nip.in_(nips)))
        }
        if nips
        else {}
    )
    found: list[Employee] = []
    problems: list[str] = []
    for entry in entries:
        nip = normalise_nip(entry)
        if nip.isdigit():
            employee = by_nip.get(nip)
            if employee is None:
                problems.append(_("NIP %(nip)s tidak ditemukan di instansi ini.", nip=nip))
                continue
        else:
            matches = db.session.scalars(
                select(Employee)
                .where(scope, contains(Employee.name, entry))
                .order_by(Employee.name, Employee.nip)
                .limit(SHOWN_MATCHES + 1)
            ).all()
            if not matches:
                problems.append(_("Tidak ada pegawai bernama “%(name)s”.", name=entry))
                continue
            if len(matches) > 1:
                listed = "; ".join(f"{m.name} ({m.nip})" for m in matches[:SHOWN_MATCHES])
                more = "; " + _("dan lainnya") if len(matches) > SHOWN_MATCHES else ""
                problems.append(
                    _("“%(name)s” cocok dengan beberapa pegawai: %(list)s. Tulis NIP-nya.",
                      name=entry, list=listed + more)
                )  # fmt: skip
                continue
            employee = matches[0]
        if employee not in found:
            found.append(employee)
    if problems:
        shown = problems[:10]
        if len(problems) > 10:
            shown.append(_("… dan %(n)d lainnya.", n=len(problems) - 10))
        raise DomainError(" ".join(shown), field="nip")
    return found


def _employee_snapshot(employee: Employee) -> dict[str, Any]:
    return {
        "nip": employee.nip,
        "name": employee.name,
        "employee_type": employee.employee_type.value if employee.employee_type else None,
        "email": employee.email,
        "golongan": employee.golongan,
        "unit_id": employee.unit_id,
        "position_id": employee.position_id,
        "supervisor_id": employee.supervisor_id,
        "is_active": employee.is_active,
    }


def save_employee(
    organisation: Organisation,
    employee: Employee | None,
    data: EmployeeData,
    *,
    actor: User | None,
    audit_action: str | None = None,
) -> Employee:
    """Create (``employee`` is None) or update an employee after checking every field."""
    try:
        info = parse_nip(data.nip, data.employee_type)
    except NipError as error:
        raise DomainError(str(error), field="nip", code="invalid_nip") from None
    clash = db.session.scalar(select(Employee.id).where(Employee.nip == info.nip))
    if clash and (employee is None or clash != employee.id):
        raise DomainError(
            _("NIP %(nip)s sudah terdaftar.", nip=info.nip), field="nip", code="duplicate_nip"
        )
    name = " ".join((data.name or "").split())
    if not name:
        raise DomainError(_("Nama wajib diisi."), field="name")
    golongan = None
    if data.golongan:
        golongan = normalise_golongan(data.golongan, data.employee_type)
        if golongan is None:
            raise DomainError(
                _("Golongan %(value)s tidak dikenal untuk pegawai %(type)s.",
                  value=data.golongan, type=data.employee_type.value.upper()),
                field="golongan",
            )  # fmt: skip
    email = (data.email or "").strip().lower() or None
    _unit_in(organisation, data.unit_id, "unit_id")
    if data.position_id is not None:
        position = db.session.get(Position, data.position_id)
        if position is None or position.organisation_id != organisation.id:
            raise DomainError(_("Jabatan tidak ditemukan di instansi ini."), field="position_id")
    if data.supervisor_id is not None:
        supervisor = db.session.get(Employee, data.supervisor_id)
        if supervisor is None or supervisor.organisation_id != organisation.id:
            raise DomainError(_("Atasan tidak ditemukan di instansi ini."), field="supervisor_id")
        ancestor: Employee | None = supervisor
        while ancestor is not None:
            if employee is not None and ancestor.id == employee.id:
                raise DomainError(
                    _("Atasan tidak boleh pegawai itu sendiri atau bawahannya."),
                    field="supervisor_id",
                )
            ancestor = ancestor.supervisor
    created = employee is None
    before = {} if employee is None else _employee_snapshot(employee)
    if employee is None:
        employee = Employee(organisation=organisation)
        db.session.add(employee)
    employee.nip, employee.employee_type = info.nip, data.employee_type
    employee.birth_date, employee.sex = info.birth_date, info.sex
    employee.name, employee.email, employee.golongan = name, email, golongan
    employee.unit_id, employee.position_id = data.unit_id, data.position_id
    employee.supervisor_id, employee.is_active = data.supervisor_id, data.is_active
    db.session.flush()
    changes = audit.diff(before, _employee_snapshot(employee))
    if changes:
        signals.employees_changed.send(None, employee_ids=[employee.id])
    if changes and audit_action != "":
        audit.record(
            audit_action or ("employee.created" if created else "employee.updated"),
            actor=actor,
            organisation_id=organisation.id,
            target=employee,
            data=changes,
        )
    return employee


def ensure_account(employee: Employee, email: str | None = None) -> User:
    """The employee's login account, created without a usable password if it does not exist.

    Such an account logs in after HR gives it a temporary password.
    """
    if employee.user is not None:
        return employee.user
    email = (email or employee.email or "").strip().lower() or None
    if email and db.session.scalar(select(User.id).where(User.email == email)):
        email = None  # the address belongs to another account: the employee logs in by NIP
    user = User(
        employee=employee,
        organisation_id=employee.organisation_id,
        email=email,
        password_hash=UNUSABLE_PASSWORD,
    )
    db.session.add(user)
    db.session.flush()
    return user


def update_account_email(user: User, email: str | None, *, actor: User) -> None:
    """Change an account's login email, keeping emails unique."""
    email = (email or "").strip().lower() or None
    if email == user.email:
        return
    if email and db.session.scalar(
        select(User.id).where(func.lower(User.email) == email, User.id != user.id)
    ):
        raise DomainError(_("Email %(email)s sudah dipakai akun lain.", email=email), field="email")
    audit.record(
        "user.email_changed",
        actor=actor,
        organisation_id=user.organisation_id,
        target=user,
        data={"email": [user.email, email]},
    )
    user.email = email
    db.session.flush()
