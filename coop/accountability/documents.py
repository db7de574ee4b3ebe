"""The annual report as HTML and PDF, both rendered from its data (a draft's live figures or a
published report's frozen ones), with SVG charts; the open-data CSV."""
from __future__ import annotations

from flask_babel import force_locale

from coop.accountability import rules
from coop.core.i18n import lazy_gettext as _l
from coop.core.chart import bar_chart, stacked_bar_chart

OUTCOME_LABELS = {"on_time": _l("Carried out on time"), "late": _l("Carried out late"),
                  "open": _l("Open"), "dropped": _l("Dropped")}
#: Colours of the outcomes (each with at least 3:1 against white, as graphics must have).
OUTCOME_COLOURS = {"on_time": "#1b6e3a", "late": "#a05a00", "open": "#1d5e8c", "dropped": "#6b6b6b"}

#: Layout of the report PDF beyond the base: cover, table of contents with page numbers.
REPORT_CSS = """
@page :first { @top-left { content: none; } @top-right { content: none; } @bottom-right { content: none; } }
.cover { page: cover; height: 230mm; display: flex; flex-direction: column; justify-content: center; }
.cover h1 { font-size: 26pt; color: #0b5d3b; }
.cover .sub { font-size: 14pt; }
.toc ol { list-style: none; padding: 0; }
.toc li { margin: 1.5mm 0; }
.toc a { color: #111; text-decoration: none; }
.toc a::after { content: leader('.') target-counter(attr(href), page); }
.toc { break-after: page; }
section.part h2 { margin-top: 8mm; }
.chart svg { width: 100%; height: auto; }
"""


def followup_chart(by_year: dict[str, dict[str, int]]):
    parts = [(str(OUTCOME_LABELS[o]), OUTCOME_COLOURS[o]) for o in rules.OUTCOMES]
    rows = [(year, [counts[o] for o in rules.OUTCOMES]) for year, counts in sorted(by_year.items())]
    from flask_babel import gettext as _

    return stacked_bar_chart(rows, parts, label=_("Follow-up of resolutions per year of adoption"))


def charts(data: dict) -> dict:
    from flask_babel import gettext as _

    out = {"followup": followup_chart(data["followup"]["by_year"]) if data["followup"]["by_year"] else None}
    kwh = [(a["name"], a["kwh"]) for a in data["assets"]["list"] if a["kwh"]]
    out["production"] = bar_chart(kwh, label=_("Production per asset in %(year)s (kWh)", year=data["year"])) if kwh else None
    m = data["meetings"]["list"]
    out["turnout"] = bar_chart([(r["on"], r["turnout_pct"]) for r in m], unit="%",
                               label=_("Turnout per general meeting (percent)")) if m else None
    return out


def context(data: dict) -> dict:
    from coop.liaison.models import OUTCOME_LABELS as LIAISON_OUTCOMES
    from coop.orgs.models import DOMAIN_LABELS

    narrative = {k: rules.paragraphs(v) for k, v in data.get("narrative", {}).items()}
    return {"data": data, "narrative": narrative, "charts": charts(data),
            "auditors": rules.paragraphs(data["finances"]["auditors_statement"]),
            "OUTCOME_LABELS": OUTCOME_LABELS, "outcomes": rules.OUTCOMES,
            "DOMAIN_NAMES": {getattr(k, "value", k): v for k, v in DOMAIN_LABELS.items()},
            "LIAISON_OUTCOMES": {k.value: v for k, v in LIAISON_OUTCOMES.items()}}


def report_pdf(data: dict, *, locale: str = "nl") -> bytes:
    from coop.core.pdf import render_pdf

    with force_locale(locale):
        return render_pdf("pdf/annual_report.html", extra_css=[REPORT_CSS], coop=None, **context(data))


def figures_rows(data: dict) -> list[tuple[str, str, object]]:
    """The report's figures as (section, figure, value) rows, for CSV."""
    rows = [("members", k, data["members"][k]) for k in ("at_start", "at_end", "joined", "left")]
    rows += [("members", f"domain_{k}", v) for k, v in data["members"]["by_domain"].items()]
    rows += [("meetings", k, data["meetings"][k]) for k in ("held", "proxies", "resolutions_adopted")]
    rows += [("followup", k, v) for k, v in data["followup"]["counts"].items()]
    rows += [("assets", k, data["assets"][k]) for k in ("capacity_kw", "kwh", "co2_kg", "bookings",
                                                         "distributed_cents")]
    rows += [("liaison", k, data["liaison"][k]) for k in ("sent", "decided", "within_term", "open_commitments")]
    rows += [("liaison", f"outcome_{k}", v) for k, v in data["liaison"]["outcomes"].items()]
    rows += [("finances", k, data["finances"][k]) for k in ("income_cents", "costs_cents", "result_cents",
                                                             "member_capital_cents")]
    return rows


def figures_csv(data: dict) -> str:
    from coop.core.csvsafe import write_csv

    return write_csv(["year", "section", "figure", "value"],
                     ([data["year"], section, name, "" if value is None else value]
                      for section, name, value in figures_rows(data)))
