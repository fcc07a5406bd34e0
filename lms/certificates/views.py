"""Public pages of certificates: verification by code, the signed credential, the issuer's
profile and the published keys. None needs a login; the verification routes are rate-limited
per address so codes cannot be guessed in bulk (128 random bits make guessing hopeless anyway).

The learner's and HR's certificate pages are in :mod:`lms.certificates.views_records`, on the
same blueprint.
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from lms.accounts.models import Organisation
from lms.certificates import keys
from lms.certificates.credentials import VC_CONTEXT
from lms.certificates.urls import public_url
from lms.certificates.verification import PublicRecord, lookup
from lms.extensions import db, limiter

bp = Blueprint("certificates", __name__)

#: one budget per address for every way of looking a code up (page, API, credential)
verification_limit = limiter.shared_limit(
    lambda: current_app.config["VERIFY_RATE_LIMIT"], scope="certificate-verification"
)
#: how long verifiers may cache the published keys
JWKS_MAX_AGE = 3600


def not_found() -> tuple[str, int]:
    """The page for a code that names no certificate (unknown, mistyped or malformed)."""
    return render_template("certificates/not_found.html"), 404


@bp.get("/verify")
def verify_form() -> str | Response:
    """Someone holding the paper without a QR scanner types the verification code."""
    code = "".join(ch for ch in request.args.get("kode", "") if ch.isalnum())[:64]
    if code:
        return redirect(url_for("certificates.verify", code=code))
    return render_template("certificates/verify_form.html")


@bp.get("/verify/<code>")
@verification_limit
def verify(code: str) -> tuple[str, int] | str:
    """Anyone holding a certificate checks it: valid, expired, revoked or replaced."""
    record = lookup(code)
    if record is None:
        return not_found()
    return render_template("certificates/verify.html", record=record, c=record.certificate)


def _credential_record(code: str) -> PublicRecord | None:
    record = lookup(code)
    return record if record is not None and record.certificate.credential else None


@bp.get("/sertifikat/<code>/credential.jwt")
@verification_limit
def credential(code: str) -> Response | tuple[str, int]:
    """The signed Open Badges 3.0 credential (VC-JWT) of a certificate, for wallets."""
    record = _credential_record(code)
    if record is None:
        return not_found()
    response = Response(record.certificate.credential, mimetype="application/jwt")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="sertifikat-{record.certificate.code}.jwt"'
    )
    return response


@bp.get("/sertifikat/<code>/credential.json")
@verification_limit
def credential_json(code: str) -> Response | tuple[str, int]:
    """The credential's content (the JWT payload) as readable JSON, next to its signed form."""
    record = _credential_record(code)
    if record is None:
        return not_found()
    body = (record.certificate.credential or "").split(".")[1]
    payload: dict[str, Any] = json.loads(keys.b64decode(body))
    return current_app.response_class(
        json.dumps(payload, ensure_ascii=False, indent=2), mimetype="application/json"
    )


@bp.get("/penerbit/<code>")
def issuer(code: str) -> Response | tuple[str, int]:
    """An organisation as an Open Badges issuer Profile, with its public keys."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if organisation is None:
        return not_found()
    published = keys.published(organisation.id)
    return jsonify(
        {
            "@context": VC_CONTEXT,
            "id": public_url("certificates.issuer", code=organisation.code),
            "type": ["Profile"],
            "name": organisation.name,
            "url": public_url("home.index"),
            "jwks_uri": public_url("certificates.jwks"),
            "jwks": {"keys": [keys.jwk(key) for key in published]},
        }
    )


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    """Every public key that signs or has signed credentials on this site (RFC 7517)."""
    body = json.dumps({"keys": [keys.jwk(key) for key in keys.published()]})
    response = current_app.response_class(body, mimetype="application/jwk-set+json")
    response.cache_control.public = True
    response.cache_control.max_age = JWKS_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


from lms.certificates import views_records  # noqa: E402,F401 - the record pages, same blueprint
