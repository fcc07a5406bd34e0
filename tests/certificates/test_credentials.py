"""Open Badges 3.0 credentials: signed with the issuer's Ed25519 key, verified here with an
independent JOSE library (joserfc) against the published JWKS; tampering breaks them."""

from __future__ import annotations

import base64
import hashlib
import json
import warnings
from datetime import UTC, date, datetime

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError, SecurityWarning
from joserfc.jwk import KeySet, OKPKey
from sqlalchemy import select

from lms.certificates import credentials, keys
from lms.certificates.models import SigningKey
from lms.core.errors import DomainError

BASE = "https://lentera.example.go.id"


@pytest.fixture(autouse=True)
def base_url(app, monkeypatch):
    """The site's public address, as a deployment sets it (LMS_BASE_URL): credentials signed
    outside a request and the keys published in one name the same URLs."""
    monkeypatch.setitem(app.config, "BASE_URL", BASE)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unb64(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def decode(token: str, key):
    """Verify with joserfc. It warns that RFC 9864 deprecates the name "EdDSA" in favour of
    "Ed25519"; wallets and Open Badges verifiers know only "EdDSA", so credentials keep it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.decode(token, key, algorithms=["EdDSA"])


def published_keys(client) -> KeySet:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    return KeySet.import_key_set(response.get_json(force=True))


def test_credential_verifies_with_the_published_keys(client, db, certificates, demo):
    setup = certificates.course(
        jp=8, competencies=[("M-PP", 2), ("M-INT", 3), ("T-MPROY", 2)], months=24
    )
    certificate = certificates.complete(setup, demo["learner"])
    token = decode(certificate.credential, published_keys(client))

    header, claims = token.header, token.claims
    assert header == {"alg": "EdDSA", "kid": header["kid"], "typ": "JWT"}
    key = db.session.scalar(
        select(SigningKey).where(SigningKey.organisation_id == demo["solok"].id)
    )
    assert header["kid"] == f"{BASE}/.well-known/jwks.json#{key.kid}"
    assert key.kid.startswith("SLK-")

    # the Open Badges 3.0 credential, with the JWT claims its proof format asks for
    issuer = f"{BASE}/penerbit/SLK"
    assert claims["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["id"] == claims["jti"] == f"{BASE}/verify/{certificate.code}"
    assert claims["issuer"] == {"id": issuer, "type": ["Profile"], "name": demo["solok"].name}
    assert claims["iss"] == issuer
    subject = claims["credentialSubject"]
    assert claims["sub"] == subject["id"] and subject["id"].startswith("urn:uuid:")
    issued = certificate.issued_at.replace(microsecond=0)
    assert claims["nbf"] == int(issued.timestamp())
    assert claims["validFrom"] == issued.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = datetime.fromtimestamp(claims["exp"], UTC)
    assert claims["validUntil"] == until.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert until.astimezone(credentials.JAKARTA).date() == certificate.expires_on
    assert certificate.expires_on.year == certificate.issued_at.year + 2

    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == certificate.course_title
    assert achievement["creditsAvailable"] == 8.0 and subject["creditsEarned"] == 8.0
    assert achievement["criteria"]["narrative"]
    alignment = {a["targetCode"]: a for a in achievement["alignment"]}
    assert set(alignment) == {"M-PP", "M-INT", "T-MPROY"}
    assert alignment["M-INT"]["targetFramework"] == "PermenPANRB 38/2017"
    assert alignment["T-MPROY"]["targetFramework"].startswith("Kamus kompetensi teknis")
    assert alignment["T-MPROY"]["targetName"] == "Manajemen Proyek"
    assert alignment["M-INT"]["targetDescription"] == "Level 3"
    assert alignment["M-PP"]["type"] == ["Alignment"] and alignment["M-PP"]["targetUrl"]

    # the holder by name and by a salted hash of the NIP, never the NIP itself
    nip = demo["learner"].employee.nip
    identities = {i["identityType"]: i for i in subject["identifier"]}
    assert identities["name"]["identityHash"] == certificate.holder_name
    hashed = identities["ext:NIP"]
    assert hashed["hashed"] is True and hashed["salt"]
    digest = hashlib.sha256(f"{nip}{hashed['salt']}".encode()).hexdigest()
    assert hashed["identityHash"] == f"sha256${digest}"
    assert nip not in json.dumps(claims)


def test_tampering_breaks_the_signature(client, db, certificates, demo):
    certificate = certificates.complete(certificates.course(), demo["learner"])
    token = certificate.credential
    key_set = published_keys(client)
    head, body, signature = token.split(".")
    assert decode(token, key_set).claims["jti"].endswith(certificate.code)

    payload = unb64(body)
    payload["credentialSubject"]["achievement"]["creditsAvailable"] = 60.0
    header = unb64(head)
    for forged in (
        f"{head}.{b64(payload)}.{signature}",
        f"{head}.{body[:-1]}{'A' if body[-1] != 'A' else 'B'}.{signature}",
        f"{b64(header | {'typ': 'jwt'})}.{body}.{signature}",
        f"{head}.{body}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}",
    ):
        with pytest.raises(BadSignatureError):
            decode(forged, key_set)


def test_a_key_of_another_organisation_does_not_verify(client, db, certificates, demo):
    certificate = certificates.complete(certificates.course(), demo["learner"])
    serang = keys.signing_key(demo["serang"])
    own = keys.signing_key(demo["solok"])
    assert serang.organisation_id != own.organisation_id
    with pytest.raises(BadSignatureError):
        decode(certificate.credential, OKPKey.import_key(keys.jwk(serang)))
    # even when it claims the right key id
    impostor = KeySet.import_key_set({"keys": [keys.jwk(serang) | {"kid": keys.key_uri(own)}]})
    with pytest.raises(BadSignatureError):
        decode(certificate.credential, impostor)
    assert decode(certificate.credential, OKPKey.import_key(keys.jwk(own))).claims


def test_jwks_publishes_active_and_retired_keys(client, db, demo):
    first = keys.signing_key(demo["solok"])
    second = keys.rotate(demo["solok"], actor=demo["admin"])
    assert first.retired_at is not None and second.retired_at is None
    assert keys.signing_key(demo["solok"]).id == second.id
    response = client.get("/.well-known/jwks.json")
    assert response.mimetype == "application/jwk-set+json"
    assert response.cache_control.public and response.cache_control.max_age == 3600
    assert not response.cache_control.no_store
    published = {key["kid"]: key for key in response.get_json(force=True)["keys"]}
    for key in (first, second):
        entry = published[keys.key_uri(key)]
        assert entry == {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": key.public_x,
            "kid": keys.key_uri(key),
            "use": "sig",
            "alg": "EdDSA",
        }
    assert "BEGIN" not in response.text and '"d"' not in response.text
    again = client.get(
        "/.well-known/jwks.json", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_issuer_profile(client, db, demo):
    key = keys.signing_key(demo["solok"])
    profile = client.get("/penerbit/SLK").get_json()
    assert profile["id"] == f"{BASE}/penerbit/SLK"
    assert profile["type"] == ["Profile"] and profile["name"] == demo["solok"].name
    assert [k["kid"] for k in profile["jwks"]["keys"]] == [keys.key_uri(key)]
    assert client.get("/penerbit/NOPE").status_code == 404


def test_credential_downloads(client, db, certificates, demo):
    certificate = certificates.complete(certificates.course(), demo["learner"])
    download = client.get(f"/sertifikat/{certificate.code}/credential.jwt")
    assert download.status_code == 200
    assert download.mimetype == "application/jwt"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.text == certificate.credential
    readable = client.get(f"/sertifikat/{certificate.code.lower()}/credential.json")
    assert readable.status_code == 200
    assert readable.get_json() == unb64(certificate.credential.split(".")[1])
    assert client.get("/sertifikat/AAAAAAAAAAAAAAAAAAAAAAAAAA/credential.jwt").status_code == 404


def test_changing_the_secret_key_needs_a_rewrap(app, db, certificates, demo, monkeypatch):
    key = keys.signing_key(demo["solok"])
    old = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-secret-key-of-enough-length-123")
    with pytest.raises(DomainError):
        keys.private_key(key)
    # issuing does not fail on it: the certificate comes without its credential
    certificate = certificates.complete(certificates.course(), demo["learner"])
    assert certificate.credential is None
    changed, unchanged = keys.rewrap(old)
    assert changed >= 1 and unchanged == 0
    assert keys.private_key(key)
    assert keys.rewrap(old) == (0, changed)  # a second run changes nothing
    assert credentials.sign(certificate)


def test_valid_until_is_the_end_of_the_last_day_in_wib(db, certificates, demo):
    certificate = certificates.complete(certificates.course(months=12), demo["learner"])
    certificate.expires_on = date(2027, 3, 31)
    assert credentials.valid_until(certificate) == datetime(2027, 3, 31, 16, 59, 59, tzinfo=UTC)


def test_key_commands(app, db, demo, monkeypatch):
    runner = app.test_cli_runner()
    first = keys.signing_key(demo["solok"])
    result = runner.invoke(args=["lms", "certificates", "rotate-key", "slk"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert first.retired_at is not None
    assert keys.signing_key(demo["solok"]).id != first.id
    assert runner.invoke(args=["lms", "certificates", "rotate-key", "nope"]).exit_code != 0

    old = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-of-enough-length")
    monkeypatch.setenv("LMS_OLD_SECRET_KEY", old)
    result = runner.invoke(args=["lms", "certificates", "rewrap-keys"])
    assert result.exit_code == 0, result.output
    assert "re-wrapped" in result.output
    db.session.expire_all()
    assert keys.private_key(keys.signing_key(demo["solok"]))
