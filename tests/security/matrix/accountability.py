"""Access-matrix rows of accountability: follow-up (members read, the board updates), annual
reports (members read published ones, the board drafts and publishes), and the public
transparency page, open data and API summary of a public report."""
from tests.security.matrix.common import COOP_A_BOARD, COOP_A_MEMBER, PUBLIC

PUBLISHED_YEAR, DRAFT_YEAR = 2024, 2025


def _coop_a(w):
    from datetime import date

    w.coop_a.founded_on = date(2020, 1, 1)
    return w.coop_a


def _item(w):
    from coop.accountability import services
    from coop.extensions import db
    from coop.meetings import services as meetings

    from tests.meetings.helpers import make_meeting

    found = services.items(w.coop_a)
    if not found:
        meeting = make_meeting(w.coop_a, None, convene=True)
        meetings.open_session(meeting, actor=None)
        meetings.record_resolution(meeting, title="Matrix", text="Matrix.", actor=None)
        services.sync_items(w.coop_a)
        db.session.commit()
        found = services.items(w.coop_a)
    return found[0].id


def _published(w):
    """A published report of A that is on the transparency page (made public again each time)."""
    from coop.accountability import services
    from coop.extensions import db

    coop = _coop_a(w)
    report = services.report_for(coop, PUBLISHED_YEAR)
    if report is None:
        report = services.start_report(coop, PUBLISHED_YEAR, actor=None)
        services.update_report(report, {"income_cents": 100, "costs_cents": 50}, actor=None)
        services.publish(report, actor=None, make_public=True)
    report.is_public = True
    db.session.commit()
    return PUBLISHED_YEAR


def _draft(w):
    from coop.accountability import services
    from coop.extensions import db

    coop = _coop_a(w)
    if services.report_for(coop, DRAFT_YEAR) is None:
        services.start_report(coop, DRAFT_YEAR, actor=None)
        db.session.commit()
    return DRAFT_YEAR


A = {"coop": "coop-a"}
ITEM = {"coop": "coop-a", "item_id": _item}
PUBLISHED = {"coop": "coop-a", "year": _published}
DRAFT = {"coop": "coop-a", "year": _draft}

ROWS = {
    "accountability.list_items": (A, {"GET": COOP_A_MEMBER}),
    "accountability.show_item": (ITEM, {"GET": COOP_A_MEMBER, "POST": COOP_A_BOARD}),
    "accountability.statuses": (A, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "accountability.list_reports": (A, {"GET": COOP_A_MEMBER, "POST": COOP_A_BOARD}),
    "accountability.edit_report": (DRAFT, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "accountability.show_report": (PUBLISHED, {"GET": COOP_A_MEMBER}),
    "accountability.publish_report": (DRAFT, {"POST": COOP_A_BOARD}),
    "accountability.set_public": (PUBLISHED, {"POST": COOP_A_BOARD}),
    "accountability.report_pdf": (PUBLISHED, {"GET": COOP_A_MEMBER}),
    "accountability.report_figures": ({**PUBLISHED, "fmt": "json"}, {"GET": COOP_A_MEMBER}),
    "accountability.transparency": (A, {"GET": PUBLIC}),
    "accountability.public_pdf": (PUBLISHED, {"GET": PUBLIC}),
    "accountability.public_figures": ({**PUBLISHED, "fmt": "csv"}, {"GET": PUBLIC}),
    "api.report_summary": ({"coop_slug": "coop-a", "year": _published}, {"GET": PUBLIC}),
}
