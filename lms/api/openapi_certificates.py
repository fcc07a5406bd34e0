"""The OpenAPI description of the certificate endpoints (part of ``lms.api.openapi``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lms.api.openapi import Fragments

_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_STATUS = {
    "type": "string",
    "enum": ["valid", "expired", "revoked", "replaced"],
    "description": "expired: past its last valid day (WIB); replaced: reissued after a "
    "correction, the new issue is the one that counts",
}
_COMPETENCY = {
    "type": "object",
    "properties": {
        "code": _TEXT,
        "name": _TEXT,
        "level": {"type": "integer", "minimum": 1, "maximum": 5},
    },
}
_VERIFICATION = {
    "type": "object",
    "properties": {
        "status": _STATUS,
        "number": {"type": "string", "examples": ["001/SERT/BKPSDM-SLK/XI/2026"]},
        "code": _TEXT,
        "holder": {
            "type": "object",
            "properties": {
                "name": _TEXT,
                "nip_masked": {
                    "type": "string",
                    "description": "First 6 and last 2 digits; the rest as *",
                    "examples": ["198503**********01"],
                },
            },
        },
        "course": {"type": "object", "properties": {"code": _TEXT, "title": _TEXT}},
        "jp": {"type": "integer"},
        "completed_at": {"type": "string", "format": "date-time"},
        "issued_at": {"type": "string", "format": "date-time"},
        "expires_on": {"type": ["string", "null"], "format": "date"},
        "issuer": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "description": "The Open Badges issuer profile URL"},
                "code": _TEXT,
                "name": _TEXT,
            },
        },
        "signer": {"type": "object", "properties": {"name": _TEXT, "title": _TEXT}},
        "competencies": {"type": "array", "items": _COMPETENCY},
        "revoked_at": {"type": ["string", "null"], "format": "date-time"},
        "revoked_reason": _NULLABLE_TEXT,
        "replaced_by": {
            "type": ["object", "null"],
            "properties": {"number": _TEXT, "code": _TEXT, "verify_url": _TEXT},
        },
        "verify_url": _TEXT,
        "credential_url": {
            "type": ["string", "null"],
            "description": "The signed Open Badges 3.0 credential (VC-JWT, EdDSA); its keys "
            "are published at /.well-known/jwks.json",
        },
        "pdf_available": {"type": "boolean"},
    },
}
_RECORD = {
    "type": "object",
    "properties": {
        "number": _TEXT,
        "code": {"type": "string", "description": "The verification code"},
        "course": {"type": "object", "properties": {"code": _TEXT, "title": _TEXT}},
        "jp": {"type": "integer"},
        "issued_at": {"type": "string", "format": "date-time"},
        "expires_at": {
            "type": ["string", "null"],
            "format": "date",
            "description": "Last valid day",
        },
        "status": _STATUS,
        "revoked_reason": _NULLABLE_TEXT,
        "verify_url": _TEXT,
        "pdf_url": {
            "type": ["string", "null"],
            "description": "GET /certificates/{code}/pdf once the PDF is rendered",
        },
        "credential_url": _NULLABLE_TEXT,
    },
}


def certificate_paths(f: Fragments) -> dict[str, Any]:
    """Verification (public), an employee's certificates and a certificate's PDF."""
    return {
        "/certificates/{code}": {
            "get": {
                "summary": "Verify a certificate by its code (public, no token)",
                "description": "The same as the page /verify/{code}. Unknown or malformed codes "
                "get 404. Rate-limited per address (LMS_VERIFY_RATE_LIMIT, default 60 a "
                "minute, shared with the page and the credential download).",
                "security": [],
                "parameters": [f.path("code", "string")],
                "responses": {
                    "200": f.json(_VERIFICATION, "The certificate as the public may see it"),
                    **f.errors("404", "429"),
                },
            }
        },
        "/certificates/{code}/pdf": {
            "get": {
                "summary": "The PDF of a certificate whose holder the caller may read",
                "security": f.bearer,
                "parameters": [f.path("code", "string")],
                "responses": {
                    "200": {
                        "description": "The PDF (or a redirect to it on S3 storage)",
                        "content": {"application/pdf": {}},
                    },
                    **f.errors("401", "404"),
                },
            }
        },
        "/employees/{nip}/certificates": {
            "get": {
                "summary": "An employee's certificates, whatever their status, newest first",
                "description": "Scoped like /employees/{nip}: HR their organisation, "
                "supervisors their direct reports, everyone themselves; 404 outside it.",
                "security": f.bearer,
                "parameters": [f.nip],
                "responses": {
                    "200": f.json(f.listed(_RECORD), "The certificates"),
                    **f.errors("400", "401", "404"),
                },
            }
        },
    }
