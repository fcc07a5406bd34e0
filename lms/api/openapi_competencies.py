"""The OpenAPI description of the competency endpoints (part of ``lms.api.openapi``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lms.api.openapi import Fragments

_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
_COMPETENCY = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "examples": ["M-PP"]},
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["manajerial", "sosial_kultural", "teknis"]},
        "definition": {"type": "string"},
        "national": {
            "type": "boolean",
            "description": "PermenPANRB 38/2017 (true) or the organisation's own technical one",
        },
        "levels": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "level": {"type": "integer", "minimum": 1, "maximum": 5},
                    "title": {"type": "string"},
                    "indicators": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
_PROFILE_ROW = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["manajerial", "sosial_kultural", "teknis"]},
        "required": {
            "type": "integer",
            "minimum": 0,
            "maximum": 5,
            "description": "The position's standard; 0 when not required (evidence only)",
        },
        "current": {"type": "integer", "minimum": 0, "maximum": 5},
        "gap": {"type": "integer", "minimum": 0},
        "evidence": {
            "type": "array",
            "description": "Newest first, expired evidence included",
            "items": {
                "type": "object",
                "properties": {
                    "source": {
                        "type": "string",
                        "enum": ["quiz", "course", "assessor", "external"],
                    },
                    "label": {"type": "string"},
                    "level": {"type": "integer"},
                    "score": {"type": ["number", "null"], "description": "Percent, if any"},
                    "demonstrated": {
                        "type": "boolean",
                        "description": "False for a quiz below the mastery threshold",
                    },
                    "date": {"type": "string", "format": "date"},
                    "valid_until": _NULLABLE_DATE,
                },
            },
        },
    },
}
_RECOMMENDATIONS = {
    "type": "object",
    "properties": {
        "courses": {
            "type": "array",
            "description": "Mandatory first (nearest due date), then the larger gap closed, "
            "then courses one can start now, then fewer JP",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "title": {"type": "string"},
                    "jp": {"type": "integer"},
                    "closes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "competency": {"type": "string"},
                                "from": {"type": "integer"},
                                "to": {"type": "integer"},
                            },
                        },
                    },
                    "mandatory": {"type": "boolean"},
                    "due_date": _NULLABLE_DATE,
                    "enrolled": {"type": "boolean"},
                    "self_enrollment": {"type": "boolean"},
                },
            },
        },
        "learning_path": {
            "type": "object",
            "properties": {
                "year": {"type": "integer"},
                "budget": {"type": "integer", "description": "JP left of the yearly target"},
                "jp": {"type": "integer"},
                "courses": {"type": "array", "items": {"type": "string"}},
                "remaining_gaps": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}
_LEDGER = {
    "type": "object",
    "properties": {
        "year": {"type": "integer"},
        "earned": {"type": "integer"},
        "target": {"type": "integer", "description": "JP each ASN is entitled to (default 20)"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": ["course", "external"]},
                    "title": {"type": "string"},
                    "jp": {"type": "integer"},
                    "date": {"type": "string", "format": "date"},
                    "reference": {
                        "type": "string",
                        "description": "The course code, or the external training's provider",
                    },
                },
            },
        },
    },
}
_SCOPE = (
    "Within the caller's scope, like `GET /employees/{nip}`: HR their organisation, supervisors "
    "their direct reports, everyone themselves, admins all; anyone else gets a 404."
)


def competency_paths(f: Fragments) -> dict[str, Any]:
    """The dictionary, and an employee's profile, recommendations and JP ledger."""
    errors = f.errors("400", "401", "404")
    return {
        "/competencies": {
            "get": {
                "summary": "The caller's organisation's competency dictionary",
                "description": "National managerial and socio-cultural competencies and the "
                "organisation's technical ones, each with five levels and behaviour indicators.",
                "security": f.bearer,
                "responses": {
                    "200": f.json(f.listed(_COMPETENCY), "The dictionary"),
                    **f.errors("401"),
                },
            }
        },
        "/employees/{nip}/competencies": {
            "get": {
                "summary": "An employee's competency profile: required, current, gap, evidence",
                "description": _SCOPE,
                "security": f.bearer,
                "parameters": [f.nip],
                "responses": {
                    "200": f.json({"type": "array", "items": _PROFILE_ROW}, "The profile"),
                    **errors,
                },
            }
        },
        "/employees/{nip}/recommendations": {
            "get": {
                "summary": "Courses that close an employee's gaps, and this year's learning path",
                "description": _SCOPE,
                "security": f.bearer,
                "parameters": [f.nip],
                "responses": {"200": f.json(_RECOMMENDATIONS, "Recommendations"), **errors},
            }
        },
        "/employees/{nip}/jp": {
            "get": {
                "summary": "An employee's JP ledger for a year against the yearly target",
                "description": _SCOPE,
                "security": f.bearer,
                "parameters": [
                    f.nip,
                    {
                        "name": "year",
                        "in": "query",
                        "schema": {
                            "type": "integer",
                            "minimum": 2000,
                            "maximum": date.today().year + 1,
                        },
                        "description": "Default: this year; a malformed year is a 400",
                    },
                ],
                "responses": {"200": f.json(_LEDGER, "The ledger"), **errors},
            }
        },
    }
