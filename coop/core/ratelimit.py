"""Rate-limit counters in the app's own database, so every gunicorn worker shares them.

Flask-Limiter takes its storage from a URI; ``coopsql://`` names this storage, which keeps
fixed-window counters in the ``rate_limit_counter`` table with one atomic upsert per hit
(PostgreSQL and SQLite both do ``INSERT … ON CONFLICT … RETURNING``). On PostgreSQL the
counters are written with ``synchronous_commit=off`` (see :class:`SQLStorage`).
"""
from __future__ import annotations

import time
from functools import cached_property

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import db


class RateLimitCounter(db.Model):
    __tablename__ = "rate_limit_counter"

    #: The limiter's key: limit, scope and the client address or account.
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    #: Unix time at which the window ends.
    expires_at: Mapped[float] = mapped_column(Float, index=True)


_table = RateLimitCounter.__table__


class SQLStorage(Storage):
    """A ``limits`` storage for fixed windows, in a SQL database (``coopsql://``)."""

    STORAGE_SCHEME = ["coopsql"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, url: str | None = None,
                 **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if not url:
            raise ValueError("SQLStorage needs the database url (RATELIMIT_STORAGE_OPTIONS['url'])")
        connect_args = {}
        if sa.engine.make_url(url).get_backend_name() == "postgresql":
            # A counter is not worth a disk flush per request: without waiting for the WAL to
            # reach the disk, a crash can lose the last fraction of a second of hits (a client
            # then gets a few more requests in that window), never a row or the table. Only
            # this engine's connections are affected, not the application's own.
            connect_args["options"] = "-c synchronous_commit=off"
        # Each hit is one statement in autocommit mode (no BEGIN, no COMMIT) on a pooled
        # connection that is not pinged first: a connection that went away (the database was
        # restarted) fails that statement, and :meth:`_run` runs it once more on a new one.
        self.engine = sa.create_engine(url, connect_args=connect_args, isolation_level="AUTOCOMMIT")

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    @cached_property
    def _hit(self):
        """The upsert of one hit, built once per storage (the values are bound per call): a new
        window when the old one has expired, else one more in the current window."""
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        amount, ends = sa.bindparam("amount", type_=Integer), sa.bindparam("ends", type_=Float)
        expired = _table.c.expires_at <= sa.bindparam("now", type_=Float)
        hit = insert(_table).values(key=sa.bindparam("key"), count=amount, expires_at=ends)
        return hit.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={
                "count": sa.case((expired, amount), else_=_table.c.count + amount),
                "expires_at": sa.case((expired, ends), else_=_table.c.expires_at),
            },
        ).returning(_table.c.count)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        values = {"key": key, "amount": amount, "now": now, "ends": now + expiry}
        return self._run(lambda conn: conn.execute(self._hit, values).scalar_one())

    def _run(self, work):
        """``work(connection)``, once more on a fresh connection when the pooled one was dead."""
        for attempt in (1, 2):
            try:
                with self.engine.connect() as conn:
                    return work(conn)
            except sa.exc.DBAPIError as error:
                if attempt == 2 or not error.connection_invalidated:
                    raise

    def _row(self, key: str):
        return self._run(lambda conn: conn.execute(
            sa.select(_table.c.count, _table.c.expires_at).where(_table.c.key == key)).first())

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            self._run(lambda conn: conn.execute(sa.text("SELECT 1")))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        return self._run(lambda conn: conn.execute(sa.delete(_table)).rowcount)

    def clear(self, key: str) -> None:
        self._run(lambda conn: conn.execute(sa.delete(_table).where(_table.c.key == key)))

    def purge_expired(self) -> int:
        return self._run(lambda conn: conn.execute(
            sa.delete(_table).where(_table.c.expires_at <= time.time())).rowcount)
