"""Server-rendered SVG charts (no JavaScript, nothing from other hosts), used on pages and in
PDFs: bars (asset production) and stacked bars (follow-up rate of resolutions). Colours are presentation attributes, not styles (strict CSP)."""
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



def stacked_bar_chart(rows: list[tuple[str, list[int]]], parts: list[tuple[str, str]], *,
                      label: str, width: int = 640, row_height: int = 30) -> Markup:
    """One horizontal bar per ``(label, counts)`` row, split into ``parts`` (``(name, colour)``
    pairs, in the order of the counts) in proportion to the counts; a legend below. Each piece
    carries a ``<title>`` with its figure (the figures are also given in a table next to it)."""
    from coop.core.formatting import number

    left, top = 90, 8
    plot_w = width - left - 60
    legend_y = top + row_height * len(rows) + 18
    height = legend_y + 14
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{escape(label)}" class="bar-chart">']
    for r, (name, counts) in enumerate(rows):
        y = top + r * row_height
        total = sum(counts)
        out.append(f'<text x="{left - 8}" y="{y + row_height * 0.6}" text-anchor="end" '
                   f'font-size="12" fill="{AXIS}">{escape(name)}</text>')
        x = float(left)
        for (part, colour), count in zip(parts, counts):
            if not count:
                continue
            w = round(plot_w * count / total, 1)
            out.append(f'<rect x="{round(x, 1)}" y="{y + 4}" width="{w}" height="{row_height - 10}" '
                       f'fill="{colour}"><title>{escape(name)} · {escape(part)}: {number(count)}</title></rect>')
            x += w
        out.append(f'<text x="{left + plot_w + 6}" y="{y + row_height * 0.6}" font-size="12" '
                   f'fill="{AXIS}">{number(total)}</text>')
    x = left
    for part, colour in parts:
        out.append(f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="{legend_y}" font-size="11" fill="{AXIS}">{escape(part)}</text>')
        x += 14 + 8 * len(str(part)) + 16
    out.append("</svg>")
    return Markup("".join(out))
