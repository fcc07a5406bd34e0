"""Error pages in Indonesian for browsers and ``{"error": {"code", "message"}}`` for the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lms.core.errors import StorageUnavailable

ERROR_TEXT = {
    400: (_l("Permintaan tidak valid"), _l("Data yang dikirim tidak dapat diproses.")),
    401: (_l("Perlu masuk"), _l("Silakan masuk untuk membuka halaman ini.")),
    403: (_l("Akses ditolak"), _l("Anda tidak memiliki izin untuk membuka halaman ini.")),
    404: (_l("Halaman tidak ditemukan"), _l("Halaman atau data yang Anda cari tidak ada.")),
    405: (_l("Metode tidak diizinkan"), _l("Cara permintaan ini tidak didukung.")),
    413: (_l("Berkas terlalu besar"), _l("Ukuran berkas atau data melebihi batas yang diizinkan.")),
    414: (
        _l("Alamat terlalu panjang"),
        _l("Alamat (URL) halaman ini terlalu panjang. Persingkat pencarian atau filternya."),
    ),
    415: (_l("Format tidak didukung"), _l("Format data yang dikirim tidak didukung.")),
    422: (_l("Data tidak valid"), _l("Periksa kembali data yang dikirim.")),
    429: (
        _l("Terlalu banyak permintaan"),
        _l("Terlalu banyak percobaan dalam waktu singkat. Tunggu sebentar lalu coba lagi."),
    ),
    500: (
        _l("Terjadi kesalahan"),
        _l("Maaf, terjadi kesalahan di server. Tim kami sudah dicatat; silakan coba lagi."),
    ),
    503: (
        _l("Layanan sedang tidak tersedia"),
        _l("Layanan sedang tidak dapat dipakai. Coba lagi beberapa saat lagi."),
    ),
}

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def wants_json() -> bool:
    """API paths and clients that prefer JSON get JSON errors."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def json_error(status: int, code: str, message: Any, **extra: Any) -> Response:
    """A JSON error response."""
    body: dict[str, Any] = {"code": code, "message": str(message)}
    body.update(extra)
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _render(status: int, message: str | None = None) -> tuple[str, int] | Response:
    title, default = ERROR_TEXT.get(status, ERROR_TEXT[500])
    if wants_json():
        return json_error(status, ERROR_CODES.get(status, "error"), message or default)
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    return render_template(template, status=status, title=title, message=message or default), status


def error_response(status: int, message: str, *, code: str | None = None) -> Response:
    """An error for this request: JSON for the API and JSON clients, else the error page."""
    if wants_json():
        return json_error(status, code or ERROR_CODES.get(status, "error"), message)
    return current_app.make_response(_render(status, message))


def register_error_handlers(app: Flask) -> None:
    """Friendly pages for every HTTP error and for unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Any:
        return _render(
            400,
            _("Sesi formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi."),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        status = error.code or 500
        message = None
        if status == 429:
            message = str(ERROR_TEXT[429][1])
        response = _render(status, message)
        # Keep the headers the status needs: Retry-After on 429, Allow on 405 (RFC 9110).
        original = error.get_response().headers
        kept = {name: original[name] for name in ("Retry-After", "Allow") if name in original}
        if kept:
            response = app.make_response(response)
            response.headers.update(kept)
        return response

    @app.errorhandler(StorageUnavailable)
    def _storage(error: StorageUnavailable) -> Any:
        # The store logged the reason; people learn that it is temporary, not a traceback.
        from lms.extensions import db

        db.session.rollback()
        message = _(
            "Penyimpanan berkas sedang tidak dapat dijangkau. Coba lagi beberapa saat lagi."
        )
        if wants_json():
            response = json_error(503, "storage_unavailable", message)
        else:
            response = app.make_response(_render(503, message))
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        from lms.extensions import db

        db.session.rollback()
        return _render(500)
