"""Configuration: safe defaults, overridden by ``LMS_*`` environment variables.

Nothing here is read at import time; :func:`load_config` builds a fresh mapping for each
application so tests and several instances in one process never share settings.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe or inconsistent."""


def _instance_dir(env: dict[str, str]) -> Path:
    return Path(env.get("LMS_INSTANCE_DIR") or PROJECT_ROOT / "instance").resolve()


def _secret_key(env: dict[str, str], instance_dir: Path) -> str:
    """The secret key from the environment, else one generated once into the instance folder."""
    if env.get("LMS_SECRET_KEY"):
        return env["LMS_SECRET_KEY"]
    key_file = instance_dir / "secret_key"
    if not key_file.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        # Written aside then linked into place, so concurrent workers never read half a key.
        draft = instance_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            draft.unlink()
    return key_file.read_text().strip()


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the configuration for one application instance."""
    env = dict(os.environ)
    overrides = dict(overrides or {})
    instance_dir = Path(overrides.pop("INSTANCE_DIR", None) or _instance_dir(env))
    testing = bool(overrides.get("TESTING"))
    database_url = env.get("LMS_DATABASE_URL") or f"sqlite:///{instance_dir / 'lentera.db'}"
    redis_url = env.get("LMS_REDIS_URL") or None
    config: dict[str, Any] = {
        "INSTANCE_DIR": str(instance_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "MEDIA_DIR": str(instance_dir / "media"),
        "IMPORT_DIR": str(instance_dir / "imports"),
        # Flask and its extensions
        "MAX_CONTENT_LENGTH": int(env.get("LMS_MAX_REQUEST_MB", "20")) * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("LMS_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env.get("LMS_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ("id", "en"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": True,
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/plain",
            "text/csv",
            "application/json",
            "application/javascript",
            "text/javascript",
            "image/svg+xml",
        ],
        "COMPRESS_MIN_SIZE": 500,
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        # Lentera rules: each one a number a regulation may change.
        "LOGIN_MAX_FAILURES": int(env.get("LMS_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCKOUT_MINUTES": int(env.get("LMS_LOGIN_LOCKOUT_MINUTES", "15")),
        "LOGIN_RATE_LIMIT": env.get("LMS_LOGIN_RATE_LIMIT", "20 per minute"),
        "API_TOKEN_DAYS": int(env.get("LMS_API_TOKEN_DAYS", "30")),
        "IMPORT_MAX_ROWS": int(env.get("LMS_IMPORT_MAX_ROWS", "20000")),
        "IMPORT_MAX_MB": int(env.get("LMS_IMPORT_MAX_MB", "10")),
        "DEMO_MODE": env.get("LMS_DEMO_MODE", "0") == "1",
        "MINUTES_PER_JP": int(env.get("LMS_MINUTES_PER_JP", "45")),
        "UPLOAD_MAX_MB": int(env.get("LMS_UPLOAD_MAX_MB", "200")),
        "UPLOAD_VIDEO_MAX_MB": int(env.get("LMS_UPLOAD_VIDEO_MAX_MB", "2048")),
        "VIDEO_COMPLETE_PERCENT": int(env.get("LMS_VIDEO_COMPLETE_PERCENT", "90")),
        "UPLOAD_EXPIRE_HOURS": float(env.get("LMS_UPLOAD_EXPIRE_HOURS", "24")),
        # Media storage: the media folder, or an S3-compatible bucket when LMS_S3_BUCKET is set.
        # Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
        # ~/.aws, an instance role) unless LMS_S3_ACCESS_KEY_ID / LMS_S3_SECRET_ACCESS_KEY are set.
        "S3_BUCKET": env.get("LMS_S3_BUCKET") or None,
        "S3_ENDPOINT_URL": env.get("LMS_S3_ENDPOINT_URL") or None,
        "S3_REGION": env.get("LMS_S3_REGION") or "us-east-1",
        "S3_PREFIX": env.get("LMS_S3_PREFIX", "").strip("/"),
        "S3_ACCESS_KEY_ID": env.get("LMS_S3_ACCESS_KEY_ID") or None,
        "S3_SECRET_ACCESS_KEY": env.get("LMS_S3_SECRET_ACCESS_KEY") or None,
        "S3_URL_EXPIRES_SECONDS": int(env.get("LMS_S3_URL_EXPIRES_SECONDS", "900")),
        "S3_MULTIPART_MB": int(env.get("LMS_S3_MULTIPART_MB", "16")),
        # Competency profile: a quiz demonstrates a level at this score; evidence counts this
        # many years; the current level is the highest (or the latest) valid demonstrated level.
        "MASTERY_PERCENT": float(env.get("LMS_MASTERY_PERCENT", "80")),
        "EVIDENCE_VALID_YEARS": int(env.get("LMS_EVIDENCE_VALID_YEARS", "3")),
        "COMPETENCY_RULE": env.get("LMS_COMPETENCY_RULE", "highest"),
        "JP_TARGET": int(env.get("LMS_JP_TARGET", "20")),
        # Certificates: the public verification (page, API, credential download) per address.
        "VERIFY_RATE_LIMIT": env.get("LMS_VERIFY_RATE_LIMIT", "60 per minute"),
        # Email for notifications: none unless LMS_SMTP_HOST is set.
        "SMTP_HOST": env.get("LMS_SMTP_HOST") or None,
        "SMTP_PORT": int(env.get("LMS_SMTP_PORT", "587")),
        "SMTP_USER": env.get("LMS_SMTP_USER") or None,
        "SMTP_PASSWORD": env.get("LMS_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": env.get("LMS_SMTP_STARTTLS", "1") == "1",
        "MAIL_FROM": env.get("LMS_MAIL_FROM", "Lentera <noreply@lentera.local>"),
        "BASE_URL": env.get("LMS_BASE_URL", ""),
        "PAGE_SIZE": 25,
        # Reports: numbers that take longer than this to count are kept and refreshed by the
        # queue every REPORT_SNAPSHOT_MINUTES (large organisations); -1 counts always live.
        "REPORT_SNAPSHOT_MS": int(env.get("LMS_REPORT_SNAPSHOT_MS", "100")),
        "REPORT_SNAPSHOT_MINUTES": int(env.get("LMS_REPORT_SNAPSHOT_MINUTES", "10")),
    }
    config.update(overrides)
    if not testing:
        config.setdefault("SECRET_KEY", _secret_key(env, instance_dir))
    else:
        config.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
        config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    _refuse_unsafe(config)
    return config


def s3_endpoint(config: dict[str, Any]) -> tuple[str, str]:
    """The S3 endpoint URL and addressing style for the configured bucket.

    An explicit endpoint (MinIO, Ceph, another provider) is addressed by path, which every
    S3-compatible server understands; AWS itself by virtual host on the regional endpoint. Either
    way the origin of presigned URLs is known in advance (see :func:`media_origin`).
    """
    if config.get("S3_ENDPOINT_URL"):
        return str(config["S3_ENDPOINT_URL"]).rstrip("/"), "path"
    return f"https://s3.{config['S3_REGION']}.amazonaws.com", "virtual"


def media_origin(config: dict[str, Any]) -> str | None:
    """Where browsers fetch media from besides this site: the bucket's origin, if S3 is used."""
    if not config.get("S3_BUCKET"):
        return None
    endpoint, style = s3_endpoint(config)
    parts = urlsplit(endpoint)
    host = f"{config['S3_BUCKET']}.{parts.netloc}" if style == "virtual" else parts.netloc
    return f"{parts.scheme}://{host}"


def _refuse_unsafe(config: dict[str, Any]) -> None:
    """Stop start-up on settings that would be unsafe in a running service."""
    endpoint = config.get("S3_ENDPOINT_URL")
    if endpoint and urlsplit(str(endpoint)).scheme not in ("http", "https"):
        raise ConfigError("LMS_S3_ENDPOINT_URL must be an http:// or https:// URL.")
    if bool(config.get("S3_ACCESS_KEY_ID")) != bool(config.get("S3_SECRET_ACCESS_KEY")):
        raise ConfigError("Set both LMS_S3_ACCESS_KEY_ID and LMS_S3_SECRET_ACCESS_KEY, or neither.")
    # the site's address in emails, QR codes and signed credentials (lms.certificates.urls)
    base = urlsplit(str(config.get("BASE_URL") or ""))
    if config.get("BASE_URL") and (base.scheme not in ("http", "https") or not base.netloc):
        raise ConfigError("LMS_BASE_URL must be an http:// or https:// URL.")
    if config["S3_MULTIPART_MB"] < 5:
        raise ConfigError("LMS_S3_MULTIPART_MB must be at least 5 (the S3 minimum part size).")
    if config.get("TESTING"):
        return
    if len(str(config.get("SECRET_KEY", ""))) < 32:
        raise ConfigError("LMS_SECRET_KEY must be at least 32 characters long.")
