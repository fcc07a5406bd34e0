"""Certificates as Open Badges 3.0 credentials, signed as VC-JWT with the issuer's Ed25519 key.

The format follows Open Badges 3.0 ("JSON Web Token Proof Format"): the JOSE header holds only
``alg`` (EdDSA), ``kid`` (a URI that dereferences to the public JWK) and ``typ`` ("JWT"); the
JWT payload is the OpenBadgeCredential itself (W3C VC Data Model 2.0, ``validFrom`` and
``validUntil``) with the claims ``iss`` = issuer.id, ``jti`` = id, ``sub`` =
credentialSubject.id, ``nbf`` = validFrom and ``exp`` = validUntil when the certificate
expires. Fields are those of the OB 3.0 data model: the achievement carries the JP as
``creditsAvailable`` and the competencies as ``alignment``.

The NIP is never published in clear: the holder is identified by name and by a salted SHA-256
hash of the NIP (``identityType`` ``ext:NIP``), and ``credentialSubject.id`` is a pseudonym
derived from the NIP with the application's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from datetime import UTC, datetime, time
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from lms.certificates import keys
from lms.certificates.models import Certificate
from lms.certificates.services import JAKARTA
from lms.certificates.urls import public_url
from lms.competencies.models import CompetencyKind
from lms.competencies.profile import competency_by_code
from lms.core.errors import DomainError

log = logging.getLogger(__name__)

VC_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
#: the framework of the national managerial and socio-cultural competencies
NATIONAL_FRAMEWORK = "PermenPANRB 38/2017"


def _timestamp(moment: datetime) -> str:
    """An XML Schema dateTime in UTC to the second, as ``nbf``/``exp`` can state it."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def valid_until(certificate: Certificate) -> datetime | None:
    """The end of the certificate's last valid day (WIB), in UTC."""
    if certificate.expires_on is None:
        return None
    return datetime.combine(certificate.expires_on, time(23, 59, 59), tzinfo=JAKARTA).astimezone(
        UTC
    )


def holder_id(nip: str) -> str:
    """A stable pseudonym of the holder (``urn:uuid:``), not reversible without the secret."""
    digest = hmac.new(
        current_app.config["SECRET_KEY"].encode("utf-8"),
        f"certificate-holder:{nip}".encode(),
        hashlib.sha256,
    ).digest()
    return uuid.UUID(bytes=digest[:16], version=4).urn


def hashed_identity(value: str, salt: str) -> str:
    """An OB 3.0 IdentityHash: ``sha256$`` and the hex digest of the value followed by the salt."""
    return "sha256$" + hashlib.sha256(f"{value}{salt}".encode()).hexdigest()


def _framework(code: str, certificate: Certificate) -> str:
    """PermenPANRB 38/2017 for managerial and socio-cultural competencies; for technical ones
    the dictionary that defines them (an organisation's own, or the one shipped with Lentera)."""
    found = competency_by_code(code, certificate.employee.organisation_id)
    if found is None or found.kind is not CompetencyKind.TECHNICAL:
        return NATIONAL_FRAMEWORK
    owner = found.organisation.name if found.organisation else "Lentera"
    return _("Kamus kompetensi teknis %(owner)s", owner=owner)


def credential(certificate: Certificate) -> dict[str, Any]:
    """The certificate as an unsigned OpenBadgeCredential (with its JWT claims)."""
    organisation = certificate.organisation
    issuer_id = public_url("certificates.issuer", code=organisation.code)
    credential_id = public_url("certificates.verify", code=certificate.code)
    subject_id = holder_id(certificate.holder_nip)
    salt = secrets.token_hex(16)  # per credential: the hashes of two credentials never match
    issued = certificate.issued_at.astimezone(UTC).replace(microsecond=0)
    until = valid_until(certificate)
    with force_locale("id"):  # a signed document has one language: the certificate's
        achievement = {
            "id": public_url("courses.course", code=certificate.course_code),
            "type": ["Achievement"],
            "achievementType": "CertificateOfCompletion",
            "name": certificate.course_title,
            "humanCode": certificate.course_code,
            "description": _(
                "Pelatihan %(title)s (%(jp)d JP) yang diselenggarakan oleh %(org)s.",
                title=certificate.course_title,
                jp=certificate.jp,
                org=organisation.name,
            ),
            "criteria": {
                "narrative": _(
                    "Menyelesaikan semua pelajaran wajib dan lulus evaluasi akhir pelatihan."
                )
            },
            "creditsAvailable": float(certificate.jp),
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetName": item["name"],
                    "targetCode": item["code"],
                    "targetDescription": _("Level %(level)d", level=item["level"]),
                    "targetFramework": _framework(item["code"], certificate),
                    "targetType": "ceasn:Competency",
                    "targetUrl": f"{issuer_id}#{item['code']}",
                }
                for item in certificate.competencies
            ],
        }
        name = _("Sertifikat %(title)s", title=certificate.course_title)
        description = _("Nomor %(number)s", number=certificate.number)
    document: dict[str, Any] = {
        "@context": VC_CONTEXT,
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": organisation.name},
        "validFrom": _timestamp(issued),
        "name": name,
        "description": description,
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                },
                {
                    "type": "IdentityObject",
                    "identityType": "ext:NIP",
                    "hashed": True,
                    "identityHash": hashed_identity(certificate.holder_nip, salt),
                    "salt": salt,
                },
            ],
            "creditsEarned": float(certificate.jp),
            "achievement": achievement,
        },
    }
    claims: dict[str, Any] = {
        "iss": issuer_id,
        "jti": credential_id,
        "sub": subject_id,
        "nbf": int(issued.timestamp()),
        "iat": int(issued.timestamp()),
    }
    if until is not None:
        document["validUntil"] = _timestamp(until)
        claims["exp"] = int(until.timestamp())
    return document | claims


def _encode(value: dict[str, Any]) -> str:
    return keys.b64url(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def sign(certificate: Certificate) -> str | None:
    """The certificate as a signed OpenBadgeCredential: a compact JWS (VC-JWT, EdDSA).

    None when the organisation's key cannot be opened (the secret key changed without a
    re-wrap): the certificate is still issued, only without its credential.
    """
    key = keys.signing_key(certificate.organisation)
    try:
        private = keys.private_key(key)
    except DomainError:
        log.exception("certificate %s: signing key %s cannot be opened", certificate.id, key.kid)
        return None
    header = {"alg": "EdDSA", "kid": keys.key_uri(key), "typ": "JWT"}
    signing_input = f"{_encode(header)}.{_encode(credential(certificate))}"
    return f"{signing_input}.{keys.b64url(private.sign(signing_input.encode('ascii')))}"
