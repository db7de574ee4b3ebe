"""Demo data of shared assets (used by ``flask coop demo``): realistic Dutch assets with
participations, readings, distributions, bookings, dwellings and upkeep."""
from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import select

from coop.assets import bookings, revenue, services
from coop.extensions import db
from coop.members.models import Member, MemberStatus

#: Monthly yield of a Dutch solar roof as a share of the year (KNMI-like profile).
SOLAR_PROFILE = [0.025, 0.045, 0.08, 0.115, 0.135, 0.14, 0.14, 0.12, 0.09, 0.06, 0.03, 0.02]


def _members(coop) -> list[Member]:
    return list(db.session.scalars(select(Member).where(
        Member.cooperative_id == coop.id, Member.status == MemberStatus.MEMBER).order_by(Member.number)))


def load_energy_demo(coop, chair, rng: random.Random, *, featured_email: str | None = None) -> None:
    """Zonnedak: a solar roof with participations (postcoderoos), three years of monthly
    readings, CO₂ factors, an approved and a draft distribution; a shared car with bookings."""
    people = _members(coop)
    featured = next((m for m in people if m.email == featured_email), None)
    roof = services.create_asset(coop, {
        "kind": "solar", "name": "Zonnedak Sporthal De Helpermaar", "status": "in_operation",
        "address": "Helperzoom 15, 9722 BJ Groningen", "latitude": 53.2035, "longitude": 6.5772,
        "commissioned_on": date(2023, 4, 1), "value_cents": 16_850_000, "capacity_watts": 148_500,
        "ean_code": "871685900000000011", "responsible_user_id": chair.id,
        "description": "412 panelen op het dak van sporthal De Helpermaar.",
        "unit_price_cents": 25_000, "units_available": 1_000, "min_units_per_member": 1,
        "max_units_per_member": 20, "postcode_areas": " ".join(str(a) for a in range(9711, 9747)),
    }, actor=chair)
    takers = [m for m in people if m is featured or rng.random() < 0.6]
    for m in takers:
        mutation = services.propose_mutation(
            roof, kind="issue", member=m, quantity=4 if m is featured else rng.randint(1, 12),
            effective_on=max(m.admitted_on or date(2023, 4, 1), date(2023, 4, 1)), actor=chair)
        services.approve_mutation(mutation, actor=chair)
    sellers = [m for m in takers if m is not featured][:2]
    if len(sellers) == 2:
        services.approve_mutation(services.propose_mutation(
            roof, kind="transfer", member=sellers[0], counterparty=sellers[1], quantity=1,
            effective_on=date(2025, 7, 1), actor=chair), actor=chair)
    services.propose_mutation(roof, kind="issue", member=people[-1], quantity=2, actor=chair)
    meter, yearly = 0, 140_000
    services.add_reading(roof, read_on=date(2023, 3, 31), meter_kwh=0, actor=chair)
    day = date(2023, 4, 30)
    while day < date.today().replace(day=1):
        meter += int(yearly * SOLAR_PROFILE[day.month - 1] * rng.uniform(0.85, 1.15))
        services.add_reading(roof, read_on=day, meter_kwh=meter, actor=chair)
        nxt = (day + timedelta(days=1)).replace(day=28) + timedelta(days=4)
        day = nxt - timedelta(days=nxt.day)
    for year, grams, source in [(2023, 340, "CBS, emissiefactor elektriciteitsmix 2023"),
                                (2024, 328, "CBS, emissiefactor elektriciteitsmix 2024"),
                                (2025, 310, "CO2emissiefactoren.nl, stroom onbekend 2025")]:
        services.set_emission_factor(coop, year=year, grams_per_kwh=grams, source=source, actor=chair)
    approved = revenue.create_distribution(
        roof, period_start_on=date(2025, 1, 1), period_end_on=date(2025, 12, 31),
        price_per_kwh_millis=75, description="Opbrengst Zonnedak Helpermaar 2025", actor=chair)
    revenue.approve_distribution(approved, actor=chair)
    revenue.create_distribution(roof, period_start_on=date(2026, 1, 1), period_end_on=date(2026, 6, 30),
                                amount_cents=480_000, description="Voorschot eerste halfjaar 2026",
                                actor=chair)
    services.add_task(roof, title="Omvormers inspecteren", notes="Jaarlijkse controle door installateur.",
                      due_on=date.today() + timedelta(days=10), done_on=None,
                      responsible_user_id=chair.id, actor=chair)
    services.add_task(roof, title="Panelen gereinigd", notes=None, due_on=None,
                      done_on=date(2025, 5, 12), responsible_user_id=None, actor=chair)
    car = services.create_asset(coop, {
        "kind": "vehicle", "name": "Deelauto Renault Zoë", "status": "in_operation",
        "address": "Parkeerplaats Korreweg 80, Groningen", "commissioned_on": date(2024, 9, 1),
        "value_cents": 2_200_000, "is_bookable": True, "max_hours_per_month": 40,
        "max_open_bookings": 3, "responsible_user_id": chair.id,
    }, actor=chair)
    start_day = date.today() + timedelta(days=1)
    for i, m in enumerate(([featured] if featured else []) + takers[1:6]):
        day = start_day + timedelta(days=i // 2)
        at = time(9, 0) if i % 2 == 0 else time(14, 0)
        starts = bookings.from_local(day, at)
        bookings.book(car, m, starts_at=starts, ends_at=starts + timedelta(hours=3),
                      note="boodschappen" if i % 2 else None, actor=chair)
    services.add_task(car, title="Winterbanden", notes=None, due_on=date(date.today().year, 11, 30),
                      done_on=None, responsible_user_id=None, actor=chair)


def load_housing_demo(coop, chair, rng: random.Random) -> None:
    """De Hof: six dwellings, most let, a waiting list, and a bookable community room."""
    people = _members(coop)
    for n in range(1, 7):
        home = services.create_asset(coop, {
            "kind": "dwelling", "name": f"Hofwoning {n}", "status": "in_operation",
            "address": f"Hofstraat {n * 2}, 8011 AB Zwolle", "commissioned_on": date(2022, 6, 1),
            "value_cents": 28_500_000,
        }, actor=chair)
        if n <= 5 and len(people) > n:
            services.allocate_dwelling(home, member_number=people[n].number,
                                       starts_on=date(2022, 6, 1) + timedelta(days=30 * n),
                                       ends_on=None, household=rng.choice(["alleen", "2 personen", "gezin met 2 kinderen"]),
                                       actor=chair)
    for i, m in enumerate(people[7:12]):
        services.add_to_waiting_list(coop, member_number=m.number,
                                     registered_on=date(2021, 3, 1) + timedelta(days=97 * i),
                                     preferences=rng.choice(["begane grond", "met tuin", "2 slaapkamers", None]),
                                     actor=chair)
    services.create_asset(coop, {
        "kind": "room", "name": "Gemeenschappelijke ruimte", "status": "in_operation",
        "address": "Hofstraat 1, 8011 AB Zwolle", "is_bookable": True, "max_hours_per_month": 12,
        "max_open_bookings": 2,
    }, actor=chair)


