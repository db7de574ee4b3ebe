"""The models and the migrations describe the same schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from coop.core.db import include_in_dialect
from coop.extensions import db as _db


def _diff(conn):
    """What autogenerate would change, as `flask db migrate` sees it (see migrations/env.py)."""
    ctx = MigrationContext.configure(conn, opts={
        "compare_type": True,
        "include_object": lambda obj, name, type_, reflected, compare_to: (
            reflected or include_in_dialect(obj, conn.dialect.name)),
    })
    return compare_metadata(ctx, _db.metadata)


def test_models_match_migrations(app):
    with app.app_context():
        with _db.engine.connect() as conn:
            diff = _diff(conn)
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


def test_downgrade_and_upgrade_again(app, tmp_path):
    """Every migration can be undone and redone on a fresh SQLite database."""
    from flask_migrate import downgrade, upgrade

    from coop import create_app

    other = create_app({"SECRET_KEY": "z" * 40, "RATELIMIT_STORAGE_URI": "memory://",
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    with other.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        with _db.engine.connect() as conn:
            assert _diff(conn) == []
