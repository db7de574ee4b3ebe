"""General meetings: the meeting and its workflow, agenda, documents, convocations, member
proposals and questions, attendance and proxies."""
from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from sqlalchemy import (CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
                        text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core.db import str_enum, utcnow
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db


class MeetingKind(enum.Enum):
    REGULAR = "regular"
    EXTRAORDINARY = "extraordinary"
    #: A second meeting after the first one lacked the quorum (decides regardless of quorum).
    SECOND = "second"


KIND_LABELS = {
    MeetingKind.REGULAR: _l("Regular meeting"),
    MeetingKind.EXTRAORDINARY: _l("Extraordinary meeting"),
    MeetingKind.SECOND: _l("Second meeting (quorum not met)"),
}


class MeetingStatus(enum.Enum):
    DRAFT = "draft"
    CONVENED = "convened"
    IN_SESSION = "in_session"
    CLOSED = "closed"
    MINUTES_ADOPTED = "minutes_adopted"


STATUS_LABELS = {
    MeetingStatus.DRAFT: _l("Draft"),
    MeetingStatus.CONVENED: _l("Convened"),
    MeetingStatus.IN_SESSION: _l("In session"),
    MeetingStatus.CLOSED: _l("Closed"),
    MeetingStatus.MINUTES_ADOPTED: _l("Minutes adopted"),
}


class ItemKind(enum.Enum):
    INFORMATION = "information"
    DISCUSSION = "discussion"
    #: Holds motions (the voting module attaches them to the item).
    DECISION = "decision"
    ELECTION = "election"


ITEM_KIND_LABELS = {
    ItemKind.INFORMATION: _l("Information"),
    ItemKind.DISCUSSION: _l("Discussion"),
    ItemKind.DECISION: _l("Decision"),
    ItemKind.ELECTION: _l("Election"),
}


class GeneralMeeting(db.Model):
    """A general meeting (algemene ledenvergadering) with a guarded status workflow."""

    __tablename__ = "general_meeting"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("(kind = 'second') = (first_meeting_id IS NOT NULL)", name="second_links_first"),
        CheckConstraint("place IS NOT NULL OR online_url IS NOT NULL", name="place_or_online"),
        CheckConstraint("status = 'draft' OR convened_at IS NOT NULL", name="convened_at_set"),
        Index("ix_general_meeting_coop_starts", "cooperative_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MeetingKind] = mapped_column(str_enum(MeetingKind, 16), default=MeetingKind.REGULAR)
    #: Kind SECOND: the meeting whose quorum was not met.
    first_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("general_meeting.id"))
    status: Mapped[MeetingStatus] = mapped_column(str_enum(MeetingStatus, 16), default=MeetingStatus.DRAFT)
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120)
    #: Address of the room (None: online only).
    place: Mapped[str | None] = mapped_column(String(300))
    #: Link for online participation (None: in the room only); both: a hybrid meeting.
    online_url: Mapped[str | None] = mapped_column(String(500))
    #: Who may vote is decided by the register on this day (registratiedatum).
    record_on: Mapped[date]
    #: Incremented on every agenda change after convocation (each one is announced).
    agenda_version: Mapped[int] = mapped_column(Integer, default=1)
    #: The agenda item under discussion now (a position on the agenda).
    current_position: Mapped[int | None] = mapped_column(Integer)
    convened_at: Mapped[datetime | None]
    convened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime | None]
    #: The moment voting opened: proxies can no longer be given or revoked from here on.
    voting_opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    minutes_adopted_at: Mapped[datetime | None]
    #: Free text at the head of the minutes (chair, secretary, opening).
    minutes_intro: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cooperative = relationship("Cooperative")
    first_meeting: Mapped[GeneralMeeting | None] = relationship(remote_side=[id])
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan",
        foreign_keys="AgendaItem.meeting_id")

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_hybrid(self) -> bool:
        return bool(self.place and self.online_url)

    @property
    def is_agenda_frozen(self) -> bool:
        return self.status != MeetingStatus.DRAFT

    @property
    def is_voting_open(self) -> bool:
        return self.voting_opened_at is not None

    @property
    def has_statute_amendment(self) -> bool:
        return any(i.is_statute_amendment for i in self.items)

    @property
    def current_item(self) -> AgendaItem | None:
        return next((i for i in self.items if i.position == self.current_position), None)

    def __repr__(self) -> str:
        return f"<GeneralMeeting {self.id} {self.status.value}>"


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"
    __table_args__ = (Index("ix_agenda_item_meeting_position", "meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, 16), default=ItemKind.DISCUSSION)
    #: A proposal to amend the statutes: longer notice, text available ahead (2:42 BW).
    is_statute_amendment: Mapped[bool] = mapped_column(default=False)
    #: Put on the agenda by members (their proposal).
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("member_proposal.id"))
    #: This item adopts the minutes of that earlier meeting (created automatically).
    adopts_minutes_of_id: Mapped[int | None] = mapped_column(ForeignKey("general_meeting.id"))
    #: The secretary's minutes of this item.
    minutes_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[GeneralMeeting] = relationship(back_populates="items", foreign_keys=[meeting_id])
    adopts_minutes_of: Mapped[GeneralMeeting | None] = relationship(foreign_keys=[adopts_minutes_of_id])
    documents: Mapped[list[MeetingDocument]] = relationship(
        back_populates="item", order_by="MeetingDocument.id")


class AgendaChange(db.Model):
    """A change of the agenda after convocation, with the announcement that went out."""

    __tablename__ = "agenda_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id", ondelete="CASCADE"), index=True)
    #: The agenda version this change created.
    version: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(Text)
    #: The text sent to the members with the new agenda.
    announcement: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentKind(enum.Enum):
    DOCUMENT = "document"  # meeting document, for the members
    PROXY_SCAN = "proxy_scan"  # a signed paper proxy; the board only


class MeetingDocument(db.Model):
    """An uploaded file, stored under ``instance/`` by a random name; served by a checked view."""

    __tablename__ = "meeting_document"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, 16), default=DocumentKind.DOCUMENT)
    #: The name the uploader gave (shown only; never used as a path).
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    #: Detected from the content: pdf, odt, docx, xlsx, png, jpeg.
    file_type: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[AgendaItem | None] = relationship(back_populates="documents")


class Convocation(db.Model):
    """That a member was convened to a meeting, how and when. ``token`` is printed as a QR code
    on the member's convocation and finds them at the door."""

    __tablename__ = "convocation"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_convocation_meeting_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    token: Mapped[str] = mapped_column(String(32), unique=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    member = relationship("Member")


class ProposalStatus(enum.Enum):
    COLLECTING = "collecting"  # gathering co-signers
    ON_AGENDA = "on_agenda"  # threshold met: on the agenda
    WITHDRAWN = "withdrawn"


PROPOSAL_STATUS_LABELS = {
    ProposalStatus.COLLECTING: _l("Collecting signatures"),
    ProposalStatus.ON_AGENDA: _l("On the agenda"),
    ProposalStatus.WITHDRAWN: _l("Withdrawn"),
}


class MemberProposal(db.Model):
    """Members' item for the agenda, with co-signers (the author signs first)."""

    __tablename__ = "member_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, 16), default=ItemKind.DECISION)
    status: Mapped[ProposalStatus] = mapped_column(str_enum(ProposalStatus, 16), default=ProposalStatus.COLLECTING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("Member")
    signatures: Mapped[list[ProposalSignature]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalSignature.id")


class ProposalSignature(db.Model):
    __tablename__ = "proposal_signature"
    __table_args__ = (UniqueConstraint("proposal_id", "member_id", name="uq_proposal_signature_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("member_proposal.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[MemberProposal] = relationship(back_populates="signatures")
    member = relationship("Member")


class MemberQuestion(db.Model):
    """A question submitted ahead of the meeting; the board publishes an answer."""

    __tablename__ = "member_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    #: Published answers are shown to every member with the question (not the asker's name).
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member = relationship("Member")


class Rsvp(enum.Enum):
    YES = "yes"
    ONLINE = "online"
    NO = "no"


RSVP_LABELS = {Rsvp.YES: _l("I will come to the room"), Rsvp.ONLINE: _l("I will take part online"),
               Rsvp.NO: _l("I will not take part")}


class Attendance(db.Model):
    """One row per member per meeting (a database rule): the RSVP, the check-in at the door
    and the last moment the member had the live page open."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id", name="uq_attendance_meeting_member"),
        Index("ix_attendance_meeting_checked_in", "meeting_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    rsvp: Mapped[Rsvp | None] = mapped_column(str_enum(Rsvp, 8))
    rsvp_at: Mapped[datetime | None]
    #: Checked in at the door (present in person).
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Last time the member's live page asked for news during the session (present online).
    online_seen_at: Mapped[datetime | None]

    member = relationship("Member")


class ProxySource(enum.Enum):
    ONLINE = "online"  # authenticated online mandate by the grantor
    PAPER = "paper"  # signed form registered by the board, scan uploaded


class Proxy(db.Model):
    """A written proxy (volmacht) for one meeting: ``grantor`` lets ``holder`` vote for them."""

    __tablename__ = "proxy"
    __table_args__ = (
        CheckConstraint("grantor_id <> holder_id", name="not_to_self"),
        CheckConstraint("source <> 'paper' OR scan_id IS NOT NULL", name="paper_has_scan"),
        # One standing proxy per grantor per meeting.
        Index("uq_proxy_meeting_grantor_active", "meeting_id", "grantor_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
        Index("ix_proxy_meeting_holder", "meeting_id", "holder_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id", ondelete="CASCADE"))
    grantor_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    source: Mapped[ProxySource] = mapped_column(str_enum(ProxySource, 8))
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_document.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    grantor = relationship("Member", foreign_keys=[grantor_id])
    holder = relationship("Member", foreign_keys=[holder_id])


class Resolution(db.Model):
    """An entry of the resolutions register (besluitenregister): a decision of the general
    meeting, numbered per cooperative and year (``ALV-2026-03``).

    The voting module enters adopted motions here; the accountability module follows each
    resolution up until it is carried out. A number is never reused.
    """

    __tablename__ = "resolution"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "year", "seq", name="uq_resolution_number"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("year >= 1800 AND year <= 9999", name="year_range"),
        Index("ix_resolution_meeting", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    #: The meeting that took the decision.
    meeting_id: Mapped[int] = mapped_column(ForeignKey("general_meeting.id"))
    #: The agenda item it was taken under (None when the item was later removed).
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))
    #: The year of the number: the year of ``adopted_on``.
    year: Mapped[int] = mapped_column(Integer)
    #: Position within the cooperative's year, from 1.
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    #: The text of the decision as adopted.
    text: Mapped[str] = mapped_column(Text)
    adopted_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The adopted motion this decision comes from (the voting module), if any.
    motion_id: Mapped[int | None] = mapped_column(ForeignKey("motion.id", ondelete="SET NULL"), unique=True)

    cooperative = relationship("Cooperative")
    meeting: Mapped[GeneralMeeting] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()

    @property
    def number(self) -> str:
        return format_resolution_number(self.year, self.seq)

    def __repr__(self) -> str:
        return f"<Resolution {self.number}>"


def format_resolution_number(year: int, seq: int) -> str:
    """``ALV-2026-03``: the register's number of the ``seq``-th resolution of ``year``."""
    return f"ALV-{year}-{seq:02d}"
