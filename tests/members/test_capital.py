"""Member capital: share types, the share ledger with board approval, derived holdings."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coop.core.audit import AuditEntry
from coop.core.errors import DomainError
from coop.members import capital, rules, services
from coop.members.forms_capital import parse_euros
from coop.members.models import MemberStatus, ShareTransaction, ShareType


@pytest.fixture
def share(db, world):
    """A share type of cooperative A: € 50 nominal, at least 1, at most 10 per member."""
    return capital.create_share_type(world.coop_a, {"name": "Participatie", "nominal_cents": 5000,
                                                    "min_per_member": 1, "max_per_member": 10},
                                     actor=world.board_a)


@pytest.fixture
def anna(world):
    return world.record_a


@pytest.fixture
def bert(world):
    return world.record_board_a


def issue(world, share, member, quantity, *, on=date(2024, 3, 1), approve=True):
    tx = capital.propose_transaction(world.coop_a, kind="issue", share_type=share, member=member,
                                     quantity=quantity, effective_on=on, actor=world.board_a)
    if approve:
        capital.approve_transaction(tx, actor=world.board_a)
    return tx


def units(member, as_of=None):
    return {h.share_type.name: h.units for h in capital.holdings_for(member, as_of)}


def refusal(excinfo) -> str:
    """The refusal as a user reads it (English)."""
    from flask import current_app

    with current_app.test_request_context(headers={"Accept-Language": "en"}):
        return str(excinfo.value.message)


# --- rules through the services ------------------------------------------------------------------


def test_issue_counts_only_once_approved(world, share, anna):
    tx = issue(world, share, anna, 4, approve=False)
    assert tx.status.value == "proposed"
    assert units(anna) == {}
    capital.approve_transaction(tx, actor=world.board_a)
    assert units(anna) == {"Participatie": 4}
    [holding] = capital.holdings_for(anna)
    assert holding.value_cents == 4 * 5000


def test_issue_below_the_minimum_is_refused(world, anna):
    st = capital.create_share_type(world.coop_a, {"name": "Lidmaatschapsbewijs", "nominal_cents": 1000,
                                                  "min_per_member": 2, "max_per_member": None},
                                   actor=world.board_a)
    with pytest.raises(DomainError) as e:
        issue(world, st, anna, 1)
    assert "below the minimum of 2" in refusal(e)
    assert "Anna Jansen" in refusal(e)


def test_issue_above_the_maximum_is_refused(world, share, anna):
    issue(world, share, anna, 8)
    with pytest.raises(DomainError) as e:
        issue(world, share, anna, 3)
    assert "above the maximum of 10" in refusal(e)
    assert units(anna) == {"Participatie": 8}


def test_approval_rechecks_the_rules_at_that_moment(world, share, anna):
    """Two proposals that are each fine, but together exceed the maximum: the second
    approval is refused."""
    first = issue(world, share, anna, 6, approve=False)
    second = issue(world, share, anna, 6, approve=False)
    capital.approve_transaction(first, actor=world.board_a)
    with pytest.raises(DomainError) as e:
        capital.approve_transaction(second, actor=world.board_a)
    assert "above the maximum" in refusal(e)
    assert second.status.value == "proposed"
    assert units(anna) == {"Participatie": 6}


def test_transfer_to_a_non_member_is_refused(world, share, anna, make_member):
    issue(world, share, anna, 5)
    applicant = make_member(world.coop_a, status=MemberStatus.APPLICANT)
    former = make_member(world.coop_a)
    services.record_death(former, died_on=date(2025, 1, 1), actor=None)
    for other in (applicant, former):
        with pytest.raises(DomainError) as e:
            capital.propose_transaction(world.coop_a, kind="transfer", share_type=share, member=anna,
                                        counterparty=other, quantity=2, actor=world.board_a)
        assert "not a current member" in refusal(e)
        assert e.value.field == "counterparty_number"


def test_transfer_to_a_member_of_another_cooperative_is_refused(world, share, anna):
    issue(world, share, anna, 5)
    with pytest.raises(DomainError) as e:
        capital.propose_transaction(world.coop_a, kind="transfer", share_type=share, member=anna,
                                    counterparty=world.record_b, quantity=2, actor=world.board_a)
    assert e.value.field == "counterparty_number"


def test_transfer_moves_units_between_members(world, share, anna, bert):
    issue(world, share, anna, 5)
    issue(world, share, bert, 1)
    tx = capital.propose_transaction(world.coop_a, kind="transfer", share_type=share, member=anna,
                                     counterparty=bert, quantity=3, effective_on=date(2024, 6, 1),
                                     actor=world.board_a)
    capital.approve_transaction(tx, actor=world.board_a)
    assert units(anna) == {"Participatie": 2}
    assert units(bert) == {"Participatie": 4}
    # the receiver's maximum counts too
    with pytest.raises(DomainError) as e:
        capital.propose_transaction(world.coop_a, kind="transfer", share_type=share, member=bert,
                                    counterparty=anna, quantity=4, effective_on=date(2024, 7, 1),
                                    actor=world.board_a)
    assert "below the minimum" in refusal(e)  # Bert would keep 0 and is not leaving


def test_only_a_leaving_member_may_go_to_zero(world, share, anna):
    issue(world, share, anna, 3)
    with pytest.raises(DomainError) as e:
        capital.propose_transaction(world.coop_a, kind="redemption", share_type=share, member=anna,
                                    quantity=3, actor=world.board_a)
    assert "Only a member who is leaving may go to zero" in refusal(e)
    services.give_notice(anna, by_member=True, actor=None, given_on=date.today())
    assert anna.leaves_on is not None
    tx = capital.propose_transaction(world.coop_a, kind="redemption", share_type=share, member=anna,
                                     quantity=3, actor=world.board_a)
    capital.approve_transaction(tx, actor=world.board_a)
    assert units(anna) == {}


def test_a_former_member_may_redeem_to_zero_but_not_receive(world, share, anna, bert):
    issue(world, share, anna, 3)
    services.record_death(anna, died_on=date.today(), actor=None)
    assert anna.status == MemberStatus.FORMER
    tx = capital.propose_transaction(world.coop_a, kind="redemption", share_type=share, member=anna,
                                     quantity=3, actor=world.board_a)
    capital.approve_transaction(tx, actor=world.board_a)
    assert units(anna) == {}
    with pytest.raises(DomainError) as e:
        issue(world, share, anna, 1)
    assert "not a current member" in refusal(e)


def test_a_redemption_cannot_take_more_than_held(world, share, anna):
    issue(world, share, anna, 2)
    services.give_notice(anna, by_member=True, actor=None)
    with pytest.raises(DomainError) as e:
        capital.propose_transaction(world.coop_a, kind="redemption", share_type=share, member=anna,
                                    quantity=3, actor=world.board_a)
    assert "does not hold enough shares" in refusal(e)


def test_a_back_dated_redemption_cannot_dig_a_hole_in_the_past(world, share, anna):
    """Shares issued on 1 March cannot be redeemed as of 1 February."""
    issue(world, share, anna, 3, on=date(2024, 3, 1))
    services.give_notice(anna, by_member=True, actor=None)
    with pytest.raises(DomainError) as e:
        capital.propose_transaction(world.coop_a, kind="redemption", share_type=share, member=anna,
                                    quantity=3, effective_on=date(2024, 2, 1), actor=world.board_a)
    assert "does not hold enough shares" in refusal(e)


def test_approving_twice_or_a_rejected_line_is_refused(world, share, anna):
    tx = issue(world, share, anna, 2)
    with pytest.raises(DomainError) as e:
        capital.approve_transaction(tx, actor=world.board_a)
    assert "already been approved" in refusal(e)
    with pytest.raises(DomainError):
        capital.reject_transaction(tx, actor=world.board_a)
    other = issue(world, share, anna, 1, approve=False)
    capital.reject_transaction(other, actor=world.board_a)
    with pytest.raises(DomainError) as e:
        capital.approve_transaction(other, actor=world.board_a)
    assert "was rejected" in refusal(e)
    assert units(anna) == {"Participatie": 2}


@pytest.mark.parametrize("quantity", [0, -1, 2.5, True])
def test_quantities_are_positive_whole_numbers(world, share, anna, quantity):
    with pytest.raises(DomainError) as e:
        capital.propose_transaction(world.coop_a, kind="issue", share_type=share, member=anna,
                                    quantity=quantity, actor=world.board_a)
    assert e.value.field == "quantity"


def test_the_effective_date_is_at_most_a_year_ahead(world, share, anna):
    ok = rules.add_months(date.today(), 12)
    capital.propose_transaction(world.coop_a, kind="issue", share_type=share, member=anna,
                                quantity=1, effective_on=ok, actor=world.board_a)
    with pytest.raises(DomainError) as e:
        capital.propose_transaction(world.coop_a, kind="issue", share_type=share, member=anna,
                                    quantity=1, effective_on=ok + timedelta(days=1),
                                    actor=world.board_a)
    assert e.value.field == "effective_on"


def test_a_share_type_of_another_cooperative_cannot_be_used(world, anna):
    st_b = capital.create_share_type(world.coop_b, {"name": "B", "nominal_cents": 100},
                                     actor=world.board_b)
    with pytest.raises(DomainError) as e:
        capital.propose_transaction(world.coop_a, kind="issue", share_type=st_b, member=anna,
                                    quantity=1, actor=world.board_a)
    assert e.value.field == "share_type_id"


def test_status_changes_are_audited_without_personal_data(db, world, share, anna):
    tx = issue(world, share, anna, 2)
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.like("capital.%"), AuditEntry.cooperative_id == world.coop_a.id)
        .order_by(AuditEntry.seq)).all()
    assert [e.action for e in entries] == ["capital.create_share_type", "capital.propose",
                                           "capital.approve"]
    assert entries[-1].object_id == str(tx.id)
    for e in entries:
        assert "Anna" not in e.details and "Jansen" not in e.details and "Dorpsstraat" not in e.details


# --- holdings in SQL -----------------------------------------------------------------------------


def test_holdings_as_of_a_date(world, share, anna, bert):
    issue(world, share, anna, 2, on=date(2023, 5, 1))
    issue(world, share, anna, 3, on=date(2024, 5, 1))
    issue(world, share, bert, 1, on=date(2025, 1, 15))
    assert units(anna, date(2022, 12, 31)) == {}
    assert units(anna, date(2023, 12, 31)) == {"Participatie": 2}
    assert units(anna, date(2024, 12, 31)) == {"Participatie": 5}
    summary = capital.capital_summary(world.coop_a, date(2024, 12, 31))
    assert summary.holders == 1 and summary.total_cents == 5 * 5000
    summary = capital.capital_summary(world.coop_a, date(2025, 12, 31))
    assert summary.holders == 2 and summary.total_cents == 6 * 5000
    [t] = summary.per_type
    assert (t.units, t.holders) == (6, 2)


def test_sql_holdings_agree_with_the_pure_rule(db, world, make_member):
    """A random ledger: the SQL aggregate (SUM(CASE…) grouped) gives what rules.holdings gives."""
    from coop.members.models import ShareTransactionKind, ShareTransactionStatus

    st = capital.create_share_type(world.coop_a, {"name": "Random", "nominal_cents": 100},
                                   actor=None)
    people = [make_member(world.coop_a) for _ in range(5)]
    rng = random.Random(7)
    approved = []
    for _ in range(60):
        kind = rng.choice(list(ShareTransactionKind))
        giver, receiver = rng.sample(people, 2)
        status = rng.choice([ShareTransactionStatus.APPROVED, ShareTransactionStatus.APPROVED,
                             ShareTransactionStatus.PROPOSED, ShareTransactionStatus.REJECTED])
        tx = ShareTransaction(cooperative_id=world.coop_a.id, share_type_id=st.id, kind=kind,
                              status=status, member_id=giver.id,
                              counterparty_id=receiver.id if kind == ShareTransactionKind.TRANSFER else None,
                              quantity=rng.randint(1, 9), effective_on=date(2024, 1, rng.randint(1, 28)))
        db.session.add(tx)
        if status == ShareTransactionStatus.APPROVED and tx.effective_on <= date(2024, 1, 20):
            approved.append(rules.Movement(tx.member_id, tx.counterparty_id, kind.value, tx.quantity))
    db.session.flush()
    expected = {k: v for k, v in rules.holdings(approved).items() if v}
    h = capital.holdings_query(world.coop_a.id, date(2024, 1, 20))
    got = {row.holder_id: int(row.units) for row in db.session.execute(
        select(h.c.holder_id, h.c.units).where(h.c.share_type_id == st.id))}
    assert got == expected
    for person in people:
        assert units(person, date(2024, 1, 20)).get("Random", 0) == expected.get(person.id, 0)


# --- concurrency (PostgreSQL: row locks) ----------------------------------------------------------


def test_two_concurrent_approvals_cannot_both_break_the_maximum(app):
    """Two proposals of 6 with a maximum of 10, approved at the same time in two connections:
    exactly one succeeds. (On SQLite writers are serialised; the lock matters on PostgreSQL.)"""
    import threading

    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from coop.extensions import db as _db
    from coop.members.models import Member
    from coop.orgs.models import Cooperative, Municipality, StatutesProfile

    with app.app_context():
        engine = _db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    ids = {}
    with app.app_context(), Session(engine) as s:
        muni = Municipality(name="Lockstad", slug="lockstad", cbs_code="GM9876")
        coop = Cooperative(name="Lock", slug="lock-coop", kvk_number="98765432", municipality=muni)
        coop.domains = ["energy"]
        coop.statutes = StatutesProfile()
        s.add(coop)
        s.flush()
        member = Member(cooperative_id=coop.id, number=1, status=MemberStatus.MEMBER,
                        first_name="Lot", last_name="Slot", sort_name="slot, lot")
        st = ShareType(cooperative_id=coop.id, name="S", nominal_cents=100, min_per_member=0,
                       max_per_member=10)
        s.add_all([member, st])
        s.flush()
        for n in ("a", "b"):
            tx = ShareTransaction(cooperative_id=coop.id, share_type_id=st.id, kind="issue",
                                  status="proposed", member_id=member.id, quantity=6,
                                  effective_on=date(2024, 1, 1))
            s.add(tx)
            s.flush()
            ids[n] = tx.id
        ids["coop"], ids["muni"], ids["member"] = coop.id, muni.id, member.id
        s.commit()
    barrier = threading.Barrier(2)
    outcome = {}

    def approve(name):
        with app.app_context():
            session = _db.session
            tx = session.get(ShareTransaction, ids[name])
            barrier.wait()
            try:
                capital.approve_transaction(tx, actor=None)
                session.commit()
                outcome[name] = "approved"
            except DomainError:
                session.rollback()
                outcome[name] = "refused"
            finally:
                _db.session.remove()

    try:
        threads = [threading.Thread(target=approve, args=(n,)) for n in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(outcome.values()) == ["approved", "refused"]
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM share_transaction WHERE cooperative_id = :c"), {"c": ids["coop"]})
            conn.execute(sa.text("DELETE FROM audit_entry WHERE cooperative_id = :c"), {"c": ids["coop"]})
            conn.execute(sa.text("DELETE FROM audit_entry WHERE tenant_key = :k"), {"k": f"coop:{ids['coop']}"})
            conn.execute(sa.text("DELETE FROM share_type WHERE cooperative_id = :c"), {"c": ids["coop"]})
            conn.execute(sa.text("DELETE FROM member WHERE cooperative_id = :c"), {"c": ids["coop"]})
            conn.execute(sa.text("DELETE FROM statutes_profile WHERE cooperative_id = :c"), {"c": ids["coop"]})
            conn.execute(sa.text("DELETE FROM cooperative WHERE id = :c"), {"c": ids["coop"]})
            conn.execute(sa.text("DELETE FROM municipality WHERE id = :m"), {"m": ids["muni"]})


# --- euros as typed -------------------------------------------------------------------------------


@pytest.mark.parametrize("text,cents", [
    ("50", 5000), ("50,00", 5000), ("50.00", 5000), ("€ 50,-", 5000), ("50,5", 5050),
    ("1.234,56", 123456), ("1,234.56", 123456), ("1.250", 125000), ("0,01", 1), ("0", 0),
    (" 12.5 ", 1250), ("1.234.567", 123456700),
])
def test_parse_euros(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "-5", "5,123,4", "1.2.3", "12,345,67", "5,", ",5",
                                  "1e3", "1.234,567"])
def test_parse_euros_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_euros(text)


# --- pages ----------------------------------------------------------------------------------------


def test_board_creates_and_edits_a_share_type_in_euros(client, db, world, login_as):
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/capital/share-types/new",
                    data={"name": "Zonnedeel", "nominal_cents": "50,00", "min_per_member": "1",
                          "max_per_member": "20"})
    assert r.status_code == 302
    st = db.session.scalar(select(ShareType).where(ShareType.name == "Zonnedeel"))
    assert (st.nominal_cents, st.min_per_member, st.max_per_member) == (5000, 1, 20)
    page = client.get(f"/c/coop-a/capital/share-types/{st.id}/edit").get_data(as_text=True)
    assert 'value="50.00"' in page or 'value="50,00"' in page
    r = client.post(f"/c/coop-a/capital/share-types/{st.id}/edit",
                    data={"name": "Zonnedeel", "nominal_cents": "62.50", "min_per_member": "1",
                          "max_per_member": ""})
    assert r.status_code == 302
    db.session.refresh(st)
    assert (st.nominal_cents, st.max_per_member) == (6250, None)
    listing = client.get("/c/coop-a/capital/share-types").get_data(as_text=True)
    assert "Zonnedeel" in listing and "62" in listing


def test_share_type_form_shows_errors(client, db, world, login_as, share):
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/capital/share-types/new",
                    data={"name": "x", "nominal_cents": "vijftig", "min_per_member": "0"})
    assert r.status_code == 400
    assert "Give an amount in euros" in r.get_data(as_text=True)
    r = client.post("/c/coop-a/capital/share-types/new",
                    data={"name": "participatie", "nominal_cents": "10", "min_per_member": "0"})
    assert r.status_code == 400
    assert "already a share type with this name" in r.get_data(as_text=True)
    r = client.post("/c/coop-a/capital/share-types/new",
                    data={"name": "Y", "nominal_cents": "10", "min_per_member": "5",
                          "max_per_member": "2"})
    assert r.status_code == 400 and "at least the minimum" in r.get_data(as_text=True)


def test_nominal_value_is_fixed_once_issued(world, share, anna):
    issue(world, share, anna, 1)
    with pytest.raises(DomainError) as e:
        capital.update_share_type(share, {"name": share.name, "nominal_cents": 6000,
                                          "min_per_member": 1, "max_per_member": 10},
                                  actor=world.board_a)
    assert e.value.field == "nominal_cents"


def test_board_proposes_and_approves_through_the_pages(client, db, world, login_as, share, anna, bert):
    login_as(client, world.board_a)
    issue(world, share, bert, 2)
    db.session.commit()
    form = client.get(f"/c/coop-a/capital/new?member={anna.number}").get_data(as_text=True)
    assert f'value="{anna.number}"' in form
    r = client.post("/c/coop-a/capital/new", data={
        "kind": "issue", "share_type_id": share.id, "member_number": anna.number,
        "quantity": "3", "effective_on": "2024-04-01", "note": "bank ref 123"})
    assert r.status_code == 302
    tx = db.session.scalar(select(ShareTransaction).where(ShareTransaction.member_id == anna.id))
    assert tx.status.value == "proposed"
    ledger = client.get("/c/coop-a/capital?status=proposed").get_data(as_text=True)
    assert "Anna Jansen" in ledger and "bank ref 123" in ledger
    assert f"/c/coop-a/capital/{tx.id}/approve" in ledger
    r = client.post(f"/c/coop-a/capital/{tx.id}/approve", data={"next": "/c/coop-a/capital?status=proposed"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/c/coop-a/capital?status=proposed")
    db.session.refresh(tx)
    assert tx.status.value == "approved" and tx.decided_by_id == world.board_a.id
    # approving again shows the refusal, changes nothing
    r = client.post(f"/c/coop-a/capital/{tx.id}/approve", data={}, follow_redirects=True)
    assert "already been approved" in r.get_data(as_text=True)
    # a transfer to an applicant is refused on the form, on the receiving member's field
    r = client.post("/c/coop-a/capital/new", data={
        "kind": "transfer", "share_type_id": share.id, "member_number": anna.number,
        "counterparty_number": "999", "quantity": "1", "effective_on": "2024-05-01"})
    assert r.status_code == 400
    assert "There is no member with this number" in r.get_data(as_text=True)
    r = client.post("/c/coop-a/capital/new", data={
        "kind": "transfer", "share_type_id": share.id, "member_number": anna.number,
        "quantity": "1", "effective_on": "2024-05-01"})
    assert r.status_code == 400 and "needs the member who receives" in r.get_data(as_text=True)
    holdings = client.get("/c/coop-a/capital/holdings?year=2024").get_data(as_text=True)
    assert "Anna Jansen" in holdings and "Bert Bakker" in holdings
    assert client.get("/c/coop-a/capital/holdings?year=2022").get_data(as_text=True).count("Jansen") == 0


def test_ledger_filters(client, db, world, login_as, share, anna, bert):
    issue(world, share, anna, 2)
    issue(world, share, bert, 3, approve=False)
    db.session.commit()
    login_as(client, world.board_a)
    page = client.get("/c/coop-a/capital?status=proposed").get_data(as_text=True)
    assert "Bert Bakker" in page and "Anna Jansen" not in page
    page = client.get(f"/c/coop-a/capital?member={anna.number}").get_data(as_text=True)
    assert "Anna Jansen" in page and "Bert Bakker" not in page
    page = client.get("/c/coop-a/capital?member=9999").get_data(as_text=True)
    assert "No transactions match" in page


def test_another_cooperatives_rows_answer_404(client, db, world, login_as):
    st_b = capital.create_share_type(world.coop_b, {"name": "B", "nominal_cents": 100,
                                                    "min_per_member": 0}, actor=None)
    tx_b = capital.propose_transaction(world.coop_b, kind="issue", share_type=st_b,
                                       member=world.record_b, quantity=1, actor=None)
    db.session.commit()
    login_as(client, world.board_a)
    assert client.post(f"/c/coop-a/capital/{tx_b.id}/approve").status_code == 404
    assert client.post(f"/c/coop-a/capital/{tx_b.id}/reject").status_code == 404
    assert client.get(f"/c/coop-a/capital/share-types/{st_b.id}/edit").status_code == 404
    assert client.get(f"/c/coop-a/members/{world.record_b.id}/statement.pdf").status_code == 404
    db.session.refresh(tx_b)
    assert tx_b.status.value == "proposed"


def test_members_do_not_see_the_capital_pages(client, world, login_as):
    login_as(client, world.member_a)
    home = client.get("/c/coop-a/").get_data(as_text=True)
    assert "/c/coop-a/capital" not in home and "/c/coop-a/fees" not in home
    assert client.get("/c/coop-a/capital").status_code == 403
    login_as(client, world.board_a)
    home = client.get("/c/coop-a/").get_data(as_text=True)
    assert "/c/coop-a/capital" in home and "/c/coop-a/fees" in home


def test_partial_for_the_member_page(app, db, world, share, anna, count_queries):
    from flask import render_template
    from flask_login import login_user

    issue(world, share, anna, 4)
    issue(world, share, anna, 1, approve=False)
    db.session.commit()
    with app.test_request_context("/c/coop-a/members/1"):
        from flask import g

        g.coop = world.coop_a
        login_user(world.board_a)
        render_template("members/_capital_section.html", member=anna)  # warm up
        with count_queries() as q:
            html = render_template("members/_capital_section.html", member=anna)
    assert "Participatie" in html and "4" in html
    assert "1 proposed transaction awaits" in html
    assert q.count <= 3


# --- query budget ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/c/coop-a/capital", "/c/coop-a/capital?status=approved",
                                 "/c/coop-a/capital/holdings", "/c/coop-a/capital/holdings?year=2024",
                                 "/c/coop-a/capital/share-types"])
def test_capital_pages_use_a_constant_number_of_queries(client, db, world, login_as, queries_stay_constant,
                                                        make_member, url):
    st = capital.create_share_type(world.coop_a, {"name": "Q", "nominal_cents": 100}, actor=None)
    st2 = capital.create_share_type(world.coop_a, {"name": "R", "nominal_cents": 250}, actor=None)

    def grow(n):
        for _ in range(n):
            m = make_member(world.coop_a)
            capital.approve_transaction(capital.propose_transaction(
                world.coop_a, kind="issue", share_type=st, member=m, quantity=2,
                effective_on=date(2024, 2, 1), actor=None), actor=None)
            capital.approve_transaction(capital.propose_transaction(
                world.coop_a, kind="issue", share_type=st2, member=m, quantity=1,
                effective_on=date(2024, 2, 1), actor=None), actor=None)
            capital.propose_transaction(world.coop_a, kind="transfer", share_type=st, member=m,
                                        counterparty=world.record_a, quantity=1, actor=None)
        db.session.commit()

    login_as(client, world.board_a)
    queries_stay_constant(client, url, grow, 2, 25)
