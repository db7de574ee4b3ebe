"""Demo consultations for Zonnedak: a closed, anonymous one about the next solar roof (with its
frozen result) and an open, named one about the members' evening, still waiting for the answer
of the demo member lid@zonnedak.example among others."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from coop.consultations import services
from coop.consultations.models import ConsultationRoll
from coop.core.db import utcnow
from coop.extensions import db
from coop.members.models import Member


def _answer_some(consultation, weights: list[tuple[str, int]], rng: random.Random, *, share: float,
                 skip_email: str | None, now) -> None:
    rows = db.session.execute(select(Member).join(ConsultationRoll, ConsultationRoll.member_id == Member.id)
                              .where(ConsultationRoll.consultation_id == consultation.id)
                              .order_by(Member.id)).scalars().all()
    options = [o for o, _w in weights]
    for member in rows:
        if member.email == skip_email or rng.random() > share:
            continue
        choice = rng.choices(options, weights=[w for _o, w in weights])[0]
        services.answer(consultation, member, choice, actor=None, now=now)


def load(coop, chair, rng: random.Random | None = None, *, featured_email: str | None = None) -> None:
    rng = rng or random.Random(7)
    now = utcnow()
    roof = services.create(coop, {
        "title": "Welk dak na de sporthal?",
        "question": "Het bestuur wil in 2027 een tweede dak met zonnepanelen beleggen. Welk dak heeft uw "
                    "voorkeur? De uitslag nemen we mee in het verzoek aan de gemeente om medewerking.\n\n"
                    "- Basisschool De Wilg: 180 panelen, gemeentelijk eigendom.\n"
                    "- Loods aan de Zaagmuldersweg: 260 panelen, particulier eigendom.\n"
                    "- Nog even wachten: eerst de sporthal een jaar laten draaien.",
        "options": ["Basisschool De Wilg", "Loods Zaagmuldersweg", "Nog even wachten"],
        "is_anonymous": True, "opens_at": now - timedelta(days=30), "closes_at": now - timedelta(days=16)},
        actor=chair, now=now - timedelta(days=31))
    services.open_consultation(roof, actor=chair, now=now - timedelta(days=30))
    _answer_some(roof, [("Basisschool De Wilg", 6), ("Loods Zaagmuldersweg", 3), ("Nog even wachten", 1)], rng,
                 share=0.55, skip_email=None, now=now - timedelta(days=25))
    services.close(roof, actor=chair, now=now - timedelta(days=16))
    evening = services.create(coop, {
        "title": "Ledenavond: welke onderwerpen?",
        "question": "In het voorjaar houden we een ledenavond (geen ALV). Welke onderwerpen wilt u bespreken? "
                    "U kunt meer dan één onderwerp aankruisen. Na afloop ziet iedereen wie wat koos.",
        "options": ["Thuisbatterijen", "Warmtenet in de wijk", "Energiearmoede", "Opbrengst en rente"],
        "is_anonymous": False, "is_multiple_choice": True, "opens_at": now - timedelta(days=5),
        "closes_at": now + timedelta(days=1, hours=12)}, actor=chair, now=now - timedelta(days=6))
    services.open_consultation(evening, actor=chair, now=now - timedelta(days=5))
    options = evening.options
    rows = db.session.scalars(select(Member).join(ConsultationRoll, ConsultationRoll.member_id == Member.id)
                              .where(ConsultationRoll.consultation_id == evening.id).order_by(Member.id)).all()
    for member in rows:
        if member.email == featured_email or rng.random() > 0.3:
            continue
        services.answer(evening, member, rng.sample(options, rng.randint(1, 3)), actor=None,
                        now=now - timedelta(days=2))
    db.session.flush()


def back_a_request(coop, chair) -> None:
    """A request to the municipality that rests on the closed consultation (for the liaison to see)."""
    from coop.consultations.models import Consultation, ConsultationStatus
    from coop.liaison import services as liaison
    from coop.liaison.models import RequestKind

    closed = db.session.scalar(select(Consultation).where(Consultation.cooperative_id == coop.id,
                                                          Consultation.status == ConsultationStatus.CLOSED)
                               .order_by(Consultation.id))
    if closed is None:
        return
    rtype = next(t for t in liaison.ensure_catalogue(coop.municipality) if t.kind is RequestKind.MEETING)
    req = liaison.create_draft(
        coop, rtype, subject="Medewerking tweede zonnedak op basisschool De Wilg",
        body="Geachte heer, mevrouw,\n\nOnze leden kozen in een raadpleging voor het dak van basisschool De Wilg "
             "als volgende zonnedak (zie de uitslag bij dit verzoek). Wij vragen de gemeente als eigenaar van het "
             "gebouw om een gesprek over een overeenkomst voor het gebruik van het dak.",
        consultation_id=closed.id, actor=chair)
    liaison.submit(req, actor=chair)
