"""Security headers and long-lived caching of fingerprinted static files."""

from __future__ import annotations

import functools

from flask import Flask, Response, request

from lms.config import media_origin


@functools.cache
def content_security_policy(media: str | None = None) -> str:
    """The policy of every page; ``media`` is the origin of an S3 media store, whose presigned
    URLs the player, images and the PDF preview load after a redirect from the checked routes."""
    extra = f" {media}" if media else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # hls.js transmuxes video segments in a worker it creates from a blob (without it,
            # on the page's own thread, where a slow phone stutters)
            "worker-src 'self' blob:",
            "style-src 'self'",
            f"img-src 'self' data: blob:{extra}",
            f"media-src 'self' blob:{extra}",
            "font-src 'self'",
            f"connect-src 'self'{extra}",
            f"frame-src 'self'{extra}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@functools.cache
def security_headers(media: str | None, https: bool) -> tuple[tuple[str, str, str], ...]:
    """(lower-case name, name, value) of every header each response gets unless it set its own;
    worked out once per process for each setting, as every page pays for it."""
    headers = [
        ("Content-Security-Policy", content_security_policy(media)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if https:
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return tuple((name.lower(), name, value) for name, value in headers)


#: one year, for static files whose URL carries their content hash
STATIC_MAX_AGE = 365 * 24 * 3600


def init_security(app: Flask) -> None:
    """Add security headers to every response and cache fingerprinted static files for a year."""

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name, _value in headers}
        for lower, name, value in security_headers(
            media_origin(app.config), bool(app.config.get("SESSION_COOKIE_SECURE"))
        ):
            if lower not in present:
                headers.add(name, value)
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
            if "cache-control" in present:
                cache_control = response.cache_control
                cache_control.private = True
                cache_control.no_store = True
            else:
                headers.add("Cache-Control", "private, no-store")
        return response
