"""Factories for the asset tests."""
from datetime import date

import pytest


@pytest.fixture
def make_asset(db):
    """``make_asset(coop, **fields)`` via the service (audited, validated)."""
    from coop.assets import services

    counter = {"n": 0}

    def _make(coop, **fields):
        counter["n"] += 1
        values = {"kind": "solar", "name": f"Zonnedak {counter['n']}", "status": "in_operation"}
        values.update(fields)
        asset = services.create_asset(coop, values, actor=None)
        return asset

    return _make


@pytest.fixture
def solar(world, make_asset):
    """A solar roof of coop A with participations of € 250, at most 20 per member."""
    return make_asset(world.coop_a, unit_price_cents=25000, max_units_per_member=20,
                      capacity_watts=148500, commissioned_on=date(2023, 5, 1))


@pytest.fixture
def car(world, make_asset):
    return make_asset(world.coop_a, kind="vehicle", name="Deelauto", is_bookable=True,
                      max_hours_per_month=20, max_open_bookings=3)


@pytest.fixture
def approve(db):
    """``approve(asset, member, quantity, on, kind="issue", counterparty=None)``: propose and approve."""
    from coop.assets import services

    def _approve(asset, member, quantity, on, kind="issue", counterparty=None):
        m = services.propose_mutation(asset, kind=kind, member=member, counterparty=counterparty,
                                      quantity=quantity, effective_on=on, actor=None)
        return services.approve_mutation(m, actor=None)

    return _approve


def said(excinfo) -> str:
    """A refusal as a user reads it (English, values filled in)."""
    from flask import current_app

    with current_app.test_request_context(headers={"Accept-Language": "en"}):
        return str(excinfo.value.message)
