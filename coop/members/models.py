"""The member register: members and their history, categories, share capital and fees."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from coop.core.db import str_enum, utcnow
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.orgs.models import DomainFlags


class MemberStatus(enum.Enum):
    APPLICANT = "applicant"  # applied, awaiting the board's decision
    REFUSED = "refused"  # the board refused; the general meeting may still admit (2:33 BW)
    MEMBER = "member"  # admitted: has voting rights
    SUSPENDED = "suspended"  # expelled, appeal to the general meeting open (2:35 BW)
    FORMER = "former"  # membership ended


STATUS_LABELS = {
    MemberStatus.APPLICANT: _l("Applicant"),
    MemberStatus.REFUSED: _l("Refused"),
    MemberStatus.MEMBER: _l("Member"),
    MemberStatus.SUSPENDED: _l("Suspended"),
    MemberStatus.FORMER: _l("Former member"),
}


class EndReason(enum.Enum):
    NOTICE_BY_MEMBER = "notice_by_member"
    NOTICE_BY_COOP = "notice_by_coop"
    EXPELLED = "expelled"
    DEATH = "death"


END_REASON_LABELS = {
    EndReason.NOTICE_BY_MEMBER: _l("Notice by the member"),
    EndReason.NOTICE_BY_COOP: _l("Notice by the cooperative"),
    EndReason.EXPELLED: _l("Expelled"),
    EndReason.DEATH: _l("Death"),
}


class Channel(enum.Enum):
    EMAIL = "email"
    LETTER = "letter"


CHANNEL_LABELS = {Channel.EMAIL: _l("E-mail"), Channel.LETTER: _l("Letter")}


class MemberCategory(db.Model):
    """A kind of member with its yearly contribution, e.g. 'household' or 'business'."""

    __tablename__ = "member_category"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "name", name="uq_member_category_coop_name"),
        CheckConstraint("yearly_fee_cents >= 0", name="fee_not_negative"),
        CheckConstraint("vote_weight >= 1", name="vote_weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: Yearly contribution in euro cents.
    yearly_fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    #: Votes per member of this category when the statutes weigh votes (else ignored).
    vote_weight: Mapped[int] = mapped_column(Integer, default=1)


class Member(DomainFlags, db.Model):
    """A person in the register. The domain flags say in which of a multi-purpose
    cooperative's domains the member takes part (none set: not recorded)."""

    __tablename__ = "member"
    __table_args__ = (
        # Numbers are per cooperative and never reused (see Cooperative.last_member_number).
        UniqueConstraint("cooperative_id", "number", name="uq_member_coop_number"),
        UniqueConstraint("cooperative_id", "user_id", name="uq_member_coop_user"),
        # E-mail as channel only with an address and recorded consent.
        CheckConstraint(
            "channel <> 'email' OR (email IS NOT NULL AND email_consent_at IS NOT NULL)",
            name="email_channel_consent",
        ),
        CheckConstraint("number IS NOT NULL OR status IN ('applicant', 'refused')", name="number_when_admitted"),
        CheckConstraint("email IS NULL OR email = lower(email)", name="email_lower"),
        Index("ix_member_coop_status", "cooperative_id", "status"),
        # The list's sort orders, matching queries.SORTS, so a page is read in index order.
        Index("ix_member_coop_sort", "cooperative_id", "sort_name", "id"),
        Index("ix_member_coop_postcode", "cooperative_id", "postcode", "sort_name", "id"),
        Index("ix_member_coop_email", "cooperative_id", "email"),
        # Searching "contains" in names and e-mail addresses at 100,000 members: trigram
        # indexes on PostgreSQL (SQLite scans, which is fine at its scale).
        Index("ix_member_sort_name_trgm", "sort_name", postgresql_using="gin",
              postgresql_ops={"sort_name": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        Index("ix_member_email_trgm", "email", postgresql_using="gin",
              postgresql_ops={"email": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        Index("ix_member_postcode_trgm", "postcode", postgresql_using="gin",
              postgresql_ops={"postcode": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: (No index of its own: the composite indexes below all start with it.)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    #: Membership number, given on admission: sequential per cooperative, never reused.
    number: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[MemberStatus] = mapped_column(str_enum(MemberStatus, 16), default=MemberStatus.APPLICANT)
    first_name: Mapped[str] = mapped_column(String(80))
    #: Dutch surname prefix ("tussenvoegsel"), e.g. "van der"; sorted under the surname.
    name_prefix: Mapped[str | None] = mapped_column(String(20))
    last_name: Mapped[str] = mapped_column(String(120))
    #: "surname, first name prefix" in lower case, for sorting and searching.
    sort_name: Mapped[str] = mapped_column(String(220))
    street: Mapped[str | None] = mapped_column(String(120))
    house_number: Mapped[str | None] = mapped_column(String(20))
    #: Dutch postcode, normalised as "1234 AB".
    postcode: Mapped[str | None] = mapped_column(String(7))
    city: Mapped[str | None] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    born_on: Mapped[date | None]
    #: For refunds and revenue payments; validated with schwifty.
    iban: Mapped[str | None] = mapped_column(String(34))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 8), default=Channel.LETTER)
    #: When the member consented to receive mail by e-mail (None: no consent).
    email_consent_at: Mapped[datetime | None]
    #: When the member accepted the privacy statement (join form or board entry).
    privacy_consent_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("member_category.id"), index=True)
    #: Housing cooperatives: the household this member belongs to (free text).
    household: Mapped[str | None] = mapped_column(String(120))
    #: Notes for the board only; never shown to the member's peers.
    notes: Mapped[str | None] = mapped_column(Text)
    applied_on: Mapped[date | None]
    admitted_on: Mapped[date | None]
    #: Set when notice was given: the day the membership ends.
    leaves_on: Mapped[date | None]
    ended_on: Mapped[date | None]
    end_reason: Mapped[EndReason | None] = mapped_column(str_enum(EndReason, 24))
    #: Expulsion: the last day to appeal to the general meeting.
    appeal_until: Mapped[date | None]
    #: Whether the member appealed the expulsion (the meeting must still decide).
    has_appealed: Mapped[bool] = mapped_column(default=False)
    #: The member asked to end the membership / to be erased (for the board to act on).
    notice_requested_at: Mapped[datetime | None]
    erasure_requested_at: Mapped[datetime | None]
    #: Personal data pseudonymised (GDPR art. 17); what law and past votes need is kept.
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cooperative = relationship("Cooperative")
    user = relationship("User")
    category: Mapped[MemberCategory | None] = relationship()
    history: Mapped[list[MemberEvent]] = relationship(
        back_populates="member", order_by="MemberEvent.id", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.name_prefix, self.last_name) if p)

    @property
    def address_lines(self) -> list[str]:
        lines = []
        if self.street:
            lines.append(f"{self.street} {self.house_number or ''}".strip())
        if self.postcode or self.city:
            lines.append(f"{self.postcode or ''}  {(self.city or '').upper()}".strip())
        return lines

    @property
    def has_voting_rights(self) -> bool:
        return self.status == MemberStatus.MEMBER

    def __repr__(self) -> str:
        return f"<Member {self.cooperative_id}/{self.number or '-'} {self.status.value}>"


def make_sort_name(first_name: str, last_name: str, name_prefix: str | None = None) -> str:
    """Dutch order: by surname without its prefix — "vries, jan de" for Jan de Vries."""
    return " ".join(p for p in (f"{last_name},", first_name, name_prefix) if p).lower()


class MemberEvent(db.Model):
    """The member's history: every status change and every board decision, with reasons."""

    __tablename__ = "member_event"
    __table_args__ = (Index("ix_member_event_member_effective", "member_id", "effective_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    #: What happened: applied, admitted, refused, admitted_by_meeting, notice_given, …
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[MemberStatus | None] = mapped_column(str_enum(MemberStatus, 16, "from_status"))
    #: The status from ``effective_on`` on (None: no status change, e.g. a note).
    to_status: Mapped[MemberStatus | None] = mapped_column(str_enum(MemberStatus, 16, "to_status"))
    #: The day the change takes effect (may lie in the future, e.g. notice at year end).
    effective_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Whether a future-dated status change has been applied to the member's status.
    is_applied: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship(back_populates="history")
    actor = relationship("User")


class ShareType(db.Model):
    """A kind of member share (participatie in the cooperative's capital)."""

    __tablename__ = "share_type"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "name", name="uq_share_type_coop_name"),
        CheckConstraint("nominal_cents > 0", name="nominal_positive"),
        CheckConstraint("min_per_member >= 0", name="min_not_negative"),
        CheckConstraint("max_per_member IS NULL OR max_per_member >= min_per_member", name="max_above_min"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: Nominal value of one share in euro cents.
    nominal_cents: Mapped[int] = mapped_column(Integer)
    min_per_member: Mapped[int] = mapped_column(Integer, default=0)
    #: None: no maximum.
    max_per_member: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShareTransactionKind(enum.Enum):
    ISSUE = "issue"
    TRANSFER = "transfer"
    REDEMPTION = "redemption"


class ShareTransactionStatus(enum.Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class LedgerLine:
    """The columns of a ledger of units held by members (shares, participations in an asset):
    who gives or receives how many from which day, proposed and decided by the board.
    Holdings are derived from the approved lines, never stored."""

    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ShareTransactionKind] = mapped_column(str_enum(ShareTransactionKind, 16))
    status: Mapped[ShareTransactionStatus] = mapped_column(
        str_enum(ShareTransactionStatus, 16), default=ShareTransactionStatus.PROPOSED
    )
    #: Issue/subscription: who receives; redemption: who gives back; transfer: who gives.
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    #: Transfer only: who receives.
    counterparty_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    #: The day the line counts from (holdings "as of" a date use this).
    effective_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def member(cls) -> Mapped[Member]:
        return relationship(foreign_keys=[cls.member_id])

    @declared_attr
    def counterparty(cls) -> Mapped[Member | None]:
        return relationship(foreign_keys=[cls.counterparty_id])

    @staticmethod
    def checks() -> tuple[CheckConstraint, ...]:
        """The rules every ledger line keeps, also in the database."""
        return (
            CheckConstraint("quantity > 0", name="quantity_positive"),
            CheckConstraint("(kind = 'transfer') = (counterparty_id IS NOT NULL)",
                            name="counterparty_for_transfer"),
            CheckConstraint("counterparty_id IS NULL OR counterparty_id <> member_id", name="not_to_self"),
        )


class ShareTransaction(LedgerLine, db.Model):
    """One line of the share ledger."""

    __tablename__ = "share_transaction"
    __table_args__ = (
        *LedgerLine.checks(),
        Index("ix_share_transaction_member", "member_id", "status"),
        Index("ix_share_transaction_counterparty", "counterparty_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    share_type_id: Mapped[int] = mapped_column(ForeignKey("share_type.id"))

    share_type: Mapped[ShareType] = relationship()


class FeeCharge(db.Model):
    """A member's contribution for one year: charged amount and whether it was paid."""

    __tablename__ = "fee_charge"
    __table_args__ = (
        UniqueConstraint("member_id", "year", name="uq_fee_charge_member_year"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        Index("ix_fee_charge_coop_year", "cooperative_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()
