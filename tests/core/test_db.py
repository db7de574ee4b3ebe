"""The database keeps the invariants on every backend: SQLite too enforces foreign keys."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from coop.members.models import Member


def test_a_row_that_points_at_nothing_is_refused(db, world):
    member = Member(cooperative_id=world.coop_a.id, first_name="Wees", last_name="Rij", sort_name="rij wees",
                    category_id=999_999)
    db.session.add(member)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_sqlite_runs_with_write_ahead_logging(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    mode = db.session.execute(text("PRAGMA journal_mode")).scalar()
    assert mode in ("wal", "memory")  # an in-memory database has no journal file
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
