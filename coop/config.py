"""Settings: defaults here, then ``instance/config.py``, then ``COOP_*`` environment variables.

The environment is production unless ``COOP_ENV=development`` (``make run`` sets it) or the
app is created for tests. Production refuses to start without a real secret key.
"""
from __future__ import annotations

import os
from pathlib import Path

#: The secret used in development only; production refuses it.
DEV_SECRET_KEY = "dev-only-not-secret-coop"
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration cannot be used (e.g. production without a secret key)."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


#: Environment variable → (config key, converter)
ENV_SETTINGS: dict[str, tuple[str, object]] = {
    "COOP_ENV": ("COOP_ENV", str),
    "COOP_SECRET_KEY": ("SECRET_KEY", str),
    "COOP_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "COOP_BASE_URL": ("BASE_URL", str),
    "COOP_MAIL_BACKEND": ("MAIL_BACKEND", str),
    "COOP_MAIL_FROM": ("MAIL_FROM", str),
    "COOP_SMTP_HOST": ("SMTP_HOST", str),
    "COOP_SMTP_PORT": ("SMTP_PORT", int),
    "COOP_SMTP_USER": ("SMTP_USER", str),
    "COOP_SMTP_PASSWORD": ("SMTP_PASSWORD", str),
    "COOP_SMTP_STARTTLS": ("SMTP_STARTTLS", _bool),
    "COOP_SMTP_SSL": ("SMTP_SSL", _bool),
    "COOP_RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", str),
    "COOP_PROXY_COUNT": ("PROXY_COUNT", int),
    "COOP_TIMEZONE": ("BABEL_DEFAULT_TIMEZONE", str),
    "COOP_API_RATE_LIMIT": ("API_RATE_LIMIT", str),
    "COOP_CONSULTATION_REMINDER_HOURS": ("CONSULTATION_REMINDER_HOURS", int),
}


def defaults(instance_path: str) -> dict:
    instance = Path(instance_path)
    return {
        "COOP_ENV": "production",
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'coop.sqlite'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": "http://127.0.0.1:5000",
        "MAIL_BACKEND": "file",  # "smtp" in production, "file" writes to MAIL_DIR
        "MAIL_DIR": str(instance / "mail"),
        "MAIL_FROM": "coop <no-reply@localhost>",
        "SMTP_HOST": "localhost",
        "SMTP_PORT": 25,
        "SMTP_USER": None,
        "SMTP_PASSWORD": None,
        "SMTP_STARTTLS": False,
        "SMTP_SSL": False,
        "UPLOAD_DIR": str(instance / "uploads"),
        # Rate limits live in the app's own database by default, so that every gunicorn
        # worker sees the same counters; "redis://…" works too.
        "RATELIMIT_STORAGE_URI": "coopsql://",
        "RATELIMIT_STRATEGY": "fixed-window",
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
        "PROXY_COUNT": 0,
        # Members who have not answered a consultation are reminded once, this long before it closes.
        "CONSULTATION_REMINDER_HOURS": 48,
        "API_RATE_LIMIT": "600 per minute",
        "BABEL_DEFAULT_LOCALE": "en",
        # Times are stored in UTC and shown in the cooperatives' own time zone.
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ("nl", "en"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        "RESET_TOKEN_HOURS": 2,
        "INVITATION_DAYS": 14,
        "REMEMBER_COOKIE_DURATION_DAYS": 30,
        "PER_PAGE": 50,
    }


def load(app, test_config: dict | None) -> None:
    """Fill ``app.config`` in order: defaults, instance/config.py, environment, test_config."""
    app.config.from_mapping(defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for env_name, (key, convert) in ENV_SETTINGS.items():
            if env_name in os.environ:
                app.config[key] = convert(os.environ[env_name])  # type: ignore[operator]
    else:
        app.config["COOP_ENV"] = "testing"
        app.config.update(test_config)

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://") or uri.startswith("postgresql://"):
        # Heroku-style URLs: use psycopg 3, the driver we depend on.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]

    env = app.config["COOP_ENV"]
    production = env == "production"
    app.config["IS_PRODUCTION"] = production
    secret = app.config.get("SECRET_KEY")
    if production:
        if not secret or secret == DEV_SECRET_KEY or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                "Refusing to start in production without a real secret key: set COOP_SECRET_KEY "
                f"to a random string of at least {MIN_SECRET_LENGTH} characters, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'` "
                "(or COOP_ENV=development for a local development server)."
            )
    elif not secret:
        app.config["SECRET_KEY"] = DEV_SECRET_KEY

    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=production,
    )
    from datetime import timedelta

    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(
        days=app.config["REMEMBER_COOKIE_DURATION_DAYS"]
    )
