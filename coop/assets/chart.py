"""A server-rendered SVG bar chart (no JavaScript, nothing from other hosts), used on the
asset page and in PDFs. Colours are presentation attributes, not styles (strict CSP)."""
from __future__ import annotations

from markupsafe import Markup, escape

BAR = "#1d5e8c"  # 7.0:1 on white
AXIS = "#555555"


def bar_chart(values: list[tuple[str, int]], *, label: str, unit: str = "kWh",
              width: int = 640, height: int = 220) -> Markup:
    """Bars for ``(label, value)`` pairs; each bar carries a ``<title>`` with its figure, and
    the whole chart an ``aria-label`` (the figures are also given in a table next to it)."""
    from coop.core.formatting import number

    left, bottom, top = 56, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max([v for _l, v in values] + [1])
    step = plot_w / max(len(values), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(label)}" class="bar-chart">',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
             f'stroke="{AXIS}" stroke-width="1"/>',
             f'<text x="{left - 6}" y="{top + 8}" text-anchor="end" font-size="11" '
             f'fill="{AXIS}">{number(peak)}</text>',
             f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11" '
             f'fill="{AXIS}">0</text>']
    for i, (name, value) in enumerate(values):
        h = round(plot_h * value / peak, 1)
        x = round(left + i * step + step * 0.15, 1)
        w = round(step * 0.7, 1)
        parts.append(f'<rect x="{x}" y="{round(top + plot_h - h, 1)}" width="{w}" height="{h}" '
                     f'fill="{BAR}"><title>{escape(name)}: {number(value)} {escape(unit)}</title></rect>')
        parts.append(f'<text x="{round(x + w / 2, 1)}" y="{height - 10}" text-anchor="middle" '
                     f'font-size="11" fill="{AXIS}">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def monthly_chart(by_month: dict[tuple[int, int], int], year: int) -> Markup:
    """The twelve months of ``year`` (kWh)."""
    from flask_babel import format_date, gettext as _
    from datetime import date

    values = [(format_date(date(year, m, 1), "MMM"), by_month.get((year, m), 0)) for m in range(1, 13)]
    return bar_chart(values, label=_("Production per month in %(year)s (kWh)", year=year))
