"""Small builders for voting tests (and the access matrix and e2e)."""
from __future__ import annotations

from tests.meetings.helpers import make_meeting


def meeting_in_session(coop, actor=None, *, items=("decision",), **overrides):
    """A convened meeting with agenda items of ``items`` kinds, opened for the session."""
    from coop.meetings import services

    meeting = make_meeting(coop, actor, **overrides)
    for n, kind in enumerate(items, 1):
        services.add_item(meeting, {"title": f"Besluit {n}", "kind": kind}, actor=actor)
    services.convene(meeting, actor=actor)
    services.open_session(meeting, actor=actor)
    return meeting


def decision_item(meeting):
    return next(i for i in meeting.items if i.kind.value == "decision")


def motion_on(meeting, actor=None, **data):
    from coop.voting import services

    values = {"title": "Zonnepanelen op de school", "text": "De ALV besluit tot een tweede dak.",
              "kind": "ordinary"} | data
    return services.create_motion(decision_item(meeting), values, actor=actor)


def minutes_html(app, coop, meeting) -> str:
    """The minutes of ``meeting`` as the PDF template renders them (HTML, before the PDF)."""
    from flask import g, render_template

    with app.test_request_context():
        g.coop = coop
        return render_template("pdf/meetings_minutes.html", coop=coop, meeting=meeting)
