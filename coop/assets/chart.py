"""The production chart of an asset; the SVG bar chart itself is shared (coop.core.chart)."""
from __future__ import annotations

from markupsafe import Markup

from coop.core.chart import bar_chart

__all__ = ["bar_chart", "monthly_chart"]


def monthly_chart(by_month: dict[tuple[int, int], int], year: int) -> Markup:
    """The twelve months of ``year`` (kWh)."""
    from datetime import date

    from flask_babel import format_date, gettext as _

    values = [(format_date(date(year, m, 1), "MMM"), by_month.get((year, m), 0)) for m in range(1, 13)]
    return bar_chart(values, label=_("Production per month in %(year)s (kWh)", year=year))
