"""Formal requests from cooperatives to municipalities: the catalogue of request types, the
requests with their status history, suspensions and extensions, the shared thread, the
municipality's internal notes, attachments and commitments."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core.db import str_enum, utcnow
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.liaison.deadlines import Extension, Suspension, TermRule, TermUnit


class RequestKind(enum.Enum):
    DECISION = "decision"  # application for a decision (Awb)
    WOO = "woo"  # information request (Wet open overheid)
    PERMIT = "permit"  # permit under the Omgevingswet
    CHALLENGE = "challenge"  # right-to-challenge bid (uitdaagrecht)
    CONSULTATION = "consultation"  # consultation response (zienswijze)
    MEETING = "meeting"
    QUESTION = "question"


KIND_LABELS = {
    RequestKind.DECISION: _l("Application for a decision"),
    RequestKind.WOO: _l("Information request (Woo)"),
    RequestKind.PERMIT: _l("Permit (Omgevingswet)"),
    RequestKind.CHALLENGE: _l("Right-to-challenge bid"),
    RequestKind.CONSULTATION: _l("Consultation response"),
    RequestKind.MEETING: _l("Meeting request"),
    RequestKind.QUESTION: _l("General question"),
}

UNIT_LABELS = {
    TermUnit.DAYS: _l("days"),
    TermUnit.WEEKS: _l("weeks"),
    TermUnit.WORKING_DAYS: _l("working days"),
}


class RequestStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    INFO_REQUESTED = "information_requested"
    IN_PROGRESS = "in_progress"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


STATUS_LABELS = {
    RequestStatus.DRAFT: _l("Draft"),
    RequestStatus.SUBMITTED: _l("Submitted"),
    RequestStatus.ACKNOWLEDGED: _l("Acknowledged"),
    RequestStatus.INFO_REQUESTED: _l("Information requested"),
    RequestStatus.IN_PROGRESS: _l("In progress"),
    RequestStatus.DECIDED: _l("Decided"),
    RequestStatus.WITHDRAWN: _l("Withdrawn"),
    RequestStatus.CLOSED: _l("Closed"),
}

#: Statuses in which the municipality still owes an answer (the term runs or is suspended).
OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED, RequestStatus.INFO_REQUESTED,
                 RequestStatus.IN_PROGRESS)
#: Statuses in which the term is running (not suspended).
RUNNING_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED, RequestStatus.IN_PROGRESS)
#: The condition of the partial index of open requests (the inbox's default view).
OPEN_SQL = "status IN (" + ", ".join(f"'{s.value}'" for s in OPEN_STATUSES) + ")"


#: What the status history shows for each kind of event.
EVENT_LABELS = {
    "submitted": _l("Submitted"),
    "acknowledged": _l("Receipt acknowledged"),
    "information_requested": _l("Information requested (term suspended)"),
    "information_provided": _l("Information provided (term runs again)"),
    "in_progress": _l("In progress"),
    "extended": _l("Term extended"),
    "decided": _l("Decided"),
    "withdrawn": _l("Withdrawn"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
    "notice_of_default": _l("Notice of default sent"),
}


class Outcome(enum.Enum):
    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    REFUSED = "refused"


OUTCOME_LABELS = {
    Outcome.GRANTED: _l("Granted"),
    Outcome.PARTLY_GRANTED: _l("Partly granted"),
    Outcome.REFUSED: _l("Refused"),
}


class Side(enum.Enum):
    COOPERATIVE = "cooperative"
    MUNICIPALITY = "municipality"


class CommitmentStatus(enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


COMMITMENT_LABELS = {
    CommitmentStatus.OPEN: _l("Open"),
    CommitmentStatus.IN_PROGRESS: _l("In progress"),
    CommitmentStatus.DONE: _l("Done"),
    CommitmentStatus.DROPPED: _l("Dropped"),
}


class RequestType(db.Model):
    """One entry of a municipality's request catalogue, with its term."""

    __tablename__ = "liaison_request_type"
    __table_args__ = (
        UniqueConstraint("municipality_id", "kind", name="uq_liaison_request_type_muni_kind"),
        CheckConstraint("term_amount > 0 AND term_amount <= 365", name="term_amount"),
        CheckConstraint("max_extensions >= 0 AND max_extensions <= 3", name="max_extensions"),
        CheckConstraint("max_extension_amount >= 0 AND max_extension_amount <= 52", name="max_extension_amount"),
        CheckConstraint("is_legal_term OR NOT has_penalty", name="penalty_needs_legal_term"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind, 16))
    #: The legal basis as cited, e.g. "Awb art. 4:13" (not translated: a citation).
    legal_basis: Mapped[str] = mapped_column(String(200))
    term_amount: Mapped[int]
    term_unit: Mapped[TermUnit] = mapped_column(str_enum(TermUnit, 16))
    #: A statutory term (Atw, notice of default) or a municipal service norm.
    is_legal_term: Mapped[bool] = mapped_column(default=True)
    #: Extensions allowed (Woo: once, at most 2 weeks), in the unit of the term.
    max_extensions: Mapped[int] = mapped_column(default=0)
    max_extension_amount: Mapped[int] = mapped_column(default=0)
    #: Asking for information suspends the term (Awb 4:15).
    has_suspension: Mapped[bool] = mapped_column(default=True)
    #: A passed term can lead to the Awb 4:17 penalty (not for Woo requests).
    has_penalty: Mapped[bool] = mapped_column(default=False)
    #: A location (address or plot) is required, e.g. for a permit.
    needs_location: Mapped[bool] = mapped_column(default=False)
    #: At least one attachment is required before submitting.
    needs_attachment: Mapped[bool] = mapped_column(default=False)
    #: What the attachments should be, shown to the board.
    attachment_hint: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(default=True)

    municipality = relationship("Municipality")

    @property
    def label(self):
        return KIND_LABELS[self.kind]

    @property
    def rule(self) -> TermRule:
        return TermRule(self.term_amount, self.term_unit, is_legal=self.is_legal_term,
                        max_extensions=self.max_extensions, max_extension_amount=self.max_extension_amount,
                        has_suspension=self.has_suspension, has_penalty=self.has_penalty)


class LiaisonRequest(db.Model):
    """A formal request from a cooperative's board to its municipality."""

    __tablename__ = "liaison_request"
    __table_args__ = (
        CheckConstraint("status = 'draft' OR (receipt_number IS NOT NULL AND received_on IS NOT NULL"
                        " AND due_on IS NOT NULL)", name="submitted_has_receipt"),
        CheckConstraint("(outcome IS NULL) OR (answer_text IS NOT NULL AND length(answer_text) > 0"
                        " AND decided_on IS NOT NULL)", name="decision_has_answer"),
        CheckConstraint("status <> 'decided' OR outcome IS NOT NULL", name="decided_has_outcome"),
        Index("ix_liaison_request_muni_status_due", "municipality_id", "status", "due_on"),
        Index("ix_liaison_request_coop_created", "cooperative_id", "created_at"),
        # The inbox and the API (issue 8, Measure): each list reads its page in index order and
        # stops after it, instead of sorting every matching row.
        Index("ix_liaison_request_open_due", "municipality_id", "due_on", "id",
              sqlite_where=sql_text(OPEN_SQL), postgresql_where=sql_text(OPEN_SQL)),
        Index("ix_liaison_request_muni_due", "municipality_id", "due_on", "id"),
        Index("ix_liaison_request_muni_type_due", "municipality_id", "request_type_id", "due_on", "id"),
        Index("ix_liaison_request_muni_id", "municipality_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    #: The municipality addressed (the cooperative's own, fixed when the draft is made).
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    request_type_id: Mapped[int] = mapped_column(ForeignKey("liaison_request_type.id"), index=True)
    #: Given on submission: CBS code, year and number, e.g. GM0014-2026-000042.
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    #: Member input the request rests on: a resolution of the general meeting (optional).
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolution.id", ondelete="SET NULL"))
    #: Member input the request rests on: a closed consultation of the members (optional).
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id", ondelete="SET NULL"))
    status: Mapped[RequestStatus] = mapped_column(str_enum(RequestStatus, 24), default=RequestStatus.DRAFT)
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, 16))
    #: The official answer; required with every decision.
    answer_text: Mapped[str | None] = mapped_column(Text)
    #: The day of receipt: the term runs from here.
    received_on: Mapped[date | None]
    #: The due date as last computed (kept for lists and filters; suspensions still open
    #: move it daily, the pages compute it afresh).
    due_on: Mapped[date | None]
    decided_on: Mapped[date | None]
    #: The day the cooperative sent a notice of default (ingebrekestelling).
    notice_on: Mapped[date | None]
    #: The liaison who handles it.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cooperative = relationship("Cooperative")
    municipality = relationship("Municipality")
    request_type: Mapped[RequestType] = relationship()
    resolution = relationship("Resolution")
    consultation = relationship("Consultation")
    assignee = relationship("User", foreign_keys=[assignee_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan")
    suspensions: Mapped[list[RequestSuspension]] = relationship(
        order_by="RequestSuspension.id", cascade="all, delete-orphan")
    extensions: Mapped[list[RequestExtension]] = relationship(
        order_by="RequestExtension.id", cascade="all, delete-orphan")

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def term_inputs(self) -> tuple[list[Suspension], list[Extension]]:
        return ([Suspension(s.requested_on, s.resumed_on) for s in self.suspensions],
                [Extension(e.announced_on, e.amount) for e in self.extensions])


class RequestEvent(db.Model):
    """The status history: every transition with actor, time and text (as Signalen keeps it)."""

    __tablename__ = "liaison_request_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("liaison_request.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[RequestStatus | None] = mapped_column(str_enum(RequestStatus, 24, "from_status"))
    to_status: Mapped[RequestStatus] = mapped_column(str_enum(RequestStatus, 24, "to_status"))
    #: What happened: submitted, acknowledged, information_requested, extended, decided, …
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Which side acted (an API token acts for the municipality without a user).
    side: Mapped[Side] = mapped_column(str_enum(Side, 16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[LiaisonRequest] = relationship(back_populates="events")
    actor = relationship("User")


class RequestSuspension(db.Model):
    """Awb 4:15: the term stops while the cooperative completes the request."""

    __tablename__ = "liaison_suspension"
    __table_args__ = (CheckConstraint("resumed_on IS NULL OR resumed_on >= requested_on", name="order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("liaison_request.id", ondelete="CASCADE"), index=True)
    requested_on: Mapped[date]
    resumed_on: Mapped[date | None]
    #: What the municipality asked for.
    question: Mapped[str] = mapped_column(Text)


class RequestExtension(db.Model):
    """Awb 4:14 / Woo 4.4(2): the term extended, announced in writing before it ended."""

    __tablename__ = "liaison_extension"
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("liaison_request.id", ondelete="CASCADE"), index=True)
    announced_on: Mapped[date]
    #: In the unit of the type's term.
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)


class RequestMessage(db.Model):
    """The shared thread: both sides see every message."""

    __tablename__ = "liaison_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("liaison_request.id", ondelete="CASCADE"), index=True)
    side: Mapped[Side] = mapped_column(str_enum(Side, 16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User")


class RequestNote(db.Model):
    """A municipality's internal note: never shown to the cooperative."""

    __tablename__ = "liaison_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("liaison_request.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User")


class RequestAttachment(db.Model):
    """A document of the request (PDF, image or office file), stored under instance/."""

    __tablename__ = "liaison_attachment"
    __table_args__ = (CheckConstraint("size > 0", name="size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("liaison_request.id", ondelete="CASCADE"), index=True)
    side: Mapped[Side] = mapped_column(str_enum(Side, 16))
    #: The decision document (one per decision) rather than an ordinary attachment.
    is_decision: Mapped[bool] = mapped_column(default=False)
    filename: Mapped[str] = mapped_column(String(200))
    #: The type found from the content, not the name.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    #: File name under the upload folder (random).
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Commitment(db.Model):
    """A promise made in an answer or decision (what, who, by when), tracked to completion."""

    __tablename__ = "liaison_commitment"
    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("status <> 'done' OR completed_on IS NOT NULL", name="done_has_date"),
        Index("ix_liaison_commitment_muni_status", "municipality_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("liaison_request.id", ondelete="CASCADE"), index=True)
    #: Copied from the request, so both sides (and accountability reports) can list them.
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    what: Mapped[str] = mapped_column(Text)
    #: Who carries it out (a department, a person, or the cooperative).
    who: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    status: Mapped[CommitmentStatus] = mapped_column(str_enum(CommitmentStatus, 16), default=CommitmentStatus.OPEN)
    progress: Mapped[int] = mapped_column(default=0)
    completed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    request: Mapped[LiaisonRequest] = relationship()

    @property
    def status_label(self):
        return COMMITMENT_LABELS[self.status]
