"""Dates, numbers and money formatted by Babel for the user's language."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

from coop.core import i18n
from coop.core.i18n import format_currency, format_date, format_datetime, format_decimal


def money(cents: int | None, currency: str = "EUR") -> str:
    """Integer cents → ``€ 1.234,56`` (nl) or ``€1,234.56`` (en)."""
    if cents is None:
        return ""
    return format_currency(cents / 100, currency)


def number(value) -> str:
    return "" if value is None else format_decimal(value)


def fmt_date(value: date | None, fmt: str = "medium") -> str:
    return "" if value is None else format_date(value, fmt)


def fmt_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return "" if value is None else format_datetime(value, fmt)


def local_time(value: datetime | None, fmt: str = "medium") -> str:
    """A moment on the clock in the Netherlands (COOP_TIMEZONE): the date in the reader's
    language and the time on the 24-hour clock, e.g. "maandag 14 december 2026, 19:30"."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone(i18n.timezone())
    return f"{format_date(local.date(), fmt)}, {local:%H:%M}"


def from_json(text: str | None) -> dict:
    """A JSON object stored as text (an audit entry's details); empty text is an empty object."""
    return json.loads(text or "{}")


def init_app(app) -> None:
    app.jinja_env.filters.update(money=money, number=number, date=fmt_date, datetime=fmt_datetime,
                                 local_time=local_time, from_json=from_json)


def template_constants(bp, **values) -> None:
    """Make ``values`` (labels, helpers: nothing that changes per request) visible to every
    template once, when ``bp`` is registered, instead of from a context processor that builds
    them again for every page."""
    def register(state) -> None:
        known = state.app.jinja_env.globals
        clash = [name for name, value in values.items() if name in known and known[name] is not value]
        if clash:  # one name, two meanings: one area's pages would show the other's labels
            raise ValueError(f"template name(s) already taken: {', '.join(clash)}")
        known.update(values)

    bp.record_once(register)
