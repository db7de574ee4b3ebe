"""Bookings of shared assets (car, room, tools): reserve, cancel, calendars and iCalendar feeds.

No two active bookings of one asset overlap, ever: the service checks first (for a clear
message), with the asset's row locked so that two requests for the same slot are handled one
after the other; on PostgreSQL the exclusion constraint ``ex_booking_no_overlap`` makes it true
whatever the code does, and on SQLite, which has no such constraint, the write lock taken
before the check serialises the writers.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload

from coop.assets import rules
from coop.assets.models import Asset, AssetStatus, Booking, BookingStatus
from coop.core import audit
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.members.models import Member, MemberStatus
from coop.orgs.models import Cooperative

ACTIVE, CANCELLED = BookingStatus.ACTIVE, BookingStatus.CANCELLED
#: Bookings are entered and shown in Dutch time.
LOCAL = ZoneInfo("Europe/Amsterdam")


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL)


def from_local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL).astimezone(timezone.utc)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def bookings_between(asset: Asset, start: datetime, end: datetime) -> list[Booking]:
    """Active bookings of the asset that overlap ``start``..``end``, by start. One query, on the
    (asset, status, starts_at) index."""
    B = Booking
    return list(db.session.scalars(
        select(B).options(joinedload(B.member))
        .where(B.asset_id == asset.id, B.status == ACTIVE, B.starts_at < end,
               B.starts_at > start - rules.MAX_BOOKING, B.ends_at > start)
        .order_by(B.starts_at)))


def _serialise(asset: Asset) -> None:
    """Take the asset's lock before looking for overlaps: a concurrent booking of the same
    asset waits here until this transaction ends, then sees what it wrote."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Asset.id).where(Asset.id == asset.id).with_for_update())
    else:  # SQLite: a write takes the database's write lock (writers are serialised)
        db.session.execute(update(Asset).where(Asset.id == asset.id).values(id=Asset.id))


PROBLEM_MESSAGES = {
    "end_before_start": _l("The end lies before the start."),
    "too_short": _l("A booking lasts at least 15 minutes."),
    "too_long": _l("A booking lasts at most 14 days."),
    "in_past": _l("The start lies in the past."),
}


def book(asset: Asset, member: Member, *, starts_at: datetime, ends_at: datetime,
         note: str | None = None, actor, now: datetime | None = None) -> Booking:
    """Reserve the asset for ``member``. Refused when the slot overlaps another booking (by as
    little as a minute), ends before it starts, or goes past the member's fair-use limits."""
    now = now or utcnow()
    if not asset.is_bookable or asset.status != AssetStatus.IN_OPERATION:
        raise DomainError(_l("This asset cannot be booked."))
    if member.cooperative_id != asset.cooperative_id or member.status != MemberStatus.MEMBER:
        raise DomainError(_l("Only members of the cooperative can book."))
    if starts_at is None or ends_at is None:
        raise DomainError(_l("Give a start and an end."), field="starts_at")
    problem = rules.booking_problem(starts_at, ends_at, now)
    if problem:
        raise DomainError(PROBLEM_MESSAGES[problem], field="ends_at" if problem != "in_past" else "starts_at")
    try:
        _serialise(asset)
    except OperationalError:  # SQLite: another booking holds the write lock and we cannot wait
        raise DomainError(_l("Sorry, someone else is booking this asset at this very moment. "
                             "Try again.")) from None
    clash = bookings_between(asset, starts_at, ends_at)
    if clash:
        c = clash[0]
        raise DomainError(_l("Sorry, this asset is already booked from %(start)s to %(end)s. "
                             "Choose another time.",
                             start=local(c.starts_at).strftime("%d-%m-%Y %H:%M"),
                             end=local(c.ends_at).strftime("%d-%m-%Y %H:%M")), field="starts_at")
    B = Booking
    year, month = rules.month_of(local(starts_at))
    month_start = from_local(date(year, month, 1), time(0))
    month_end = from_local(date(year + month // 12, month % 12 + 1, 1), time(0))
    mine = db.session.scalars(select(B).where(
        B.asset_id == asset.id, B.member_id == member.id, B.status == ACTIVE,
        or_(B.ends_at > now, and_(B.starts_at >= month_start, B.starts_at < month_end)))).all()
    found = rules.fair_use_problem(
        new_hours=rules.hours(starts_at, ends_at),
        hours_this_month=sum(rules.hours(b.starts_at, b.ends_at) for b in mine
                             if month_start <= b.starts_at < month_end),
        open_bookings=sum(1 for b in mine if b.ends_at > now),
        max_hours_per_month=asset.max_hours_per_month, max_open_bookings=asset.max_open_bookings)
    if found == "too_many_open":
        raise DomainError(_l("You already have %(n)s open bookings of this asset, the most "
                             "allowed.", n=asset.max_open_bookings))
    if found == "too_many_hours":
        raise DomainError(_l("This booking would take you past the limit of %(n)s hours per "
                             "month for this asset.", n=asset.max_hours_per_month))
    booking = B(cooperative_id=asset.cooperative_id, asset_id=asset.id, member_id=member.id,
                starts_at=starts_at, ends_at=ends_at, note=(note or "").strip()[:200] or None)
    try:
        with db.session.begin_nested():
            db.session.add(booking)
            db.session.flush()
    except IntegrityError:  # the exclusion constraint: someone else was quicker
        raise DomainError(_l("Sorry, someone else has just booked this time. Choose another "
                             "time.")) from None
    audit.record("assets.book", actor=actor, cooperative=db.session.get(Cooperative, asset.cooperative_id),
                 obj=booking, asset_id=asset.id, number=member.number,
                 starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat())
    return booking


def cancel(booking: Booking, *, actor, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    if booking.status == CANCELLED:
        raise DomainError(_l("This booking is already cancelled."))
    if booking.ends_at <= now:
        raise DomainError(_l("A booking that has ended cannot be cancelled."))
    booking.status = CANCELLED
    booking.cancelled_at = now
    db.session.flush()
    audit.record("assets.cancel_booking", actor=actor,
                 cooperative=db.session.get(Cooperative, booking.cooperative_id), obj=booking,
                 asset_id=booking.asset_id)
    return booking


def bookings_for(member: Member, *, upcoming_only: bool = True, limit: int = 100) -> list[Booking]:
    B = Booking
    q = (select(B).options(joinedload(B.asset)).where(B.member_id == member.id, B.status == ACTIVE)
         .order_by(B.starts_at))
    if upcoming_only:
        q = q.where(B.ends_at > utcnow())
    return list(db.session.scalars(q.limit(limit)))


# --- iCalendar feeds (read by calendar apps, which cannot sign in: a signed link per feed) ----------


def _serializer():
    from flask import current_app
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="assets-ical")


def feed_token(kind: str, object_id: int) -> str:
    return _serializer().dumps([kind, object_id])


def feed_object(token: str) -> tuple[str, int] | None:
    from itsdangerous import BadSignature

    try:
        kind, object_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return kind, int(object_id)


def ical(bookings: list[Booking], *, name: str, show_member: bool) -> bytes:
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//coop//bookings//NL")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for b in bookings:
        event = Event()
        event.add("uid", f"booking-{b.id}@coop")
        event.add("dtstamp", b.created_at)
        event.add("dtstart", b.starts_at)
        event.add("dtend", b.ends_at)
        summary = b.asset.name
        if show_member:
            summary = f"{b.asset.name}: {b.member.full_name}"
        event.add("summary", summary)
        cal.add_component(event)
    return cal.to_ical()


def feed_bookings_asset(asset: Asset) -> list[Booking]:
    B = Booking
    return list(db.session.scalars(
        select(B).options(joinedload(B.member), joinedload(B.asset))
        .where(B.asset_id == asset.id, B.status == ACTIVE, B.ends_at > utcnow() - timedelta(days=31))
        .order_by(B.starts_at).limit(2000)))
