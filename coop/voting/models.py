"""Motions, votes, the frozen roll and ballots.

Secret votes keep *who* voted (``Participation``) apart from *what* was voted (``SecretBallot``):
a secret ballot has a random UUID key, no member id, only the day it was cast (no time), and is
stored without a rowid on SQLite; on closing, the vote's ballots are rewritten in one transaction
in the order of their random keys, so neither the physical order nor a row's transaction tells
when (or by whom) it was cast.
"""
from __future__ import annotations

import enum
import json
from datetime import date, datetime

from sqlalchemy import (CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text,
                        UniqueConstraint, false)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core.db import str_enum, utcnow
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db


class MotionKind(enum.Enum):
    ORDINARY = "ordinary"
    STATUTE_AMENDMENT = "statute_amendment"
    DISSOLUTION = "dissolution"  # dissolution or merger
    CUSTOM = "custom"


MOTION_KIND_LABELS = {
    MotionKind.ORDINARY: _l("Ordinary decision"),
    MotionKind.STATUTE_AMENDMENT: _l("Statute amendment"),
    MotionKind.DISSOLUTION: _l("Dissolution or merger"),
    MotionKind.CUSTOM: _l("Other majority (with reason)"),
}


class MotionStatus(enum.Enum):
    PROPOSED = "proposed"
    VOTING = "voting"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"
    WITHDRAWN = "withdrawn"


MOTION_STATUS_LABELS = {
    MotionStatus.PROPOSED: _l("Proposed"),
    MotionStatus.VOTING: _l("Being voted on"),
    MotionStatus.ADOPTED: _l("Adopted"),
    MotionStatus.REJECTED: _l("Rejected"),
    MotionStatus.NO_QUORUM: _l("No quorum"),
    MotionStatus.WITHDRAWN: _l("Withdrawn"),
}


class Motion(db.Model):
    """A proposal put to the vote on a decision item; an amendment names the motion it amends
    and is voted on before it."""

    __tablename__ = "motion"
    __table_args__ = (
        CheckConstraint("majority_num > 0 AND majority_num <= majority_den", name="majority"),
        CheckConstraint("quorum_num >= 0 AND quorum_num <= quorum_den AND quorum_den > 0", name="quorum"),
        CheckConstraint("kind <> 'custom' OR override_reason IS NOT NULL", name="custom_has_reason"),
        CheckConstraint("amends_id IS NULL OR amends_id <> id", name="not_amending_itself"),
        Index("ix_motion_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"))
    #: An amendment: the motion it changes (voted on first).
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("motion.id", ondelete="CASCADE"))
    kind: Mapped[MotionKind] = mapped_column(str_enum(MotionKind, 24), default=MotionKind.ORDINARY)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    #: The majority needed, copied from the statutes profile when the motion is made.
    majority_num: Mapped[int] = mapped_column(Integer)
    majority_den: Mapped[int] = mapped_column(Integer)
    #: True: at least num/den (qualified); False: more than num/den.
    is_majority_at_least: Mapped[bool] = mapped_column(default=False)
    quorum_num: Mapped[int] = mapped_column(Integer, default=0)
    quorum_den: Mapped[int] = mapped_column(Integer, default=1)
    #: Why the majority or quorum differs from the statutes profile (required for CUSTOM).
    override_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MotionStatus] = mapped_column(str_enum(MotionStatus, 16), default=MotionStatus.PROPOSED)
    withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    meeting = relationship("GeneralMeeting")
    item = relationship("AgendaItem")
    amends: Mapped[Motion | None] = relationship(remote_side=[id], back_populates="amendments")
    amendments: Mapped[list[Motion]] = relationship(back_populates="amends", order_by="Motion.id")
    votes: Mapped[list[Vote]] = relationship(back_populates="motion", order_by="Vote.id")

    @property
    def majority_text(self) -> str:
        return f"{'≥' if self.is_majority_at_least else '>'} {self.majority_num}/{self.majority_den}"

    @property
    def is_amendment(self) -> bool:
        return self.amends_id is not None

    @property
    def last_vote(self) -> Vote | None:
        return self.votes[-1] if self.votes else None


class VoteKind(enum.Enum):
    MOTION = "motion"  # for / against / abstain
    ELECTION = "election"  # one seat: absolute majority, run-off
    APPROVAL = "approval"  # several seats: approval voting
    POLL = "poll"  # advisory, options
    STV = "stv"  # several seats: single transferable vote (ranked ballots)


VOTE_KIND_LABELS = {
    VoteKind.MOTION: _l("Motion: for, against, abstain"),
    VoteKind.ELECTION: _l("Election of one person (absolute majority, run-off)"),
    VoteKind.APPROVAL: _l("Election of several people (approval)"),
    VoteKind.POLL: _l("Advisory poll"),
    VoteKind.STV: _l("Election of several people (single transferable vote)"),
}

#: Elections of several people: the ballot's choice is a JSON list (approved names, or the
#: ranking best first).
MULTI_SEAT = (VoteKind.APPROVAL, VoteKind.STV)


class VoteStatus(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class Channel(enum.Enum):
    ONLINE = "online"
    PROXY = "proxy"
    PAPER = "paper"


CHANNEL_LABELS = {Channel.ONLINE: _l("Online"), Channel.PROXY: _l("By proxy"), Channel.PAPER: _l("In the room (paper)")}


class WindowedPoll:
    """What a vote and a consultation share: options and the frozen result stored as JSON, and
    a window in which ballots are accepted (the class says when it ``is_open``)."""

    @property
    def options(self) -> list[str]:
        return json.loads(self.options_json or "[]")

    @property
    def result(self) -> dict | None:
        return json.loads(self.result_json) if self.result_json else None

    def accepts_at(self, moment: datetime) -> bool:
        return self.is_open and self.opens_at <= moment < self.closes_at


class Vote(WindowedPoll, db.Model):
    """One vote: the roll is frozen when it opens; ballots are accepted within its window only;
    closing freezes the result with a SHA-256 hash. A closed vote is never reopened; it can be
    re-run as a new vote that names it, with a reason."""

    __tablename__ = "vote"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("status = 'open' OR (result_hash IS NOT NULL AND closed_at IS NOT NULL)", name="closed_has_hash"),
        CheckConstraint("rerun_of_id IS NULL OR rerun_reason IS NOT NULL", name="rerun_has_reason"),
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("papers_handed_out IS NULL OR papers_handed_out >= 0", name="papers_positive"),
        Index("ix_vote_meeting", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id", ondelete="CASCADE"))
    motion_id: Mapped[int | None] = mapped_column(ForeignKey("motion.id", ondelete="CASCADE"), index=True)
    kind: Mapped[VoteKind] = mapped_column(str_enum(VoteKind, 16))
    title: Mapped[str] = mapped_column(String(200))
    #: The choices of an election or poll, as a JSON list (motions: for/against/abstain).
    options_json: Mapped[str] = mapped_column(Text, default="[]")
    seats: Mapped[int] = mapped_column(Integer, default=1)
    is_secret: Mapped[bool] = mapped_column(default=False)
    #: Secret votes: publish the list of ballots by receipt after closing (lets a voter prove a choice).
    publishes_receipts: Mapped[bool] = mapped_column(default=True)
    #: Run-off of an election: the round (1, 2) and the published seed of any lot.
    round: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[str] = mapped_column(String(64))
    status: Mapped[VoteStatus] = mapped_column(str_enum(VoteStatus, 8), default=VoteStatus.OPEN)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Secret votes in the room: ballot papers handed out (the counted totals cannot exceed it).
    papers_handed_out: Mapped[int | None] = mapped_column(Integer)
    #: The frozen outcome (JSON) and the SHA-256 over roll, ballots and outcome.
    result_json: Mapped[str | None] = mapped_column(Text)
    result_hash: Mapped[str | None] = mapped_column(String(64))
    rerun_of_id: Mapped[int | None] = mapped_column(ForeignKey("vote.id"))
    rerun_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting = relationship("GeneralMeeting")
    motion: Mapped[Motion | None] = relationship(back_populates="votes")
    rerun_of: Mapped[Vote | None] = relationship(remote_side=[id])

    @property
    def is_open(self) -> bool:
        return self.status == VoteStatus.OPEN


class RollEntry(db.Model):
    """The frozen roll: who may vote in this vote, with which weight, who casts for them when a
    proxy stood when voting opened in the session, and (set when the vote closes) whether they
    were present or represented — the quorum is measured against that."""

    __tablename__ = "vote_roll"
    __table_args__ = (
        CheckConstraint("weight >= 1", name="weight_positive"),
        CheckConstraint("holder_id IS NULL OR holder_id <> member_id", name="holder_not_self"),
        Index("ix_vote_roll_holder", "vote_id", "holder_id"),
    )

    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    #: The proxy holder who may cast this member's ballot (the member may still vote themselves).
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    #: Present or represented when the vote closed (in the room, online, by a present proxy
    #: holder, or having handed in a ballot).
    present: Mapped[bool] = mapped_column(default=False, server_default=false())

    member = relationship("Member", foreign_keys=[member_id])


class Ballot(db.Model):
    """A ballot of an OPEN vote: who voted what is visible to the members (roll-call).
    One per member on the roll per vote (a database rule)."""

    __tablename__ = "ballot"
    __table_args__ = (
        UniqueConstraint("vote_id", "member_id", name="uq_ballot_vote_member"),
        ForeignKeyConstraint(["vote_id", "member_id"], ["vote_roll.vote_id", "vote_roll.member_id"],
                             name="fk_ballot_roll", ondelete="CASCADE"),
        CheckConstraint("weight >= 1", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    #: The choice; for approval ballots the approved names as a JSON list, for single transferable
    #: vote the ranking (best first) as a JSON list (an empty list: a blank ballot).
    choice: Mapped[str] = mapped_column(Text)
    weight: Mapped[int] = mapped_column(Integer)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 8))
    #: The member who cast it (the proxy holder), or the board member who entered a paper ballot.
    cast_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    cast_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

    member = relationship("Member", foreign_keys=[member_id])


class Participation(db.Model):
    """That a member took part in a SECRET vote (and how), never what they chose.
    One per member on the roll per vote (a database rule)."""

    __tablename__ = "vote_participation"
    __table_args__ = (
        ForeignKeyConstraint(["vote_id", "member_id"], ["vote_roll.vote_id", "vote_roll.member_id"],
                             name="fk_vote_participation_roll", ondelete="CASCADE"),
    )

    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 8))
    cast_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    #: The day only.
    cast_on: Mapped[date]

    member = relationship("Member", foreign_keys=[member_id])


class SecretBallot(db.Model):
    """What was chosen in a SECRET vote: a random key, no member, the day only."""

    __tablename__ = "secret_ballot"
    __table_args__ = (
        CheckConstraint("weight >= 1", name="weight_positive"),
        Index("ix_secret_ballot_vote", "vote_id"),
        {"sqlite_with_rowid": False},
    )

    #: A random UUID (hex): no sequence, nothing that orders ballots by time.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(Text)
    weight: Mapped[int] = mapped_column(Integer)
    #: Hash of the receipt code shown once to the voter (None: paper ballot, counted in totals).
    receipt_hash: Mapped[str | None] = mapped_column(String(16))
    #: Counted on paper in the room (totals entered by the board).
    is_paper: Mapped[bool] = mapped_column(default=False)
    cast_on: Mapped[date]
