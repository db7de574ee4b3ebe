"""Demo requests between the demo cooperatives and their municipalities (called by the demo loader):
one overdue with a notice of default and a running penalty, one soon due, one decided with
commitments, one suspended, a draft, a withdrawn one, and the default catalogue of each municipality."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from coop.extensions import db
from coop.liaison import services
from coop.liaison.models import CommitmentStatus, Outcome, RequestKind, RequestMessage, Side
from coop.orgs.models import Role, RoleAssignment


def _stamp(req, day: date) -> None:
    """Date the latest history entry and message on ``day`` (the services write 'now')."""
    moment = datetime.combine(day, time(9, 30), tzinfo=timezone.utc)
    if req.events:
        req.events[-1].created_at = moment
    last = db.session.scalar(select(RequestMessage).where(RequestMessage.request_id == req.id)
                             .order_by(RequestMessage.id.desc()).limit(1))
    if last is not None and last.created_at.date() > day:
        last.created_at = moment


def _liaison(muni):
    return db.session.scalar(select(RoleAssignment).where(RoleAssignment.municipality_id == muni.id,
                                                          RoleAssignment.role == Role.LIAISON)).user


def load_liaison_demo(coops: dict, today: date | None = None) -> None:
    """``coops``: slug → (cooperative, chair)."""
    today = today or services.today()
    d = lambda days_ago: today - timedelta(days=days_ago)  # noqa: E731

    def new(slug, kind, subject, body, location=None):
        coop, chair = coops[slug]
        rtype = next(t for t in services.ensure_catalogue(coop.municipality) if t.kind is kind)
        return services.create_draft(coop, rtype, subject=subject, body=body, location=location, actor=chair)

    def submit(req, day):
        coop, chair = coops[req.cooperative.slug]
        services.submit(req, actor=chair, on=day)
        _stamp(req, day)

    zonnedak, zd_chair = coops["zonnedak"]
    groningen = zonnedak.municipality
    liaison_g = _liaison(groningen)

    # 1. overdue, after a suspension; notice of default sent, penalty running
    req = new("zonnedak", RequestKind.DECISION, "Subsidie zonnepanelen op sporthal De Kolk",
              "Geachte heer, mevrouw,\n\nEnergiecoöperatie Zonnedak vraagt een subsidie van € 48.000 uit de "
              "regeling Lokale Energie voor 160 zonnepanelen op het dak van sporthal De Kolk.\n\nDe ALV van "
              "12 maart stemde in met het plan. Het dak is geschikt bevonden door een constructeur.")
    submit(req, d(112))
    services.acknowledge(req, actor=liaison_g, text="Ontvangen, wij nemen het in behandeling.")
    _stamp(req, d(110))
    services.request_information(req, actor=liaison_g, question="Kunt u het constructierapport van het dak sturen?",
                                 on=d(95))
    _stamp(req, d(95))
    services.provide_information(req, actor=zd_chair, body="Bijgaand het rapport van Bureau Draagkracht (12 p.).",
                                 on=d(88))
    _stamp(req, d(88))
    services.assign(req, liaison_g.id, actor=liaison_g)
    services.add_note(req, actor=liaison_g, body="Budget regeling is voor 2026 bijna op; afstemmen met wethouder.")
    due = services.recompute_due(req, d(30))
    services.send_notice_of_default(req, actor=zd_chair, on=max(due + timedelta(days=1), d(21)))
    _stamp(req, max(due + timedelta(days=1), d(21)))

    # 2. a Woo request that is due soon
    req = new("zonnedak", RequestKind.WOO, "Stukken over netcongestie op Zernike",
              "Wij verzoeken om alle documenten (2024–2026) over netcongestie en de aansluitcapaciteit op "
              "het Zernikecomplex, op grond van de Wet open overheid.")
    submit(req, d(24))
    services.start_work(req, actor=liaison_g, on=d(20))
    _stamp(req, d(20))

    # 3. a permit, decided in time, with commitments
    req = new("zonnedak", RequestKind.PERMIT, "Omgevingsvergunning zonneveld Meerstad",
              "Aanvraag omgevingsvergunning voor een zonneveld van 2 hectare langs de Meerstadlaan.",
              location="Meerstadlaan (kavel 12), Groningen")
    req.request_type.needs_attachment = False  # the demo has no files to attach
    submit(req, d(190))
    req.request_type.needs_attachment = True
    services.acknowledge(req, actor=liaison_g)
    _stamp(req, d(186))
    services.decide(req, actor=liaison_g, outcome=Outcome.PARTLY_GRANTED,
                    answer="De vergunning wordt verleend voor 1,6 hectare; de strook langs de Meerstadlaan blijft "
                           "vrij voor de ecologische verbindingszone.", on=d(150))
    _stamp(req, d(150))
    c1 = services.add_commitment(req, actor=liaison_g, what="Netbeheerder uitnodigen voor overleg over aansluiting",
                                 who="Team Energietransitie", due_on=d(90))
    services.update_commitment(c1, actor=liaison_g, side=Side.MUNICIPALITY, status=CommitmentStatus.DONE, progress=100,
                               on=d(95))
    c2 = services.add_commitment(req, actor=liaison_g, what="Landschapsplan beoordelen en terugkoppelen",
                                 who="Afdeling Ruimte", due_on=today + timedelta(days=22))
    services.update_commitment(c2, actor=liaison_g, side=Side.MUNICIPALITY, status=CommitmentStatus.IN_PROGRESS,
                               progress=40)
    services.post_message(req, actor=zd_chair, side=Side.COOPERATIVE, body="Dank voor het besluit. Wanneer kunnen "
                          "we het landschapsplan bespreken?")

    # 4. a draft
    new("zonnedak", RequestKind.QUESTION, "Vraag over dakhuur gemeentelijke gebouwen",
        "Welke gemeentelijke daken komen in 2027 beschikbaar voor zonnepanelen?")

    # Zorgcoöperatie Samen Oud: a meeting request (service norm) and a withdrawn consultation response
    req = new("zorgsamen", RequestKind.MEETING, "Kennismaking wethouder zorg",
              "Wij willen graag kennismaken met de nieuwe wethouder zorg over de dorpshuiskamer.")
    submit(req, d(3))
    req = new("zorgsamen", RequestKind.CONSULTATION, "Zienswijze Wmo-beleidsplan 2027",
              "Onze zienswijze op het concept Wmo-beleidsplan: meer ruimte voor informele zorg.")
    submit(req, d(40))
    services.withdraw(req, actor=coops["zorgsamen"][1], reason="Opgenomen in de gezamenlijke reactie van de zorgtafel.")
    _stamp(req, d(35))

    # Wooncoöperatie De Hof (Zwolle): a right-to-challenge bid waiting for information
    hof, hof_chair = coops["dehof"]
    liaison_z = _liaison(hof.municipality)
    req = new("dehof", RequestKind.CHALLENGE, "Uitdaagrecht: beheer buurthuis De Hofstede",
              "Wij dagen de gemeente uit: de coöperatie neemt het beheer van buurthuis De Hofstede over, "
              "met vrijwilligers uit de wooncoöperatie.")
    req.request_type.needs_attachment = False
    submit(req, d(30))
    req.request_type.needs_attachment = True
    services.request_information(req, actor=liaison_z, question="Graag een begroting voor de eerste twee jaar.",
                                 on=d(9))
    _stamp(req, d(9))
    services.assign(req, liaison_z.id, actor=liaison_z)
