"""API endpoints of certificates: public verification by code, an employee's certificates and
their PDF for callers who may read the employee."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts import policy
from lms.accounts.models import Employee
from lms.api import bp
from lms.api.auth import ApiError, api_user, token_required
from lms.api.views import scoped_employee
from lms.certificates.models import Certificate, RenderStatus
from lms.certificates.urls import public_url
from lms.certificates.verification import credential_url, lookup, today
from lms.certificates.views import verification_limit
from lms.extensions import db
from lms.media import storage


def _not_found() -> ApiError:
    return ApiError(404, "not_found", _("Sertifikat tidak ditemukan."))


@bp.get("/certificates/<code>")
@verification_limit
def certificate(code: str) -> Response:
    """Public verification as JSON: anyone holding the code, no token (rate-limited)."""
    record = lookup(code)
    if record is None:
        raise _not_found()
    return jsonify(record.as_json())


def certificate_json(certificate: Certificate, on: Any) -> dict[str, Any]:
    """A certificate in an employee's record."""
    has_pdf = certificate.pdf_status is RenderStatus.READY and bool(certificate.pdf_path)
    return {
        "number": certificate.number,
        "code": certificate.code,
        "course": {"code": certificate.course_code, "title": certificate.course_title},
        "jp": certificate.jp,
        "issued_at": certificate.issued_at.isoformat(),
        "expires_at": certificate.expires_on.isoformat() if certificate.expires_on else None,
        "status": certificate.state(on),
        "revoked_reason": certificate.revoked_reason or None,
        "verify_url": public_url("certificates.verify", code=certificate.code),
        "pdf_url": public_url("api.certificate_pdf", code=certificate.code) if has_pdf else None,
        "credential_url": credential_url(certificate),
    }


@bp.get("/employees/<nip>/certificates")
@token_required
def employee_certificates(nip: str) -> Response:
    """Every certificate of an employee the caller may read, newest first, whatever its status."""
    employee = scoped_employee(nip)
    rows = db.session.scalars(
        select(Certificate)
        .where(Certificate.employee_id == employee.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    on = today()
    return jsonify(items=[certificate_json(c, on) for c in rows])


@bp.get("/certificates/<code>/pdf")
@token_required
def certificate_pdf(code: str) -> Response:
    """The PDF of a certificate whose holder the caller may read (404 otherwise)."""
    record = lookup(code)
    if record is None:
        raise _not_found()
    certificate = record.certificate
    visible = db.session.scalar(
        select(Employee.id).where(
            Employee.id == certificate.employee_id, policy.employee_scope(api_user())
        )
    )
    if visible is None:
        raise _not_found()
    if certificate.pdf_status is not RenderStatus.READY or not certificate.pdf_path:
        raise ApiError(404, "pdf_not_ready", _("PDF sertifikat belum tersedia; coba lagi nanti."))
    return storage.send(
        certificate.pdf_path,
        mimetype="application/pdf",
        download_name=f"sertifikat-{certificate.code}.pdf",
        private=True,
    )
