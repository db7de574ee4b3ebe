"""The resolutions register: numbered per cooperative and year, never twice the same number."""
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from coop.core.audit import AuditEntry
from coop.core.errors import DomainError
from coop.meetings import services
from coop.meetings.models import Resolution

from .helpers import make_meeting


@pytest.fixture
def held(db, world):
    meeting = make_meeting(world.coop_a, world.board_a, convene=True)
    services.open_session(meeting, actor=world.board_a)
    return meeting


def test_resolutions_are_numbered_per_cooperative_and_year(db, world, held):
    other = make_meeting(world.coop_b, world.board_b, convene=True)
    services.open_session(other, actor=world.board_b)
    first = services.record_resolution(held, title="Begroting", text="De begroting 2027 is vastgesteld.",
                                       actor=world.board_a, adopted_on=date(2026, 5, 1))
    second = services.record_resolution(held, title="Kascommissie", text="Benoemd: J. Jansen.",
                                        actor=world.board_a, adopted_on=date(2026, 5, 1))
    next_year = services.record_resolution(held, title="Dak", text="Tweede dak.", actor=world.board_a,
                                           adopted_on=date(2027, 1, 2))
    elsewhere = services.record_resolution(other, title="Begroting", text="Vastgesteld.",
                                           actor=world.board_b, adopted_on=date(2026, 5, 1))
    assert [first.number, second.number, next_year.number, elsewhere.number] == [
        "ALV-2026-01", "ALV-2026-02", "ALV-2027-01", "ALV-2026-01"]
    entry = db.session.query(AuditEntry).filter_by(action="meetings.resolution.recorded").first()
    assert entry is not None and entry.details_dict["number"] == "ALV-2026-01"


def test_a_number_cannot_be_given_twice(db, world, held):
    services.record_resolution(held, title="Begroting", text="Vastgesteld.", actor=None,
                               adopted_on=date(2026, 5, 1))
    db.session.add(Resolution(cooperative_id=held.cooperative_id, meeting_id=held.id, year=2026, seq=1,
                              title="Dubbel", text="Dubbel", adopted_on=date(2026, 5, 1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_only_a_held_meeting_with_a_text_records_a_resolution(db, world):
    convened = make_meeting(world.coop_a, world.board_a, convene=True)
    with pytest.raises(DomainError, match="has been held"):
        services.record_resolution(convened, title="Te vroeg", text="Nee", actor=None)
    services.open_session(convened, actor=world.board_a)
    with pytest.raises(DomainError, match="title and the text"):
        services.record_resolution(convened, title="Leeg", text="  ", actor=None)
    foreign = make_meeting(world.coop_a, world.board_a)
    item = services.add_item(foreign, {"title": "Besluit", "kind": "decision"}, actor=None)
    with pytest.raises(DomainError, match="another meeting"):
        services.record_resolution(convened, title="Besluit", text="Ja", item=item, actor=None)
    assert db.session.query(Resolution).count() == 0
