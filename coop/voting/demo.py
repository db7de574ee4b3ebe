"""Demo voting for Zonnedak: at the spring meeting the annual accounts were adopted by an open
vote (so the resolutions register has an entry) and the audit committee was elected by secret
ballot, and two supervisory board members by single transferable vote; for the autumn
meeting online voting on the budget is open ahead of the meeting, for the
demo member lid@zonnedak.example among others."""
from __future__ import annotations

from datetime import timedelta

from coop.core.db import utcnow
from coop.extensions import db
from coop.meetings.models import GeneralMeeting, ItemKind
from coop.members.models import Member
from coop.voting import services
from coop.voting.models import VoteKind


def spring(meeting: GeneralMeeting, people: list[Member], chair) -> None:
    """Called while the spring meeting is in session (before it closes)."""
    item = next(i for i in meeting.items if i.kind == ItemKind.DECISION)
    motion = services.create_motion(item, {
        "title": "Vaststelling jaarrekening 2025",
        "text": "De algemene ledenvergadering stelt de jaarrekening 2025 vast en verleent het bestuur "
                "décharge voor het gevoerde beleid.", "kind": "ordinary"}, actor=chair)
    vote = services.open_vote(meeting, actor=chair, title=motion.title, motion=motion)
    choices = ["for"] * 33 + ["against"] * 4 + ["abstain"] * 4
    services.record_paper_ballots(vote, {m.id: c for m, c in zip(people[:41], choices)}, actor=chair)
    services.close_vote(vote, actor=chair)
    election = services.open_vote(meeting, actor=chair, title="Verkiezing kascommissie", kind=VoteKind.ELECTION,
                                  options=["Fatima El Amrani", "Jeroen de Boer"], is_secret=True)
    for m, c in zip(people[:12], ["Fatima El Amrani"] * 8 + ["Jeroen de Boer"] * 4):
        services.cast(election, m, {m.id: c}, actor=None)
    services.close_vote(election, actor=chair)
    board = ["Annemarie Kok", "Hüseyin Yılmaz", "Pieter van Dijk", "Sanne de Wit"]
    stv = services.open_vote(meeting, actor=chair, title="Verkiezing raad van commissarissen", kind=VoteKind.STV,
                             options=board, seats=2, is_secret=True)
    rankings = ([board[0], board[2]], [board[1], board[0]], [board[2], board[3]], [board[0], board[1]],
                [board[3], board[2], board[1]], [board[1]], [board[0]], [])
    for m, ranking in zip(people[:16], rankings * 2):
        services.cast(stv, m, {m.id: ranking}, actor=None)
    services.close_vote(stv, actor=chair)


def autumn(meeting: GeneralMeeting, chair) -> None:
    """Online voting ahead of the convened autumn meeting (the statutes allow 30 days)."""
    meeting.cooperative.statutes.has_electronic_voting = True
    item = next(i for i in meeting.items if i.kind == ItemKind.DECISION)
    motion = services.create_motion(item, {
        "title": "Vaststelling begroting 2027",
        "text": "De algemene ledenvergadering stelt de begroting 2027 vast zoals toegelicht in de stukken.",
        "kind": "ordinary"}, actor=chair)
    services.open_vote(meeting, actor=chair, title=motion.title, motion=motion, now=utcnow() - timedelta(minutes=1))
    db.session.flush()


