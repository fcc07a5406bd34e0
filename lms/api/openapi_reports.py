"""The OpenAPI description of the integration reports (part of ``lms.api.openapi``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_QUERY = [
    {"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 2000}},
    {
        "name": "unit",
        "in": "query",
        "description": "Unit id or code; its sub-units are included",
        "schema": {"type": "string"},
    },
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {
        "name": "organisation",
        "in": "query",
        "description": "Admins only: the organisation code (HR always get their own)",
        "schema": {"type": "string"},
    },
]


def _paged(item: dict[str, Any], totals: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "year": {"type": "integer"},
            "items": {"type": "array", "items": {"type": "object", "properties": item}},
            "totals": {"type": "object", "properties": totals},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "pages": {"type": "integer"},
        },
    }


def report_paths(
    bearer: list[dict[str, list[str]]],
    json: Callable[[dict[str, Any], str], dict[str, Any]],
    error: dict[str, Any],
    path: Callable[[str, str], dict[str, Any]],
) -> dict[str, Any]:
    """``/reports/completion`` and ``/reports/jp`` for HR of an organisation."""
    errors = dict.fromkeys(("400", "401", "403", "404", "422"), error)
    text = {"type": "string"}
    nullable_text = {"type": ["string", "null"]}
    return {
        "/reports/completion": {
            "get": {
                "summary": "Enrolments of the organisation's employees in a year",
                "description": "An enrolment belongs to the year when it was assigned, due or "
                "completed in it. 100 rows per page, ordered by employee.",
                "security": bearer,
                "parameters": [
                    *_QUERY,
                    {"name": "course", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": json(
                        _paged(
                            {
                                "nip": text,
                                "name": text,
                                "unit": nullable_text,
                                "course": text,
                                "course_title": text,
                                "jp": {"type": "integer"},
                                "status": {
                                    "type": "string",
                                    "enum": ["not_started", "in_progress", "completed", "overdue"],
                                },
                                "progress": {"type": "integer"},
                                "due_date": nullable_text,
                                "completed_at": nullable_text,
                            },
                            {
                                "total": {"type": "integer"},
                                "completed": {"type": "integer"},
                                "overdue": {"type": "integer"},
                                "in_progress": {"type": "integer"},
                                "not_started": {"type": "integer"},
                            },
                        ),
                        "Rows and totals",
                    ),
                    **errors,
                },
            }
        },
        "/reports/jp": {
            "get": {
                "summary": "JP earned per employee in a year, against the target",
                "security": bearer,
                "parameters": _QUERY,
                "responses": {
                    "200": json(
                        _paged(
                            {
                                "nip": text,
                                "name": text,
                                "unit": nullable_text,
                                "earned": {"type": "integer"},
                                "target": {"type": "integer"},
                            },
                            {
                                "employees": {"type": "integer"},
                                "reached": {"type": "integer"},
                                "target": {"type": "integer"},
                            },
                        ),
                        "Rows and totals",
                    ),
                    **errors,
                },
            }
        },
    }
