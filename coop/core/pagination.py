"""Pagination of a select statement: two queries (count and page), whatever the table size."""
from __future__ import annotations

from flask import request
from sqlalchemy import func, select
from flask_sqlalchemy.pagination import SelectPagination

from coop.extensions import db


class RowPagination(SelectPagination):
    """Pagination of a select whose rows have several columns (an entity and aggregates)."""

    def _query_items(self):
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt).all())


class CappedPagination(SelectPagination):
    """Counts at most ``cap`` rows: on a large register "more than 10,000" is as useful as the
    exact figure, and counting stops early instead of reading every row."""

    def _query_count(self) -> int:
        cap = self._query_args["cap"]
        # ``count_select``: a lighter select of the same rows (without the joins that only add columns).
        stmt = self._query_args.get("count_select")
        if stmt is None:
            stmt = self._query_args["select"]
        sub = stmt.order_by(None).limit(cap + 1).subquery()
        count = self._query_args["session"].execute(select(func.count()).select_from(sub)).scalar()
        #: True when there are more rows than were counted; ``total`` is then the cap.
        self.is_capped = count > cap
        return min(count, cap)

    @property
    def has_next(self) -> bool:
        # Past the counted rows there may be more: a full page means "try the next one".
        if getattr(self, "is_capped", False):
            return len(self.items) == self.per_page
        return super().has_next

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


class CappedRowPagination(CappedPagination, RowPagination):
    """Whole rows, counted up to a cap (a large list read as plain rows)."""


def paginate(stmt, per_page: int | None = None, rows: bool = False, cap: int | None = None, count_select=None):
    """A page of ``stmt`` per the ``page`` query argument: entities, or whole rows with ``rows``;
    with ``cap``, at most that many rows are counted (of ``count_select``, a select of the same rows
    with fewer joins, when given)."""
    from flask import current_app

    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per_page = per_page or current_app.config["PER_PAGE"]
    kwargs = dict(select=stmt, session=db.session, page=page, per_page=per_page, max_per_page=200,
                  error_out=False)
    if rows:
        return CappedRowPagination(cap=cap, count_select=count_select, **kwargs) if cap else RowPagination(**kwargs)
    if cap:
        return CappedPagination(cap=cap, count_select=count_select, **kwargs)
    return db.paginate(stmt, page=page, per_page=per_page, max_per_page=200, error_out=False)


def page_args(**overrides) -> dict:
    """The current query arguments (filters) with overrides, for links to other pages."""
    args = request.args.to_dict()
    args.update({k: v for k, v in overrides.items()})
    return args
