"""The declarative base, shared column types and tenancy-scoped loading."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import TypeVar

from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, registry

#: Stable constraint names, so migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, _record) -> None:
    """PostgreSQL: cursors that describe their columns only when asked (``coop.core.pgcursor``).

    SQLite as a web application's database: foreign keys enforced (SQLite leaves them off
    unless asked), write-ahead logging (readers never wait for the writer, one writer at a time),
    fsync at checkpoints rather than at every commit (a power cut may lose the last transactions,
    never corrupts), and a writer waits up to 10 s for the lock."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        from coop.core import pgcursor

        pgcursor.install(dbapi_connection)
    elif isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


#: ``Connection.info`` key: has the connection's current transaction only read (SELECT)?
READ_ONLY = "coop_read_only"


@event.listens_for(Engine, "begin")
def _transaction_begins(conn) -> None:
    conn.info[READ_ONLY] = True


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    # Anything but a plain SELECT counts as a write (INSERT, UPDATE, DELETE, SAVEPOINT, WITH …).
    if statement[:6] != "SELECT":
        conn.info[READ_ONLY] = False


@event.listens_for(Session, "after_begin")
def _remember_connection(session, _transaction, connection) -> None:
    session.info["coop_connection"] = connection


def end_reads_with_commit(app, db) -> None:
    """End a request whose transaction only read with COMMIT instead of ROLLBACK.

    For such a transaction the two are the same to the database, but psycopg forgets its prepared
    statements on every ROLLBACK (a rollback may undo the DDL they depend on). Flask-SQLAlchemy
    ends each request's session with one, so on PostgreSQL no statement ever reached psycopg's
    threshold for preparing it: each page's queries were parsed and planned anew on every request
    (most of PostgreSQL's time for a typical page, see bench/README.md). Transactions that wrote,
    and requests that failed, are still rolled back by Flask-SQLAlchemy as before. Registered after
    ``db.init_app``: Flask runs teardown functions in reverse order, so this one comes first."""
    @app.teardown_appcontext
    def commit_reads(exc) -> None:
        if exc is not None or not db.session.registry.has():
            return
        session = db.session()
        connection = session.info.get("coop_connection")
        if (connection is None or not session.in_transaction() or connection.closed or session.new
                or session.dirty or session.deleted or not connection.info.get(READ_ONLY)):
            return
        try:
            session.commit()
        except Exception:  # noqa: BLE001 — nothing was written; Flask-SQLAlchemy's rollback follows
            app.logger.warning("ending a read-only request with COMMIT failed", exc_info=True)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    # One registry holds both the naming convention and the type map (SQLAlchemy 2.1 wants
    # the map on the registry when the base is subclassed, as Flask-SQLAlchemy does).
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


M = TypeVar("M")


def lock_row(obj, *, exclusive: bool = True) -> None:
    """Hold ``obj``'s row until the transaction ends and see its current state.

    PostgreSQL: ``SELECT … FOR UPDATE`` (``FOR SHARE`` when not ``exclusive``: many may hold it
    at once, an exclusive locker waits for them all). SQLite: the database's write lock, taken
    by a no-op UPDATE, so that writers queue (busy timeout) instead of one failing when a
    reader becomes a writer. Both read the row's status in the same statement, and the object
    is read again only when its status changed meanwhile (another writer committed just
    before): every change of such a row (opening, closing) changes its status.
    """
    from sqlalchemy import inspect, select, update

    from coop.extensions import db

    model = type(obj)
    pk = inspect(obj).identity[0]
    if db.session.get_bind().dialect.name == "postgresql":
        status = db.session.execute(select(model.status).where(model.id == pk)
                                    .with_for_update(read=not exclusive)).scalar_one()
    else:
        status = db.session.execute(update(model).where(model.id == pk).values(id=model.id)
                                    .returning(model.status),
                                    execution_options={"synchronize_session": False}).scalar_one()
    if status != obj.status:
        db.session.refresh(obj)


def insert_ignoring_duplicates(table):
    """``(INSERT … ON CONFLICT DO NOTHING, True)`` where the database has it (PostgreSQL, SQLite),
    else ``(a plain INSERT, False)``: a row that would break a unique constraint is skipped
    instead of failing the statement (and, on PostgreSQL, the whole transaction)."""
    from coop.extensions import db

    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover — other databases rely on their constraints alone
        from sqlalchemy import insert

        return insert(table), False
    return insert(table), True


def scoped(model: type[M], object_id: int, *, cooperative=None, municipality=None) -> M:
    """Load a row by id within the current tenant, or answer 404.

    A view never loads a row by bare id: the row must belong to the cooperative or
    municipality that the URL names (``g.coop`` / ``g.municipality`` by default).
    """
    from flask import abort, g

    from coop.extensions import db

    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    if hasattr(model, "cooperative_id"):
        coop = cooperative or g.get("coop")
        if coop is None or obj.cooperative_id != coop.id:
            abort(404)
    elif hasattr(model, "municipality_id"):
        muni = municipality or g.get("municipality")
        if muni is None or obj.municipality_id != muni.id:
            abort(404)
    return obj


def str_enum(enum_cls, length: int = 32, name: str | None = None):
    """A portable enum column: stored as its string value, guarded by a CHECK constraint.

    ``name`` names the constraint; give one when a table has two columns of the same enum.
    """
    from sqlalchemy import Enum

    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        name=name or enum_cls.__name__.lower(),
        validate_strings=True,
    )


def include_in_dialect(obj, dialect_name: str) -> bool:
    """False for schema objects declared only for another database (``Index(...).ddl_if(dialect=…)``);
    Alembic's autogenerate and the models-vs-migrations test use this to skip them."""
    ddl_if = getattr(obj, "_ddl_if", None)
    if ddl_if is None or ddl_if.dialect is None:
        return True
    wanted = ddl_if.dialect
    return dialect_name == wanted if isinstance(wanted, str) else dialect_name in wanted
