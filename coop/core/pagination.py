"""Pagination of a select statement: two queries (count and page), whatever the table size."""
from __future__ import annotations

from flask import request

from coop.extensions import db


def paginate(stmt, per_page: int | None = None):
    from flask import current_app

    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(stmt, page=max(page, 1),
                       per_page=per_page or current_app.config["PER_PAGE"],
                       max_per_page=200, error_out=False)


def page_args(**overrides) -> dict:
    """The current query arguments (filters) with overrides, for links to other pages."""
    args = request.args.to_dict()
    args.update({k: v for k, v in overrides.items()})
    return args
