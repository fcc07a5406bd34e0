"""The OpenAPI description of the integration reports (part of ``lms.api.openapi``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lms.api.openapi import Fragments

_YEAR = {
    "name": "year",
    "in": "query",
    "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
}
_UNIT = {
    "name": "unit",
    "in": "query",
    "description": "Unit id or code; its sub-units are included",
    "schema": {"type": "string"},
}
_ORGANISATION = {
    "name": "organisation",
    "in": "query",
    "description": "Admins only: the organisation code (HR always get their own)",
    "schema": {"type": "string"},
}


def _rows_and_totals(f: Fragments, item: dict[str, Any], totals: dict[str, Any]) -> dict[str, Any]:
    """A page of report rows of a year, with the totals of all of them."""
    page = f.paged(
        {"type": "object", "properties": item},
        year={"type": "integer"},
        totals={"type": "object", "properties": totals},
    )
    return f.json(page, "Rows and totals")


def report_paths(f: Fragments) -> dict[str, Any]:
    """``/reports/completion`` and ``/reports/jp`` for HR of an organisation."""
    errors = f.errors("400", "401", "403", "404", "422")
    query = [_YEAR, _UNIT, f.page, _ORGANISATION]
    text = {"type": "string"}
    nullable_text = {"type": ["string", "null"]}
    employee = {"nip": text, "name": text, "unit": nullable_text}
    return {
        "/reports/completion": {
            "get": {
                "summary": "Enrolments of the organisation's employees in a year",
                "description": "An enrolment belongs to the year when it was assigned, due or "
                "completed in it. 100 rows per page, ordered by employee.",
                "security": f.bearer,
                "parameters": [
                    *query,
                    {"name": "course", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": _rows_and_totals(
                        f,
                        {
                            **employee,
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
                    **errors,
                },
            }
        },
        "/reports/jp": {
            "get": {
                "summary": "JP earned per employee in a year, against the target",
                "security": f.bearer,
                "parameters": query,
                "responses": {
                    "200": _rows_and_totals(
                        f,
                        {
                            **employee,
                            "earned": {"type": "integer"},
                            "target": {"type": "integer"},
                        },
                        {
                            "employees": {"type": "integer"},
                            "reached": {"type": "integer"},
                            "target": {"type": "integer"},
                        },
                    ),
                    **errors,
                },
            }
        },
    }
