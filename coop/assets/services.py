"""State changes of shared assets: the register, participations, readings, emission factors,
dwellings and upkeep. Services flush and write the audit log; the view commits once.

Participations follow the share ledger of :mod:`coop.members.capital`: the same kinds
(subscribe = issue, transfer, redeem) and statuses, lines proposed and approved by the board,
holdings derived from the approved lines and checked with the same pure rules
(:func:`coop.members.rules.timeline_problem`), again under a row lock at approval.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select, union_all
from sqlalchemy.orm import joinedload

from coop.assets import rules
from coop.assets.models import (Asset, AssetKind, AssetStatus, DwellingAllocation, EmissionFactor,
                                MaintenanceTask, ParticipationMutation, Reading, WaitingListEntry)
from coop.core import audit
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.members import capital
from coop.members import rules as member_rules
from coop.members.models import Member, MemberStatus, ShareTransactionKind, ShareTransactionStatus
from coop.orgs.models import Cooperative

ISSUE, TRANSFER, REDEMPTION = (ShareTransactionKind.ISSUE, ShareTransactionKind.TRANSFER,
                               ShareTransactionKind.REDEMPTION)
PROPOSED, APPROVED, REJECTED = (ShareTransactionStatus.PROPOSED, ShareTransactionStatus.APPROVED,
                                ShareTransactionStatus.REJECTED)

MAX_CENTS = 10**13  # € 100 billion: beyond any asset
MAX_UNITS = 10_000_000


def today() -> date:
    return date.today()


def _coop(obj) -> Cooperative:
    return db.session.get(Cooperative, obj.cooperative_id)


# --- the register --------------------------------------------------------------------------------

ASSET_FIELDS = ("kind", "name", "status", "address", "latitude", "longitude", "commissioned_on",
                "value_cents", "capacity_watts", "ean_code", "responsible_user_id", "description",
                "unit_price_cents", "units_available", "min_units_per_member",
                "max_units_per_member", "postcode_areas", "is_bookable", "max_hours_per_month",
                "max_open_bookings")


def _clean_asset(coop: Cooperative, values: dict, *, exclude_id: int | None = None) -> dict:
    clean = {k: values.get(k) for k in ASSET_FIELDS}
    name = (clean["name"] or "").strip()
    if not name:
        raise DomainError(_l("This field is required."), field="name")
    q = select(Asset.id).where(Asset.cooperative_id == coop.id, func.lower(Asset.name) == name.lower())
    if exclude_id is not None:
        q = q.where(Asset.id != exclude_id)
    if db.session.scalar(q) is not None:
        raise DomainError(_l("There is already an asset with this name."), field="name")
    clean["name"] = name
    try:
        clean["kind"] = AssetKind(clean["kind"])
        clean["status"] = AssetStatus(clean["status"] or AssetStatus.PLANNED.value)
    except ValueError:
        raise DomainError(_l("Choose one of the options."), field="kind") from None
    for key in ("address", "description"):
        clean[key] = (clean[key] or "").strip() or None
    lat, lon = clean["latitude"], clean["longitude"]
    if (lat is None) != (lon is None):
        raise DomainError(_l("Give both latitude and longitude, or neither."), field="latitude")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DomainError(_l("These are not coordinates on earth."), field="latitude")
    if clean["value_cents"] is not None and not 0 <= clean["value_cents"] <= MAX_CENTS:
        raise DomainError(_l("Give an amount in euros, e.g. 50,00."), field="value_cents")
    if clean["ean_code"]:
        try:
            clean["ean_code"] = rules.normalise_ean(clean["ean_code"])
        except ValueError:
            raise DomainError(_l("An EAN code has 18 digits and a valid check digit, e.g. "
                                 "871685900000000011."), field="ean_code") from None
    else:
        clean["ean_code"] = None
    if clean["capacity_watts"] is not None and clean["capacity_watts"] <= 0:
        raise DomainError(_l("The capacity must be above zero."), field="capacity_watts")
    try:
        clean["postcode_areas"] = " ".join(rules.parse_areas(clean["postcode_areas"] or ""))
    except ValueError as error:
        raise DomainError(_l("“%(area)s” is not a 4-digit postcode area.", area=str(error)),
                          field="postcode_areas") from None
    minimum = clean["min_units_per_member"] or 0
    maximum = clean["max_units_per_member"]
    if minimum < 0:
        raise DomainError(_l("The minimum cannot be negative."), field="min_units_per_member")
    clean["min_units_per_member"] = minimum
    if maximum is not None and maximum < max(minimum, 1):
        raise DomainError(_l("The maximum must be at least the minimum (and at least 1)."),
                          field="max_units_per_member")
    if clean["unit_price_cents"] is not None and not 0 < clean["unit_price_cents"] <= 100_000_000:
        raise DomainError(_l("Give a unit price above zero, e.g. 250,00."), field="unit_price_cents")
    for key in ("units_available", "max_hours_per_month", "max_open_bookings"):
        if clean[key] is not None and clean[key] <= 0:
            raise DomainError(_l("Leave empty for no limit, or give a number above zero."), field=key)
    clean["is_bookable"] = bool(clean["is_bookable"])
    if clean["responsible_user_id"] and clean["responsible_user_id"] not in {
            u.id for u in board_users(coop)}:
        raise DomainError(_l("Choose one of the options."), field="responsible_user_id")
    clean["responsible_user_id"] = clean["responsible_user_id"] or None
    return clean


def board_users(coop: Cooperative) -> list:
    from coop.auth.models import User
    from coop.orgs.models import Role, RoleAssignment

    return list(db.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.cooperative_id == coop.id, RoleAssignment.role == Role.BOARD)
        .order_by(User.name).distinct()))


def create_asset(coop: Cooperative, values: dict, *, actor) -> Asset:
    clean = _clean_asset(coop, values)
    asset = Asset(cooperative_id=coop.id, **clean)
    db.session.add(asset)
    db.session.flush()
    audit.record("assets.create", actor=actor, cooperative=coop, obj=asset, name=asset.name,
                 kind=asset.kind.value)
    return asset


def update_asset(asset: Asset, values: dict, *, actor) -> dict:
    coop = _coop(asset)
    clean = _clean_asset(coop, values, exclude_id=asset.id)
    if (clean["unit_price_cents"] != asset.unit_price_cents and asset.unit_price_cents is not None
            and db.session.scalar(select(ParticipationMutation.id).where(
                ParticipationMutation.asset_id == asset.id,
                ParticipationMutation.status != REJECTED).limit(1))):
        raise DomainError(_l("The unit price cannot change once participations are in the ledger."),
                          field="unit_price_cents")
    changed = {k: [getattr(asset, k), v] for k, v in clean.items() if getattr(asset, k) != v}
    for key, (_old, new) in changed.items():
        setattr(asset, key, new)
    if changed:
        db.session.flush()
        audit.record("assets.update", actor=actor, cooperative=coop, obj=asset,
                     **{k: [str(o) if o is not None else None, str(n) if n is not None else None]
                        for k, (o, n) in changed.items()})
    return changed


def assets_statement(coop: Cooperative, *, kind: str | None = None, bookable: bool = False):
    q = select(Asset).where(Asset.cooperative_id == coop.id).order_by(Asset.name, Asset.id)
    if kind:
        q = q.where(Asset.kind == AssetKind(kind))
    if bookable:
        q = q.where(Asset.is_bookable.is_(True),
                    Asset.status.in_([AssetStatus.IN_OPERATION, AssetStatus.PLANNED]))
    return q


# --- participations --------------------------------------------------------------------------------


def _deltas(asset_id: int, *, as_of: date | None = None, member_ids=None):
    """Signed unit changes (holder_id, effective_on, delta) of the asset's approved lines."""
    P = ParticipationMutation
    cond = [P.asset_id == asset_id, P.status == APPROVED]
    if as_of is not None:
        cond.append(P.effective_on <= as_of)
    giving = select(P.member_id.label("holder_id"), P.effective_on.label("effective_on"),
                    case((P.kind == ISSUE, P.quantity), else_=-P.quantity).label("delta")).where(*cond)
    receiving = select(P.counterparty_id.label("holder_id"), P.effective_on.label("effective_on"),
                       P.quantity.label("delta")).where(*cond, P.kind == TRANSFER)
    if member_ids is not None:
        giving = giving.where(P.member_id.in_(member_ids))
        receiving = receiving.where(P.counterparty_id.in_(member_ids))
    return union_all(giving, receiving).subquery("deltas")


def changes(asset: Asset, *, until: date):
    """Every approved change of units up to ``until``, as :class:`distribution.Change`."""
    from coop.assets.distribution import Change

    d = _deltas(asset.id, as_of=until)
    return [Change(h, day, int(delta)) for h, day, delta in
            db.session.execute(select(d.c.holder_id, d.c.effective_on, d.c.delta))]


@dataclass(frozen=True)
class Participation:
    asset: Asset
    units: int

    @property
    def value_cents(self) -> int:
        return self.units * (self.asset.unit_price_cents or 0)


def _per_holder(asset: Asset, as_of: date | None):
    d = _deltas(asset.id, as_of=as_of or today())
    units = func.sum(d.c.delta)
    return (select(d.c.holder_id, units.label("units")).group_by(d.c.holder_id)
            .having(units != 0).subquery())


def holders(asset: Asset, as_of: date | None = None, *, limit: int | None = None
            ) -> list[tuple[Member, int]]:
    """Members holding units of the asset on ``as_of`` (default today), by number. One query."""
    per = _per_holder(asset, as_of)
    q = (select(Member, per.c.units).join(per, per.c.holder_id == Member.id)
         .order_by(Member.number, Member.id))
    if limit is not None:
        q = q.limit(limit)
    return [(m, int(u)) for m, u in db.session.execute(q).all()]


def holder_count(asset: Asset, as_of: date | None = None) -> int:
    per = _per_holder(asset, as_of)
    return int(db.session.scalar(select(func.count()).select_from(per)) or 0)


def units_outstanding(asset: Asset, as_of: date | None = None) -> int:
    d = _deltas(asset.id, as_of=as_of)
    return int(db.session.scalar(select(func.coalesce(func.sum(d.c.delta), 0))) or 0)


def participations_for(member: Member, as_of: date | None = None) -> list[Participation]:
    """The member's units per asset on ``as_of`` (default today). One query."""
    P = ParticipationMutation
    mine = or_(P.member_id == member.id, P.counterparty_id == member.id)
    delta = case((P.kind == ISSUE, P.quantity), (P.kind == REDEMPTION, -P.quantity),
                 (P.member_id == member.id, -P.quantity), else_=P.quantity)
    sub = (select(P.asset_id, func.sum(delta).label("units"))
           .where(P.cooperative_id == member.cooperative_id, P.status == APPROVED,
                  P.effective_on <= (as_of or today()), mine)
           .group_by(P.asset_id).subquery())
    rows = db.session.execute(select(Asset, sub.c.units).join(sub, sub.c.asset_id == Asset.id)
                              .where(sub.c.units != 0).order_by(Asset.name)).all()
    return [Participation(a, int(u)) for a, u in rows]


def ledger_statement(asset: Asset, *, status: str | None = None):
    P = ParticipationMutation
    q = (select(P).options(joinedload(P.member), joinedload(P.counterparty))
         .where(P.asset_id == asset.id).order_by(P.created_at.desc(), P.id.desc()))
    if status:
        q = q.where(P.status == ShareTransactionStatus(status))
    return q


def _check_mutation(mutation: ParticipationMutation, asset: Asset, people: dict[int, Member]) -> None:
    """Quantity, postcode area, holdings within the asset's limits on every day from the
    line's date on, and the asset's total number of units."""
    if not isinstance(mutation.quantity, int) or mutation.quantity <= 0:
        raise DomainError(_l("The number of units must be a whole number above zero."),
                          field="quantity")
    if mutation.quantity > MAX_UNITS:
        raise DomainError(_l("That is more units than this ledger accepts in one line."),
                          field="quantity")
    receiver = people[mutation.counterparty_id] if mutation.kind == TRANSFER else (
        people[mutation.member_id] if mutation.kind == ISSUE else None)
    if receiver is not None and not rules.in_areas(receiver.postcode, asset.areas):
        raise DomainError(_l("%(name)s (no. %(number)s) lives outside the postcode areas of this "
                             "asset (%(areas)s).", name=receiver.full_name, number=receiver.number,
                             areas=", ".join(asset.areas)),
                          field="counterparty_number" if mutation.kind == TRANSFER else "member_number")
    P = ParticipationMutation
    affected = [mutation.member_id] + ([mutation.counterparty_id] if mutation.counterparty_id else [])
    lines = db.session.execute(
        select(P.id, P.kind, P.member_id, P.counterparty_id, P.quantity, P.effective_on)
        .where(P.asset_id == asset.id, P.status == APPROVED, P.id != (mutation.id or 0),
               or_(P.member_id.in_(affected), P.counterparty_id.in_(affected)))).all()
    timeline = sorted(
        [(line.effective_on, 0, line.id, capital._movement(line.kind, line.member_id,
                                                           line.counterparty_id, line.quantity))
         for line in lines]
        + [(mutation.effective_on, 1, 0, capital._movement(mutation.kind, mutation.member_id,
                                                           mutation.counterparty_id, mutation.quantity))],
        key=lambda item: item[:3])
    for member_id in affected:
        person = people[member_id]
        found = member_rules.timeline_problem(
            [(day, movement) for day, _n, _i, movement in timeline], member_id,
            from_day=mutation.effective_on, minimum=asset.min_units_per_member,
            maximum=asset.max_units_per_member, leaving=capital._is_leaving(person))
        if found:
            problem, units, day = found
            values = {"name": person.full_name, "number": person.number, "units": units,
                      "asset": asset.name}
            if problem == "negative":
                message = _l("%(name)s (no. %(number)s) does not hold enough units of “%(asset)s” "
                             "on %(day)s.", day=day.isoformat(), **values)
            elif problem == "below_minimum":
                message = _l("%(name)s (no. %(number)s) would hold %(units)s units of “%(asset)s”, "
                             "below the minimum of %(minimum)s.",
                             minimum=asset.min_units_per_member, **values)
            else:
                message = _l("%(name)s (no. %(number)s) would hold %(units)s units of “%(asset)s”, "
                             "above the maximum of %(maximum)s per member.",
                             maximum=asset.max_units_per_member, **values)
            raise DomainError(message, field="quantity")
    if mutation.kind == ISSUE and asset.units_available is not None:
        issued = units_outstanding(asset)
        if issued + mutation.quantity > asset.units_available:
            raise DomainError(_l("Only %(left)s of the %(total)s units are still available.",
                                 left=max(asset.units_available - issued, 0),
                                 total=asset.units_available), field="quantity")


def propose_mutation(asset: Asset, *, kind, member: Member, counterparty: Member | None = None,
                     quantity: int, effective_on: date | None = None, note: str | None = None,
                     actor) -> ParticipationMutation:
    """A line in the asset's participation ledger, awaiting the board's approval."""
    coop = _coop(asset)
    if not asset.has_participations:
        raise DomainError(_l("This asset has no participations: give it a unit price first."))
    try:
        kind = ShareTransactionKind(kind)
    except ValueError:
        raise DomainError(_l("Choose subscription, transfer or redemption."), field="kind") from None
    capital._check_parties(coop, kind, member, counterparty)
    mutation = ParticipationMutation(
        cooperative_id=coop.id, asset_id=asset.id, kind=kind, status=PROPOSED, member_id=member.id,
        counterparty_id=counterparty.id if counterparty is not None else None, quantity=quantity,
        effective_on=effective_on or today(), note=(note or "").strip() or None,
        proposed_by_id=getattr(actor, "id", None))
    if mutation.effective_on > member_rules.add_months(today(), capital.MAX_MONTHS_AHEAD):
        raise DomainError(_l("The effective date can be at most a year ahead."), field="effective_on")
    people = {member.id: member, **({counterparty.id: counterparty} if counterparty else {})}
    _check_mutation(mutation, asset, people)
    db.session.add(mutation)
    db.session.flush()
    audit.record("assets.propose_participation", actor=actor, cooperative=coop, obj=mutation,
                 asset_id=asset.id, kind=kind.value, quantity=quantity,
                 effective_on=mutation.effective_on.isoformat(), number=member.number,
                 counterparty_number=counterparty.number if counterparty else None)
    return mutation


def propose_by_numbers(asset: Asset, *, kind: str, member_number, counterparty_number,
                       quantity, effective_on, note, actor) -> ParticipationMutation:
    coop = _coop(asset)
    member = capital.member_by_number(coop, member_number, field="member_number")
    counterparty = None
    if kind == TRANSFER.value and counterparty_number is not None:
        counterparty = capital.member_by_number(coop, counterparty_number, field="counterparty_number")
    return propose_mutation(asset, kind=kind, member=member, counterparty=counterparty,
                            quantity=quantity, effective_on=effective_on, note=note, actor=actor)


def _lock(mutation: ParticipationMutation) -> tuple[Asset, dict[int, Member]]:
    """Lock the asset (one approval per asset at a time: the total of units stays right),
    the line and its members, and reload them."""
    asset = db.session.scalars(select(Asset).where(Asset.id == mutation.asset_id).with_for_update()
                               .execution_options(populate_existing=True)).one()
    db.session.execute(select(ParticipationMutation).where(ParticipationMutation.id == mutation.id)
                       .with_for_update().execution_options(populate_existing=True))
    ids = sorted({mutation.member_id, *([mutation.counterparty_id] if mutation.counterparty_id else [])})
    members = db.session.scalars(select(Member).where(Member.id.in_(ids)).order_by(Member.id)
                                 .with_for_update().execution_options(populate_existing=True)).all()
    return asset, {m.id: m for m in members}


def _require_proposed(mutation: ParticipationMutation) -> None:
    if mutation.status == APPROVED:
        raise DomainError(_l("This transaction has already been approved."))
    if mutation.status == REJECTED:
        raise DomainError(_l("This transaction was rejected; propose it again if needed."))


def approve_mutation(mutation: ParticipationMutation, *, actor) -> ParticipationMutation:
    asset, people = _lock(mutation)
    _require_proposed(mutation)
    coop = _coop(asset)
    capital._check_parties(coop, mutation.kind, people[mutation.member_id],
                           people.get(mutation.counterparty_id) if mutation.counterparty_id else None)
    _check_mutation(mutation, asset, people)
    mutation.status = APPROVED
    mutation.decided_by_id = getattr(actor, "id", None)
    mutation.decided_at = utcnow()
    db.session.flush()
    audit.record("assets.approve_participation", actor=actor, cooperative=coop, obj=mutation,
                 asset_id=asset.id, kind=mutation.kind.value, quantity=mutation.quantity,
                 effective_on=mutation.effective_on.isoformat())
    return mutation


def reject_mutation(mutation: ParticipationMutation, *, actor) -> ParticipationMutation:
    _lock(mutation)
    _require_proposed(mutation)
    mutation.status = REJECTED
    mutation.decided_by_id = getattr(actor, "id", None)
    mutation.decided_at = utcnow()
    db.session.flush()
    audit.record("assets.reject_participation", actor=actor, cooperative=_coop(mutation),
                 obj=mutation, quantity=mutation.quantity)
    return mutation


# --- readings ---------------------------------------------------------------------------------------


def _as_rule(r: Reading) -> rules.Reading:
    return rules.Reading(r.read_on, r.meter_kwh, r.is_meter_replacement)


def readings(asset: Asset) -> list[Reading]:
    return list(db.session.scalars(select(Reading).where(Reading.asset_id == asset.id)
                                   .order_by(Reading.read_on)))


def add_reading(asset: Asset, *, read_on: date, meter_kwh: int, is_meter_replacement: bool = False,
                actor, audit_it: bool = True) -> Reading:
    """A meter reading; refused when lower than the reading before it (unless a new meter was
    placed) or higher than the one after it."""
    if not asset.is_energy:
        raise DomainError(_l("Only energy assets have production readings."))
    if read_on is None or read_on > today():
        raise DomainError(_l("The reading date cannot be in the future."), field="read_on")
    if not isinstance(meter_kwh, int) or meter_kwh < 0 or meter_kwh > 10**12:
        raise DomainError(_l("Give the meter reading in whole kWh."), field="meter_kwh")
    R = Reading
    if db.session.scalar(select(R.id).where(R.asset_id == asset.id, R.read_on == read_on)):
        raise DomainError(_l("There is already a reading on %(day)s.", day=read_on.isoformat()),
                          field="read_on")
    before = db.session.scalar(select(R).where(R.asset_id == asset.id, R.read_on < read_on)
                               .order_by(R.read_on.desc()).limit(1))
    new = rules.Reading(read_on, meter_kwh, is_meter_replacement)
    if rules.reading_problem(_as_rule(before) if before else None, new) == "lower":
        raise DomainError(_l("The meter reading %(new)s kWh is lower than the previous reading of "
                             "%(old)s kWh on %(day)s. Mark it as a meter replacement if a new "
                             "meter was placed.", new=meter_kwh, old=before.meter_kwh,
                             day=before.read_on.isoformat()), field="meter_kwh")
    after = db.session.scalar(select(R).where(R.asset_id == asset.id, R.read_on > read_on)
                              .order_by(R.read_on).limit(1))
    if after is not None and rules.reading_problem(new, _as_rule(after)) == "lower":
        raise DomainError(_l("The meter reading is higher than the next reading of %(old)s kWh on "
                             "%(day)s.", old=after.meter_kwh, day=after.read_on.isoformat()),
                          field="meter_kwh")
    reading = Reading(cooperative_id=asset.cooperative_id, asset_id=asset.id, read_on=read_on,
                      meter_kwh=meter_kwh, is_meter_replacement=bool(is_meter_replacement),
                      created_by_id=getattr(actor, "id", None))
    db.session.add(reading)
    db.session.flush()
    if audit_it:
        audit.record("assets.add_reading", actor=actor, cooperative=_coop(asset), obj=reading,
                     asset_id=asset.id, read_on=read_on.isoformat(), meter_kwh=meter_kwh,
                     is_meter_replacement=bool(is_meter_replacement))
    return reading


def import_readings(asset: Asset, text: str, *, actor) -> int:
    """Readings from CSV (``date;kWh[;replacement]``, a header line allowed, ``,`` or ``;``).
    All or nothing: the first bad line refuses the whole file with its line number."""
    import csv
    import io

    sample = text[:2000]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    added = 0
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells and not cells[0][:1].isdigit():
            continue  # header
        try:
            day = date.fromisoformat(cells[0])
            kwh = int(cells[1].replace(".", "").replace(" ", "")) if len(cells) > 1 else None
        except (ValueError, IndexError):
            kwh = None
        if kwh is None:
            raise DomainError(_l("Line %(line)s: give a date (YYYY-MM-DD) and a meter reading in "
                                 "whole kWh.", line=number), field="file")
        replacement = len(cells) > 2 and cells[2].lower() in ("1", "ja", "yes", "true", "x")
        try:
            add_reading(asset, read_on=day, meter_kwh=kwh, is_meter_replacement=replacement,
                        actor=actor, audit_it=False)
        except DomainError as error:
            raise DomainError(_l("Line %(line)s: %(problem)s", line=number,
                                 problem=str(error.message)), field="file") from None
        added += 1
    if not added:
        raise DomainError(_l("The file holds no readings."), field="file")
    audit.record("assets.import_readings", actor=actor, cooperative=_coop(asset), obj=asset,
                 added=added)
    return added


@dataclass(frozen=True)
class Production:
    by_month: dict[tuple[int, int], int]
    by_year: dict[int, int]
    #: Avoided CO₂ in kg per year, for the years with an emission factor.
    co2_kg_by_year: dict[int, int]
    factors: dict[int, EmissionFactor]

    @property
    def total_kwh(self) -> int:
        return sum(self.by_year.values())


def production(asset: Asset) -> Production:
    produced = rules.productions([_as_rule(r) for r in readings(asset)])
    by_year = rules.totals_by_year(produced)
    factors = {f.year: f for f in db.session.scalars(
        select(EmissionFactor).where(EmissionFactor.cooperative_id == asset.cooperative_id))}
    co2 = {y: rules.avoided_co2_kg(kwh, factors[y].grams_per_kwh)
           for y, kwh in by_year.items() if y in factors}
    return Production(rules.totals_by_month(produced), by_year, co2, factors)


def produced_between(asset: Asset, start: date, end: date) -> int:
    """kWh of the readings dated within ``start``..``end``."""
    return sum(kwh for day, kwh in rules.productions([_as_rule(r) for r in readings(asset)])
               if start <= day <= end)


def emission_factors(coop: Cooperative) -> list[EmissionFactor]:
    return list(db.session.scalars(select(EmissionFactor).where(
        EmissionFactor.cooperative_id == coop.id).order_by(EmissionFactor.year.desc())))


def set_emission_factor(coop: Cooperative, *, year: int, grams_per_kwh: int, source: str,
                        actor) -> EmissionFactor:
    """The avoided-CO₂ factor of a year (replaces an earlier figure for that year)."""
    if not isinstance(year, int) or not 1990 <= year <= today().year + 1:
        raise DomainError(_l("Give a year up to next year."), field="year")
    if not isinstance(grams_per_kwh, int) or not 0 <= grams_per_kwh <= 2000:
        raise DomainError(_l("Give grams of CO₂ per kWh, between 0 and 2000."), field="grams_per_kwh")
    source = (source or "").strip()
    if not source:
        raise DomainError(_l("Say where the figure comes from."), field="source")
    factor = db.session.scalar(select(EmissionFactor).where(
        EmissionFactor.cooperative_id == coop.id, EmissionFactor.year == year))
    if factor is None:
        factor = EmissionFactor(cooperative_id=coop.id, year=year)
        db.session.add(factor)
    factor.grams_per_kwh, factor.source = grams_per_kwh, source[:200]
    db.session.flush()
    audit.record("assets.set_emission_factor", actor=actor, cooperative=coop, obj=factor,
                 year=year, grams_per_kwh=grams_per_kwh, source=factor.source)
    return factor


# --- dwellings ----------------------------------------------------------------------------------------


def allocations(asset: Asset) -> list[DwellingAllocation]:
    return list(db.session.scalars(select(DwellingAllocation).options(
        joinedload(DwellingAllocation.member)).where(DwellingAllocation.asset_id == asset.id)
        .order_by(DwellingAllocation.starts_on.desc())))


def allocate_dwelling(asset: Asset, *, member_number, starts_on: date, ends_on: date | None,
                      household: str | None, actor) -> DwellingAllocation:
    """Let a dwelling to a member; periods of one dwelling may not overlap."""
    if asset.kind != AssetKind.DWELLING:
        raise DomainError(_l("Only dwellings are allocated to members."))
    coop = _coop(asset)
    member = capital.member_by_number(coop, member_number, field="member_number")
    if member.status != MemberStatus.MEMBER:
        raise DomainError(_l("Only current members can be allocated a dwelling."),
                          field="member_number")
    if starts_on is None:
        raise DomainError(_l("This field is required."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_l("The end date lies before the start date."), field="ends_on")
    D = DwellingAllocation
    far = date(9999, 12, 31)
    for other in db.session.scalars(select(D).where(D.asset_id == asset.id).with_for_update()):
        if starts_on <= (other.ends_on or far) and other.starts_on <= (ends_on or far):
            raise DomainError(_l("The dwelling is already allocated in that period."),
                              field="starts_on")
    allocation = D(cooperative_id=coop.id, asset_id=asset.id, member_id=member.id,
                   starts_on=starts_on, ends_on=ends_on, household=(household or "").strip() or None)
    db.session.add(allocation)
    db.session.flush()
    entry = db.session.scalar(select(WaitingListEntry).where(WaitingListEntry.member_id == member.id))
    if entry is not None:
        db.session.delete(entry)
    audit.record("assets.allocate_dwelling", actor=actor, cooperative=coop, obj=allocation,
                 asset_id=asset.id, number=member.number, starts_on=starts_on.isoformat(),
                 ends_on=ends_on.isoformat() if ends_on else None)
    return allocation


def waiting_list(coop: Cooperative) -> list[WaitingListEntry]:
    return list(db.session.scalars(select(WaitingListEntry).options(
        joinedload(WaitingListEntry.member)).where(WaitingListEntry.cooperative_id == coop.id)
        .order_by(WaitingListEntry.registered_on, WaitingListEntry.id)))


def add_to_waiting_list(coop: Cooperative, *, member_number, registered_on: date | None,
                        preferences: str | None, actor) -> WaitingListEntry:
    member = capital.member_by_number(coop, member_number, field="member_number")
    if db.session.scalar(select(WaitingListEntry.id).where(WaitingListEntry.member_id == member.id)):
        raise DomainError(_l("This member is already on the waiting list."), field="member_number")
    entry = WaitingListEntry(cooperative_id=coop.id, member_id=member.id,
                             registered_on=registered_on or today(),
                             preferences=(preferences or "").strip() or None)
    db.session.add(entry)
    db.session.flush()
    audit.record("assets.waiting_list_add", actor=actor, cooperative=coop, obj=entry,
                 number=member.number, registered_on=entry.registered_on.isoformat())
    return entry


def dwelling_for(member: Member) -> DwellingAllocation | None:
    D = DwellingAllocation
    return db.session.scalar(select(D).options(joinedload(D.asset)).where(
        D.member_id == member.id, D.starts_on <= today(),
        or_(D.ends_on.is_(None), D.ends_on >= today())).order_by(D.starts_on.desc()).limit(1))


def waiting_position(member: Member) -> int | None:
    entries = waiting_list(member.cooperative)
    for position, entry in enumerate(entries, start=1):
        if entry.member_id == member.id:
            return position
    return None


# --- upkeep ---------------------------------------------------------------------------------------------


def tasks(asset: Asset) -> list[MaintenanceTask]:
    T = MaintenanceTask
    return list(db.session.scalars(select(T).where(T.asset_id == asset.id).order_by(
        T.done_on.is_not(None), T.due_on, T.done_on.desc(), T.id)))


def add_task(asset: Asset, *, title: str, notes: str | None, due_on: date | None,
             done_on: date | None, responsible_user_id: int | None, actor) -> MaintenanceTask:
    """Planned maintenance (a due date) or a log entry (a date done)."""
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("This field is required."), field="title")
    if due_on is None and done_on is None:
        raise DomainError(_l("Give a due date for planned work or the date it was done."),
                          field="due_on")
    if done_on is not None and done_on > today():
        raise DomainError(_l("The date done cannot be in the future."), field="done_on")
    coop = _coop(asset)
    if responsible_user_id and responsible_user_id not in {u.id for u in board_users(coop)}:
        raise DomainError(_l("Choose one of the options."), field="responsible_user_id")
    task = MaintenanceTask(cooperative_id=coop.id, asset_id=asset.id, title=title[:200],
                           notes=(notes or "").strip() or None, due_on=due_on, done_on=done_on,
                           responsible_user_id=responsible_user_id or None)
    db.session.add(task)
    db.session.flush()
    audit.record("assets.add_task", actor=actor, cooperative=coop, obj=task, asset_id=asset.id,
                 title=task.title, due_on=due_on.isoformat() if due_on else None,
                 done_on=done_on.isoformat() if done_on else None)
    return task


def complete_task(task: MaintenanceTask, *, done_on: date | None, actor) -> MaintenanceTask:
    if task.done_on is not None:
        raise DomainError(_l("This work is already marked as done."))
    done_on = done_on or today()
    if done_on > today():
        raise DomainError(_l("The date done cannot be in the future."), field="done_on")
    task.done_on = done_on
    db.session.flush()
    audit.record("assets.complete_task", actor=actor, cooperative=_coop(task), obj=task,
                 done_on=done_on.isoformat())
    return task


#: Reminders go out this many days before the due date.
REMIND_DAYS_AHEAD = 14


def send_reminders(*, on: date | None = None) -> int:
    """Queue one reminder per open task due within :data:`REMIND_DAYS_AHEAD` days (or overdue)
    to its responsible person, or the asset's. Returns the number queued. For cron."""
    from datetime import timedelta

    from coop.auth.models import User
    from coop.core.mail import queue

    on = on or today()
    T = MaintenanceTask
    due = db.session.scalars(select(T).options(joinedload(T.asset)).where(
        T.done_on.is_(None), T.reminded_at.is_(None), T.due_on.is_not(None),
        T.due_on <= on + timedelta(days=REMIND_DAYS_AHEAD)).order_by(T.id)).all()
    sent = 0
    for task in due:
        user_id = task.responsible_user_id or task.asset.responsible_user_id
        user = db.session.get(User, user_id) if user_id else None
        if user is None:
            continue
        coop = _coop(task)
        queue(user.email, "asset_maintenance_due", locale=getattr(user, "locale", None) or "nl",
              cooperative=coop, task=task, asset=task.asset, coop=coop, user=user)
        task.reminded_at = utcnow()
        sent += 1
        audit.record("assets.remind_task", actor=None, cooperative=coop, obj=task,
                     to_user_id=user.id)
    db.session.flush()
    return sent


# --- documents -------------------------------------------------------------------------------------------

#: Kinds of document accepted, by their first bytes (magic numbers): (prefix, type, extension).
DOCUMENT_KINDS = ((b"%PDF-", "application/pdf", ".pdf"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
                  (b"\xff\xd8\xff", "image/jpeg", ".jpg"))
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_FOLDER = "assets"


def document_kind(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, PNG or JPEG file from its first bytes, else None."""
    for prefix, content_type, extension in DOCUMENT_KINDS:
        if head.startswith(prefix):
            return content_type, extension
    return None


def add_document(asset: Asset, stream, *, filename: str, title: str | None, actor):
    """Keep a file with the asset: at most 10 MB, a PDF, PNG or JPEG by its content."""
    import re
    from pathlib import PurePath

    from coop.assets.models import AssetDocument
    from coop.members.importing import store_upload

    path, digest, size = store_upload(
        stream, limit=MAX_DOCUMENT_BYTES, folder=DOCUMENT_FOLDER,
        too_large=_l("The file is larger than %(mb)d MB.", mb=MAX_DOCUMENT_BYTES // (1024 * 1024)))
    with open(path, "rb") as f:
        kind = document_kind(f.read(16))
    if kind is None or size == 0:
        path.unlink(missing_ok=True)
        raise DomainError(_l("Only PDF, PNG and JPEG files can be kept with an asset."), field="file")
    name = re.sub(r"[^\w.\- ]+", "_", PurePath((filename or "").replace("\\", "/")).name).strip() or "document"
    stem = name.rsplit(".", 1)[0][:180]
    document = AssetDocument(
        cooperative_id=asset.cooperative_id, asset_id=asset.id,
        title=((title or "").strip() or stem)[:200], filename=stem + kind[1], content_type=kind[0],
        size_bytes=size, sha256=digest, stored_name=path.name,
        uploaded_by_id=getattr(actor, "id", None))
    db.session.add(document)
    try:
        db.session.flush()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    audit.record("assets.add_document", actor=actor, cooperative=_coop(asset), obj=document,
                 asset_id=asset.id, title=document.title, sha256=digest, size_bytes=size)
    return document


def documents(asset: Asset) -> list:
    from coop.assets.models import AssetDocument

    return list(db.session.scalars(select(AssetDocument).where(AssetDocument.asset_id == asset.id)
                                   .order_by(AssetDocument.created_at.desc(), AssetDocument.id.desc())))


def document_path(document):
    from coop.members.importing import upload_dir

    return upload_dir(DOCUMENT_FOLDER) / document.stored_name
