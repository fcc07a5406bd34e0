"""The organisations' Ed25519 signing keys: made on first use, published, rotated, re-wrapped.

The private key is stored as PKCS#8 PEM encrypted with a key derived (HKDF-SHA256) from the
application's ``SECRET_KEY``: a copy of the database alone cannot sign. Changing
``LMS_SECRET_KEY`` therefore needs the stored keys re-wrapped with the new one
(``flask lms certificates rewrap-keys``, see :func:`rewrap`); until then nothing can be signed,
while every credential already issued still verifies, since public keys are stored in clear.

Every key ever used stays published (``/.well-known/jwks.json``); a rotated key is only retired
from signing. Its ``kid`` in credentials and in the JWKS is the JWKS address with the key's name
as the fragment, a URI that dereferences to the key as Open Badges 3.0 asks.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts import audit
from lms.accounts.models import Organisation, User
from lms.certificates.models import SigningKey
from lms.certificates.urls import public_url
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.extensions import db


def b64url(raw: bytes) -> str:
    """Base64url without padding (JOSE)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    """Base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def wrapping_key(secret: str) -> bytes:
    """The key that encrypts stored private keys, derived from an application secret key."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"lentera certificate signing keys",
        info=b"pkcs8 wrapping v1",
    ).derive(secret.encode("utf-8"))


def _wrap(private: Ed25519PrivateKey, secret: str) -> str:
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(wrapping_key(secret)),
    ).decode("ascii")


def _unwrap(pem: str, secret: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=wrapping_key(secret))
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError("a signing key is not an Ed25519 key")
    return key


def create_key(organisation: Organisation, *, actor: User | None = None) -> SigningKey:
    """A new Ed25519 key for the organisation, which signs from now on."""
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    key = SigningKey(
        organisation_id=organisation.id,
        kid=f"{organisation.code}-{secrets.token_hex(4)}",
        public_x=b64url(raw),
        private_pem=_wrap(private, current_app.config["SECRET_KEY"]),
        created_at=utcnow(),
    )
    db.session.add(key)
    db.session.flush()
    audit.record(
        "certificate.key_created",
        actor=actor,
        organisation_id=organisation.id,
        target=key,
        data={"kid": key.kid},
    )
    return key


def signing_key(organisation: Organisation) -> SigningKey:
    """The organisation's newest active key, created on first use.

    Two first issues racing may both create one; both are published and either verifies.
    """
    key = db.session.scalar(
        select(SigningKey)
        .where(SigningKey.organisation_id == organisation.id, SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc(), SigningKey.id.desc())
        .limit(1)
    )
    return key if key is not None else create_key(organisation)


def private_key(key: SigningKey) -> Ed25519PrivateKey:
    """The key's private half, unwrapped with the current secret key."""
    try:
        return _unwrap(key.private_pem, current_app.config["SECRET_KEY"])
    except ValueError:
        raise DomainError(
            _(
                "Kunci penandatangan tidak dapat dibuka; kunci rahasia aplikasi berubah. "
                "Jalankan flask lms certificates rewrap-keys."
            ),
            code="signing_key_locked",
        ) from None


def rotate(organisation: Organisation, *, actor: User | None) -> SigningKey:
    """Retire the organisation's active keys from signing and make a new one."""
    now = utcnow()
    for key in db.session.scalars(
        select(SigningKey).where(
            SigningKey.organisation_id == organisation.id, SigningKey.retired_at.is_(None)
        )
    ):
        key.retired_at = now
    return create_key(organisation, actor=actor)


def rewrap(old_secret: str) -> tuple[int, int]:
    """Re-encrypt every stored key, opened with ``old_secret``, under the current secret key.

    Safe to run twice: keys that already open with the current secret are left alone. Returns
    (re-wrapped, already current); raises if a key opens with neither.
    """
    current = current_app.config["SECRET_KEY"]
    changed = unchanged = 0
    for key in db.session.scalars(select(SigningKey).order_by(SigningKey.id)):
        try:
            _unwrap(key.private_pem, current)
        except ValueError:
            key.private_pem = _wrap(_unwrap(key.private_pem, old_secret), current)
            changed += 1
        else:
            unchanged += 1
    db.session.flush()
    return changed, unchanged


def key_uri(key: SigningKey) -> str:
    """The key's id in credentials and the JWKS: the JWKS address, the key's name as fragment."""
    return f"{public_url('certificates.jwks')}#{key.kid}"


def jwk(key: SigningKey) -> dict[str, Any]:
    """The public key as a JWK (RFC 8037)."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": key.public_x,
        "kid": key_uri(key),
        "use": "sig",
        "alg": "EdDSA",
    }


def published(organisation_id: int | None = None) -> list[SigningKey]:
    """Every key that has signed or signs (active and retired), oldest first."""
    query = select(SigningKey).order_by(SigningKey.organisation_id, SigningKey.id)
    if organisation_id is not None:
        query = query.where(SigningKey.organisation_id == organisation_id)
    return list(db.session.scalars(query))
