"""Configuration from ``LMS_*`` environment variables, with safe development defaults."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

#: The key used when ``LMS_SECRET_KEY`` is not set. Production refuses to start with it.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from exc


def from_environment(env: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    """Build the Flask config mapping. Every variable is listed in README.md."""
    lms_env = env.get("LMS_ENV", "development").strip().lower()
    production = lms_env == "production"
    sqlite_path = Path(instance_path) / "lms.sqlite3"
    redis_url = env.get("LMS_REDIS_URL") or None
    return {
        "LMS_ENV": lms_env,
        "SECRET_KEY": env.get("LMS_SECRET_KEY") or DEV_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": env.get("LMS_DATABASE_URL") or f"sqlite:///{sqlite_path}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "LMS_REDIS_URL": redis_url,
        # Mail: SMTP when a server is configured, the log otherwise.
        "LMS_MAIL_SERVER": env.get("LMS_MAIL_SERVER") or None,
        "LMS_MAIL_PORT": _int(env, "LMS_MAIL_PORT", 587),
        "LMS_MAIL_USERNAME": env.get("LMS_MAIL_USERNAME") or None,
        "LMS_MAIL_PASSWORD": env.get("LMS_MAIL_PASSWORD") or None,
        "LMS_MAIL_USE_TLS": _flag(env.get("LMS_MAIL_USE_TLS"), True),
        "LMS_MAIL_SENDER": env.get("LMS_MAIL_SENDER") or "IPMS LMS <no-reply@localhost>",
        # Requests and sessions.
        "MAX_CONTENT_LENGTH": _int(env, "LMS_MAX_CONTENT_LENGTH", 16 * 1024 * 1024),
        "LMS_PROXY_COUNT": _int(env, "LMS_PROXY_COUNT", 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "LMS_HSTS": _flag(env.get("LMS_HSTS"), production),
        # Login protection.
        "LMS_LOGIN_RATE_LIMIT": env.get("LMS_LOGIN_RATE_LIMIT") or "10 per minute;50 per hour",
        "LMS_LOCKOUT_THRESHOLD": _int(env, "LMS_LOCKOUT_THRESHOLD", 5),
        "LMS_LOCKOUT_MINUTES": _int(env, "LMS_LOCKOUT_MINUTES", 15),
        "LMS_RESET_TOKEN_MINUTES": _int(env, "LMS_RESET_TOKEN_MINUTES", 60),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": env.get("LMS_RATELIMIT_PREFIX") or "lms",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Content folders (the curricula and question banks under version control).
        "LMS_CONTENT_ROOT": env.get("LMS_CONTENT_ROOT") or str(Path.cwd()),
        # Interface.
        "LMS_LANGUAGES": ("ja", "en"),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
    }


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to run production with a guessable secret key: sessions and tokens would be forgeable."""
    if config.get("LMS_ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise SystemExit(
            "LMS_ENV=production needs LMS_SECRET_KEY set to a random value of at least 32 characters "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )

