"""Bookings: no overlap ever (also concurrently), end before start, fair use, cancellation,
iCalendar feeds, and the calendar page."""
from datetime import date, datetime, timedelta, timezone

import pytest

from coop.assets import bookings
from coop.core.errors import DomainError
from tests.assets.conftest import said

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)
T = NOW + timedelta(days=1)


def book(car, member, start, hours=2.0, **kw):
    return bookings.book(car, member, starts_at=start, ends_at=start + timedelta(hours=hours),
                         actor=None, now=NOW, **kw)


def test_a_booking_overlapping_another_by_one_minute_is_refused(world, car, make_member):
    other = make_member(world.coop_a)
    book(car, world.record_a, T)
    with pytest.raises(DomainError) as refused:
        book(car, other, T + timedelta(hours=2) - timedelta(minutes=1))
    assert "already booked" in said(refused)
    # touching is fine: 10:00–12:00 then 12:00–13:00
    assert book(car, other, T + timedelta(hours=2), hours=1)


def test_end_before_start_and_past_are_refused(world, car):
    with pytest.raises(DomainError) as refused:
        bookings.book(car, world.record_a, starts_at=T, ends_at=T - timedelta(hours=1), actor=None, now=NOW)
    assert "end lies before the start" in said(refused)
    with pytest.raises(DomainError) as refused:
        book(car, world.record_a, NOW - timedelta(days=1))
    assert "in the past" in said(refused)


def test_fair_use_limits(world, car, db):
    # 20 hours per month, 3 open bookings
    book(car, world.record_a, T, hours=8)
    book(car, world.record_a, T + timedelta(days=1), hours=8)
    with pytest.raises(DomainError) as refused:
        book(car, world.record_a, T + timedelta(days=2), hours=5)
    assert "20 hours per month" in said(refused)
    book(car, world.record_a, T + timedelta(days=2), hours=4)
    with pytest.raises(DomainError) as refused:
        book(car, world.record_a, T + timedelta(days=40), hours=1)
    assert "3 open bookings" in said(refused)


def test_cancelled_slot_can_be_booked_again_and_the_limit_frees_up(world, car, make_member):
    first = book(car, world.record_a, T)
    bookings.cancel(first, actor=None, now=NOW)
    with pytest.raises(DomainError) as refused:
        bookings.cancel(first, actor=None, now=NOW)
    assert "already cancelled" in said(refused)
    assert book(car, make_member(world.coop_a), T)


def test_only_bookable_assets_in_operation_and_members_of_the_coop(world, solar, car, make_member):
    with pytest.raises(DomainError) as refused:
        book(solar, world.record_a, T)
    assert "cannot be booked" in said(refused)
    with pytest.raises(DomainError) as refused:
        book(car, world.record_b, T)
    assert "Only members" in said(refused)


def test_the_database_refuses_overlap_itself_on_postgresql(world, car, db):
    """Even a write that skips the service's check cannot overlap (exclusion constraint)."""
    from sqlalchemy.exc import IntegrityError

    from coop.assets.models import Booking

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no exclusion constraints; the service serialises writers there")
    book(car, world.record_a, T)
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(Booking(cooperative_id=car.cooperative_id, asset_id=car.id,
                                   member_id=world.record_b.id, starts_at=T + timedelta(hours=1),
                                   ends_at=T + timedelta(hours=3)))
            db.session.flush()


def test_two_members_booking_the_same_slot_at_the_same_instant(app):
    """Two requests for the same slot at once, in two connections: one wins, the other is
    told clearly; never two bookings."""
    import sqlalchemy as sa

    from coop.assets.models import Asset, AssetKind, AssetStatus
    from coop.members.models import Member, MemberStatus
    from tests.storm import storm, tenant_with_member

    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3)
    with tenant_with_member(app, "boek-coop", cbs_code="GM9875", kvk_number="98765431") as (
            s, coop, first, cleanup):
        second = Member(cooperative_id=coop.id, number=2, status=MemberStatus.MEMBER,
                        first_name="Lid", last_name="Twee", sort_name="twee")
        car = Asset(cooperative_id=coop.id, kind=AssetKind.VEHICLE, name="Auto",
                    status=AssetStatus.IN_OPERATION, is_bookable=True)
        s.add_all([second, car])
        s.flush()
        car_id, member_ids = car.id, (first.id, second.id)
        cleanup += [(f"DELETE FROM {table} WHERE cooperative_id = :c", {"c": coop.id})
                    for table in ("booking", "asset")]
        s.commit()

        outcome = storm(
            app, 2,
            lambda session: (session.get(Asset, car_id), [session.get(Member, m) for m in member_ids]),
            lambda n, car, members: bookings.book(car, members[n], starts_at=start,
                                                  ends_at=start + timedelta(hours=2), actor=None),
            done="booked")
        assert outcome.count("booked") == 1, outcome
        [refusal] = [o for o in outcome if o != "booked"]
        assert "Sorry" in refusal
        assert s.execute(sa.text("SELECT count(*) FROM booking WHERE asset_id = :a"),
                         {"a": car_id}).scalar() == 1


def test_member_books_and_cancels_through_the_pages(client, login_as, world, car, db):
    login_as(client, world.member_a)
    day = date.today() + timedelta(days=2)
    r = client.post(f"/c/coop-a/book/{car.id}", data={"day": day.isoformat(), "start": "10:00",
                                                     "end": "12:00", "note": "boodschappen"})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Booked: Deelauto" in page or "Geboekt" in page
    # the same slot again, by another member (the board member): a clear refusal, status 400
    login_as(client, world.board_a)
    r = client.post(f"/c/coop-a/book/{car.id}", data={"day": day.isoformat(), "start": "11:59",
                                                     "end": "13:00"})
    assert r.status_code == 400
    assert "already booked" in r.get_data(as_text=True)
    # end before start
    r = client.post(f"/c/coop-a/book/{car.id}", data={"day": day.isoformat(), "start": "15:00",
                                                     "end": "14:00"})
    assert r.status_code == 400 and "end lies before the start" in r.get_data(as_text=True)
    from coop.assets.models import Booking

    mine = db.session.scalar(db.select(Booking).where(Booking.member_id == world.record_a.id))
    # another member cannot cancel it; the member can
    login_as(client, world.member_a)
    assert client.post(f"/c/coop-a/bookings/{mine.id}/cancel").status_code == 302
    db.session.refresh(mine)
    assert mine.status.value == "cancelled"


def test_ical_feeds(client, world, car, app):
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    b = bookings.book(car, world.record_a, starts_at=start, ends_at=start + timedelta(hours=1), actor=None)
    from coop.extensions import db

    db.session.commit()
    with app.test_request_context():
        asset_token = bookings.feed_token("asset", car.id)
        member_token = bookings.feed_token("member", world.record_a.id)
    r = client.get(f"/feeds/{asset_token}.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    body = r.get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and f"booking-{b.id}@coop" in body
    assert "Anna" not in body  # the asset's feed does not say who booked
    assert f"booking-{b.id}@coop" in client.get(f"/feeds/{member_token}.ics").get_data(as_text=True)
    assert client.get("/feeds/forged-token.ics").status_code == 404
    assert client.get(f"/feeds/{asset_token[:-2]}xx.ics").status_code == 404


def test_calendar_page_queries_stay_constant(client, login_as, world, car, queries_stay_constant, make_member):
    login_as(client, world.member_a)
    week = bookings.week_start(date.today() + timedelta(days=7))
    people = [make_member(world.coop_a) for _ in range(3)]
    made = {"n": 0}

    def grow(n):
        for _ in range(n):
            start = bookings.from_local(week, datetime.min.time()) + timedelta(hours=3 * made["n"])
            bookings.book(car, people[made["n"] % 3], starts_at=start, ends_at=start + timedelta(hours=1), actor=None)
            made["n"] += 1

    car.max_open_bookings = None
    car.max_hours_per_month = None
    queries_stay_constant(client, f"/c/coop-a/book/{car.id}?week={week.isoformat()}", grow, 2, 20)
