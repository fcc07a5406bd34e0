"""The OpenAPI description of the quiz endpoints (part of ``lms.api.openapi``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lms.api.openapi import Fragments

_QUESTION = {
    "type": "object",
    "description": "A question as the learner sees it: never the answer key.",
    "properties": {
        "slot": {"type": "integer"},
        "type": {
            "type": "string",
            "enum": [
                "multichoice",
                "multiresponse",
                "truefalse",
                "shortanswer",
                "numerical",
                "matching",
                "ordering",
                "essay",
                "description",
            ],
        },
        "title": {"type": "string"},
        "text": {"type": "string"},
        "format": {"type": "string", "enum": ["markdown", "html", "plain", "moodle"]},
        "mark": {"type": "number"},
        "options": {
            "type": "array",
            "description": "Options, matching left items or ordering items, in the order shown "
            "(true/false: ids true and false)",
            "items": {
                "type": "object",
                "properties": {"id": {"type": ["string", "boolean"]}, "text": {"type": "string"}},
            },
        },
        "targets": {
            "type": "array",
            "description": "Matching only: the right-hand items",
            "items": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "text": {"type": "string"}},
            },
        },
        "answer": {"description": "The saved answer, or null"},
        "mark_awarded": {"type": ["number", "null"], "description": "After submission"},
        "correct": {"type": ["boolean", "null"], "description": "After submission, if shown"},
        "correct_answer": {"description": "After submission, if the review options allow"},
        "feedback": {"type": "array", "items": {"type": "string"}},
        "general_feedback": {"type": "string"},
    },
}
_RESULT = {
    "type": "object",
    "properties": {
        "state": {"type": "string", "enum": ["in_progress", "needs_grading", "graded"]},
        "score": {"type": ["number", "null"]},
        "max_score": {"type": ["number", "null"]},
        "percent": {"type": ["number", "null"]},
        "passed": {"type": ["boolean", "null"], "description": "null while an essay waits"},
    },
}
_ATTEMPT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "quiz": {"type": "integer"},
        "number": {"type": "integer"},
        "state": {"type": "string"},
        "started_at": {"type": "string", "format": "date-time"},
        "deadline": {"type": ["string", "null"], "format": "date-time"},
        "remaining_seconds": {"type": ["integer", "null"]},
        "questions": {"type": "array", "items": _QUESTION},
    },
}
_ANSWER_NOTE = (
    "`answer` by type: multichoice an option id; multiresponse a list of option ids; truefalse "
    "true or false; shortanswer and essay a text; numerical a number (or a text such as "
    '"3,5"); matching `{left_id: target_id}`; ordering the list of all item ids in order. '
    "The last answer saved counts; answers after the deadline are refused (409 "
    "`deadline_passed`) and the attempt is submitted by the server."
)


def quiz_paths(f: Fragments) -> dict[str, Any]:
    """Attempts, answers, statistics, and question import and export."""
    errors = f.errors("401", "403", "404")
    return {
        "/quizzes/{quiz_id}/attempts": {
            "post": {
                "summary": "Start an attempt, or resume the open one",
                "description": "A second call (another tab, a reconnect) returns the same "
                "attempt with its questions, saved answers and remaining time.",
                "security": f.bearer,
                "parameters": [f.path("quiz_id", "integer")],
                "responses": {
                    "201": f.json(_ATTEMPT, "A new attempt"),
                    "200": f.json(_ATTEMPT, "The open attempt, resumed"),
                    **f.errors("401", "403", "404", "409"),
                },
            }
        },
        "/attempts/{attempt_id}": {
            "get": {
                "summary": "An attempt: questions and answers while open, the result afterwards",
                "security": f.bearer,
                "parameters": [f.path("attempt_id", "integer")],
                "responses": {
                    "200": f.json(_ATTEMPT | {"properties": _ATTEMPT["properties"]}, "The attempt"),
                    **errors,
                },
            }
        },
        "/attempts/{attempt_id}/answers/{slot}": {
            "put": {
                "summary": "Save the answer to one question of an open attempt",
                "description": _ANSWER_NOTE,
                "security": f.bearer,
                "parameters": [f.path("attempt_id", "integer"), f.path("slot", "integer")],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["answer"],
                                "properties": {"answer": {}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": f.json(
                        {
                            "type": "object",
                            "properties": {
                                "slot": {"type": "integer"},
                                "answer": {},
                                "saved_at": {"type": "string", "format": "date-time"},
                                "remaining_seconds": {"type": ["integer", "null"]},
                            },
                        },
                        "Saved",
                    ),
                    **f.errors("400", "401", "403", "404", "409", "415", "422"),
                },
            }
        },
        "/attempts/{attempt_id}/submit": {
            "post": {
                "summary": "Submit and grade the attempt (again: the same result)",
                "security": f.bearer,
                "parameters": [f.path("attempt_id", "integer")],
                "responses": {"200": f.json(_RESULT, "The result"), **errors},
            }
        },
        "/quizzes/{quiz_id}/statistics": {
            "get": {
                "summary": "Item analysis and learning gain (trainers of the course)",
                "description": "Facility index (mean credit, %), discrimination index "
                "(correlation of the question with the rest of the quiz, %), option counts; "
                "for pre/post-test pairs each learner's gain and the course's.",
                "security": f.bearer,
                "parameters": [f.path("quiz_id", "integer")],
                "responses": {"200": f.json({"type": "object"}, "The statistics"), **errors},
            }
        },
        "/courses/{code}/questions/export": {
            "get": {
                "summary": "The course's question bank as GIFT or Moodle XML",
                "security": f.bearer,
                "parameters": [
                    f.path("code", "string"),
                    {
                        "name": "format",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["gift", "moodlexml"]},
                    },
                ],
                "responses": {
                    "200": {"description": "The file"},
                    **f.errors("401", "403", "404", "422"),
                },
            }
        },
        "/courses/{code}/questions/import": {
            "post": {
                "summary": "Read a GIFT or Moodle XML file into the course's question bank",
                "description": "Always lists the questions read and every problem with its "
                "line; imports only with `dry_run=0`. A question whose category and title "
                "exist replaces it. A file of which no question can be read (malformed, or "
                "empty) answers 422 with the same body plus `error` (code `no_questions`), "
                "in a dry run as in an import.",
                "security": f.bearer,
                "parameters": [f.path("code", "string")],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file", "format"],
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "format": {"type": "string", "enum": ["gift", "moodlexml"]},
                                    "dry_run": {"type": "string", "enum": ["0", "1"]},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": f.json(
                        {
                            "type": "object",
                            "properties": {
                                "imported": {"type": "integer"},
                                "questions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "type": {"type": "string"},
                                            "title": {"type": "string"},
                                            "category": {"type": "string"},
                                        },
                                    },
                                },
                                "errors": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "line": {"type": "integer"},
                                            "message": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                        "Preview (dry run) or import result",
                    ),
                    "201": {"description": "Imported; same body"},
                    **f.errors("401", "403", "404", "413", "422"),
                },
            }
        },
    }
