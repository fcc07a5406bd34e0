"""What anyone holding a certificate's code may learn about it: one record for page and API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lms.certificates import services
from lms.certificates.models import Certificate, CertificateStatus, RenderStatus
from lms.certificates.urls import public_url

#: digits of the NIP shown at the start and at the end; the rest is masked
NIP_SHOWN_HEAD, NIP_SHOWN_TAIL = 6, 2


def mask_nip(nip: str) -> str:
    """``198503152010031001`` → ``198503**********01``: enough to match the paper, no more."""
    if len(nip) <= NIP_SHOWN_HEAD + NIP_SHOWN_TAIL:
        return "*" * len(nip)
    hidden = len(nip) - NIP_SHOWN_HEAD - NIP_SHOWN_TAIL
    return nip[:NIP_SHOWN_HEAD] + "*" * hidden + nip[-NIP_SHOWN_TAIL:]


def today() -> date:
    """Today in WIB, the day certificates expire by."""
    return datetime.now(services.JAKARTA).date()


@dataclass
class PublicRecord:
    """A certificate as the public verification shows it."""

    certificate: Certificate
    #: valid, expired, revoked or replaced
    state: str
    #: the issue that replaces this one (a reissue after a correction), if any
    current: Certificate | None

    @property
    def nip_masked(self) -> str:
        return mask_nip(self.certificate.holder_nip)

    @property
    def credential_url(self) -> str | None:
        return credential_url(self.certificate)

    def as_json(self) -> dict[str, Any]:
        """The record as ``GET /api/v1/certificates/<code>`` answers it."""
        c = self.certificate
        organisation = c.organisation
        return {
            "status": self.state,
            "number": c.number,
            "code": c.code,
            "holder": {"name": c.holder_name, "nip_masked": self.nip_masked},
            "course": {"code": c.course_code, "title": c.course_title},
            "jp": c.jp,
            "completed_at": c.completed_at.isoformat(),
            "issued_at": c.issued_at.isoformat(),
            "expires_on": c.expires_on.isoformat() if c.expires_on else None,
            "issuer": {
                "id": public_url("certificates.issuer", code=organisation.code),
                "code": organisation.code,
                "name": organisation.name,
            },
            "signer": {"name": c.signer_name, "title": c.signer_title},
            "competencies": [
                {"code": item["code"], "name": item["name"], "level": item["level"]}
                for item in c.competencies
            ],
            "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            "revoked_reason": c.revoked_reason or None,
            "replaced_by": (
                {
                    "number": self.current.number,
                    "code": self.current.code,
                    "verify_url": public_url("certificates.verify", code=self.current.code),
                }
                if self.current
                else None
            ),
            "verify_url": public_url("certificates.verify", code=c.code),
            "credential_url": self.credential_url,
            "pdf_available": c.pdf_status is RenderStatus.READY and bool(c.pdf_path),
        }


def credential_url(certificate: Certificate) -> str | None:
    """Where the signed Open Badges credential is downloaded, if it has one."""
    if not certificate.credential:
        return None
    return public_url("certificates.credential", code=certificate.code)


def lookup(code: str) -> PublicRecord | None:
    """The public record of the certificate with that verification code, if there is one."""
    certificate = services.by_code(code)
    if certificate is None:
        return None
    current = None
    if certificate.status is CertificateStatus.REPLACED:
        newest = services.history(certificate)[0]
        current = newest if newest.id != certificate.id else None
    return PublicRecord(certificate, certificate.state(today()), current)
