"""The OpenAPI 3.1 description of ``/api/v1``; a test keeps it equal to the routes.

The core endpoints are described here; each domain's endpoints in ``openapi_<domain>.py``, built
from the same :class:`Fragments` (error responses, lists, pages, path parameters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lms.api.openapi_certificates import certificate_paths
from lms.api.openapi_competencies import competency_paths
from lms.api.openapi_media import media_paths
from lms.api.openapi_quizzes import quiz_paths
from lms.api.openapi_reports import report_paths

_ERROR = {"$ref": "#/components/responses/Error"}
#: the ``page`` query parameter of every paged list
_PAGE = {
    "name": "page",
    "in": "query",
    "schema": {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1},
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A JSON response."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: str) -> dict[str, Any]:
    """The responses of these statuses (``"401"``, ``"404"`` …), each the common error body."""
    return dict.fromkeys(statuses, _ERROR)


def _path(name: str, kind: str, **schema: Any) -> dict[str, Any]:
    """A path parameter of type ``kind`` (with more of its schema, e.g. ``pattern``)."""
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind, **schema}}


def _ref(schema: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{schema}"}


#: the ``{nip}`` path parameter: an 18-digit NIP
_NIP = _path("nip", "string", pattern="^[0-9]{18}$")


def _listed(items: dict[str, Any]) -> dict[str, Any]:
    """An object whose ``items`` are all of the list (not paged)."""
    return {"type": "object", "properties": {"items": {"type": "array", "items": items}}}


def _paged(items: dict[str, Any], **properties: Any) -> dict[str, Any]:
    """One page of a list of ``items``, with its position; ``properties`` go beside them."""
    return {
        "type": "object",
        "properties": {
            **properties,
            "items": {"type": "array", "items": items},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "pages": {"type": "integer"},
        },
    }


@dataclass(frozen=True)
class Fragments:
    """What every part of the document is built from (see the functions above)."""

    #: the security requirement of endpoints that take a bearer token
    bearer: list[dict[str, list[str]]]
    json: Callable[[dict[str, Any], str], dict[str, Any]]
    errors: Callable[..., dict[str, Any]]
    path: Callable[..., dict[str, Any]]
    listed: Callable[[dict[str, Any]], dict[str, Any]]
    paged: Callable[..., dict[str, Any]]
    #: the ``page`` query parameter
    page: dict[str, Any]
    #: the ``{nip}`` path parameter
    nip: dict[str, Any]


def openapi_document() -> dict[str, Any]:
    """The document served at ``/api/v1/openapi.json``."""
    document = _document()
    # Any request may be refused before its endpoint sees it: a NUL character or a broken
    # Unicode code anywhere, JSON nested too deep (lms.core.input_guard). A 400 everywhere.
    for operations in document["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("400", _ERROR)
    return document


def _document() -> dict[str, Any]:
    bearer = [{"bearerAuth": []}]
    fragments = Fragments(bearer, _json, _errors, _path, _listed, _paged, _PAGE, _NIP)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lentera API",
            "version": "1.0.0",
            "description": (
                "JSON API of Lentera. Authenticate with `POST /api/v1/tokens`, then send "
                '`Authorization: Bearer <token>`. Errors are `{"error": {"code", "message"}}`.'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/tokens": {
                "post": {
                    "summary": "Exchange login and password for a bearer token",
                    "security": [],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["login", "password"],
                                    "properties": {
                                        "login": {
                                            "type": "string",
                                            "minLength": 1,
                                            "description": "NIP or email",
                                        },
                                        "password": {"type": "string", "minLength": 1},
                                        "name": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "token": {"type": "string"},
                                    "expires_at": {"type": "string", "format": "date-time"},
                                },
                            },
                            "A new token",
                        ),
                        **_errors("400", "401", "403", "415", "422", "429"),
                    },
                },
                "get": {
                    "summary": "The caller's tokens (without their values)",
                    "security": bearer,
                    "responses": {
                        "200": _json(_listed(_ref("Token")), "Tokens"),
                        **_errors("401"),
                    },
                },
            },
            "/tokens/current": {
                "delete": {
                    "summary": "Revoke the token used for this request",
                    "security": bearer,
                    "responses": {"204": {"description": "Revoked"}, **_errors("401")},
                }
            },
            "/tokens/{token_id}": {
                "delete": {
                    "summary": "Revoke one of the caller's tokens (admins: any token)",
                    "security": bearer,
                    "parameters": [_path("token_id", "integer")],
                    "responses": {
                        "204": {"description": "Revoked"},
                        **_errors("401", "404", "409"),
                    },
                }
            },
            "/me": {
                "get": {
                    "summary": "The caller: user, roles, employee and organisation",
                    "security": bearer,
                    "responses": {
                        "200": _json(_ref("Me"), "The caller"),
                        **_errors("401"),
                    },
                }
            },
            "/employees": {
                "get": {
                    "summary": "Employees in the caller's scope",
                    "description": (
                        "HR: their organisation; supervisors: their direct reports; "
                        "everyone: themselves; admins: all."
                    ),
                    "security": bearer,
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "Name, email or the start of a NIP",
                        },
                        {
                            "name": "unit",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "Unit id or code; sub-units are included",
                        },
                        _PAGE,
                    ],
                    "responses": {
                        "200": _json(_paged(_ref("Employee")), "A page of employees"),
                        **_errors("400", "401", "404"),
                    },
                }
            },
            "/employees/{nip}": {
                "get": {
                    "summary": "One employee by NIP, within the caller's scope",
                    "security": bearer,
                    "parameters": [_NIP],
                    "responses": {
                        "200": _json(_ref("Employee"), "The employee"),
                        **_errors("400", "401", "404"),
                    },
                }
            },
            "/courses": {
                "get": {
                    "summary": "Published courses the caller's organisation may take",
                    "security": bearer,
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string"}},
                        {"name": "competency", "in": "query", "schema": {"type": "string"}},
                        _PAGE,
                    ],
                    "responses": {
                        "200": _json(_paged(_ref("Course")), "A page of courses"),
                        **_errors("400", "401"),
                    },
                }
            },
            "/courses/{code}": {
                "get": {
                    "summary": "One course with its outline (modules, lessons with id and type)",
                    "security": bearer,
                    "parameters": [_path("code", "string")],
                    "responses": {
                        "200": _json(_ref("CourseDetail"), "The course"),
                        **_errors("401", "404"),
                    },
                }
            },
            "/courses/{code}/enrollments": {
                "get": {
                    "summary": "Learners of a course (trainers of the course, HR, admins)",
                    "security": bearer,
                    "parameters": [_path("code", "string"), _PAGE],
                    "responses": {
                        "200": _json(_paged(_ref("Enrollment")), "A page of enrolments"),
                        **_errors("400", "401", "404"),
                    },
                }
            },
            "/me/enrollments": {
                "get": {
                    "summary": "The caller's enrolments",
                    "security": bearer,
                    "responses": {
                        "200": _json(_listed(_ref("Enrollment")), "Enrolments"),
                        **_errors("401"),
                    },
                }
            },
            "/enrollments": {
                "post": {
                    "summary": "Enrol an employee of the caller's organisation (HR; idempotent)",
                    "security": bearer,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["nip", "course"],
                                    "properties": {
                                        "nip": {"type": "string"},
                                        "course": {"type": "string"},
                                        "due_date": {"type": "string", "format": "date"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json(_ref("Enrollment"), "Enrolled"),
                        "200": _json(_ref("Enrollment"), "Already enrolled"),
                        **_errors("400", "401", "403", "404", "409", "415", "422"),
                    },
                }
            },
            "/lessons/{lesson_id}/complete": {
                "post": {
                    "summary": "Mark a text, file or link lesson done for the caller",
                    "security": bearer,
                    "parameters": [_path("lesson_id", "integer")],
                    "responses": {
                        "200": _json(_ref("Enrollment"), "Done"),
                        **_errors("401", "403", "404", "409"),
                    },
                }
            },
            "/lessons/{lesson_id}/watch": {
                "post": {
                    "summary": "Report a played stretch of a video lesson",
                    "description": (
                        "Each second of the video counts once; a report is credited no more "
                        "than the real time since the previous one allows at up to 2x speed. "
                        "The lesson is complete at the configured share (default 90%)."
                    ),
                    "security": bearer,
                    "parameters": [_path("lesson_id", "integer")],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["from", "to", "position"],
                                    "properties": {
                                        "from": {"type": "number", "minimum": 0},
                                        "to": {"type": "number", "minimum": 0},
                                        "position": {"type": "number", "minimum": 0},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "watched_percent": {"type": "number"},
                                    "completed": {"type": "boolean"},
                                    "position": {"type": "number"},
                                },
                            },
                            "What is credited so far",
                        ),
                        **_errors("400", "401", "403", "404", "415", "422"),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document"}},
                }
            },
            **media_paths(fragments),
            **quiz_paths(fragments),
            **report_paths(fragments),
            **competency_paths(fragments),
            **certificate_paths(fragments),
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": _json(
                    {
                        "type": "object",
                        "required": ["error"],
                        "properties": {
                            "error": {
                                "type": "object",
                                "required": ["code", "message"],
                                "properties": {
                                    "code": {"type": "string"},
                                    "message": {"type": "string"},
                                },
                            }
                        },
                    },
                    "An error",
                )
            },
            "schemas": {
                "Organisation": {
                    "type": "object",
                    "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                },
                "Employee": {
                    "type": "object",
                    "properties": {
                        "nip": {"type": "string"},
                        "name": {"type": "string"},
                        "employee_type": {"type": "string", "enum": ["pns", "pppk"]},
                        "email": {"type": ["string", "null"]},
                        "golongan": {"type": ["string", "null"]},
                        "pangkat": {"type": ["string", "null"]},
                        "organisation": _ref("Organisation"),
                        "unit": {
                            "type": ["object", "null"],
                            "properties": {
                                "code": {"type": "string"},
                                "name": {"type": "string"},
                            },
                        },
                        "position": {
                            "type": ["object", "null"],
                            "properties": {
                                "name": {"type": "string"},
                                "type": {"type": "string"},
                                "jenjang": {"type": ["string", "null"]},
                            },
                        },
                        "supervisor_nip": {"type": ["string", "null"]},
                        "is_active": {"type": "boolean"},
                    },
                },
                "Me": {
                    "type": "object",
                    "properties": {
                        "user": {"type": "object"},
                        "roles": {"type": "array", "items": {"type": "string"}},
                        "employee": {"oneOf": [_ref("Employee"), {"type": "null"}]},
                        "organisation": {"oneOf": [_ref("Organisation"), {"type": "null"}]},
                    },
                },
                "Course": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "title": {"type": "string"},
                        "summary": {"type": "string"},
                        "category": {"type": "string"},
                        "jp": {"type": "integer"},
                        "competencies": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "code": {"type": "string"},
                                    "level": {"type": "integer"},
                                },
                            },
                        },
                        "organisation": _ref("Organisation"),
                        "visibility": {"type": "string", "enum": ["shared", "organisation"]},
                        "self_enrollment": {"type": "boolean"},
                        "status": {"type": "string"},
                    },
                },
                "CourseDetail": {
                    "allOf": [
                        _ref("Course"),
                        {
                            "type": "object",
                            "properties": {
                                "description": {"type": "string"},
                                "trainers": {"type": "array", "items": {"type": "string"}},
                                "prerequisites": {"type": "array", "items": {"type": "string"}},
                                "modules": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "title": {"type": "string"},
                                            "lessons": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {
                                                        "id": {"type": "integer"},
                                                        "title": {"type": "string"},
                                                        "type": {
                                                            "type": "string",
                                                            "enum": [
                                                                "text",
                                                                "video",
                                                                "file",
                                                                "link",
                                                                "quiz",
                                                            ],
                                                        },
                                                        "required": {"type": "boolean"},
                                                        "quiz_id": {
                                                            "type": ["integer", "null"],
                                                            "description": "Quiz lessons only: "
                                                            "the quiz to start attempts at",
                                                        },
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    ]
                },
                "Enrollment": {
                    "type": "object",
                    "properties": {
                        "course": {"type": "string"},
                        "status": {
                            "type": "string",
                            "enum": ["not_started", "in_progress", "completed", "overdue"],
                        },
                        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                        "due_date": {"type": ["string", "null"], "format": "date"},
                        "completed_at": {"type": ["string", "null"], "format": "date-time"},
                        "source": {"type": "string", "enum": ["self", "assigned", "rule"]},
                        "nip": {"type": "string"},
                        "name": {"type": "string"},
                    },
                },
                "Token": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "prefix": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "expires_at": {"type": "string", "format": "date-time"},
                        "revoked_at": {"type": ["string", "null"], "format": "date-time"},
                        "last_used_at": {"type": ["string", "null"], "format": "date-time"},
                    },
                },
            },
        },
    }
