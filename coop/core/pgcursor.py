"""A psycopg cursor whose ``description`` builds its column objects only when they are read.

SQLAlchemy reads ``cursor.description`` after every statement, but uses it only the first time
a statement runs: after that it keeps the result's column map on the compiled statement and
looks at the description only to see whether the statement returned rows at all. psycopg builds
a ``Column`` object for every column each time ``description`` is read (decoding its name,
looking up its type), so a ballot, whose statements read about a hundred columns, spent a tenth
of its Python calls building lists that were thrown away (bench/README.md, session 9).

:class:`LazyDescriptionCursor` answers with a sequence that knows its length at once and builds
the same ``Column`` objects as psycopg on first use. Installed on every psycopg connection of the
app's engines by :func:`install` (``coop.core.db``).
"""
from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import Column
from psycopg.pq import ExecStatus

_ROWS = frozenset(getattr(ExecStatus, name) for name in ("TUPLES_OK", "SINGLE_TUPLE", "TUPLES_CHUNK")
                  if hasattr(ExecStatus, name))


class _ResultView:
    """What ``psycopg.Column`` reads from its cursor, fixed to one result: the cursor may have
    moved on to another statement by the time the columns are built."""

    __slots__ = ("pgresult", "_encoding", "adapters")

    def __init__(self, pgresult, encoding: str, adapters) -> None:
        self.pgresult, self._encoding, self.adapters = pgresult, encoding, adapters


class LazyDescription(Sequence):
    __slots__ = ("_view", "_count", "_columns")

    def __init__(self, cursor: psycopg.Cursor, pgresult) -> None:
        # The encoding and adapters are read now, as psycopg would: both belong to the connection.
        self._view = _ResultView(pgresult, cursor._encoding, cursor.adapters)
        self._count = pgresult.nfields
        self._columns: list[Column] | None = None

    def _built(self) -> list[Column]:
        if self._columns is None:
            self._columns = [Column(self._view, i) for i in range(self._count)]
        return self._columns

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._built()[index]

    def __iter__(self):
        return iter(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


class LazyDescriptionCursor(psycopg.Cursor):
    @property
    def description(self) -> LazyDescription | None:
        # The same test as psycopg's: columns, or a result that said it returned rows.
        res = self.pgresult
        if res and (res.nfields or res.status in _ROWS):
            return LazyDescription(self, res)
        return None


def install(dbapi_connection) -> None:
    """Make ``LazyDescriptionCursor`` the cursor of a plain psycopg connection (one made with
    another cursor class, e.g. ``ClientCursor`` in ``connect_args``, is left alone)."""
    if type(dbapi_connection) is psycopg.Connection and dbapi_connection.cursor_factory is psycopg.Cursor:
        dbapi_connection.cursor_factory = LazyDescriptionCursor
