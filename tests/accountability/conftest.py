from datetime import date

import pytest


@pytest.fixture
def held(db, world):
    from coop.meetings import services

    from tests.meetings.helpers import make_meeting

    meeting = make_meeting(world.coop_a, world.board_a, convene=True)
    services.open_session(meeting, actor=world.board_a)
    return meeting


@pytest.fixture
def resolutions(db, world, held):
    """Three resolutions of cooperative A adopted in the current year."""
    from coop.meetings import services

    year = date.today().year
    out = [services.record_resolution(held, title=t, text=f"{t}: aangenomen.", actor=world.board_a,
                                      adopted_on=date(year, 1, 15))
           for t in ("Tweede zonnedak", "Begroting", "Ledenraad onderzoeken")]
    db.session.commit()
    return out
