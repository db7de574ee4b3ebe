"""Member capital and fees: share types, the share ledger, holdings, statements, categories, fees.

Services flush and write the audit log; the view (or CLI command) commits once. Refusals are
:class:`~coop.core.errors.DomainError` with a translatable message.

Holdings are never stored: they are derived from the *approved* lines of the share ledger
(:class:`~coop.members.models.ShareTransaction`), counting a line from its ``effective_on``
day. Lists aggregate in SQL (``SUM(CASE …)`` grouped per holder and share type); the rules of
:mod:`coop.members.rules` (``holdings``, ``holding_problem``) decide whether a transaction is
allowed, both when it is proposed and again, under a row lock, when the board approves it.

For other areas (the member's own pages, letters, exports) — these names are stable:

``holdings_for(member, as_of=None) -> list[Holding]``
    The member's holdings per share type on ``as_of`` (default today), only types with units;
    each :class:`Holding` has ``share_type``, ``units``, ``nominal_cents`` and ``value_cents``.
    One query.

``statement_pdf(member, as_of=None, *, locale=None) -> bytes``
    The member's share statement as PDF: the cooperative's name and KvK number, the member's
    name, number and address, holdings per share type, the approved transactions up to
    ``as_of`` and the date of issue. In the language of the current request (Flask-Babel), or
    ``locale`` ("nl"/"en") when given. Needs an app context (and a request context when no
    ``locale`` is given). Reads only; not audited.

``member_ledger(member, as_of=None) -> list[StatementLine]``
    The approved transactions that concern the member, up to ``as_of``, with the change in
    units seen from the member (+ received, − given).

Fees: ``charge_year`` creates one :class:`~coop.members.models.FeeCharge` per current member
with a category (idempotent), ``mark_paid`` / ``mark_unpaid`` record payment, ``fees_csv``
writes the year's charges for bookkeeping (formula injection neutralised by
:mod:`coop.core.csvsafe`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, literal, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload

from coop.core import audit
from coop.core.db import insert_ignoring_duplicates, utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.members import rules
from coop.members.models import (FeeCharge, Member, MemberCategory, MemberStatus, ShareTransaction,
                                  ShareTransactionKind, ShareTransactionStatus, ShareType)
from coop.orgs.models import Cooperative

ISSUE, TRANSFER, REDEMPTION = (ShareTransactionKind.ISSUE, ShareTransactionKind.TRANSFER,
                               ShareTransactionKind.REDEMPTION)
PROPOSED, APPROVED, REJECTED = (ShareTransactionStatus.PROPOSED, ShareTransactionStatus.APPROVED,
                                ShareTransactionStatus.REJECTED)

KIND_LABELS = {ISSUE: _l("Issue"), TRANSFER: _l("Transfer"), REDEMPTION: _l("Redemption")}
TX_STATUS_LABELS = {PROPOSED: _l("Proposed"), APPROVED: _l("Approved"), REJECTED: _l("Rejected")}

#: Largest amounts accepted from forms (the columns are 32-bit integers of cents).
MAX_NOMINAL_CENTS = 100_000_000  # € 1,000,000 per share
MAX_FEE_CENTS = 10_000_000  # € 100,000 per year
MAX_QUANTITY = 1_000_000
#: How far ahead a transaction may be dated.
MAX_MONTHS_AHEAD = 12


def today() -> date:
    return date.today()


# --- share types -------------------------------------------------------------------------------


def share_types(coop: Cooperative) -> list[ShareType]:
    return list(db.session.scalars(
        select(ShareType).where(ShareType.cooperative_id == coop.id).order_by(ShareType.name)))


def _unique_name(model, coop: Cooperative, values: dict, exclude_id: int | None, taken) -> str:
    """The trimmed ``name`` of a share type or category: required, at most 80 characters, and
    not used twice in one cooperative (case-insensitively)."""
    name = (values.get("name") or "").strip()
    if not name:
        raise DomainError(_l("This field is required."), field="name")
    if len(name) > 80:
        raise DomainError(_l("At most 80 characters."), field="name")
    q = select(model.id).where(model.cooperative_id == coop.id, func.lower(model.name) == name.lower())
    if exclude_id is not None:
        q = q.where(model.id != exclude_id)
    if db.session.scalar(q) is not None:
        raise DomainError(taken, field="name")
    return name


def _clean_share_type(coop: Cooperative, values: dict, *, exclude_id: int | None = None) -> dict:
    name = _unique_name(ShareType, coop, values, exclude_id,
                        _l("There is already a share type with this name."))
    nominal = values.get("nominal_cents")
    if not isinstance(nominal, int) or nominal <= 0 or nominal > MAX_NOMINAL_CENTS:
        raise DomainError(_l("Give a nominal value above zero, e.g. 50,00."), field="nominal_cents")
    minimum = values.get("min_per_member") or 0
    maximum = values.get("max_per_member")
    if minimum < 0:
        raise DomainError(_l("The minimum cannot be negative."), field="min_per_member")
    if maximum is not None and maximum < max(minimum, 1):
        raise DomainError(_l("The maximum must be at least the minimum (and at least 1)."),
                          field="max_per_member")
    return {"name": name, "nominal_cents": nominal, "min_per_member": minimum,
            "max_per_member": maximum}


def create_share_type(coop: Cooperative, values: dict, *, actor) -> ShareType:
    """A new kind of share: name, nominal value (cents), minimum and maximum per member."""
    clean = _clean_share_type(coop, values)
    share_type = ShareType(cooperative_id=coop.id, **clean)
    db.session.add(share_type)
    db.session.flush()
    audit.record("capital.create_share_type", actor=actor, cooperative=coop, obj=share_type,
                 **clean)
    return share_type


def update_share_type(share_type: ShareType, values: dict, *, actor) -> dict:
    """Change a share type. The nominal value is fixed once shares of the type were issued:
    changing it would rewrite the capital of past statements."""
    coop = db.session.get(Cooperative, share_type.cooperative_id)
    clean = _clean_share_type(coop, values, exclude_id=share_type.id)
    if clean["nominal_cents"] != share_type.nominal_cents and db.session.scalar(
            select(ShareTransaction.id).where(ShareTransaction.share_type_id == share_type.id,
                                              ShareTransaction.status != REJECTED).limit(1)):
        raise DomainError(_l("The nominal value cannot change once shares of this type are in the "
                             "ledger; create a new share type instead."), field="nominal_cents")
    changed = {k: [getattr(share_type, k), v] for k, v in clean.items() if getattr(share_type, k) != v}
    for key, (_old, new) in changed.items():
        setattr(share_type, key, new)
    if changed:
        db.session.flush()
        audit.record("capital.update_share_type", actor=actor, cooperative=coop, obj=share_type,
                     **changed)
    return changed


# --- holdings (derived, in SQL) ------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    share_type: ShareType
    units: int

    @property
    def nominal_cents(self) -> int:
        return self.share_type.nominal_cents

    @property
    def value_cents(self) -> int:
        return self.units * self.share_type.nominal_cents


def _approved(coop_id: int, as_of: date | None):
    T = ShareTransaction
    conditions = [T.cooperative_id == coop_id, T.status == APPROVED]
    if as_of is not None:
        conditions.append(T.effective_on <= as_of)
    return conditions


def unit_deltas(coop_id: int, as_of: date | None = None, *, member_ids=None):
    """A subquery of signed unit changes (holder_id, share_type_id, delta) from approved lines:
    the giving side of every line (issue +, redemption and transfer −) and the receiving side
    of transfers (+)."""
    T = ShareTransaction
    giving = select(
        T.member_id.label("holder_id"), T.share_type_id.label("share_type_id"),
        case((T.kind == ISSUE, T.quantity), else_=-T.quantity).label("delta"),
    ).where(*_approved(coop_id, as_of))
    receiving = select(
        T.counterparty_id.label("holder_id"), T.share_type_id.label("share_type_id"),
        T.quantity.label("delta"),
    ).where(*_approved(coop_id, as_of), T.kind == TRANSFER)
    if member_ids is not None:
        giving = giving.where(T.member_id.in_(member_ids))
        receiving = receiving.where(T.counterparty_id.in_(member_ids))
    return union_all(giving, receiving).subquery("deltas")


def holdings_query(coop_id: int, as_of: date | None = None, *, member_ids=None):
    """A subquery of holdings (holder_id, share_type_id, units) with units ≠ 0."""
    d = unit_deltas(coop_id, as_of, member_ids=member_ids)
    units = func.sum(d.c.delta)
    return (select(d.c.holder_id, d.c.share_type_id, units.label("units"))
            .group_by(d.c.holder_id, d.c.share_type_id).having(units != 0).subquery("holdings"))


def holdings_for(member: Member, as_of: date | None = None) -> list[Holding]:
    """The member's holdings per share type on ``as_of`` (default today). One query."""
    as_of = as_of or today()
    T = ShareTransaction
    mine = or_(T.member_id == member.id, T.counterparty_id == member.id)
    # seen from the member: issue +, redemption −, transfer − when giving, + when receiving
    delta = case((T.kind == ISSUE, T.quantity), (T.kind == REDEMPTION, -T.quantity),
                 (T.member_id == member.id, -T.quantity), else_=T.quantity)
    sub = (select(T.share_type_id, func.sum(delta).label("units"))
           .where(*_approved(member.cooperative_id, as_of), mine)
           .group_by(T.share_type_id).subquery())
    rows = db.session.execute(
        select(ShareType, sub.c.units).join(sub, sub.c.share_type_id == ShareType.id)
        .where(sub.c.units != 0).order_by(ShareType.name)
    ).all()
    return [Holding(st, int(units)) for st, units in rows]


@dataclass(frozen=True)
class TypeTotal:
    share_type: ShareType
    units: int
    holders: int

    @property
    def value_cents(self) -> int:
        return self.units * self.share_type.nominal_cents


@dataclass(frozen=True)
class CapitalSummary:
    as_of: date
    per_type: list[TypeTotal]
    holders: int

    @property
    def total_cents(self) -> int:
        return sum(t.value_cents for t in self.per_type)

    @property
    def units(self) -> int:
        return sum(t.units for t in self.per_type)


def capital_summary(coop: Cooperative, as_of: date | None = None) -> CapitalSummary:
    """Total capital (units × nominal per type) and number of holders on ``as_of``. Two queries."""
    as_of = as_of or today()
    h = holdings_query(coop.id, as_of)
    rows = db.session.execute(
        select(ShareType, func.coalesce(func.sum(h.c.units), 0),
               func.count(h.c.holder_id).filter(h.c.units > 0))
        .outerjoin(h, h.c.share_type_id == ShareType.id)
        .where(ShareType.cooperative_id == coop.id)
        .group_by(ShareType.id).order_by(ShareType.name)
    ).all()
    holders = db.session.scalar(
        select(func.count(func.distinct(h.c.holder_id))).where(h.c.units > 0)) or 0
    return CapitalSummary(as_of, [TypeTotal(st, int(u), int(n)) for st, u, n in rows], holders)


def holders_statement(coop: Cooperative, as_of: date | None, types: list[ShareType]):
    """Members with units on ``as_of``: (Member, {share_type_id: units}, value_cents) rows as a
    select of (Member, units of type 1, units of type 2, …), sorted by membership number."""
    h = holdings_query(coop.id, as_of or today())
    columns = [func.sum(case((h.c.share_type_id == t.id, h.c.units), else_=0)).label(f"t{t.id}")
               for t in types]
    per_member = (select(h.c.holder_id, *columns).group_by(h.c.holder_id)
                  .having(func.sum(h.c.units) != 0).subquery("per_member"))
    return (select(Member, *[per_member.c[f"t{t.id}"] for t in types])
            .join(per_member, per_member.c.holder_id == Member.id)
            .order_by(Member.number, Member.id))


# --- the ledger --------------------------------------------------------------------------------


def ledger_statement(coop: Cooperative, *, status: str | None = None, kind: str | None = None,
                     share_type_id: int | None = None, member: Member | None = None):
    """A select of the cooperative's ledger lines, newest first, with the people and share type
    loaded in the same query."""
    T = ShareTransaction
    q = (select(T).options(joinedload(T.member), joinedload(T.counterparty), joinedload(T.share_type))
         .where(T.cooperative_id == coop.id).order_by(T.created_at.desc(), T.id.desc()))
    if status:
        q = q.where(T.status == ShareTransactionStatus(status))
    if kind:
        q = q.where(T.kind == ShareTransactionKind(kind))
    if share_type_id:
        q = q.where(T.share_type_id == share_type_id)
    if member is not None:
        q = q.where(or_(T.member_id == member.id, T.counterparty_id == member.id))
    return q


def member_by_number(coop: Cooperative, number, *, field: str) -> Member:
    member = None
    if isinstance(number, int) and not isinstance(number, bool):
        member = db.session.scalar(select(Member).where(Member.cooperative_id == coop.id,
                                                        Member.number == number))
    if member is None:
        raise DomainError(_l("There is no member with this number in this cooperative."),
                          field=field)
    return member


def _is_leaving(member: Member) -> bool:
    return member.leaves_on is not None or member.status == MemberStatus.FORMER


def _check_parties(coop: Cooperative, kind: ShareTransactionKind, member: Member,
                   counterparty: Member | None) -> None:
    for person, field in ((member, "member_number"), (counterparty, "counterparty_number")):
        if person is not None and person.cooperative_id != coop.id:
            raise DomainError(_l("There is no member with this number in this cooperative."),
                              field=field)
    if kind == TRANSFER:
        if counterparty is None:
            raise DomainError(_l("A transfer needs the member who receives the shares."),
                              field="counterparty_number")
        if counterparty.id == member.id:
            raise DomainError(_l("A member cannot transfer shares to themselves."),
                              field="counterparty_number")
        if counterparty.status != MemberStatus.MEMBER:
            raise DomainError(_l("%(name)s (no. %(number)s) is not a current member: shares can "
                                 "only be transferred to members of the cooperative.",
                                 name=counterparty.full_name, number=counterparty.number),
                              field="counterparty_number")
    elif counterparty is not None:
        raise DomainError(_l("Only a transfer has a receiving member."), field="counterparty_number")
    if kind == ISSUE:
        if member.status != MemberStatus.MEMBER:
            raise DomainError(_l("%(name)s (no. %(number)s) is not a current member: shares are "
                                 "only issued to members of the cooperative.",
                                 name=member.full_name, number=member.number or "–"),
                              field="member_number")
    elif member.status not in (MemberStatus.MEMBER, MemberStatus.FORMER):
        # a former member may still give back or pass on the shares they hold
        raise DomainError(_l("%(name)s (no. %(number)s) is not a current member of the "
                             "cooperative.", name=member.full_name, number=member.number or "–"),
                          field="member_number")


def _movement(kind, member_id, counterparty_id, quantity) -> rules.Movement:
    return rules.Movement(member_id=member_id, counterparty_id=counterparty_id,
                          kind=kind.value, quantity=quantity)


def _check_holdings(tx: ShareTransaction, share_type: ShareType, people: dict[int, Member]) -> None:
    """Every affected member's holding after ``tx`` satisfies the share type's limits.

    The final holding (all approved lines plus this one) must be within the minimum and
    maximum (zero allowed for a member who is leaving). On every day from the transaction's
    effective date on, the holding can be neither negative nor above the maximum — a
    back-dated redemption cannot dig a hole in the past.
    """
    T = ShareTransaction
    affected = [tx.member_id] + ([tx.counterparty_id] if tx.counterparty_id else [])
    lines = db.session.execute(
        select(T.id, T.kind, T.member_id, T.counterparty_id, T.quantity, T.effective_on)
        .where(T.cooperative_id == tx.cooperative_id, T.share_type_id == share_type.id,
               T.status == APPROVED, T.id != (tx.id or 0),
               or_(T.member_id.in_(affected), T.counterparty_id.in_(affected)))
    ).all()
    timeline = sorted(
        [(line.effective_on, 0, line.id,
          _movement(line.kind, line.member_id, line.counterparty_id, line.quantity)) for line in lines]
        + [(tx.effective_on, 1, 0, _movement(tx.kind, tx.member_id, tx.counterparty_id, tx.quantity))],
        key=lambda item: item[:3],
    )
    for member_id in affected:
        person = people[member_id]
        found = rules.timeline_problem([(day, movement) for day, _new, _id, movement in timeline],
                                       member_id, from_day=tx.effective_on,
                                       minimum=share_type.min_per_member,
                                       maximum=share_type.max_per_member, leaving=_is_leaving(person))
        if found:
            problem, balance, day = found
            _refuse(problem, person, share_type, balance, day)


def _refuse(problem: str, person: Member, share_type: ShareType, units: int, day: date):
    values = {"name": person.full_name, "number": person.number, "units": units,
              "type": share_type.name}
    if problem == "negative":
        message = _l("%(name)s (no. %(number)s) does not hold enough shares of “%(type)s” on "
                     "%(day)s for this transaction.", day=day.isoformat(), **values)
    elif problem == "below_minimum":
        message = _l("%(name)s (no. %(number)s) would hold %(units)s shares of “%(type)s”, below "
                     "the minimum of %(minimum)s per member. Only a member who is leaving may go "
                     "to zero.", minimum=share_type.min_per_member, **values)
    else:
        message = _l("%(name)s (no. %(number)s) would hold %(units)s shares of “%(type)s”, above "
                     "the maximum of %(maximum)s per member.",
                     maximum=share_type.max_per_member, **values)
    raise DomainError(message)


def _check_line(tx: ShareTransaction) -> None:
    if not isinstance(tx.quantity, int) or isinstance(tx.quantity, bool) or tx.quantity <= 0:
        raise DomainError(_l("The number of shares must be a whole number above zero."),
                          field="quantity")
    if tx.quantity > MAX_QUANTITY:
        raise DomainError(_l("That is more shares than this ledger accepts in one line."),
                          field="quantity")
    if tx.effective_on is None:
        raise DomainError(_l("This field is required."), field="effective_on")
    if tx.effective_on > rules.add_months(today(), MAX_MONTHS_AHEAD):
        raise DomainError(_l("The effective date can be at most a year ahead."),
                          field="effective_on")


def propose_transaction(coop: Cooperative, *, kind: ShareTransactionKind | str,
                        share_type: ShareType, member: Member, counterparty: Member | None = None,
                        quantity: int, effective_on: date | None = None, note: str | None = None,
                        actor) -> ShareTransaction:
    """A ledger line awaiting the board's approval: issue to ``member``, transfer from
    ``member`` to ``counterparty``, or redemption from ``member``. Checked now and again when
    approved."""
    try:
        kind = ShareTransactionKind(kind)
    except ValueError:
        raise DomainError(_l("Choose issue, transfer or redemption."), field="kind") from None
    if share_type is None or share_type.cooperative_id != coop.id:
        raise DomainError(_l("Choose one of the share types."), field="share_type_id")
    _check_parties(coop, kind, member, counterparty)
    tx = ShareTransaction(cooperative_id=coop.id, share_type_id=share_type.id, kind=kind,
                          status=PROPOSED, member_id=member.id,
                          counterparty_id=counterparty.id if counterparty is not None else None,
                          quantity=quantity, effective_on=effective_on or today(),
                          note=(note or "").strip() or None,
                          proposed_by_id=getattr(actor, "id", None))
    _check_line(tx)
    people = {member.id: member}
    if counterparty is not None:
        people[counterparty.id] = counterparty
    _check_holdings(tx, share_type, people)
    db.session.add(tx)
    db.session.flush()
    audit.record("capital.propose", actor=actor, cooperative=coop, obj=tx, kind=kind.value,
                 share_type_id=share_type.id, quantity=quantity,
                 effective_on=tx.effective_on.isoformat(), number=member.number,
                 counterparty_number=counterparty.number if counterparty is not None else None)
    return tx


def propose_by_numbers(coop: Cooperative, *, kind: str, share_type_id: int, member_number: int,
                       counterparty_number: int | None, quantity: int, effective_on: date | None,
                       note: str | None, actor) -> ShareTransaction:
    """:func:`propose_transaction` with members given by their membership numbers (the form)."""
    share_type = db.session.get(ShareType, share_type_id) if share_type_id else None
    member = member_by_number(coop, member_number, field="member_number")
    counterparty = None
    if counterparty_number is not None and kind == TRANSFER.value:
        counterparty = member_by_number(coop, counterparty_number, field="counterparty_number")
    return propose_transaction(coop, kind=kind, share_type=share_type, member=member,
                               counterparty=counterparty, quantity=quantity,
                               effective_on=effective_on, note=note, actor=actor)


def _lock_for_decision(tx: ShareTransaction) -> dict[int, Member]:
    """Lock the ledger line and the members it concerns (in id order, so two approvals never
    wait on each other in a circle), and reload them: whatever another approval committed
    meanwhile is seen. SQLite has no row locks, but serialises writing transactions anyway."""
    db.session.execute(select(ShareTransaction).where(ShareTransaction.id == tx.id)
                       .with_for_update().execution_options(populate_existing=True))
    ids = sorted({tx.member_id, *([tx.counterparty_id] if tx.counterparty_id else [])})
    members = db.session.scalars(select(Member).where(Member.id.in_(ids)).order_by(Member.id)
                                 .with_for_update().execution_options(populate_existing=True)).all()
    return {m.id: m for m in members}


def _require_proposed(tx: ShareTransaction) -> None:
    if tx.status == APPROVED:
        raise DomainError(_l("This transaction has already been approved."))
    if tx.status == REJECTED:
        raise DomainError(_l("This transaction was rejected; propose it again if needed."))


def approve_transaction(tx: ShareTransaction, *, actor) -> ShareTransaction:
    """The board approves a proposed line; the rules are checked again at this moment."""
    people = _lock_for_decision(tx)
    _require_proposed(tx)
    coop = db.session.get(Cooperative, tx.cooperative_id)
    _check_parties(coop, tx.kind, people[tx.member_id],
                   people.get(tx.counterparty_id) if tx.counterparty_id else None)
    _check_line(tx)
    share_type = db.session.get(ShareType, tx.share_type_id)
    _check_holdings(tx, share_type, people)
    tx.status = APPROVED
    tx.decided_by_id = getattr(actor, "id", None)
    tx.decided_at = utcnow()
    db.session.flush()
    audit.record("capital.approve", actor=actor, cooperative=coop, obj=tx, kind=tx.kind.value,
                 share_type_id=tx.share_type_id, quantity=tx.quantity,
                 effective_on=tx.effective_on.isoformat())
    return tx


def reject_transaction(tx: ShareTransaction, *, actor) -> ShareTransaction:
    _lock_for_decision(tx)
    _require_proposed(tx)
    tx.status = REJECTED
    tx.decided_by_id = getattr(actor, "id", None)
    tx.decided_at = utcnow()
    db.session.flush()
    audit.record("capital.reject", actor=actor,
                 cooperative=db.session.get(Cooperative, tx.cooperative_id),
                 obj=tx, kind=tx.kind.value, quantity=tx.quantity)
    return tx


# --- the member's statement ----------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    transaction: ShareTransaction
    #: Units gained (+) or given up (−) by the member.
    change: int

    @property
    def value_cents(self) -> int:
        return self.change * self.transaction.share_type.nominal_cents


def member_ledger(member: Member, as_of: date | None = None) -> list[StatementLine]:
    """The approved lines that concern the member up to ``as_of`` (default today), oldest first."""
    as_of = as_of or today()
    T = ShareTransaction
    txs = db.session.scalars(
        select(T).options(joinedload(T.share_type), joinedload(T.member), joinedload(T.counterparty))
        .where(*_approved(member.cooperative_id, as_of),
               or_(T.member_id == member.id, T.counterparty_id == member.id))
        .order_by(T.effective_on, T.id)
    ).all()
    lines = []
    for tx in txs:
        change = rules.holdings([_movement(tx.kind, tx.member_id, tx.counterparty_id, tx.quantity)])
        lines.append(StatementLine(tx, change.get(member.id, 0)))
    return lines


def statement_context(member: Member, as_of: date | None = None) -> dict:
    as_of = as_of or today()
    holdings = holdings_for(member, as_of)
    return {
        "coop": member.cooperative,
        "member": member,
        "as_of": as_of,
        "issued_on": today(),
        "holdings": holdings,
        "total_cents": sum(h.value_cents for h in holdings),
        "total_units": sum(h.units for h in holdings),
        "lines": member_ledger(member, as_of),
        "KIND_LABELS": KIND_LABELS,
    }


def statement_pdf(member: Member, as_of: date | None = None, *, locale: str | None = None) -> bytes:
    """The member's share statement on ``as_of`` (default today) as PDF bytes."""
    from coop.core.pdf import render_pdf

    context = statement_context(member, as_of)
    if locale is None:
        return render_pdf("pdf/share_statement.html", **context)
    from flask_babel import force_locale

    with force_locale(locale):
        return render_pdf("pdf/share_statement.html", current_locale=locale, **context)


# --- member categories and fees -------------------------------------------------------------------


def categories(coop: Cooperative) -> list[tuple[MemberCategory, int]]:
    """The cooperative's categories with the number of current members in each. One query."""
    counts = (select(Member.category_id, func.count().label("n"))
              .where(Member.cooperative_id == coop.id, Member.status == MemberStatus.MEMBER)
              .group_by(Member.category_id).subquery())
    rows = db.session.execute(
        select(MemberCategory, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_id == MemberCategory.id)
        .where(MemberCategory.cooperative_id == coop.id).order_by(MemberCategory.name)
    ).all()
    return [(c, int(n)) for c, n in rows]


def _clean_category(coop: Cooperative, values: dict, *, exclude_id: int | None = None) -> dict:
    name = _unique_name(MemberCategory, coop, values, exclude_id,
                        _l("There is already a category with this name."))
    fee = values.get("yearly_fee_cents")
    if not isinstance(fee, int) or fee < 0 or fee > MAX_FEE_CENTS:
        raise DomainError(_l("Give the yearly fee in euros, e.g. 25,00 (0 for none)."),
                          field="yearly_fee_cents")
    weight = values.get("vote_weight") or 1
    if not isinstance(weight, int) or weight < 1 or weight > 1000:
        raise DomainError(_l("The vote weight is a whole number of at least 1."), field="vote_weight")
    return {"name": name, "yearly_fee_cents": fee, "vote_weight": weight}


def create_category(coop: Cooperative, values: dict, *, actor) -> MemberCategory:
    clean = _clean_category(coop, values)
    category = MemberCategory(cooperative_id=coop.id, **clean)
    db.session.add(category)
    db.session.flush()
    audit.record("fees.create_category", actor=actor, cooperative=coop, obj=category, **clean)
    return category


def update_category(category: MemberCategory, values: dict, *, actor) -> dict:
    """Change a category; fees already charged keep their amount."""
    coop = db.session.get(Cooperative, category.cooperative_id)
    clean = _clean_category(coop, values, exclude_id=category.id)
    changed = {k: [getattr(category, k), v] for k, v in clean.items() if getattr(category, k) != v}
    for key, (_old, new) in changed.items():
        setattr(category, key, new)
    if changed:
        db.session.flush()
        audit.record("fees.update_category", actor=actor, cooperative=coop, obj=category, **changed)
    return changed


def _check_year(year) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= today().year + 1:
        raise DomainError(_l("Give a year up to next year."), field="year")
    return year


def charge_year(coop: Cooperative, year: int, *, actor) -> int:
    """Charge the yearly fee for ``year`` to every current member with a category.

    Idempotent: members already charged for that year are skipped (checked first), and the
    unique constraint on (member, year) with ON CONFLICT DO NOTHING keeps a second, concurrent
    run from charging anyone twice. One INSERT … SELECT, whatever the number of members.
    Returns the number of charges created.
    """
    year = _check_year(year)
    already = select(FeeCharge.id).where(FeeCharge.member_id == Member.id, FeeCharge.year == year)
    source = (
        select(literal(coop.id), Member.id, literal(year), MemberCategory.yearly_fee_cents,
               literal(utcnow(), type_=FeeCharge.__table__.c.created_at.type))
        .join(MemberCategory, MemberCategory.id == Member.category_id)
        .where(Member.cooperative_id == coop.id, Member.status == MemberStatus.MEMBER,
               MemberCategory.cooperative_id == coop.id, ~already.exists())
    )
    stmt, has_conflict_clause = insert_ignoring_duplicates(FeeCharge.__table__)
    stmt = stmt.from_select(["cooperative_id", "member_id", "year", "amount_cents", "created_at"],
                            source)
    if has_conflict_clause:
        stmt = stmt.on_conflict_do_nothing(index_elements=["member_id", "year"])
    # RETURNING counts what was inserted on every driver (rowcount of INSERT … SELECT is not
    # reliable across drivers)
    created = len(db.session.execute(stmt.returning(FeeCharge.__table__.c.id)).all())
    if created:
        audit.record("fees.charge_year", actor=actor, cooperative=coop, object_type="FeeYear",
                     object_id=year, year=year, created=created,
                     members_without_category=members_without_category(coop))
    return created


def members_without_category(coop: Cooperative) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Member)
        .where(Member.cooperative_id == coop.id, Member.status == MemberStatus.MEMBER,
               Member.category_id.is_(None))) or 0


def mark_paid(charge: FeeCharge, *, paid_on: date | None, actor) -> FeeCharge:
    paid_on = paid_on or today()
    if charge.paid_on is not None:
        raise DomainError(_l("This fee is already marked as paid."))
    if paid_on > today():
        raise DomainError(_l("The payment date cannot be in the future."), field="paid_on")
    charge.paid_on = paid_on
    db.session.flush()
    audit.record("fees.mark_paid", actor=actor,
                 cooperative=db.session.get(Cooperative, charge.cooperative_id),
                 obj=charge, year=charge.year, paid_on=paid_on.isoformat())
    return charge


def mark_unpaid(charge: FeeCharge, *, actor) -> FeeCharge:
    if charge.paid_on is None:
        raise DomainError(_l("This fee is not marked as paid."))
    old = charge.paid_on
    charge.paid_on = None
    db.session.flush()
    audit.record("fees.mark_unpaid", actor=actor,
                 cooperative=db.session.get(Cooperative, charge.cooperative_id),
                 obj=charge, year=charge.year, was_paid_on=old.isoformat())
    return charge


def fees_statement(coop: Cooperative, year: int, *, paid: str | None = None):
    """A select of the year's charges with member and category, by membership number."""
    q = (select(FeeCharge)
         .join(FeeCharge.member)
         .options(contains_eager(FeeCharge.member).joinedload(Member.category))
         .where(FeeCharge.cooperative_id == coop.id, FeeCharge.year == year)
         .order_by(Member.number, FeeCharge.id))
    if paid == "paid":
        q = q.where(FeeCharge.paid_on.is_not(None))
    elif paid == "unpaid":
        q = q.where(FeeCharge.paid_on.is_(None))
    return q


@dataclass(frozen=True)
class FeeTotals:
    charges: int
    charged_cents: int
    paid_cents: int
    unpaid: int

    @property
    def open_cents(self) -> int:
        return self.charged_cents - self.paid_cents


def fee_totals(coop: Cooperative, year: int | None = None) -> FeeTotals:
    """Number and sums of charges (of one year, or all years). One query."""
    paid = FeeCharge.paid_on.is_not(None)
    q = select(func.count(FeeCharge.id), func.coalesce(func.sum(FeeCharge.amount_cents), 0),
               func.coalesce(func.sum(case((paid, FeeCharge.amount_cents), else_=0)), 0),
               func.count(FeeCharge.id).filter(~paid)).where(FeeCharge.cooperative_id == coop.id)
    if year is not None:
        q = q.where(FeeCharge.year == year)
    n, charged, paid_sum, unpaid = db.session.execute(q).one()
    return FeeTotals(int(n), int(charged), int(paid_sum), int(unpaid))


def fee_years(coop: Cooperative) -> list[int]:
    return list(db.session.scalars(
        select(FeeCharge.year).where(FeeCharge.cooperative_id == coop.id).distinct()
        .order_by(FeeCharge.year.desc())))


def debtors_statement(coop: Cooperative):
    """Who still owes: (Member, open charges, amount owed in cents, oldest year, latest year),
    largest debt first."""
    open_ = (select(FeeCharge.member_id, func.count().label("n"),
                    func.sum(FeeCharge.amount_cents).label("owed"),
                    func.min(FeeCharge.year).label("first_year"),
                    func.max(FeeCharge.year).label("last_year"))
             .where(FeeCharge.cooperative_id == coop.id, FeeCharge.paid_on.is_(None),
                    FeeCharge.amount_cents > 0)
             .group_by(FeeCharge.member_id).subquery("open_fees"))
    return (select(Member, open_.c.n, open_.c.owed, open_.c.first_year, open_.c.last_year)
            .join(open_, open_.c.member_id == Member.id)
            .where(Member.cooperative_id == coop.id)
            .order_by(open_.c.owed.desc(), Member.number))


def fees_for(member: Member) -> list[FeeCharge]:
    """The member's charges, latest year first. One query."""
    return list(db.session.scalars(
        select(FeeCharge).where(FeeCharge.member_id == member.id,
                                FeeCharge.cooperative_id == member.cooperative_id)
        .order_by(FeeCharge.year.desc())))


def euros(cents: int) -> str:
    """Cents as euros with a decimal point, for bookkeeping files: 1234 → ``12.34``."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def fees_csv(coop: Cooperative, year: int) -> str:
    """The year's charges as CSV for bookkeeping: member number, name, category, amount in
    euros with a decimal point, paid on (ISO date, empty when unpaid). Every text cell goes
    through :func:`coop.core.csvsafe.safe_cell`."""
    from flask_babel import gettext as _

    from coop.core.csvsafe import write_csv

    rows = db.session.execute(
        select(Member.number, Member.first_name, Member.name_prefix, Member.last_name,
               MemberCategory.name, FeeCharge.amount_cents, FeeCharge.paid_on)
        .join(Member, Member.id == FeeCharge.member_id)
        .outerjoin(MemberCategory, MemberCategory.id == Member.category_id)
        .where(FeeCharge.cooperative_id == coop.id, FeeCharge.year == year)
        .order_by(Member.number, FeeCharge.id)
    )
    header = [_("Member number"), _("Name"), _("Category"), _("Amount (EUR)"), _("Paid on")]
    body = (
        [number, " ".join(p for p in (first, prefix, last) if p), category or "", euros(amount),
         paid_on.isoformat() if paid_on else ""]
        for number, first, prefix, last, category, amount, paid_on in rows
    )
    return write_csv(header, body)
