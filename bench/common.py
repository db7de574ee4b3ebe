"""What the one-process bench scripts (assets, report) share: an app on a given database, and a
PostgreSQL database emptied before seeding."""
from __future__ import annotations

from pathlib import Path


def build_app(url: str, workdir: Path):
    from coop import create_app

    return create_app(test_config={
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "MAIL_BACKEND": "null",
        "RATELIMIT_STORAGE_URI": "memory://", "MAIL_DIR": str(workdir / "mail"),
    })


def empty_postgresql(url: str) -> None:
    """Drop every table of the bench database (``--pg``) so that a run starts from nothing."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
