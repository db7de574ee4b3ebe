"""Demo data: three cooperatives in two municipalities, liaisons, board and ~300 members.

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

    for spec in COOPERATIVES:
        muni = munis[spec["municipality"]]
        coop = orgs.create_cooperative(
            name=spec["name"], slug=spec["slug"], kvk_number=spec["kvk_number"], municipality=muni,
            domains=spec["domains"], founded_on=spec["founded_on"], actor=admin)
        coop.statutes.has_electronic_voting = spec["electronic_voting"]
        coop.statutes.convocation_days = 14
        dom = spec["mail_domain"]
        chair = user(f"bestuur@{dom}", person(rng, muni.name)["name"])
        db.session.flush()
        grant_role(chair, Role.BOARD, cooperative=coop, board_position=BoardPosition.CHAIR, actor=admin)
        grant_role(chair, Role.MEMBER, cooperative=coop, actor=admin)
        if spec["slug"] == "zonnedak":
            for local, role, pos in [("penningmeester", Role.BOARD, BoardPosition.TREASURER),
                                     ("secretaris", Role.BOARD, BoardPosition.SECRETARY),
                                     ("kascommissie", Role.AUDITOR, None),
                                     ("lid", Role.MEMBER, None)]:
                u = user(f"{local}@{dom}", person(rng, muni.name)["name"])
                db.session.flush()
                grant_role(u, role, cooperative=coop, board_position=pos, actor=chair)
                if role != Role.MEMBER:
                    grant_role(u, Role.MEMBER, cooperative=coop, actor=chair)
        seen = set()
        for i in range(spec["members"]):
            p = person(rng, muni.name)
            local = _ascii(f"{p['first']}.{p['surname']}").replace(" ", "")
            email = f"{local}.{i + 1}@{dom}"
            if email in seen:
                continue
            seen.add(email)
            u = user(email, p["name"], locale=rng.choice(["nl", "nl", "nl", "en", None]))
            db.session.flush()
            grant_role(u, Role.MEMBER, cooperative=coop, actor=chair)
    db.session.commit()
    return True


def print_logins(echo) -> None:
    echo("")
    echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, what in LOGINS:
        echo(f"  {email:<38} {what}")
