"""The OpenAPI description of the video upload endpoints (part of ``lms.api.openapi``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lms.api.openapi import Fragments

_TUS_HEADER = {
    "name": "Tus-Resumable",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "const": "1.0.0"},
}
_EXPIRES_HEADER = {
    "Upload-Expires": {
        "schema": {"type": "string"},
        "description": "While unfinished: when the upload expires unless more bytes arrive "
        "(RFC 7231 date; `LMS_UPLOAD_EXPIRE_HOURS` after the last bytes, 24 by default)",
    }
}
_OFFSET_HEADERS = {
    "Upload-Offset": {"schema": {"type": "integer"}, "description": "Bytes received so far"},
    **_EXPIRES_HEADER,
    "Lentera-Media-Id": {
        "schema": {"type": "string"},
        "description": "The video's public id, once the last byte arrived and it is a video",
    },
}
_AUTH_NOTE = (
    "Authenticate with a bearer token, or (the lesson editor) with the session cookie and the "
    "CSRF token in `X-CSRFToken`. Trainers, HR administrators and admins only."
)


def media_paths(f: Fragments) -> dict[str, Any]:
    """``/uploads``, ``/uploads/{upload_id}``, ``/media`` and ``/media/{public_id}``."""
    upload_id = f.path("upload_id", "string")
    media_schema = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "enum": ["uploaded", "processing", "ready", "failed"]},
            "progress": {"type": "number"},
            "duration": {"type": ["number", "null"]},
            "width": {"type": ["integer", "null"]},
            "height": {"type": ["integer", "null"]},
            "renditions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "height": {"type": "integer"},
                        "bandwidth": {"type": "integer"},
                    },
                },
            },
            "hls_url": {
                "type": ["string", "null"],
                "description": "Master playlist of a lesson showing it that the caller may "
                "watch, once ready; else null",
            },
            "error": {"type": ["string", "null"]},
        },
    }
    return {
        "/uploads": {
            "post": {
                "summary": "Start a resumable video upload (tus 1.0 creation)",
                "description": (
                    "tus 1.0 (core, creation, termination, expiration); `OPTIONS` advertises "
                    "`Tus-Version`, `Tus-Extension` and `Tus-Max-Size`. An unfinished upload "
                    "expires `LMS_UPLOAD_EXPIRE_HOURS` after its last bytes; requests to it then "
                    "get 410, and 404 once it is cleaned up. " + _AUTH_NOTE
                ),
                "security": f.bearer,
                "parameters": [
                    _TUS_HEADER,
                    {
                        "name": "Upload-Length",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1},
                    },
                    {
                        "name": "Upload-Metadata",
                        "in": "header",
                        "schema": {"type": "string"},
                        "description": "`filename <base64>`",
                    },
                ],
                "responses": {
                    "201": {
                        "description": "Created; `Location` is the upload's address",
                        "headers": {"Location": {"schema": {"type": "string"}}, **_EXPIRES_HEADER},
                    },
                    **f.errors("400", "401", "403", "412", "413", "422"),
                },
            }
        },
        "/uploads/{upload_id}": {
            "patch": {
                "summary": "Send the next bytes of an upload at `Upload-Offset`",
                "description": (
                    "Body `application/offset+octet-stream`. `HEAD` on the same address gives "
                    "`Upload-Offset`, `Upload-Length` (and `Lentera-Media-Id` once complete). "
                    "When the last byte arrives the file is probed: a video is queued for "
                    "processing, anything else is refused with 422 and removed. If the media "
                    "store cannot take it (503), the complete file is kept: a `PATCH` with no "
                    "bytes at the final offset finishes it later. " + _AUTH_NOTE
                ),
                "security": f.bearer,
                "parameters": [
                    upload_id,
                    _TUS_HEADER,
                    {
                        "name": "Upload-Offset",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/offset+octet-stream": {"schema": {}}},
                },
                "responses": {
                    "204": {"description": "Bytes stored", "headers": _OFFSET_HEADERS},
                    **f.errors(
                        "400",
                        "401",
                        "403",
                        "404",
                        "409",
                        "410",
                        "412",
                        "413",
                        "415",
                        "422",
                        "423",
                        "503",
                    ),
                },
            },
            "delete": {
                "summary": "Give up an upload (tus termination)",
                "description": _AUTH_NOTE,
                "security": f.bearer,
                "parameters": [upload_id, _TUS_HEADER],
                "responses": {
                    "204": {"description": "Removed"},
                    **f.errors("400", "401", "403", "404", "410", "412"),
                },
            },
        },
        "/media": {
            "post": {
                "summary": "Upload a video in one request (multipart field `file`)",
                "description": (
                    "Up to the configured limit (default 200 MB); checked by its content and "
                    "queued for processing. Trainers, HR administrators and admins only."
                ),
                "security": f.bearer,
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {
                    "201": f.json(
                        {
                            "type": "object",
                            "properties": {"id": {"type": "string"}, "status": {"type": "string"}},
                        },
                        "Stored and queued",
                    ),
                    **f.errors("400", "401", "403", "413", "422", "503"),
                },
            }
        },
        "/media/{public_id}": {
            "get": {
                "summary": "Processing status of a video of the caller's organisation",
                "security": f.bearer,
                "parameters": [f.path("public_id", "string")],
                "responses": {
                    "200": f.json(media_schema, "The video"),
                    **f.errors("401", "404"),
                },
            }
        },
    }
