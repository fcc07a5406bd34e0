"""API endpoints: tokens, the caller, and employees in the caller's scope."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from lms.accounts import policy, services
from lms.accounts.models import ApiToken, Employee, Unit, User
from lms.accounts.nip import normalise_nip
from lms.accounts.reference import PANGKAT
from lms.accounts.tree import unit_subtree_ids
from lms.api import bp
from lms.api.auth import ApiError, api_user, token_required
from lms.api.openapi import openapi_document
from lms.core.db import contains
from lms.core.errors import DomainError
from lms.core.errors_views import json_error
from lms.core.pagination import paginate
from lms.core.urls import MAX_ID
from lms.extensions import db, limiter

PER_PAGE = 50


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return json_error(error.status, error.code, error.message, **error.extra)


def _json_body() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", _("Kirim data sebagai application/json."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", _("Isi permintaan bukan objek JSON yang sah."))
    return body


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not 1 <= int(raw) <= 100_000:
        raise ApiError(400, "invalid_parameter", _("Parameter page harus bilangan bulat positif."))
    return int(raw)


def _roles(user: User) -> list[str]:
    roles = sorted(role.value for role in user.roles)
    if policy.is_learner(user):
        roles.append("learner")
    if policy.is_supervisor(user):
        roles.append("supervisor")
    return roles


def employee_json(employee: Employee) -> dict[str, Any]:
    """An employee as the API shows it."""
    return {
        "nip": employee.nip,
        "name": employee.name,
        "employee_type": employee.employee_type.value,
        "email": employee.email,
        "golongan": employee.golongan,
        "pangkat": PANGKAT.get(employee.golongan or ""),
        "organisation": {"code": employee.organisation.code, "name": employee.organisation.name},
        "unit": (
            {"code": employee.unit.code, "name": employee.unit.name} if employee.unit else None
        ),
        "position": (
            {
                "name": employee.position.name,
                "type": employee.position.position_type.value,
                "jenjang": employee.position.jenjang.value if employee.position.jenjang else None,
            }
            if employee.position
            else None
        ),
        "supervisor_nip": employee.supervisor.nip if employee.supervisor else None,
        "is_active": employee.is_active,
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document())


@bp.post("/tokens")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def create_token() -> tuple[Response, int]:
    """Exchange a login and password for a bearer token."""
    body = _json_body()
    login, password = body.get("login"), body.get("password")
    if not isinstance(login, str) or not isinstance(password, str) or not login or not password:
        raise ApiError(422, "invalid", _("Isi login dan password sebagai teks."))
    result = services.authenticate(login, password)
    if result.user is None:
        db.session.commit()
        raise ApiError(401, "invalid_credentials", result.error or "")
    if result.user.must_change_password:
        db.session.commit()
        raise ApiError(
            403,
            "password_change_required",
            _("Ganti kata sandi sementara Anda lewat halaman web terlebih dahulu."),
        )
    name = body.get("name") if isinstance(body.get("name"), str) else "API"
    token, record = services.issue_api_token(result.user, name)
    db.session.commit()
    return jsonify(token=token, expires_at=record.expires_at.isoformat()), 201


@bp.get("/tokens")
@token_required
def list_tokens() -> Response:
    """The caller's tokens (never their values)."""
    rows = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == api_user().id)
        .order_by(ApiToken.created_at.desc())
        .limit(200)
    )
    return jsonify(
        items=[
            {
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "expires_at": t.expires_at.isoformat(),
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            }
            for t in rows
        ]
    )


@bp.delete("/tokens/current")
@token_required
def revoke_current_token() -> tuple[str, int]:
    """Revoke the token this request was made with."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == services.hash_token(g.api_token))
    )
    services.revoke_api_token(token, actor=api_user())
    db.session.commit()
    return "", 204


@bp.delete("/tokens/<int:token_id>")
@token_required
def revoke_token(token_id: int) -> tuple[str, int]:
    """Revoke one of the caller's tokens (admins: anyone's)."""
    query = select(ApiToken).where(ApiToken.id == token_id)
    if not policy.is_admin(api_user()):
        query = query.where(ApiToken.user_id == api_user().id)
    token = db.session.scalar(query)
    if token is None:
        raise ApiError(404, "not_found", _("Token tidak ditemukan."))
    try:
        services.revoke_api_token(token, actor=api_user())
    except DomainError as error:
        raise ApiError(409, error.code, error.message) from None
    db.session.commit()
    return "", 204


@bp.get("/me")
@token_required
def me() -> Response:
    """The caller: account, roles, employee record and organisation."""
    user = api_user()
    return jsonify(
        user={"id": user.id, "email": user.email, "locale": user.locale},
        roles=_roles(user),
        employee=employee_json(user.employee) if user.employee else None,
        organisation=(
            {"code": user.organisation.code, "name": user.organisation.name}
            if user.organisation
            else None
        ),
    )


@bp.get("/employees")
@token_required
def employees() -> Response:
    """Employees the caller may read: HR their organisation, supervisors their team, self."""
    user = api_user()
    page = _page_arg()
    query = (
        select(Employee)
        .options(
            joinedload(Employee.organisation),
            joinedload(Employee.unit),
            joinedload(Employee.position),
            joinedload(Employee.supervisor),
        )
        .where(policy.employee_scope(user))
        .order_by(Employee.name, Employee.id)
    )
    q = request.args.get("q", "").strip()[:100]
    if q:
        digits = normalise_nip(q)
        if digits.isdigit():
            query = query.where(Employee.nip.startswith(digits))
        else:
            query = query.where(or_(contains(Employee.name, q), contains(Employee.email, q)))
    unit_arg = request.args.get("unit", "").strip()[:30]
    if unit_arg:
        unit_query = select(Unit.id)
        unit_query = unit_query.where(
            Unit.id == int(unit_arg)
            if unit_arg.isascii() and unit_arg.isdigit() and int(unit_arg) <= MAX_ID
            else Unit.code == unit_arg.upper()
        )
        if not policy.is_admin(user):
            unit_query = unit_query.where(Unit.organisation_id == user.organisation_id)
        unit_id = db.session.scalar(unit_query.limit(1))
        if unit_id is None:
            raise ApiError(404, "unit_not_found", _("Unit kerja tidak ditemukan."))
        query = query.where(Employee.unit_id.in_(unit_subtree_ids(unit_id)))
    result = paginate(query, page, PER_PAGE)
    return jsonify(
        items=[employee_json(e) for e in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
        pages=result.pages,
    )


def scoped_employee(nip: str) -> Employee:
    """The employee with that NIP if the caller may read them; 400 or 404 (never a hint)."""
    nip = normalise_nip(nip)
    if not (nip.isascii() and nip.isdigit()) or len(nip) != 18:
        raise ApiError(400, "invalid_nip", _("NIP harus 18 digit angka."))
    found = db.session.scalar(
        select(Employee)
        .options(
            joinedload(Employee.organisation),
            joinedload(Employee.unit),
            joinedload(Employee.position),
            joinedload(Employee.supervisor),
        )
        .where(Employee.nip == nip, policy.employee_scope(api_user()))
    )
    if found is None:
        raise ApiError(404, "not_found", _("Pegawai tidak ditemukan."))
    return found


@bp.get("/employees/<nip>")
@token_required
def employee(nip: str) -> Response:
    """One employee by NIP, if the caller may read them (else 404, never a hint)."""
    return jsonify(employee_json(scoped_employee(nip)))
