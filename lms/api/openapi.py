"""The OpenAPI 3.1 description of ``/api/v1``; a test keeps it equal to the routes."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/responses/Error"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _paged(schema: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "pages": {"type": "integer"},
        },
    }


def _path(name: str, kind: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def media_paths(bearer: list[dict[str, list[str]]]) -> dict[str, Any]:
    """Video uploads: resumable (tus 1.0) and in one request, and their processing status."""
    from lms.api.openapi_media import media_paths as paths

    return paths(bearer, _json, _ERROR, _path)


def quiz_paths(bearer: list[dict[str, list[str]]]) -> dict[str, Any]:
    """Quizzes: attempts, answers, statistics, question import and export."""
    from lms.api.openapi_quizzes import quiz_paths as paths

    return paths(bearer, _json, _ERROR, _path)


def competency_paths(bearer: list[dict[str, list[str]]]) -> dict[str, Any]:
    """Competencies: the dictionary, an employee's profile, recommendations and JP ledger."""
    from lms.api.openapi_competencies import competency_paths as paths

    return paths(bearer, _json, _ERROR, _path)


def report_paths(bearer: list[dict[str, list[str]]]) -> dict[str, Any]:
    """Integration reports: completion and JP of an organisation."""
    from lms.api.openapi_reports import report_paths as paths

    return paths(bearer, _json, _ERROR, _path)


def certificate_paths(bearer: list[dict[str, list[str]]]) -> dict[str, Any]:
    """Certificates: public verification by code, an employee's certificates, their PDF."""
    from lms.api.openapi_certificates import certificate_paths as paths

    return paths(bearer, _json, _ERROR, _path)


def openapi_document() -> dict[str, Any]:
    """The document served at ``/api/v1/openapi.json``."""
    bearer = [{"bearerAuth": []}]
    page_param = {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
    }
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
                                        "login": {"type": "string", "description": "NIP or email"},
                                        "password": {"type": "string"},
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
                        "400": _ERROR,
                        "401": _ERROR,
                        "403": _ERROR,
                        "415": _ERROR,
                        "422": _ERROR,
                        "429": _ERROR,
                    },
                },
                "get": {
                    "summary": "The caller's tokens (without their values)",
                    "security": bearer,
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Token"},
                                    }
                                },
                            },
                            "Tokens",
                        ),
                        "401": _ERROR,
                    },
                },
            },
            "/tokens/current": {
                "delete": {
                    "summary": "Revoke the token used for this request",
                    "security": bearer,
                    "responses": {"204": {"description": "Revoked"}, "401": _ERROR},
                }
            },
            "/tokens/{token_id}": {
                "delete": {
                    "summary": "Revoke one of the caller's tokens (admins: any token)",
                    "security": bearer,
                    "parameters": [
                        {
                            "name": "token_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "204": {"description": "Revoked"},
                        "401": _ERROR,
                        "404": _ERROR,
                        "409": _ERROR,
                    },
                }
            },
            "/me": {
                "get": {
                    "summary": "The caller: user, roles, employee and organisation",
                    "security": bearer,
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Me"}, "The caller"),
                        "401": _ERROR,
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
                        page_param,
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Employee"},
                                    },
                                    "page": {"type": "integer"},
                                    "per_page": {"type": "integer"},
                                    "total": {"type": "integer"},
                                    "pages": {"type": "integer"},
                                },
                            },
                            "A page of employees",
                        ),
                        "400": _ERROR,
                        "401": _ERROR,
                        "404": _ERROR,
                    },
                }
            },
            "/employees/{nip}": {
                "get": {
                    "summary": "One employee by NIP, within the caller's scope",
                    "security": bearer,
                    "parameters": [
                        {
                            "name": "nip",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9]{18}$"},
                        }
                    ],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Employee"}, "The employee"),
                        "400": _ERROR,
                        "401": _ERROR,
                        "404": _ERROR,
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
                        page_param,
                    ],
                    "responses": {
                        "200": _json(_paged("Course"), "A page of courses"),
                        "400": _ERROR,
                        "401": _ERROR,
                    },
                }
            },
            "/courses/{code}": {
                "get": {
                    "summary": "One course with its outline (modules, lessons with id and type)",
                    "security": bearer,
                    "parameters": [_path("code", "string")],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/CourseDetail"}, "The course"),
                        "401": _ERROR,
                        "404": _ERROR,
                    },
                }
            },
            "/courses/{code}/enrollments": {
                "get": {
                    "summary": "Learners of a course (trainers of the course, HR, admins)",
                    "security": bearer,
                    "parameters": [_path("code", "string"), page_param],
                    "responses": {
                        "200": _json(_paged("Enrollment"), "A page of enrolments"),
                        "400": _ERROR,
                        "401": _ERROR,
                        "404": _ERROR,
                    },
                }
            },
            "/me/enrollments": {
                "get": {
                    "summary": "The caller's enrolments",
                    "security": bearer,
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Enrollment"},
                                    }
                                },
                            },
                            "Enrolments",
                        ),
                        "401": _ERROR,
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
                        "201": _json({"$ref": "#/components/schemas/Enrollment"}, "Enrolled"),
                        "200": _json(
                            {"$ref": "#/components/schemas/Enrollment"}, "Already enrolled"
                        ),
                        "400": _ERROR,
                        "401": _ERROR,
                        "403": _ERROR,
                        "404": _ERROR,
                        "409": _ERROR,
                        "415": _ERROR,
                        "422": _ERROR,
                    },
                }
            },
            "/lessons/{lesson_id}/complete": {
                "post": {
                    "summary": "Mark a text, file or link lesson done for the caller",
                    "security": bearer,
                    "parameters": [_path("lesson_id", "integer")],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Enrollment"}, "Done"),
                        "401": _ERROR,
                        "403": _ERROR,
                        "404": _ERROR,
                        "409": _ERROR,
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
                        "400": _ERROR,
                        "401": _ERROR,
                        "403": _ERROR,
                        "404": _ERROR,
                        "415": _ERROR,
                        "422": _ERROR,
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
            **media_paths(bearer),
            **quiz_paths(bearer),
            **report_paths(bearer),
            **competency_paths(bearer),
            **certificate_paths(bearer),
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
                        "organisation": {"$ref": "#/components/schemas/Organisation"},
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
                        "employee": {
                            "oneOf": [{"$ref": "#/components/schemas/Employee"}, {"type": "null"}]
                        },
                        "organisation": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/Organisation"},
                                {"type": "null"},
                            ]
                        },
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
                        "organisation": {"$ref": "#/components/schemas/Organisation"},
                        "visibility": {"type": "string", "enum": ["shared", "organisation"]},
                        "self_enrollment": {"type": "boolean"},
                        "status": {"type": "string"},
                    },
                },
                "CourseDetail": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Course"},
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
