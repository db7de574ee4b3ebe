"""Demo general meetings for Zonnedak: the spring meeting held (minutes drafted, not yet
adopted), and the autumn meeting convened, with RSVPs, proxies, a document and a question."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from coop.core.db import utcnow
from coop.extensions import db
from coop.meetings import services
from coop.meetings.models import Rsvp
from coop.members.models import Member, MemberStatus

#: A small valid PDF ("Jaarrekening 2025 — concept"), so the demo needs no PDF renderer.
DEMO_PDF = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj
4 0 obj<</Length 60>>stream
BT /F1 18 Tf 72 760 Td (Jaarrekening 2025 - concept) Tj ET
endstream endobj
5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj
trailer<</Root 1 0 R>>
%%EOF
"""


def _evening(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 19, 30).replace(tzinfo=services.LOCAL_TZ).astimezone(timezone.utc)


def load(coop, chair) -> None:
    people = db.session.scalars(select(Member).where(Member.cooperative_id == coop.id,
                                                     Member.status == MemberStatus.MEMBER)
                                .order_by(Member.number)).all()
    today = utcnow().date()
    place = "Dorpshuis De Molen, Molenweg 4, Groningen"

    spring_on = today - timedelta(days=150)
    spring = services.create_meeting(coop, {
        "title": "Algemene ledenvergadering voorjaar", "kind": "regular", "starts_at": _evening(spring_on),
        "duration_minutes": 150, "place": place, "online_url": None, "record_on": spring_on - timedelta(days=28)},
        actor=chair)
    services.add_item(spring, {"title": "Jaarverslag en jaarrekening 2025", "kind": "decision",
                               "description": "De penningmeester licht de cijfers toe; de kascommissie brengt verslag uit."},
                      actor=chair)
    services.add_item(spring, {"title": "Zonnedak op de sporthal", "kind": "discussion"}, actor=chair)
    services.convene(spring, actor=chair, now=_evening(spring_on - timedelta(days=21)))
    services.open_session(spring, actor=chair)
    for m in people[:41]:
        services.check_in(spring, m, actor=chair)
    from coop.voting import demo as voting_demo

    voting_demo.spring(spring, people, chair)
    services.close_meeting(spring, actor=chair)
    spring.items[1].minutes_text = ("De penningmeester licht de jaarrekening toe. De kascommissie heeft de "
                                    "boeken in orde bevonden. De vergadering stelt de jaarrekening vast.")
    spring.items[2].minutes_text = "Leden zijn positief; het bestuur werkt een voorstel uit voor de najaarsvergadering."

    autumn_on = today + timedelta(days=20)
    autumn = services.create_meeting(coop, {
        "title": "Algemene ledenvergadering najaar", "kind": "regular", "starts_at": _evening(autumn_on),
        "duration_minutes": 150, "place": place, "online_url": "https://vergaderen.zonnedak.example/alv",
        "record_on": today}, actor=chair)
    budget = services.add_item(autumn, {"title": "Begroting 2027", "kind": "decision"}, actor=chair)
    services.add_item(autumn, {"title": "Investering zonnedak sporthal", "kind": "decision",
                               "description": "Voorstel: 420 panelen, financiering met nieuwe participaties."},
                      actor=chair)
    services.add_item(autumn, {"title": "Verkiezing bestuurslid (penningmeester)", "kind": "election"}, actor=chair)
    services.add_document(autumn, budget, io.BytesIO(DEMO_PDF), "Begroting 2027.pdf", actor=chair)
    services.convene(autumn, actor=chair)
    for i, m in enumerate(people[3:60]):
        services.rsvp(autumn, m, (Rsvp.YES, Rsvp.YES, Rsvp.ONLINE, Rsvp.NO)[i % 4], actor=None)
    services.give_proxy(autumn, people[61], people[5], actor=None)
    services.give_proxy(autumn, people[62], people[6], actor=None)
    asker = people[7]
    question = services.ask_question(autumn, asker, "Wat betekent de investering voor de opbrengst per participatie?",
                                     actor=None)
    services.answer_question(question, "Naar verwachting blijft de opbrengst gelijk: de extra panelen betalen "
                             "zichzelf in twaalf jaar terug.", actor=chair)
    services.ask_question(autumn, people[8], "Komt er ook een laadpaal bij de sporthal?", actor=None)
    voting_demo.autumn(autumn, chair)
    services.create_meeting(coop, {
        "title": "Extra ledenvergadering statuten", "kind": "extraordinary",
        "starts_at": _evening(today + timedelta(days=60)), "duration_minutes": 90, "place": place,
        "online_url": None, "record_on": today + timedelta(days=30)}, actor=chair)
    db.session.flush()
