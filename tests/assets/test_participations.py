"""Participations: the ledger with board approval, postcode areas, limits, holdings."""
from datetime import date

import pytest

from coop.assets import services
from coop.core.audit import AuditEntry
from coop.core.errors import DomainError
from tests.assets.conftest import said


def test_holdings_follow_approved_lines_only(world, solar, approve):
    anna, bert = world.record_a, world.record_board_a
    approve(solar, anna, 10, date(2024, 1, 1))
    pending = services.propose_mutation(solar, kind="issue", member=bert, quantity=5,
                                        effective_on=date(2024, 1, 1), actor=None)
    assert [(m.id, u) for m, u in services.holders(solar)] == [(anna.id, 10)]
    services.approve_mutation(pending, actor=None)
    approve(solar, anna, 4, date(2024, 6, 1), kind="transfer", counterparty=bert)
    assert dict((m.id, u) for m, u in services.holders(solar)) == {anna.id: 6, bert.id: 9}
    assert dict((m.id, u) for m, u in services.holders(solar, date(2024, 3, 1))) == {anna.id: 10, bert.id: 5}
    mine = services.participations_for(anna)
    assert [(p.asset.id, p.units, p.value_cents) for p in mine] == [(solar.id, 6, 6 * 25000)]


def test_above_the_maximum_is_refused_at_proposal_and_at_approval(world, solar, approve):
    with pytest.raises(DomainError) as refused:
        services.propose_mutation(solar, kind="issue", member=world.record_a, quantity=21,
                                  effective_on=date(2024, 1, 1), actor=None)
    assert "above the maximum of 20" in said(refused)
    # two proposals of 12 each pass alone; the second cannot be approved after the first
    first = services.propose_mutation(solar, kind="issue", member=world.record_a, quantity=12,
                                      effective_on=date(2024, 1, 1), actor=None)
    second = services.propose_mutation(solar, kind="issue", member=world.record_a, quantity=12,
                                       effective_on=date(2024, 1, 1), actor=None)
    services.approve_mutation(first, actor=None)
    with pytest.raises(DomainError) as refused:
        services.approve_mutation(second, actor=None)
    assert "above the maximum" in said(refused)


def test_outside_the_postcode_area_is_refused(world, make_asset, make_member):
    roof = make_asset(world.coop_a, unit_price_cents=10000, postcode_areas="9711, 9712")
    inside = make_member(world.coop_a, postcode="9712 AB")
    outside = make_member(world.coop_a, postcode="1011 AA")
    assert services.propose_mutation(roof, kind="issue", member=inside, quantity=1, actor=None)
    with pytest.raises(DomainError) as refused:
        services.propose_mutation(roof, kind="issue", member=outside, quantity=1, actor=None)
    assert "outside the postcode areas" in said(refused)


def test_no_more_units_than_available_and_no_redeeming_what_is_not_held(world, make_asset, approve):
    small = make_asset(world.coop_a, unit_price_cents=10000, units_available=5)
    approve(small, world.record_a, 4, date(2024, 1, 1))
    with pytest.raises(DomainError) as refused:
        services.propose_mutation(small, kind="issue", member=world.record_board_a, quantity=2,
                                  effective_on=date(2024, 1, 1), actor=None)
    assert "Only 1 of the 5 units" in said(refused)
    with pytest.raises(DomainError) as refused:
        services.propose_mutation(small, kind="redemption", member=world.record_board_a,
                                  quantity=1, effective_on=date(2024, 1, 1), actor=None)
    assert "does not hold enough" in said(refused)


def test_decisions_are_final_and_audited(world, solar, db):
    m = services.propose_mutation(solar, kind="issue", member=world.record_a, quantity=1,
                                  effective_on=date(2024, 1, 1), actor=world.board_a)
    services.reject_mutation(m, actor=world.board_a)
    with pytest.raises(DomainError) as refused:
        services.approve_mutation(m, actor=world.board_a)
    assert "rejected" in said(refused)
    actions = db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.cooperative_id == world.coop_a.id, AuditEntry.action.like("assets.%"))).all()
    assert {"assets.create", "assets.propose_participation", "assets.reject_participation"} <= set(actions)


def test_no_participations_without_a_unit_price(world, car):
    with pytest.raises(DomainError) as refused:
        services.propose_mutation(car, kind="issue", member=world.record_a, quantity=1, actor=None)
    assert "no participations" in said(refused)


def test_board_proposes_and_approves_through_the_pages(client, login_as, world, solar, db):
    login_as(client, world.board_a)
    r = client.post(f"/c/coop-a/assets/{solar.id}/participations/new", data={
        "kind": "issue", "member_number": world.record_a.number, "quantity": "3",
        "effective_on": "2024-01-01"})
    assert r.status_code == 302
    from coop.assets.models import ParticipationMutation

    m = db.session.scalar(db.select(ParticipationMutation).where(ParticipationMutation.asset_id == solar.id))
    assert client.post(f"/c/coop-a/participations/{m.id}/approve").status_code == 302
    assert [(mm.id, u) for mm, u in services.holders(solar)] == [(world.record_a.id, 3)]
    r = client.post(f"/c/coop-a/assets/{solar.id}/participations/new", data={
        "kind": "issue", "member_number": world.record_a.number, "quantity": "30",
        "effective_on": "2024-01-01"})
    assert r.status_code == 400 and "above the maximum" in r.get_data(as_text=True)
