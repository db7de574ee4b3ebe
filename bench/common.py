"""What the bench scripts share: an app on a given database (the one-process scripts), a
PostgreSQL database emptied before seeding, and the line that says which Python ran."""
from __future__ import annotations

import platform
import sys
from pathlib import Path


def interpreter() -> str:
    """Which Python runs the server: the same code used about a tenth less CPU per request on
    Debian's own build of 3.11 than on a pyenv build of 3.11 without ``--enable-optimizations``
    (bench/README.md), so the figures say which one made them."""
    implementation = platform.python_implementation()
    return f"Python {platform.python_version()} ({implementation}, {sys.executable})"


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
