"""Security headers and long-lived caching of fingerprinted static files."""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

#: one year, for static files whose URL carries their content hash
STATIC_MAX_AGE = 365 * 24 * 3600


def init_security(app: Flask) -> None:
    """Add security headers to every response and cache fingerprinted static files for a year."""

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint == "static" and response.status_code == 200:
            if request.args.get("v"):
                # send_file marks every file no-cache, which would make browsers ask again on
                # every page; a fingerprinted URL never changes its content, so drop it.
                response.cache_control.no_cache = None
                response.cache_control.public = True
                response.cache_control.max_age = STATIC_MAX_AGE
                response.cache_control.immutable = True
            else:
                response.cache_control.public = True
                response.cache_control.max_age = 3600
        elif response.mimetype in ("text/html", "application/json"):
            response.cache_control.private = True
            response.cache_control.no_store = True
        return response
