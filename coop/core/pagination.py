"""Pagination of a select statement: two queries (count and page), whatever the table size."""
from __future__ import annotations

from flask import request
from flask_sqlalchemy.pagination import SelectPagination

from coop.extensions import db


class RowPagination(SelectPagination):
    """Pagination of a select whose rows have several columns (an entity and aggregates)."""

    def _query_items(self):
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt).all())


def paginate(stmt, per_page: int | None = None, rows: bool = False):
    """A page of ``stmt`` per the ``page`` query argument: entities, or whole rows with ``rows``."""
    from flask import current_app

    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per_page = per_page or current_app.config["PER_PAGE"]
    if rows:
        return RowPagination(select=stmt, session=db.session, page=page, per_page=per_page,
                             max_per_page=200, error_out=False)
    return db.paginate(stmt, page=page, per_page=per_page, max_per_page=200, error_out=False)


def page_args(**overrides) -> dict:
    """The current query arguments (filters) with overrides, for links to other pages."""
    args = request.args.to_dict()
    args.update({k: v for k, v in overrides.items()})
    return args
