"""Access-matrix rows of voting: the board's pages (motions, votes, paper entry, results), the
member's ballot and results under /me/c/<coop>/votes/, and the resolutions register."""
from tests.security.matrix.common import COOP_A_BOARD, COOP_A_MEMBER


def _fixture(w):
    """A meeting of cooperative A in session with a motion, an open vote and a closed one."""
    if not hasattr(w, "voting_meeting_a"):
        from coop.extensions import db
        from coop.voting import services
        from coop.voting.models import VoteKind
        from tests.voting.helpers import meeting_in_session, motion_on

        w.voting_meeting_a = meeting_in_session(w.coop_a)
        w.motion_a = motion_on(w.voting_meeting_a)
        w.open_vote_a = services.open_vote(w.voting_meeting_a, actor=None, title="Kleur", kind=VoteKind.POLL,
                                           options=["rood", "groen"])
        w.closed_vote_a = services.open_vote(w.voting_meeting_a, actor=None, title="Dak", kind=VoteKind.POLL,
                                             options=["ja", "nee"])
        services.close_vote(w.closed_vote_a, actor=None)
        db.session.commit()
    return w


A = {"coop": "coop-a"}


def _m(**extra):
    return {"coop": "coop-a", "meeting_id": lambda w: _fixture(w).voting_meeting_a.id, **extra}


OPEN = {"coop": "coop-a", "vote_id": lambda w: _fixture(w).open_vote_a.id}
CLOSED = {"coop": "coop-a", "vote_id": lambda w: _fixture(w).closed_vote_a.id}
MOTION = lambda w: _fixture(w).motion_a.id  # noqa: E731

ROWS = {
    "voting.meeting_votes": (_m(), {"GET": COOP_A_BOARD}),
    "voting.create_motion": (_m(), {"POST": COOP_A_BOARD}),
    "voting.withdraw_motion": (_m(motion_id=MOTION), {"POST": COOP_A_BOARD}),
    "voting.open_motion_vote": (_m(motion_id=MOTION), {"POST": COOP_A_BOARD}),
    "voting.open_vote": (_m(), {"POST": COOP_A_BOARD}),
    "voting.show_vote": (OPEN, {"GET": COOP_A_BOARD}),
    "voting.close_vote": (OPEN, {"POST": COOP_A_BOARD}),
    "voting.open_runoff": (CLOSED, {"POST": COOP_A_BOARD}),
    "voting.rerun_vote": (CLOSED, {"POST": COOP_A_BOARD}),
    "voting.record_paper": (OPEN, {"POST": COOP_A_BOARD}),
    "voting.record_paper_totals": (OPEN, {"POST": COOP_A_BOARD}),
    "voting.export_vote": (CLOSED, {"GET": COOP_A_BOARD}),
    "voting.resolutions": (A, {"GET": COOP_A_MEMBER}),
    "voting.export_resolutions": (A, {"GET": COOP_A_MEMBER}),
    "voting.my_votes": (A, {"GET": COOP_A_MEMBER}),
    "voting.ballot": (OPEN, {"GET": COOP_A_MEMBER, "POST": COOP_A_MEMBER}),
    "voting.vote_result": (CLOSED, {"GET": COOP_A_MEMBER, "POST": COOP_A_MEMBER}),
}
