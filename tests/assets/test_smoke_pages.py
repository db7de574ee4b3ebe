"""Every board and member page of the assets area renders (200) with data in it."""
from datetime import date, datetime, timedelta, timezone


def test_pages_render(client, login_as, world, solar, car, approve, make_asset, db):
    from coop.assets import bookings, revenue, services

    approve(solar, world.record_a, 4, date(2024, 1, 1))
    services.add_reading(solar, read_on=date(2025, 1, 1), meter_kwh=1000, actor=None)
    services.add_reading(solar, read_on=date(2025, 2, 1), meter_kwh=12000, actor=None)
    services.set_emission_factor(world.coop_a, year=2025, grams_per_kwh=328, source="CBS", actor=None)
    dist = revenue.create_distribution(solar, period_start_on=date(2024, 1, 1),
                                       period_end_on=date(2024, 12, 31), amount_cents=10000, actor=None)
    revenue.approve_distribution(dist, actor=None)
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    b = bookings.book(car, world.record_a, starts_at=start, ends_at=start + timedelta(hours=2), actor=None)
    home = make_asset(world.coop_a, kind="dwelling", name="Hofwoning 1")
    task = services.add_task(solar, title="Omvormers", notes=None, due_on=date(2030, 1, 1),
                             done_on=None, responsible_user_id=None, actor=None)
    db.session.commit()
    login_as(client, world.board_a)
    for url in ["/c/coop-a/assets", "/c/coop-a/assets/new", f"/c/coop-a/assets/{solar.id}",
                f"/c/coop-a/assets/{solar.id}/edit", f"/c/coop-a/assets/{solar.id}/participations",
                f"/c/coop-a/assets/{solar.id}/participations/new",
                f"/c/coop-a/assets/{solar.id}/readings", f"/c/coop-a/assets/{solar.id}/readings/import",
                "/c/coop-a/assets/emission-factors", "/c/coop-a/distributions",
                f"/c/coop-a/assets/{solar.id}/distributions/new", f"/c/coop-a/distributions/{dist.id}",
                f"/c/coop-a/distributions/{dist.id}/sepa", f"/c/coop-a/assets/{solar.id}/upkeep",
                f"/c/coop-a/assets/{home.id}/dwelling", "/c/coop-a/waiting-list", "/c/coop-a/book",
                f"/c/coop-a/book/{car.id}", "/me/c/coop-a/assets"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:2000])
    login_as(client, world.member_a)
    r = client.get("/me/c/coop-a/assets")
    assert r.status_code == 200
    assert b.id and task.id
