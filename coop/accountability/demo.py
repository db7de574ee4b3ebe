"""Demo data of accountability: the spring meeting's resolutions followed up, the annual
report of last year published (and public), this year's as a draft."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from coop.accountability import services
from coop.accountability.models import Phase
from coop.extensions import db


def load(coop, chair) -> None:
    from coop.meetings import services as meetings
    from coop.meetings.models import GeneralMeeting, MeetingStatus

    spring = db.session.scalar(select(GeneralMeeting).where(
        GeneralMeeting.cooperative_id == coop.id, GeneralMeeting.status == MeetingStatus.CLOSED))
    today = date.today()
    if spring is not None:
        # The voting demo has entered the adopted annual accounts (ALV-…-01) already.
        for title, text in (
                ("Onderzoek zonnedak sporthal", "Het bestuur onderzoekt een zonnedak op de sporthal en komt met een voorstel."),
                ("Laadpaal bij het dorpshuis", "Het bestuur vraagt de gemeente om een laadpaal bij het dorpshuis."),
                ("Ledenpas digitaal", "Leden krijgen een digitale ledenpas naast de papieren pas.")):
            meetings.record_resolution(spring, title=title, text=text, actor=chair)
    services.sync_items(coop)
    status = {s.phase: s for s in services.statuses(coop)}
    items = services.items(coop, source="resolution")
    plans = [(Phase.DONE, "Penningmeester", -100, "Jaarrekening gedeponeerd bij de KvK."),
             (Phase.IN_PROGRESS, "Werkgroep Zonnedak", 45, "Offertes van drie installateurs opgevraagd."),
             (Phase.IN_PROGRESS, "Secretaris", -5, "Verzoek ingediend bij de gemeente."),
             (Phase.DROPPED, "Bestuur", 60, None)]
    for item, (phase, owner, due_days, text) in zip(items, plans):
        services.post_update(item, status_id=status[phase].id, text=text,
                             reason="Te duur voor de kleine groep die erom vroeg." if phase == Phase.DROPPED else None,
                             owner=owner, due_on=today + timedelta(days=due_days),
                             posted_on=today - timedelta(days=10), actor=chair)
    last = today.year - 1
    if coop.founded_on is None or coop.founded_on.year <= last:
        report = services.start_report(coop, last, actor=chair)
        services.update_report(report, {
            "foreword": "Een jaar waarin we groeiden en ons eerste dak uitbreidden.\n\n"
                        "Dank aan alle vrijwilligers die dit mogelijk maakten.",
            "outlook": "Volgend jaar willen we het zonnedak op de sporthal realiseren.",
            "income_cents": 4_825_000, "costs_cents": 4_110_000,
            "auditors_statement": "De kascommissie heeft de boeken over " + str(last) +
                                  " gecontroleerd en in orde bevonden."}, actor=chair)
        services.publish(report, actor=chair, make_public=True)
    draft = services.start_report(coop, today.year, actor=chair)
    services.update_report(draft, {"foreword": "Concept: nog aan te vullen."}, actor=chair)
    db.session.flush()
