"""Revenue distribution through the services and pages: pro rata by days, exact cents,
review → approve (frozen), CSV, SEPA credit transfer, the member's yield and PDF."""
import shutil
import subprocess
from datetime import date

import pytest

from coop.assets import revenue, services
from coop.assets.models import DistributionShare
from coop.core.errors import DomainError
from tests.assets.conftest import said

GOOD_IBAN = "NL91ABNA0417164300"


def shares(db, dist):
    return {s.member_id: s.amount_cents for s in db.session.scalars(
        db.select(DistributionShare).where(DistributionShare.distribution_id == dist.id))}


def test_units_that_changed_hands_share_pro_rata_by_days(world, solar, approve, db):
    anna, bert = world.record_a, world.record_board_a
    approve(solar, anna, 10, date(2024, 1, 1))
    # on 1 July (day 183 of 366 in 2024) Anna passes 5 units to Bert
    approve(solar, anna, 5, date(2024, 7, 1), kind="transfer", counterparty=bert)
    dist = revenue.create_distribution(solar, period_start_on=date(2024, 1, 1),
                                       period_end_on=date(2024, 12, 31), amount_cents=100_001, actor=None)
    got = shares(db, dist)
    assert sum(got.values()) == 100_001
    # unit-days: Anna 10×182 + 5×184 = 2740, Bert 5×184 = 920
    # exact 74,863.66 and 25,136.33: two cents left, one to each by largest remainder
    assert got == {anna.id: 74_864, bert.id: 25_137}


def test_a_period_without_participations_is_refused(world, solar, approve):
    approve(solar, world.record_a, 1, date(2025, 1, 1))
    with pytest.raises(DomainError) as refused:
        revenue.create_distribution(solar, period_start_on=date(2024, 1, 1),
                                    period_end_on=date(2024, 12, 31), amount_cents=5000, actor=None)
    assert "No member held participations" in said(refused)


def test_amount_from_production_times_price(world, solar, approve, db):
    approve(solar, world.record_a, 2, date(2024, 1, 1))
    services.add_reading(solar, read_on=date(2024, 12, 31), meter_kwh=1000, actor=None)
    services.add_reading(solar, read_on=date(2025, 1, 31), meter_kwh=13_345, actor=None)
    dist = revenue.create_distribution(solar, period_start_on=date(2025, 1, 1),
                                       period_end_on=date(2025, 1, 31), price_per_kwh_millis=85,
                                       actor=None)
    assert dist.kwh == 12_345 and dist.amount_cents == 104_933  # 12,345 × € 0.085 = € 1,049.325
    assert shares(db, dist) == {world.record_a.id: 104_933}


def test_approving_twice_is_refused_and_an_approved_one_is_frozen(world, solar, approve):
    approve(solar, world.record_a, 1, date(2024, 1, 1))
    dist = revenue.create_distribution(solar, period_start_on=date(2024, 1, 1),
                                       period_end_on=date(2024, 12, 31), amount_cents=1000, actor=None)
    revenue.approve_distribution(dist, actor=None)
    with pytest.raises(DomainError) as refused:
        revenue.approve_distribution(dist, actor=None)
    assert "already been approved" in said(refused)
    with pytest.raises(DomainError) as refused:
        revenue.discard_distribution(dist, actor=None)
    assert "frozen" in said(refused)


def test_board_reviews_approves_and_exports(client, login_as, world, solar, approve, db):
    world.record_a.iban = GOOD_IBAN
    world.record_board_a.iban = "NL00BANK0000000000"  # bad checksum
    approve(solar, world.record_a, 3, date(2024, 1, 1))
    approve(solar, world.record_board_a, 1, date(2024, 1, 1))
    db.session.commit()
    login_as(client, world.board_a)
    r = client.post(f"/c/coop-a/assets/{solar.id}/distributions/new", data={
        "period_start_on": "2024-01-01", "period_end_on": "2024-12-31", "amount_cents": "1.000,00",
        "description": "Opbrengst 2024"})
    assert r.status_code == 302
    url = r.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "750.00" in page and "250.00" in page
    # double submission of the approval: the second is refused with a message
    assert client.post(url + "/approve").status_code == 302
    page = client.get(client.post(url + "/approve").headers["Location"]).get_data(as_text=True)
    assert "already been approved" in page
    csv = client.get(url + "/export.csv").get_data(as_text=True)
    assert "750.00" in csv and GOOD_IBAN in csv
    # SEPA: the invalid IBAN refuses the file unless the board leaves that member out
    sepa = {"debtor_name": "Coöperatie A", "debtor_iban": GOOD_IBAN, "execution_on": date.today().isoformat()}
    r = client.post(url + "/sepa", data=sepa)
    assert r.status_code == 400 and "no valid IBAN" in r.get_data(as_text=True)
    r = client.post(url + "/sepa", data={**sepa, "debtor_iban": "NL91ABNA0417164301"})
    assert r.status_code == 400 and "not a valid IBAN" in r.get_data(as_text=True)
    r = client.post(url + "/sepa", data={**sepa, "skip_invalid": "y"})
    assert r.status_code == 200 and r.mimetype == "application/xml"
    xml = r.get_data(as_text=True)
    assert "pain.001.001.03" in xml and GOOD_IBAN in xml and "750.00" in xml
    assert "NL00BANK" not in xml


def test_member_sees_their_yield_and_downloads_the_yearly_pdf(client, login_as, world, solar, approve, db):
    approve(solar, world.record_a, 3, date(2024, 1, 1))
    approve(solar, world.record_board_a, 1, date(2024, 1, 1))
    dist = revenue.create_distribution(solar, period_start_on=date(2024, 1, 1),
                                       period_end_on=date(2024, 12, 31), amount_cents=100_000,
                                       description="Opbrengst zonnedak 2024", actor=None)
    draft = revenue.create_distribution(solar, period_start_on=date(2024, 1, 1),
                                        period_end_on=date(2024, 6, 30), amount_cents=99_999,
                                        description="Concept", actor=None)
    revenue.approve_distribution(dist, actor=None)
    services.add_reading(solar, read_on=date(2024, 1, 1), meter_kwh=0, actor=None)
    services.add_reading(solar, read_on=date(2024, 6, 1), meter_kwh=60_000, actor=None)
    db.session.commit()
    login_as(client, world.member_a)
    page = client.get("/me/c/coop-a/assets").get_data(as_text=True)
    assert "Opbrengst zonnedak 2024" in page and "750.00" in page
    assert "Concept" not in page and draft.id  # drafts are not shown to members
    assert "250.00" not in page  # nobody else's share
    r = client.get("/me/c/coop-a/assets/yield.pdf?year=2024")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=r.data, capture_output=True,
                              check=True).stdout.decode()
        assert "Opbrengst zonnedak 2024" in text and "750.00" in text
        assert "60,000 kWh" in text  # the production chart's figures
