"""Demo data: three cooperatives in two municipalities, liaisons, board and ~300 members with
Dutch names and addresses in the register (about two in three with an account).

Idempotent: when the demo administrator exists, nothing is loaded again. Names and addresses
are generated from fixed lists with a fixed seed, so every installation gets the same demo.
"""
from __future__ import annotations

import random
import unicodedata
from datetime import date

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from coop.auth.models import User
from coop.members import services as members
from coop.members.models import Member, MemberCategory, MemberStatus
from coop.auth.services import grant_role
from coop.extensions import db
from coop.orgs import services as orgs
from coop.orgs.models import BoardPosition, Role

DEMO_PASSWORD = "demo-wachtwoord-2026"

FIRST_NAMES = [
    "Jan", "Anna", "Pieter", "Sanne", "Kees", "Fleur", "Willem", "Lotte", "Henk", "Emma", "Joost",
    "Iris", "Bram", "Noor", "Ruud", "Sophie", "Gerrit", "Femke", "Daan", "Marloes", "Sjoerd",
    "Ineke", "Thijs", "Anouk", "Wouter", "Esther", "Mohamed", "Fatima", "Hüseyin", "Ayşe",
    "Jeroen", "Mirjam", "Bas", "Hanneke", "Lars", "Tessa", "Ronald", "Yvonne", "Sem", "Julia",
]
PREFIXES_SURNAMES = [
    ("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"), ("", "Bakker"),
    ("", "Visser"), ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"), ("de", "Groot"),
    ("", "Bos"), ("", "Vos"), ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"),
    ("", "Brouwer"), ("de", "Wit"), ("", "Dijkstra"), ("", "Smits"), ("de", "Graaf"),
    ("van der", "Meer"), ("van der", "Linden"), ("", "Kok"), ("", "Jacobs"), ("de", "Haan"),
    ("", "Vermeulen"), ("van den", "Heuvel"), ("van der", "Veen"), ("", "Huisman"),
    ("", "Postma"), ("", "Kuipers"), ("", "Hoekstra"), ("", "Yılmaz"), ("", "El Amrani"),
]
STREETS = {
    "Groningen": ["Herestraat", "Oosterstraat", "Nieuwe Ebbingestraat", "Korreweg", "Paterswoldseweg",
                  "Helperzoom", "Verlengde Hereweg", "Zaagmuldersweg", "Peizerweg", "Damsterdiep"],
    "Zwolle": ["Diezerstraat", "Assendorperstraat", "Thorbeckegracht", "Wipstrikkerallee",
               "Groot Wezenland", "Dobbe", "Middelweg", "Veerallee", "Ruitenborghstraat", "Blijmarkt"],
}
POSTCODE_AREAS = {"Groningen": range(9711, 9747), "Zwolle": range(8011, 8047)}

MUNICIPALITIES = [
    {"name": "Groningen", "slug": "groningen", "cbs_code": "GM0014"},
    {"name": "Zwolle", "slug": "zwolle", "cbs_code": "GM0193"},
]
COOPERATIVES = [
    {"name": "Energiecoöperatie Zonnedak", "slug": "zonnedak", "kvk_number": "81234567",
     "municipality": "groningen", "domains": ["energy"], "founded_on": date(2016, 3, 14),
     "members": 150, "mail_domain": "zonnedak.example", "electronic_voting": True},
    {"name": "Zorgcoöperatie Samen Oud", "slug": "zorgsamen", "kvk_number": "72345678",
     "municipality": "groningen", "domains": ["care"], "founded_on": date(2019, 9, 1),
     "members": 80, "mail_domain": "zorgsamen.example", "electronic_voting": False},
    {"name": "Wooncoöperatie De Hof", "slug": "dehof", "kvk_number": "83456789",
     "municipality": "zwolle", "domains": ["housing", "energy"], "founded_on": date(2021, 5, 20),
     "members": 70, "mail_domain": "dehof.example", "electronic_voting": True},
]

#: The fixed demo logins (e-mail, what it is), printed by ``make run`` and listed in the README.
LOGINS = [
    ("admin@example.org", "platform administrator"),
    ("bestuur@zonnedak.example", "board (chair) of Energiecoöperatie Zonnedak"),
    ("penningmeester@zonnedak.example", "board (treasurer) of Zonnedak"),
    ("kascommissie@zonnedak.example", "auditor of Zonnedak"),
    ("lid@zonnedak.example", "member of Zonnedak"),
    ("bestuur@zorgsamen.example", "board (chair) of Zorgcoöperatie Samen Oud"),
    ("bestuur@dehof.example", "board (chair) of Wooncoöperatie De Hof"),
    ("liaison@gemeente-groningen.example", "liaison of the municipality of Groningen"),
    ("liaison@gemeente-zwolle.example", "liaison of the municipality of Zwolle"),
]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def person(rng: random.Random, city: str) -> dict:
    """A Dutch-looking person with an address in ``city``."""
    first = rng.choice(FIRST_NAMES)
    prefix, surname = rng.choice(PREFIXES_SURNAMES)
    digits = rng.choice(POSTCODE_AREAS[city])
    letters = "".join(rng.choice("ABCEGHJKLMNPRSTVWXZ") for _ in range(2))
    return {
        "first": first, "prefix": prefix, "surname": surname,
        "name": " ".join(p for p in (first, prefix, surname) if p),
        "street": rng.choice(STREETS[city]), "house_number": str(rng.randint(1, 240)),
        "postcode": f"{digits} {letters}", "city": city,
    }


def load_demo() -> bool:
    if db.session.scalar(select(User).where(User.email == "admin@example.org")):
        return False
    rng = random.Random(2026)
    pw_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once: 300 accounts load quickly

    def user(email: str, name: str, locale: str | None = "nl") -> User:
        u = User(email=email, name=name, password_hash=pw_hash, locale=locale)
        db.session.add(u)
        return u

    admin = user("admin@example.org", "Beheerder Platform", locale="en")
    db.session.flush()
    grant_role(admin, Role.ADMIN, actor=None)

    munis = {}
    for m in MUNICIPALITIES:
        munis[m["slug"]] = orgs.create_municipality(actor=admin, **m)
        liaison = user(f"liaison@gemeente-{m['slug']}.example", f"Contactpersoon {m['name']}")
        db.session.flush()
        grant_role(liaison, Role.LIAISON, municipality=munis[m["slug"]], actor=admin)

    chairs = {}
    for spec in COOPERATIVES:
        muni = munis[spec["municipality"]]
        coop = orgs.create_cooperative(
            name=spec["name"], slug=spec["slug"], kvk_number=spec["kvk_number"], municipality=muni,
            domains=spec["domains"], founded_on=spec["founded_on"], actor=admin)
        coop.statutes.has_electronic_voting = spec["electronic_voting"]
        coop.statutes.convocation_days = 14
        categories = [MemberCategory(cooperative_id=coop.id, name=name, yearly_fee_cents=fee)
                      for name, fee in (("Huishouden", 2500), ("Ondernemer", 7500))]
        db.session.add_all(categories)
        dom = spec["mail_domain"]

        def register(p: dict, email: str | None, admitted: date, account: User | None = None,
                     status: MemberStatus = MemberStatus.MEMBER) -> Member:
            m = members.create_member(
                coop, {"first_name": p["first"], "name_prefix": p["prefix"] or None, "last_name": p["surname"],
                       "street": p["street"], "house_number": p["house_number"], "postcode": p["postcode"],
                       "city": p["city"], "email": email, "channel": "email" if email else "letter",
                       "category_id": None},
                actor=admin, status=status, on=admitted, confirm_duplicate=True, email_consent=bool(email))
            m.category = categories[0] if rng.random() < 0.9 else categories[1]
            if account is not None:
                m.user_id = account.id
            return m

        def since() -> date:
            start = spec["founded_on"].toordinal()
            return date.fromordinal(rng.randint(start, date(2026, 6, 30).toordinal()))

        p = person(rng, muni.name)
        chair = user(f"bestuur@{dom}", p["name"])
        db.session.flush()
        grant_role(chair, Role.BOARD, cooperative=coop, board_position=BoardPosition.CHAIR, actor=admin)
        grant_role(chair, Role.MEMBER, cooperative=coop, actor=admin)
        register(p, chair.email, spec["founded_on"], chair)
        chairs[spec["slug"]] = (coop, chair)
        if spec["slug"] == "zonnedak":
            for local, role, pos in [("penningmeester", Role.BOARD, BoardPosition.TREASURER),
                                     ("secretaris", Role.BOARD, BoardPosition.SECRETARY),
                                     ("kascommissie", Role.AUDITOR, None),
                                     ("lid", Role.MEMBER, None)]:
                p = person(rng, muni.name)
                u = user(f"{local}@{dom}", p["name"])
                db.session.flush()
                grant_role(u, role, cooperative=coop, board_position=pos, actor=chair)
                if role != Role.MEMBER:
                    grant_role(u, Role.MEMBER, cooperative=coop, actor=chair)
                register(p, u.email, since(), u)
        for i in range(spec["members"]):
            p = person(rng, muni.name)
            # About two in three members have an account; the others get their mail by post.
            if rng.random() < 0.65:
                local = _ascii(f"{p['first']}.{p['surname']}").replace(" ", "")
                u = user(f"{local}.{i + 1}@{dom}", p["name"], locale=rng.choice(["nl", "nl", "nl", "en", None]))
                db.session.flush()
                grant_role(u, Role.MEMBER, cooperative=coop, actor=chair)
                register(p, u.email, since(), u)
            else:
                register(p, None, since())
        for _ in range(3):  # open applications for the board to decide on
            p = person(rng, muni.name)
            local = _ascii(f"{p['first']}.{p['surname']}").replace(" ", "")
            register(p, f"{local}@aanvraag.example", date(2026, 11, 1), status=MemberStatus.APPLICANT)
        if spec["slug"] == "zonnedak":
            _demo_capital_and_fees(coop, chair, rng)
            from coop.meetings import demo as meetings_demo

            meetings_demo.load(coop, chair)
            from coop.assets.demo import load_energy_demo

            load_energy_demo(coop, chair, rng, featured_email=f"lid@{dom}")
            from coop.consultations.demo import load as load_consultations_demo

            load_consultations_demo(coop, chair, featured_email=f"lid@{dom}")
        elif spec["slug"] == "dehof":
            from coop.assets.demo import load_housing_demo

            load_housing_demo(coop, chair, rng)
        # One member who left at the end of last year, with a proper history.
        leaver = register(person(rng, muni.name), None, spec["founded_on"])
        members.give_notice(leaver, by_member=True, actor=chair, given_on=date(2025, 6, 1))
        members.apply_due_events(date(2026, 1, 1))
    from coop.liaison.demo import load_liaison_demo

    load_liaison_demo(chairs)
    from coop.consultations.demo import back_a_request

    back_a_request(*chairs["zonnedak"])
    from coop.accountability.demo import load as load_accountability_demo

    for coop, chair in chairs.values():
        if coop.has_energy:
            load_accountability_demo(coop, chair)
            break
    db.session.commit()
    return True


def _demo_capital_and_fees(coop, chair, rng: random.Random) -> None:
    """Zonnedak: participations of €50 (1–20 per member) held by most members, one proposal
    waiting for approval, and the fees of last year and this year, mostly paid."""
    from sqlalchemy import select, update

    from coop.members import capital
    from coop.members.models import FeeCharge

    share = capital.create_share_type(coop, {"name": "Zonnedak-participatie", "nominal_cents": 5000,
                                             "min_per_member": 1, "max_per_member": 20}, actor=chair)
    holders = db.session.scalars(select(Member).where(Member.cooperative_id == coop.id,
                                                      Member.status == MemberStatus.MEMBER)
                                 .order_by(Member.number)).all()
    for m in holders[:-3]:
        tx = capital.propose_transaction(coop, kind="issue", share_type=share, member=m,
                                         quantity=rng.randint(1, 12), effective_on=m.admitted_on,
                                         actor=chair)
        capital.approve_transaction(tx, actor=chair)
    capital.propose_transaction(coop, kind="issue", share_type=share, member=holders[-1], quantity=2,
                                actor=chair)
    for year in (2025, 2026):
        capital.charge_year(coop, year, actor=chair)
    db.session.execute(update(FeeCharge).where(FeeCharge.cooperative_id == coop.id, FeeCharge.year == 2025)
                       .values(paid_on=date(2025, 3, 1)))
    unpaid = {m.id for m in holders[::7]}
    db.session.execute(update(FeeCharge).where(FeeCharge.cooperative_id == coop.id, FeeCharge.year == 2026,
                                               FeeCharge.member_id.not_in(unpaid))
                       .values(paid_on=date(2026, 3, 1)))


def print_logins(echo) -> None:
    echo("")
    echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, what in LOGINS:
        echo(f"  {email:<38} {what}")
