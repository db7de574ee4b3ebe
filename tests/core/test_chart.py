"""The shared SVG charts: figures in titles, names escaped, nothing but SVG."""
from coop.core.chart import bar_chart, stacked_bar_chart


def test_stacked_bars_split_each_row_in_proportion(app):
    with app.test_request_context():
        svg = str(stacked_bar_chart([("2025", [3, 1, 0, 0]), ("<b>2026</b>", [0, 0, 2, 2])],
                                    [("on time", "#1b6e3a"), ("late", "#a05a00"), ("open", "#1d5e8c"),
                                     ("dropped", "#6b6b6b")], label="Follow-up & more"))
    assert svg.startswith("<svg") and 'aria-label="Follow-up &amp; more"' in svg
    assert "<b>" not in svg and "&lt;b&gt;2026&lt;/b&gt;" in svg
    # 3 pieces with a count (zeros are left out) + 4 legend squares
    assert svg.count("<rect") == 4 + 4
    assert "2025 · on time: 3" in svg


def test_bar_chart_is_still_served_from_assets(app):
    from coop.assets.chart import bar_chart as assets_bar_chart

    assert assets_bar_chart is bar_chart
