"""Fees: member categories, charging a year (idempotent), paid/unpaid, who owes, CSV export."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from coop.core.audit import AuditEntry
from coop.core.csvsafe import safe_cell, write_csv
from coop.core.errors import DomainError
from coop.members import capital, services
from coop.members.models import FeeCharge, MemberCategory, MemberStatus


@pytest.fixture
def household(world):
    return capital.create_category(world.coop_a, {"name": "Huishouden", "yearly_fee_cents": 2500,
                                                  "vote_weight": 1}, actor=world.board_a)


@pytest.fixture
def business(world):
    return capital.create_category(world.coop_a, {"name": "Bedrijf", "yearly_fee_cents": 10000,
                                                  "vote_weight": 2}, actor=world.board_a)


@pytest.fixture
def categorised(db, world, household, business):
    """Anna (household) and Bert (business) have a category; an applicant and a former member
    with a category are not charged; a member without category neither."""
    world.record_a.category_id = household.id
    world.record_board_a.category_id = business.id
    db.session.flush()
    return world


def charges(db, coop, year):
    return {c.member_id: c for c in db.session.scalars(
        select(FeeCharge).where(FeeCharge.cooperative_id == coop.id, FeeCharge.year == year))}


def test_charge_year_charges_current_members_with_a_category(db, categorised, make_member, household):
    w = categorised
    make_member(w.coop_a, status=MemberStatus.APPLICANT, category_id=household.id)
    gone = make_member(w.coop_a, category_id=household.id)
    services.record_death(gone, died_on=date(2025, 1, 2), actor=None)
    make_member(w.coop_a)  # no category
    make_member(w.coop_b)  # another cooperative
    created = capital.charge_year(w.coop_a, 2025, actor=w.board_a)
    assert created == 2
    got = charges(db, w.coop_a, 2025)
    assert {m: c.amount_cents for m, c in got.items()} == {w.record_a.id: 2500,
                                                            w.record_board_a.id: 10000}
    assert all(c.paid_on is None for c in got.values())
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "fees.charge_year")
                              .order_by(AuditEntry.id.desc()))
    assert entry.details_dict == {"year": 2025, "created": 2, "members_without_category": 1}


def test_charging_twice_creates_no_duplicates(db, categorised, make_member, household):
    w = categorised
    assert capital.charge_year(w.coop_a, 2025, actor=w.board_a) == 2
    assert capital.charge_year(w.coop_a, 2025, actor=w.board_a) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "fees.charge_year")) == 1
    newcomer = make_member(w.coop_a, category_id=household.id)
    assert capital.charge_year(w.coop_a, 2025, actor=w.board_a) == 1
    assert db.session.scalar(select(func.count()).select_from(FeeCharge)
                             .where(FeeCharge.cooperative_id == w.coop_a.id)) == 3
    assert newcomer.id in charges(db, w.coop_a, 2025)
    # a changed category fee does not change what was charged
    capital.update_category(household, {"name": "Huishouden", "yearly_fee_cents": 3000,
                                        "vote_weight": 1}, actor=w.board_a)
    assert capital.charge_year(w.coop_a, 2025, actor=w.board_a) == 0
    assert charges(db, w.coop_a, 2025)[w.record_a.id].amount_cents == 2500
    assert capital.charge_year(w.coop_a, 2026, actor=w.board_a) == 3
    assert charges(db, w.coop_a, 2026)[w.record_a.id].amount_cents == 3000


def test_the_database_refuses_a_second_charge_for_a_year(db, categorised):
    """The unique constraint is what makes it true under concurrency."""
    from sqlalchemy.exc import IntegrityError

    w = categorised
    capital.charge_year(w.coop_a, 2025, actor=None)
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(FeeCharge(cooperative_id=w.coop_a.id, member_id=w.record_a.id,
                                     year=2025, amount_cents=1))
            db.session.flush()


def test_charge_year_refuses_a_far_future_year(world):
    with pytest.raises(DomainError) as e:
        capital.charge_year(world.coop_a, date.today().year + 2, actor=None)
    assert e.value.field == "year"


def test_mark_paid_and_unpaid(db, categorised):
    w = categorised
    capital.charge_year(w.coop_a, 2025, actor=None)
    charge = charges(db, w.coop_a, 2025)[w.record_a.id]
    with pytest.raises(DomainError) as e:
        capital.mark_paid(charge, paid_on=date.today() + timedelta(days=1), actor=w.board_a)
    assert e.value.field == "paid_on"
    capital.mark_paid(charge, paid_on=date(2025, 3, 1), actor=w.board_a)
    assert charge.paid_on == date(2025, 3, 1)
    with pytest.raises(DomainError):
        capital.mark_paid(charge, paid_on=date(2025, 3, 2), actor=w.board_a)
    capital.mark_unpaid(charge, actor=w.board_a)
    assert charge.paid_on is None
    with pytest.raises(DomainError):
        capital.mark_unpaid(charge, actor=w.board_a)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("fees.mark%"))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["fees.mark_paid", "fees.mark_unpaid"]


def test_who_still_owes(db, categorised, client, login_as):
    w = categorised
    capital.charge_year(w.coop_a, 2024, actor=None)
    capital.charge_year(w.coop_a, 2025, actor=None)
    c24, c25 = charges(db, w.coop_a, 2024), charges(db, w.coop_a, 2025)
    capital.mark_paid(c24[w.record_board_a.id], paid_on=date(2024, 5, 1), actor=None)
    capital.mark_paid(c25[w.record_board_a.id], paid_on=date(2025, 5, 1), actor=None)
    capital.mark_paid(c24[w.record_a.id], paid_on=date(2024, 5, 1), actor=None)
    db.session.commit()
    rows = db.session.execute(capital.debtors_statement(w.coop_a)).all()
    assert [(m.id, n, owed, first, last) for m, n, owed, first, last in rows] == [
        (w.record_a.id, 1, 2500, 2025, 2025)]
    capital.mark_unpaid(c24[w.record_a.id], actor=None)
    db.session.commit()
    [(m, n, owed, first, last)] = db.session.execute(capital.debtors_statement(w.coop_a)).all()
    assert (n, owed, first, last) == (2, 5000, 2024, 2025)
    login_as(client, w.board_a)
    page = client.get("/c/coop-a/fees/owing").get_data(as_text=True)
    assert "Anna Jansen" in page and "Bert Bakker" not in page


def test_fee_pages(db, categorised, client, login_as):
    w = categorised
    login_as(client, w.board_a)
    r = client.post("/c/coop-a/fees/charge", data={"year": "2025"}, follow_redirects=True)
    assert "2 fees charged for 2025" in r.get_data(as_text=True)
    r = client.post("/c/coop-a/fees/charge", data={"year": "2025"}, follow_redirects=True)
    assert "Nothing new to charge for 2025" in r.get_data(as_text=True)
    charge = charges(db, w.coop_a, 2025)[w.record_a.id]
    r = client.post(f"/c/coop-a/fees/{charge.id}/paid", data={"paid_on": "2025-02-03",
                                                               "next": "/c/coop-a/fees?year=2025"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/c/coop-a/fees?year=2025")
    db.session.refresh(charge)
    assert charge.paid_on == date(2025, 2, 3)
    unpaid = client.get("/c/coop-a/fees?year=2025&paid=unpaid").get_data(as_text=True)
    assert "Bert Bakker" in unpaid and "Anna Jansen" not in unpaid
    paid = client.get("/c/coop-a/fees?year=2025&paid=paid").get_data(as_text=True)
    assert "Anna Jansen" in paid and "Bert Bakker" not in paid
    # a next that leads elsewhere is not followed
    r = client.post(f"/c/coop-a/fees/{charge.id}/unpaid", data={"next": "https://evil.example/"})
    assert r.headers["Location"].endswith("/c/coop-a/fees?year=2025")
    db.session.refresh(charge)
    assert charge.paid_on is None


def test_category_pages_take_euros(db, world, client, login_as):
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/fees/categories/new",
                    data={"name": "Huishouden", "yearly_fee_cents": "25,00", "vote_weight": "1"})
    assert r.status_code == 302
    cat = db.session.scalar(select(MemberCategory).where(MemberCategory.cooperative_id == world.coop_a.id))
    assert cat.yearly_fee_cents == 2500
    r = client.post(f"/c/coop-a/fees/categories/{cat.id}/edit",
                    data={"name": "Huishouden", "yearly_fee_cents": "30.50", "vote_weight": "2"})
    assert r.status_code == 302
    db.session.refresh(cat)
    assert (cat.yearly_fee_cents, cat.vote_weight) == (3050, 2)
    r = client.post("/c/coop-a/fees/categories/new",
                    data={"name": "huishouden", "yearly_fee_cents": "1", "vote_weight": "1"})
    assert r.status_code == 400 and "already a category with this name" in r.get_data(as_text=True)
    r = client.post("/c/coop-a/fees/categories/new",
                    data={"name": "X", "yearly_fee_cents": "-3", "vote_weight": "0"})
    assert r.status_code == 400


def test_another_cooperatives_fee_answers_404(db, world, client, login_as):
    cat = capital.create_category(world.coop_b, {"name": "B", "yearly_fee_cents": 100,
                                                 "vote_weight": 1}, actor=None)
    world.record_b.category_id = cat.id
    capital.charge_year(world.coop_b, 2025, actor=None)
    db.session.commit()
    charge = charges(db, world.coop_b, 2025)[world.record_b.id]
    login_as(client, world.board_a)
    assert client.post(f"/c/coop-a/fees/{charge.id}/paid", data={"paid_on": "2025-01-01"}).status_code == 404
    assert client.get(f"/c/coop-a/fees/categories/{cat.id}/edit").status_code == 404
    db.session.refresh(charge)
    assert charge.paid_on is None


# --- CSV export -----------------------------------------------------------------------------------


def test_csv_export_for_the_bookkeeping(db, categorised, client, login_as):
    w = categorised
    capital.charge_year(w.coop_a, 2025, actor=None)
    capital.mark_paid(charges(db, w.coop_a, 2025)[w.record_a.id], paid_on=date(2025, 4, 30), actor=None)
    db.session.commit()
    login_as(client, w.board_a)
    r = client.get("/c/coop-a/fees/2025/export.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0] == ["Member number", "Name", "Category", "Amount (EUR)", "Paid on"]
    assert rows[1:] == [
        [str(w.record_a.number), "Anna Jansen", "Huishouden", "25.00", "2025-04-30"],
        [str(w.record_board_a.number), "Bert Bakker", "Bedrijf", "100.00", ""],
    ]


def test_csv_export_writes_formulas_as_text(db, world, household, make_member, client, login_as):
    evil = make_member(world.coop_a, first_name="=cmd|' /C calc'!A0", last_name="Hacker",
                       category_id=household.id)
    capital.update_category(household, {"name": "@SUM(1+1)", "yearly_fee_cents": 2500,
                                        "vote_weight": 1}, actor=None)
    capital.charge_year(world.coop_a, 2025, actor=None)
    db.session.commit()
    login_as(client, world.board_a)
    text = client.get("/c/coop-a/fees/2025/export.csv").data.decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text)) if r[0] == str(evil.number))
    assert row[1] == "'=cmd|' /C calc'!A0 Hacker"
    assert row[2] == "'@SUM(1+1)"
    for cell in (c for r in csv.reader(io.StringIO(text)) for c in r):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+31 6 1234", "'+31 6 1234"), ("-2", "'-2"), ("@A1", "'@A1"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Jansen", "Jansen"), ("a=b", "a=b"), ("", ""), (None, ""),
    (-12, -12), (3, 3),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_write_csv_neutralises_every_cell():
    out = write_csv(["=header"], [["=a", "b"], [None, "-c"]])
    assert out == "'=header\r\n'=a,b\r\n,'-c\r\n"


# --- query budget ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/c/coop-a/fees?year=2025", "/c/coop-a/fees?year=2025&paid=unpaid",
                                 "/c/coop-a/fees/owing", "/c/coop-a/fees/categories"])
def test_fee_pages_use_a_constant_number_of_queries(db, world, household, business, make_member,
                                                    client, login_as, queries_stay_constant, url):
    def grow(n):
        for i in range(n):
            make_member(world.coop_a, category_id=(household if i % 2 else business).id)
        capital.charge_year(world.coop_a, 2024, actor=None)
        capital.charge_year(world.coop_a, 2025, actor=None)
        db.session.commit()

    login_as(client, world.board_a)
    queries_stay_constant(client, url, grow, 2, 30)


def test_fees_partial_for_the_member_page(app, db, categorised, count_queries):
    from flask import g, render_template
    from flask_login import login_user

    w = categorised
    capital.charge_year(w.coop_a, 2024, actor=None)
    capital.charge_year(w.coop_a, 2025, actor=None)
    db.session.commit()
    with app.test_request_context("/c/coop-a/"):
        g.coop = w.coop_a
        login_user(w.board_a)
        render_template("members/_fees_section.html", member=w.record_a)
        with count_queries() as q:
            html = render_template("members/_fees_section.html", member=w.record_a)
    assert "2025" in html and "2024" in html and "Mark paid today" in html
    assert q.count <= 2
