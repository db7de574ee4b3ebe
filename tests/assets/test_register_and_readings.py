"""The asset register (EAN, coordinates, tenancy), readings (refusals, CSV import), CO₂."""
import io
from datetime import date

import pytest

from coop.assets import rules, services
from coop.core.errors import DomainError
from tests.assets.conftest import said


def _ean():
    body = "87168590000000001"
    return body + str(rules.ean_check_digit(body))


def test_register_validates_ean_and_names(world, make_asset):
    roof = make_asset(world.coop_a, ean_code=_ean()[:9] + " " + _ean()[9:])
    assert roof.ean_code == _ean()
    with pytest.raises(DomainError) as refused:
        make_asset(world.coop_a, ean_code=_ean()[:-1] + "0" if _ean()[-1] != "0" else _ean()[:-1] + "1")
    assert "EAN" in said(refused)
    with pytest.raises(DomainError) as refused:
        make_asset(world.coop_a, name=roof.name.upper())
    assert "already an asset" in said(refused)
    with pytest.raises(DomainError):
        make_asset(world.coop_a, latitude=53.2)


def test_board_adds_an_asset_and_another_coop_cannot_see_it(client, login_as, world, db):
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/assets/new", data={
        "name": "Windmolen De Hoop", "kind": "wind", "status": "planned", "capacity_kw": "2300",
        "ean_code": _ean(), "value_cents": "1.250.000,00", "responsible_user_id": str(world.board_a.id)})
    assert r.status_code == 302, r.get_data(as_text=True)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Windmolen De Hoop" in page and "2,300" in page and "Board A" in page
    asset_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    login_as(client, world.board_b)
    assert client.get(f"/c/coop-b/assets/{asset_id}").status_code == 404


def test_a_lower_reading_is_refused_unless_marked_as_meter_replacement(world, solar):
    services.add_reading(solar, read_on=date(2025, 1, 31), meter_kwh=15230, actor=None)
    with pytest.raises(DomainError) as refused:
        services.add_reading(solar, read_on=date(2025, 2, 28), meter_kwh=15000, actor=None)
    assert "lower than the previous reading" in said(refused)
    services.add_reading(solar, read_on=date(2025, 2, 28), meter_kwh=40, is_meter_replacement=True, actor=None)
    services.add_reading(solar, read_on=date(2025, 3, 31), meter_kwh=1040, actor=None)
    # a reading slipped in between may not exceed the next one either
    with pytest.raises(DomainError) as refused:
        services.add_reading(solar, read_on=date(2025, 3, 15), meter_kwh=2000, actor=None)
    assert "higher than the next reading" in said(refused)
    services.set_emission_factor(world.coop_a, year=2025, grams_per_kwh=300, source="CBS 2025", actor=None)
    prod = services.production(solar)
    assert prod.by_month == {(2025, 2): 40, (2025, 3): 1000}
    assert prod.co2_kg_by_year == {2025: 312}


def test_csv_import_is_all_or_nothing_and_names_the_line(client, login_as, world, solar):
    login_as(client, world.board_a)
    url = f"/c/coop-a/assets/{solar.id}/readings/import"
    bad = "datum;kWh\n2025-01-31;1000\n2025-02-28;900\n"
    r = client.post(url, data={"file": (io.BytesIO(bad.encode()), "r.csv")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "Line 3" in r.get_data(as_text=True)
    assert services.readings(solar) == []
    good = "datum;kWh;vervanging\n2025-01-31;1000\n2025-02-28;1900\n2025-03-31;50;ja\n"
    r = client.post(url, data={"file": (io.BytesIO(good.encode()), "r.csv")}, content_type="multipart/form-data")
    assert r.status_code == 302
    assert [r.meter_kwh for r in services.readings(solar)] == [1000, 1900, 50]
    binary = b"\x89PNG\r\n\x1a\n\x00\x00"
    r = client.post(url, data={"file": (io.BytesIO(binary), "r.csv")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "not a CSV file" in r.get_data(as_text=True)


def test_chart_is_inline_svg_without_scripts_or_styles(client, login_as, world, solar):
    services.add_reading(solar, read_on=date(2025, 1, 1), meter_kwh=0, actor=None)
    services.add_reading(solar, read_on=date(2025, 5, 1), meter_kwh=4321, actor=None)
    login_as(client, world.board_a)
    page = client.get(f"/c/coop-a/assets/{solar.id}/readings?year=2025").get_data(as_text=True)
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "4,321 kWh" in svg and "<rect" in svg
    assert "<script" not in svg and "style=" not in svg


def test_upkeep_reminders_go_once_to_the_responsible_person(world, solar, mails, db):
    solar.responsible_user_id = world.board_a.id
    services.add_task(solar, title="Omvormers inspecteren", notes=None, due_on=date(2026, 7, 10),
                      done_on=None, responsible_user_id=None, actor=None)
    services.add_task(solar, title="Later", notes=None, due_on=date(2026, 12, 1), done_on=None,
                      responsible_user_id=None, actor=None)
    assert services.send_reminders(on=date(2026, 7, 1)) == 1
    assert services.send_reminders(on=date(2026, 7, 1)) == 0
    from coop.core.mail import OutboxMessage

    msg = db.session.scalars(db.select(OutboxMessage)).all()[-1]
    assert msg.to_address == world.board_a.email and "Omvormers inspecteren" in msg.subject
    with pytest.raises(DomainError):
        services.add_task(solar, title="x", notes=None, due_on=None, done_on=None,
                          responsible_user_id=None, actor=None)


def test_dwelling_allocation_and_waiting_list(world, make_asset, make_member):
    home = make_asset(world.coop_a, kind="dwelling", name="Hofwoning 3")
    early = make_member(world.coop_a)
    services.add_to_waiting_list(world.coop_a, member_number=world.record_a.number,
                                 registered_on=date(2023, 5, 1), preferences="begane grond", actor=None)
    services.add_to_waiting_list(world.coop_a, member_number=early.number,
                                 registered_on=date(2021, 1, 1), preferences=None, actor=None)
    assert [e.member_id for e in services.waiting_list(world.coop_a)] == [early.id, world.record_a.id]
    assert services.waiting_position(world.record_a) == 2
    services.allocate_dwelling(home, member_number=early.number, starts_on=date(2024, 1, 1),
                               ends_on=None, household="2 personen", actor=None)
    assert services.waiting_position(world.record_a) == 1  # the allocated member left the list
    with pytest.raises(DomainError) as refused:
        services.allocate_dwelling(home, member_number=world.record_a.number,
                                   starts_on=date(2025, 1, 1), ends_on=None, household=None, actor=None)
    assert "already allocated" in said(refused)
    assert services.dwelling_for(early).asset_id == home.id


def test_reminder_command_runs(app, db):
    result = app.test_cli_runner().invoke(args=["coop", "assets-reminders"])
    assert result.exit_code == 0 and "maintenance reminders queued" in result.output
