"""Consultations, their frozen roll, who answered and what was answered.

Who answered (``ConsultationParticipation``, one per member: a database rule) is stored apart
from what was answered (``ConsultationAnswer``). In an ANONYMOUS consultation an answer has a
random UUID key, no member and only the day it was given, and is stored without a rowid on
SQLite; on closing, the answers are rewritten in the order of their random keys. In a NAMED
consultation the answer carries the member (unique per consultation), so that members see who
chose what once it has closed.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core.db import str_enum, utcnow
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.voting.models import WindowedPoll


class ConsultationStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


STATUS_LABELS = {
    ConsultationStatus.DRAFT: _l("Draft"),
    ConsultationStatus.OPEN: _l("Open"),
    ConsultationStatus.CLOSED: _l("Closed"),
}


class Consultation(WindowedPoll, db.Model):
    """A question put to the members between meetings. The roll is frozen when it opens;
    answers are accepted within its window only; closing freezes the result with a SHA-256
    hash. A closed consultation is never reopened."""

    __tablename__ = "consultation"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("status <> 'closed' OR (result_hash IS NOT NULL AND closed_at IS NOT NULL)",
                        name="closed_has_hash"),
        Index("ix_consultation_coop_status", "cooperative_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    #: The question and its explanation, as the members read it.
    question: Mapped[str] = mapped_column(Text)
    #: The options, as a JSON list.
    options_json: Mapped[str] = mapped_column(Text, default="[]")
    #: True: a member may tick several options; False: exactly one.
    is_multiple_choice: Mapped[bool] = mapped_column(default=False)
    #: True: who answered is stored apart from what (receipt); False: members see who chose what.
    is_anonymous: Mapped[bool] = mapped_column(default=True)
    status: Mapped[ConsultationStatus] = mapped_column(str_enum(ConsultationStatus, 8),
                                                       default=ConsultationStatus.DRAFT)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime | None]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The frozen result (JSON) and the SHA-256 over roll, answers and result.
    result_json: Mapped[str | None] = mapped_column(Text)
    result_hash: Mapped[str | None] = mapped_column(String(64))

    cooperative = relationship("Cooperative")

    @property
    def is_draft(self) -> bool:
        return self.status == ConsultationStatus.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == ConsultationStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == ConsultationStatus.CLOSED


class ConsultationRoll(db.Model):
    """The frozen roll: the members with voting rights on the opening day."""

    __tablename__ = "consultation_roll"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"),
                                                 primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    #: When this member was reminded to answer (at most once).
    reminded_at: Mapped[datetime | None]

    member = relationship("Member")


class ConsultationParticipation(db.Model):
    """That a member on the roll answered (never what): one per member per consultation."""

    __tablename__ = "consultation_participation"
    __table_args__ = (
        ForeignKeyConstraint(["consultation_id", "member_id"],
                             ["consultation_roll.consultation_id", "consultation_roll.member_id"],
                             name="fk_consultation_participation_roll", ondelete="CASCADE"),
    )

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"),
                                                 primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    #: The day only.
    answered_on: Mapped[date]


class ConsultationAnswer(db.Model):
    """What was answered. Anonymous: a random key, no member, the day only, a receipt hash.
    Named: the member (one answer per member, a database rule)."""

    __tablename__ = "consultation_answer"
    __table_args__ = (
        UniqueConstraint("consultation_id", "member_id", name="uq_consultation_answer_member"),
        Index("ix_consultation_answer_consultation", "consultation_id"),
        {"sqlite_with_rowid": False},
    )

    #: A random UUID (hex): no sequence, nothing that orders answers by time.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    #: Named consultations only.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    #: The chosen option; with multiple choice the chosen options as a JSON list.
    choice: Mapped[str] = mapped_column(Text)
    #: Anonymous consultations: the hash of the receipt code shown once to the member.
    receipt_hash: Mapped[str | None] = mapped_column(String(16))
    answered_on: Mapped[date]

    member = relationship("Member")
