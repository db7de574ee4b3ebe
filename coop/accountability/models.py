"""Follow-up items (one per resolution or municipal commitment), their timeline, the
per-cooperative status list, and annual reports (a draft, or published and frozen)."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (BigInteger, CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from coop.core.db import str_enum, utcnow
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db


class Phase(enum.Enum):
    """What a status means for the follow-up rate (a cooperative names its own statuses)."""
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


PHASE_LABELS = {
    Phase.PLANNED: _l("Planned"),
    Phase.IN_PROGRESS: _l("In progress"),
    Phase.DONE: _l("Done"),
    Phase.DROPPED: _l("Dropped"),
}


class FollowUpStatus(db.Model):
    """One entry of a cooperative's status list, with the progress it stands for by default."""

    __tablename__ = "followup_status"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "name", name="uq_followup_status_coop_name"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, 16))
    #: Default progress % of an item that gets this status.
    progress: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class FollowUpItem(db.Model):
    """The follow-up of one resolution or one municipal commitment (exactly one of the two)."""

    __tablename__ = "followup_item"
    __table_args__ = (
        CheckConstraint("(resolution_id IS NULL) <> (commitment_id IS NULL)", name="one_source"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        UniqueConstraint("resolution_id", name="uq_followup_item_resolution"),
        UniqueConstraint("commitment_id", name="uq_followup_item_commitment"),
        Index("ix_followup_item_coop_due", "cooperative_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolution.id", ondelete="CASCADE"))
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("liaison_commitment.id", ondelete="CASCADE"))
    status_id: Mapped[int] = mapped_column(ForeignKey("followup_status.id"), index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: Who carries it out (a person, a working group, the municipality's department).
    owner: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date | None]
    #: The day it was carried out (status in the done phase).
    completed_on: Mapped[date | None]
    #: Why it was dropped (required for the dropped phase).
    dropped_reason: Mapped[str | None] = mapped_column(Text)
    #: The due date a reminder was last sent for (a new due date gets a new reminder).
    reminded_for_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    status: Mapped[FollowUpStatus] = relationship()
    resolution = relationship("Resolution")
    commitment = relationship("Commitment")
    updates: Mapped[list[FollowUpUpdate]] = relationship(
        back_populates="item", order_by="[FollowUpUpdate.posted_on.desc(), FollowUpUpdate.id.desc()]")

    @property
    def title(self) -> str:
        return self.resolution.title if self.resolution_id else self.commitment.what

    @property
    def reference(self) -> str:
        if self.resolution_id:
            return self.resolution.number
        return self.commitment.request.receipt_number or ""

    @property
    def source_on(self) -> date:
        """The day the decision or the promise was made (it counts for that year)."""
        if self.resolution_id:
            return self.resolution.adopted_on
        return self.commitment.request.decided_on or self.commitment.created_at.date()


class FollowUpUpdate(db.Model):
    """A dated entry of an item's timeline."""

    __tablename__ = "followup_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("followup_item.id", ondelete="CASCADE"), index=True)
    posted_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    status_id: Mapped[int] = mapped_column(ForeignKey("followup_status.id"))
    progress: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[FollowUpItem] = relationship(back_populates="updates")
    status: Mapped[FollowUpStatus] = relationship()


class AnnualReport(db.Model):
    """A cooperative's annual report (jaarverslag) for one year: the board's narrative and the
    treasurer's figures while a draft; once published, the frozen figures (JSON) and the PDF
    with their SHA-256, which later changes of the data never alter."""

    __tablename__ = "annual_report"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "year", name="uq_annual_report_coop_year"),
        CheckConstraint("year >= 1800 AND year <= 9999", name="year_range"),
        CheckConstraint("published_at IS NULL OR (snapshot_json IS NOT NULL AND pdf IS NOT NULL "
                        "AND pdf_sha256 IS NOT NULL)", name="published_is_frozen"),
        CheckConstraint("published_at IS NOT NULL OR NOT is_public", name="public_when_published"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    #: The board's narrative sections (plain text; paragraphs separated by blank lines).
    foreword: Mapped[str | None] = mapped_column(Text)
    members_text: Mapped[str | None] = mapped_column(Text)
    meetings_text: Mapped[str | None] = mapped_column(Text)
    assets_text: Mapped[str | None] = mapped_column(Text)
    liaison_text: Mapped[str | None] = mapped_column(Text)
    outlook: Mapped[str | None] = mapped_column(Text)
    #: Finances as entered by the treasurer (cents).
    income_cents: Mapped[int | None] = mapped_column(BigInteger)
    costs_cents: Mapped[int | None] = mapped_column(BigInteger)
    member_capital_cents: Mapped[int | None] = mapped_column(BigInteger)
    #: The auditors' (kascommissie) statement, as they wrote it.
    auditors_statement: Mapped[str | None] = mapped_column(Text)
    #: Also shown on the cooperative's public transparency page (without personal data).
    is_public: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The frozen report: figures, narrative and finances as published (JSON).
    snapshot_json: Mapped[str | None] = deferred(mapped_column(Text))
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def result_cents(self) -> int | None:
        if self.income_cents is None or self.costs_cents is None:
            return None
        return self.income_cents - self.costs_cents
