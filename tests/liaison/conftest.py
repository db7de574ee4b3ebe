"""Fixtures of the liaison tests: a submitted request of cooperative A to municipality M."""
from __future__ import annotations

from datetime import date

import pytest

from coop.liaison import services
from coop.liaison.models import RequestKind

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def catalogue_type(muni, kind: RequestKind):
    return next(t for t in services.ensure_catalogue(muni) if t.kind is kind)


@pytest.fixture
def draft(db, world):
    req = services.create_draft(world.coop_a, catalogue_type(world.muni_m, RequestKind.DECISION),
                                subject="Subsidie zonnedak sporthal", body="Wij vragen subsidie aan.",
                                actor=world.board_a)
    db.session.commit()
    return req


@pytest.fixture
def submitted(db, world, draft):
    services.submit(draft, actor=world.board_a, on=date(2026, 3, 2))
    db.session.commit()
    return draft


@pytest.fixture(autouse=True)
def request_context(app):
    """Service calls outside the test client translate their messages: give them a request."""
    with app.test_request_context():
        yield
