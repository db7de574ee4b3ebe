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


def _fresh_app(app, tmp_path_factory):
    """An app of its own on the test database: its own engine and pool, with the production
    session handling (the ``db`` fixture's savepoints would hide how a request ends)."""
    from coop import create_app
    from tests.conftest import make_test_config

    return create_app(make_test_config(tmp_path_factory, app.config["SQLALCHEMY_DATABASE_URI"]))


def test_a_request_that_only_read_ends_with_commit_and_one_that_wrote_is_rolled_back(app, tmp_path_factory):
    from sqlalchemy import event

    from coop.extensions import db as _db

    fresh = _fresh_app(app, tmp_path_factory)
    ends = []
    with fresh.app_context():
        event.listen(_db.engine, "commit", lambda _conn: ends.append("commit"))
        event.listen(_db.engine, "rollback", lambda _conn: ends.append("rollback"))
    assert fresh.test_client().get("/health").status_code == 200
    assert ends == ["commit"]
    ends.clear()
    with fresh.test_request_context("/"):
        # Wrote without committing (a view that gave up): the end of the request undoes it.
        _db.session.execute(text("UPDATE municipality SET name = name WHERE id = -1"))
    assert ends == ["rollback"]


def test_postgresql_prepares_the_statements_that_pages_repeat(app, tmp_path_factory):
    """psycopg prepares a statement after its fifth run on a connection, and forgets every
    prepared statement on ROLLBACK: read-only requests must not end with one."""
    if app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+")[0] != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    from coop.extensions import db as _db

    fresh = _fresh_app(app, tmp_path_factory)
    client = fresh.test_client()
    for _ in range(8):
        assert client.get("/health").status_code == 200
    with fresh.app_context():
        assert _db.session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar() >= 1


def test_postgresql_cursors_describe_their_columns_as_psycopg_does(db):
    """The app's psycopg cursors build the column descriptions only when they are read
    (``coop.core.pgcursor``); what they then give is what psycopg's own cursor gives."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a psycopg cursor")
    import psycopg

    from coop.core.pgcursor import LazyDescription

    query = "SELECT 1 AS one, 'twee'::text AS two, now() AS three, NULL::numeric(7, 2) AS four"
    dbapi = db.session.connection().connection.dbapi_connection
    ours, plain = dbapi.cursor(), psycopg.Cursor(dbapi)
    ours.execute(query)
    plain.execute(query)
    described = ours.description
    assert isinstance(described, LazyDescription)
    # Another statement on the same cursor before the columns are read: they stay the first's.
    ours.execute("SELECT 2 AS other")
    assert len(described) == 4
    assert [tuple(c) for c in described] == [tuple(c) for c in plain.description]
    assert [c.name for c in described] == ["one", "two", "three", "four"]
    assert described[1].type_display == "text" and described[-1].type_display == "numeric(7,2)"
    ours.execute("SET LOCAL statement_timeout = 0")
    assert ours.description is None and plain.execute("SET LOCAL statement_timeout = 0").description is None
    ours.execute("SELECT")  # rows of no columns: described, and empty
    assert ours.description is not None and len(ours.description) == 0
    # SQLAlchemy reads the names of a text statement's columns from the description.
    row = db.session.execute(text("SELECT 7 AS seven, 'acht' AS eight")).mappings().one()
    assert dict(row) == {"seven": 7, "eight": "acht"}
