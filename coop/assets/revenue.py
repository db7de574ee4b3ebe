"""Revenue distributions: compute (draft), review, approve (frozen), export (CSV, SEPA
credit transfer) and the member's yield statement (page and yearly PDF).

The split itself is the pure :func:`coop.assets.distribution.distribute`; this module feeds it
the asset's approved participation ledger and stores the result.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from coop.assets import distribution as split
from coop.assets import services
from coop.assets.models import (Asset, Distribution, DistributionShare, DistributionStatus)
from coop.core import audit
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.members.capital import euros
from coop.members.models import Member
from coop.orgs.models import Cooperative

DRAFT, APPROVED = DistributionStatus.DRAFT, DistributionStatus.APPROVED
MAX_AMOUNT_CENTS = 10**12


def amount_from_kwh(kwh: int, price_per_kwh_millis: int) -> int:
    """kWh × price (in tenths of a cent per kWh) in cents, rounded half up."""
    return (kwh * price_per_kwh_millis + 5) // 10


def create_distribution(asset: Asset, *, period_start_on: date, period_end_on: date,
                        amount_cents: int | None = None, price_per_kwh_millis: int | None = None,
                        description: str | None = None, actor) -> Distribution:
    """A draft distribution: each participant's share of the amount (or of the period's
    production × a price per kWh), pro rata by units held per day, in whole cents."""
    if not asset.has_participations:
        raise DomainError(_l("This asset has no participations: give it a unit price first."))
    if period_start_on is None or period_end_on is None:
        raise DomainError(_l("Give the first and the last day of the period."), field="period_start_on")
    if period_end_on < period_start_on:
        raise DomainError(_l("The period ends before it starts."), field="period_end_on")
    kwh = None
    if amount_cents is None:
        if not price_per_kwh_millis or price_per_kwh_millis <= 0:
            raise DomainError(_l("Give an amount, or a price per kWh to apply to the production of "
                                 "the period."), field="amount_cents")
        kwh = services.produced_between(asset, period_start_on, period_end_on)
        if kwh <= 0:
            raise DomainError(_l("There is no production recorded in this period."),
                              field="price_per_kwh")
        amount_cents = amount_from_kwh(kwh, price_per_kwh_millis)
    else:
        price_per_kwh_millis = None
    if not isinstance(amount_cents, int) or not 0 < amount_cents <= MAX_AMOUNT_CENTS:
        raise DomainError(_l("Give an amount above zero."), field="amount_cents")
    weights = split.unit_days(services.changes(asset, until=period_end_on), period_start_on,
                              period_end_on)
    if not weights:
        raise DomainError(_l("No member held participations in this asset during this period: "
                             "there is nobody to distribute to."), field="period_start_on")
    shares = split.largest_remainder(amount_cents, dict(sorted(weights.items())))
    coop = db.session.get(Cooperative, asset.cooperative_id)
    dist = Distribution(
        cooperative_id=coop.id, asset_id=asset.id, period_start_on=period_start_on,
        period_end_on=period_end_on, amount_cents=amount_cents, kwh=kwh,
        price_per_kwh_millis=price_per_kwh_millis, status=DRAFT,
        description=((description or "").strip() or
                     f"{asset.name} {period_start_on.isoformat()} – {period_end_on.isoformat()}")[:200],
        created_by_id=getattr(actor, "id", None))
    db.session.add(dist)
    db.session.flush()
    db.session.execute(DistributionShare.__table__.insert(), [
        {"distribution_id": dist.id, "member_id": member_id, "unit_days": weights[member_id],
         "amount_cents": cents} for member_id, cents in shares.items()])
    audit.record("assets.create_distribution", actor=actor, cooperative=coop, obj=dist,
                 asset_id=asset.id, amount_cents=amount_cents, kwh=kwh,
                 period=[period_start_on.isoformat(), period_end_on.isoformat()],
                 participants=len(shares))
    return dist


def _lock(dist: Distribution) -> None:
    db.session.execute(select(Distribution).where(Distribution.id == dist.id).with_for_update()
                       .execution_options(populate_existing=True))


def approve_distribution(dist: Distribution, *, actor) -> Distribution:
    """Approve a reviewed draft; from now on it is frozen (no change, no removal)."""
    _lock(dist)
    if dist.status == APPROVED:
        raise DomainError(_l("This distribution has already been approved."))
    dist.status = APPROVED
    dist.approved_by_id = getattr(actor, "id", None)
    dist.approved_at = utcnow()
    db.session.flush()
    audit.record("assets.approve_distribution", actor=actor,
                 cooperative=db.session.get(Cooperative, dist.cooperative_id), obj=dist,
                 amount_cents=dist.amount_cents)
    return dist


def discard_distribution(dist: Distribution, *, actor) -> None:
    """Remove a draft (e.g. to make it again with other figures). Approved ones stay."""
    _lock(dist)
    if dist.status == APPROVED:
        raise DomainError(_l("An approved distribution is frozen and cannot be removed."))
    coop = db.session.get(Cooperative, dist.cooperative_id)
    db.session.execute(DistributionShare.__table__.delete().where(
        DistributionShare.distribution_id == dist.id))
    audit.record("assets.discard_distribution", actor=actor, cooperative=coop, obj=dist,
                 amount_cents=dist.amount_cents)
    db.session.delete(dist)
    db.session.flush()


def distributions_statement(coop: Cooperative, asset: Asset | None = None):
    q = (select(Distribution).options(joinedload(Distribution.asset))
         .where(Distribution.cooperative_id == coop.id)
         .order_by(Distribution.period_end_on.desc(), Distribution.id.desc()))
    if asset is not None:
        q = q.where(Distribution.asset_id == asset.id)
    return q


def shares_statement(dist: Distribution):
    return (select(DistributionShare).join(DistributionShare.member)
            .options(joinedload(DistributionShare.member))
            .where(DistributionShare.distribution_id == dist.id)
            .order_by(Member.number, Member.id))


@dataclass(frozen=True)
class Totals:
    participants: int
    amount_cents: int


def totals(dist: Distribution) -> Totals:
    n, total = db.session.execute(select(func.count(), func.coalesce(func.sum(
        DistributionShare.amount_cents), 0)).where(DistributionShare.distribution_id == dist.id)).one()
    return Totals(int(n), int(total))


def _rows(dist: Distribution):
    return db.session.execute(
        select(Member.number, Member.first_name, Member.name_prefix, Member.last_name, Member.iban,
               DistributionShare.unit_days, DistributionShare.amount_cents)
        .join(Member, Member.id == DistributionShare.member_id)
        .where(DistributionShare.distribution_id == dist.id).order_by(Member.number, Member.id))


def _name(first, prefix, last) -> str:
    return " ".join(p for p in (first, prefix, last) if p)


def distribution_csv(dist: Distribution) -> str:
    """One line per member: number, name, IBAN, unit-days, amount in euros (decimal point)."""
    from flask_babel import gettext as _

    from coop.core.csvsafe import write_csv

    header = [_("Member number"), _("Name"), _("IBAN"), _("Unit-days"), _("Amount (EUR)")]
    body = ([number, _name(first, prefix, last), iban or "", unit_days, euros(cents)]
            for number, first, prefix, last, iban, unit_days, cents in _rows(dist))
    return write_csv(header, body)


def valid_iban(value: str | None) -> str | None:
    """The IBAN in its compact form when it is valid (checksum, length, bank code), else None."""
    if not value:
        return None
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        return IBAN(value).compact
    except (SchwiftyException, ValueError):
        return None


@dataclass(frozen=True)
class SepaExport:
    xml: bytes
    payments: int
    amount_cents: int
    #: (number, name, amount) of members left out for want of a valid IBAN.
    left_out: list[tuple[int, str, int]]


def sepa_transfer(dist: Distribution, *, debtor_name: str, debtor_iban: str,
                  debtor_bic: str | None, execution_on: date, skip_invalid: bool = False,
                  actor) -> SepaExport:
    """The payments of an approved distribution as a SEPA credit-transfer file (pain.001.001.03),
    made with ``sepaxml``. Every IBAN is checked with ``schwifty``; members without a valid one
    refuse the export unless ``skip_invalid`` (they are then listed, to be paid otherwise)."""
    from sepaxml import SepaTransfer

    if dist.status != APPROVED:
        raise DomainError(_l("Only an approved distribution can be paid out."))
    iban = valid_iban(debtor_iban)
    if iban is None:
        raise DomainError(_l("This is not a valid IBAN."), field="debtor_iban")
    if not (debtor_name or "").strip():
        raise DomainError(_l("This field is required."), field="debtor_name")
    if execution_on is None or execution_on < services.today():
        raise DomainError(_l("The execution date cannot be in the past."), field="execution_on")
    config = {"name": debtor_name.strip()[:70], "IBAN": iban, "batch": True, "currency": "EUR"}
    if debtor_bic:
        config["BIC"] = debtor_bic.strip().upper()
    sepa = SepaTransfer(config, clean=True)
    left_out, payments, total = [], 0, 0
    for number, first, prefix, last, member_iban, _days, cents in _rows(dist):
        if cents <= 0:
            continue
        name = _name(first, prefix, last)
        compact = valid_iban(member_iban)
        if compact is None:
            left_out.append((number, name, cents))
            continue
        sepa.add_payment({
            "name": name, "IBAN": compact, "amount": int(cents), "execution_date": execution_on,
            "description": dist.description[:140],
            "endtoend_id": f"D{dist.id}M{number}"[:35],
        })
        payments += 1
        total += cents
    if left_out and not skip_invalid:
        names = ", ".join(f"{name} ({number})" for number, name, _c in left_out[:5])
        raise DomainError(_l("%(count)s members have no valid IBAN: %(names)s. Correct their "
                             "details, or leave them out and pay them otherwise.",
                             count=len(left_out), names=names), field="skip_invalid")
    if not payments:
        raise DomainError(_l("There is nothing to pay out."))
    xml = sepa.export(validate=True)
    audit.record("assets.export_sepa", actor=actor,
                 cooperative=db.session.get(Cooperative, dist.cooperative_id), obj=dist,
                 payments=payments, amount_cents=total, left_out=len(left_out),
                 execution_on=execution_on.isoformat())
    return SepaExport(xml, payments, total, left_out)


# --- the member's yield -----------------------------------------------------------------------------


@dataclass(frozen=True)
class YieldLine:
    share: DistributionShare
    distribution: Distribution
    asset: Asset


def yield_for(member: Member, *, year: int | None = None) -> list[YieldLine]:
    """The member's parts of approved distributions, newest first (of one year: by the end of
    the period). One query."""
    S, D = DistributionShare, Distribution
    q = (select(S, D, Asset).join(D, D.id == S.distribution_id).join(Asset, Asset.id == D.asset_id)
         .where(S.member_id == member.id, D.status == APPROVED,
                D.cooperative_id == member.cooperative_id)
         .order_by(D.period_end_on.desc(), D.id.desc()))
    if year is not None:
        q = q.where(D.period_end_on >= date(year, 1, 1), D.period_end_on <= date(year, 12, 31))
    return [YieldLine(s, d, a) for s, d, a in db.session.execute(q)]


def yield_years(member: Member) -> list[int]:
    return sorted({line.distribution.period_end_on.year for line in yield_for(member)}, reverse=True)


def yield_pdf(member: Member, year: int, *, locale: str | None = None) -> bytes:
    """The member's yearly statement: participations at year end, the year's yield per
    distribution with the total, and a chart of the production of the assets they hold."""
    from coop.assets.chart import monthly_chart
    from coop.core.pdf import render_pdf

    lines = yield_for(member, year=year)
    held = services.participations_for(member, as_of=date(year, 12, 31))
    charts = []
    for p in held:
        if p.asset.is_energy:
            prod = services.production(p.asset)
            charts.append((p.asset, monthly_chart(prod.by_month, year), prod.by_year.get(year, 0),
                           prod.co2_kg_by_year.get(year)))
    context = {"coop": member.cooperative, "member": member, "year": year, "lines": lines,
               "total_cents": sum(line.share.amount_cents for line in lines), "held": held,
               "charts": charts, "issued_on": services.today()}
    css = [CHART_CSS]
    if locale is None:
        return render_pdf("pdf/assets_yield.html", extra_css=css, **context)
    from flask_babel import force_locale

    with force_locale(locale):
        return render_pdf("pdf/assets_yield.html", extra_css=css, current_locale=locale, **context)


CHART_CSS = ".chart svg { width: 100%; height: auto; } .chart { margin: 0.5em 0 1em; }"
