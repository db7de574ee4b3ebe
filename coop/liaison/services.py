"""State changes of requests: the guarded workflow, terms, thread, notes, attachments and
commitments. Services flush and write the audit log; the caller (view, API, CLI) commits.

``actor`` is the signed-in user, or None when a municipality's API token acts (``via="api"``).
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from coop.core import audit, mail
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.liaison import attachments, deadlines
from coop.liaison.deadlines import TermError, TermUnit
from coop.liaison.models import (EVENT_LABELS, OPEN_STATUSES, Commitment, CommitmentStatus, LiaisonRequest, Outcome,
                                 RequestAttachment, RequestEvent, RequestExtension, RequestKind,
                                 RequestMessage, RequestNote, RequestStatus, RequestSuspension,
                                 RequestType, Side)
from coop.orgs.models import Role, RoleAssignment

S = RequestStatus
NL = ZoneInfo("Europe/Amsterdam")

SUBJECT_MAX = 200
BODY_MAX = 20_000
TEXT_MAX = 10_000


def today() -> date:
    """The date in the Netherlands (terms are counted in Dutch days)."""
    return datetime.now(NL).date()


# --- the catalogue ------------------------------------------------------------------------------

#: The defaults every municipality starts with; the liaison adapts them (e.g. the terms that the
#: participation ordinance sets for right-to-challenge bids and consultations).
DEFAULT_CATALOGUE = {
    RequestKind.DECISION: dict(legal_basis="Awb art. 4:13, 4:14, 4:15, 4:17", term_amount=8,
                               term_unit=TermUnit.WEEKS, max_extensions=1, max_extension_amount=8,
                               has_penalty=True),
    RequestKind.WOO: dict(legal_basis="Woo art. 4.4", term_amount=4, term_unit=TermUnit.WEEKS,
                          max_extensions=1, max_extension_amount=2),
    RequestKind.PERMIT: dict(legal_basis="Omgevingswet art. 16.64; Awb art. 4:13", term_amount=8,
                             term_unit=TermUnit.WEEKS, max_extensions=1, max_extension_amount=6,
                             has_penalty=True, needs_location=True, needs_attachment=True,
                             attachment_hint="Situatietekening en beschrijving van het project"),
    RequestKind.CHALLENGE: dict(legal_basis="Participatieverordening (uitdaagrecht)", term_amount=12,
                                term_unit=TermUnit.WEEKS, max_extensions=1, max_extension_amount=4,
                                needs_attachment=True, attachment_hint="Plan met begroting"),
    RequestKind.CONSULTATION: dict(legal_basis="Participatieverordening / Awb afd. 3.4", term_amount=6,
                                   term_unit=TermUnit.WEEKS, has_suspension=False),
    RequestKind.MEETING: dict(legal_basis="Servicenorm gemeente", term_amount=10,
                              term_unit=TermUnit.WORKING_DAYS, is_legal_term=False, has_suspension=False),
    RequestKind.QUESTION: dict(legal_basis="Servicenorm gemeente", term_amount=5,
                               term_unit=TermUnit.WORKING_DAYS, is_legal_term=False, has_suspension=False),
}


def ensure_catalogue(municipality) -> list[RequestType]:
    """The municipality's catalogue, with the default types added that it does not have yet."""
    have = {t.kind: t for t in db.session.scalars(
        select(RequestType).where(RequestType.municipality_id == municipality.id))}
    missing = [k for k in RequestKind if k not in have]
    for kind in missing:
        have[kind] = RequestType(municipality_id=municipality.id, kind=kind, **DEFAULT_CATALOGUE[kind])
        db.session.add(have[kind])
    if missing:
        db.session.flush()
    return [have[k] for k in RequestKind]


CATALOGUE_FIELDS = ("legal_basis", "term_amount", "term_unit", "is_legal_term", "max_extensions",
                    "max_extension_amount", "has_suspension", "has_penalty", "needs_location",
                    "needs_attachment", "attachment_hint", "is_active")


def update_type(rtype: RequestType, values: dict, *, actor) -> dict:
    if values.get("has_penalty") and not values.get("is_legal_term", rtype.is_legal_term):
        raise DomainError(_l("Only a legal term can lead to a penalty."), field="has_penalty")
    if values.get("term_unit") == TermUnit.WORKING_DAYS and values.get("is_legal_term"):
        raise DomainError(_l("Legal terms are counted in days or weeks; working days are for service norms."),
                          field="term_unit")
    changed = {}
    for name in CATALOGUE_FIELDS:
        if name in values and getattr(rtype, name) != values[name]:
            changed[name] = values[name].value if hasattr(values[name], "value") else values[name]
            setattr(rtype, name, values[name])
    db.session.flush()
    if changed:
        audit.record("liaison.update_type", actor=actor, municipality=rtype.municipality, obj=rtype,
                     kind=rtype.kind.value, changed=changed)
    return changed


# --- helpers -------------------------------------------------------------------------------------


def _require(req: LiaisonRequest, *allowed: RequestStatus) -> None:
    if req.status not in allowed:
        raise DomainError(_l("This is not possible while the request is “%(status)s”.",
                             status=req.status_label))


def _event(req: LiaisonRequest, kind: str, to_status: RequestStatus, *, actor, side: Side,
           text: str | None = None, via: str = "web", **details) -> RequestEvent:
    event = RequestEvent(request=req, kind=kind, from_status=req.status, to_status=to_status,
                         text=text or None, actor_id=getattr(actor, "id", None), side=side)
    req.status = to_status
    db.session.add(event)
    db.session.flush()
    # Texts may name people: they stay in the request's history, not in the append-only log.
    tenant = ({"cooperative": req.cooperative} if side is Side.COOPERATIVE
              else {"municipality": req.municipality})
    audit.record(f"liaison.{kind}", actor=actor, obj=req, receipt=req.receipt_number,
                 to_status=to_status.value, via=via, **tenant, **details)
    return event


def _text(value: str | None, field: str, *, required: bool = True, limit: int = TEXT_MAX) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_l("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(_l("At most %(n)d characters.", n=limit), field=field)
    return value or None


def recompute_due(req: LiaisonRequest, on: date | None = None) -> date:
    suspensions, extensions = req.term_inputs()
    req.due_on = deadlines.due_date(req.received_on, req.request_type.rule, suspensions, extensions,
                                    as_of=on or today())
    return req.due_on


def term_state(req: LiaisonRequest, on: date | None = None) -> deadlines.TermState | None:
    if req.received_on is None:
        return None
    suspensions, extensions = req.term_inputs()
    return deadlines.term_state(req.received_on, req.request_type.rule, suspensions, extensions,
                                as_of=on or today(), decided_on=req.decided_on, notice_on=req.notice_on,
                                is_closed=not req.is_open)


def link(endpoint: str, **values) -> str:
    """An absolute link for e-mail, also outside a request (CLI, API)."""
    from flask import current_app

    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def request_link(req: LiaisonRequest, side: Side) -> str:
    if side is Side.COOPERATIVE:
        return link("liaison.coop_request", coop=req.cooperative.slug, request_id=req.id)
    return link("liaison.muni_request", municipality=req.municipality.slug, request_id=req.id)


def board_addresses(coop) -> list[tuple[str, str | None]]:
    from coop.auth.models import User

    return list(db.session.execute(
        select(User.email, User.locale).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.cooperative_id == coop.id, RoleAssignment.role == Role.BOARD,
               User.is_active.is_(True))).all())


def liaison_addresses(req_or_muni, assignee=None) -> list[tuple[str, str | None]]:
    from coop.auth.models import User

    if assignee is not None:
        return [(assignee.email, assignee.locale)]
    muni_id = getattr(req_or_muni, "municipality_id", None) or req_or_muni.id
    return list(db.session.execute(
        select(User.email, User.locale).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.municipality_id == muni_id, RoleAssignment.role == Role.LIAISON,
               User.is_active.is_(True))).all())


def _notify(req: LiaisonRequest, to_side: Side, event: RequestEvent) -> None:
    """Tell the other side that something happened (one short mail per person)."""
    if to_side is Side.COOPERATIVE:
        recipients = board_addresses(req.cooperative)
    else:
        recipients = liaison_addresses(req, req.assignee)
    for email, locale in recipients:
        mail.queue(email, "liaison_update", locale=locale or "nl", cooperative=req.cooperative,
                   req=req, event=event, to_side=to_side.value,
                   event_label=EVENT_LABELS.get(event.kind, event.kind), link=request_link(req, to_side))


# --- the board's side ----------------------------------------------------------------------------


def _check_content(rtype: RequestType, subject, body, location) -> dict:
    if not rtype.is_active:
        raise DomainError(_l("The municipality does not accept this kind of request at the moment."),
                          field="request_type")
    data = {"subject": _text(subject, "subject", limit=SUBJECT_MAX), "body": _text(body, "body", limit=BODY_MAX),
            "location": _text(location, "location", required=False, limit=200)}
    return data


def _check_resolution(cooperative_id: int, resolution_id: int | None) -> int | None:
    """The member input a request may rest on: a resolution of the cooperative's own register."""
    from coop.meetings.models import Resolution

    if not resolution_id:
        return None
    found = db.session.scalar(select(Resolution.id).where(Resolution.id == resolution_id,
                                                          Resolution.cooperative_id == cooperative_id))
    if found is None:
        raise DomainError(_l("Choose a resolution of your own cooperative."), field="resolution")
    return found


def _check_consultation(cooperative_id: int, consultation_id: int | None) -> int | None:
    """Member input a request may rest on: a closed consultation of the cooperative's own members."""
    from coop.consultations.models import Consultation, ConsultationStatus

    if not consultation_id:
        return None
    found = db.session.execute(select(Consultation.id, Consultation.status).where(
        Consultation.id == consultation_id, Consultation.cooperative_id == cooperative_id)).first()
    if found is None:
        raise DomainError(_l("Choose a consultation of your own cooperative."), field="consultation")
    if found.status != ConsultationStatus.CLOSED:
        raise DomainError(_l("Only a closed consultation, with its frozen result, can back a request."),
                          field="consultation")
    return found.id


def create_draft(coop, rtype: RequestType, *, subject: str, body: str, location: str | None = None,
                 resolution_id: int | None = None, consultation_id: int | None = None, actor) -> LiaisonRequest:
    if rtype.municipality_id != coop.municipality_id:
        raise DomainError(_l("Choose a kind of request of your own municipality."), field="request_type")
    req = LiaisonRequest(cooperative=coop, municipality_id=coop.municipality_id, request_type=rtype,
                         created_by_id=getattr(actor, "id", None),
                         resolution_id=_check_resolution(coop.id, resolution_id),
                         consultation_id=_check_consultation(coop.id, consultation_id),
                         **_check_content(rtype, subject, body, location))
    db.session.add(req)
    db.session.flush()
    audit.record("liaison.create_draft", actor=actor, cooperative=coop, obj=req, kind=rtype.kind.value,
                 consultation=req.consultation_id)
    return req


def update_draft(req: LiaisonRequest, rtype: RequestType, *, subject: str, body: str,
                 location: str | None = None, resolution_id: int | None = None,
                 consultation_id: int | None = None, actor) -> None:
    _require(req, S.DRAFT)
    if rtype.municipality_id != req.municipality_id:
        raise DomainError(_l("Choose a kind of request of your own municipality."), field="request_type")
    req.resolution_id = _check_resolution(req.cooperative_id, resolution_id)
    req.consultation_id = _check_consultation(req.cooperative_id, consultation_id)
    for key, value in _check_content(rtype, subject, body, location).items():
        setattr(req, key, value)
    req.request_type = rtype
    db.session.flush()
    audit.record("liaison.update_draft", actor=actor, cooperative=req.cooperative, obj=req,
                 kind=rtype.kind.value, consultation=req.consultation_id)


def delete_draft(req: LiaisonRequest, *, actor) -> None:
    _require(req, S.DRAFT)
    audit.record("liaison.delete_draft", actor=actor, cooperative=req.cooperative, obj=req)
    for att in attachments_of(req):
        attachments.path_of(att.stored_name).unlink(missing_ok=True)
        db.session.delete(att)
    db.session.delete(req)
    db.session.flush()


def receipt_number(req: LiaisonRequest, on: date) -> str:
    return f"{req.municipality.cbs_code}-{on.year}-{req.id:06d}"


def submit(req: LiaisonRequest, *, actor, on: date | None = None, locale: str | None = None) -> None:
    """Send the draft: receipt number and date, the term starts, an acknowledgement by e-mail."""
    _require(req, S.DRAFT)
    rtype = req.request_type
    if not rtype.is_active:
        raise DomainError(_l("The municipality does not accept this kind of request at the moment."))
    if rtype.needs_location and not req.location:
        raise DomainError(_l("This kind of request needs a location (address or plot)."), field="location")
    if rtype.needs_attachment and not attachments_of(req):
        raise DomainError(_l("This kind of request needs an attachment: %(hint)s.",
                             hint=rtype.attachment_hint or _l("see the municipality's instructions")))
    on = on or today()
    req.received_on = on
    req.receipt_number = receipt_number(req, on)
    req.submitted_at = utcnow()
    recompute_due(req, on)
    event = _event(req, "submitted", S.SUBMITTED, actor=actor, side=Side.COOPERATIVE,
                   kind_of_request=rtype.kind.value, due_on=req.due_on.isoformat())
    if actor is not None and getattr(actor, "email", None):
        mail.queue(actor.email, "liaison_receipt", locale=locale or actor.locale or "nl",
                   cooperative=req.cooperative, req=req, link=request_link(req, Side.COOPERATIVE))
    _notify(req, Side.MUNICIPALITY, event)


def withdraw(req: LiaisonRequest, *, actor, reason: str | None = None) -> None:
    _require(req, *OPEN_STATUSES)
    _close_suspension(req, today())
    event = _event(req, "withdrawn", S.WITHDRAWN, actor=actor, side=Side.COOPERATIVE,
                   text=_text(reason, "reason", required=False))
    _notify(req, Side.MUNICIPALITY, event)


def provide_information(req: LiaisonRequest, *, actor, body: str, on: date | None = None) -> None:
    """The cooperative answers the request for information: the term runs again."""
    _require(req, S.INFO_REQUESTED)
    body = _text(body, "information", limit=BODY_MAX)
    on = on or today()
    _close_suspension(req, on)
    post_message(req, actor=actor, side=Side.COOPERATIVE, body=body, audit_it=False)
    recompute_due(req, on)
    event = _event(req, "information_provided", S.IN_PROGRESS, actor=actor, side=Side.COOPERATIVE,
                   due_on=req.due_on.isoformat())
    _notify(req, Side.MUNICIPALITY, event)


def send_notice_of_default(req: LiaisonRequest, *, actor, on: date | None = None) -> None:
    """Record the notice of default (Awb 4:17); the letter is the PDF of this request."""
    on = on or today()
    if not req.request_type.has_penalty:
        raise DomainError(_l("A notice of default is only possible for a decision on an application "
                             "with a legal term."))
    _require(req, S.SUBMITTED, S.ACKNOWLEDGED, S.IN_PROGRESS)
    if req.notice_on is not None:
        raise DomainError(_l("The notice of default was already sent on %(day)s.", day=req.notice_on.isoformat()))
    due = recompute_due(req, on)
    if on <= due:
        raise DomainError(_l("The term has not passed yet: a notice of default is possible from %(day)s.",
                             day=deadlines.earliest_notice_on(due).isoformat()))
    req.notice_on = on
    event = RequestEvent(request=req, kind="notice_of_default", from_status=req.status, to_status=req.status,
                         actor_id=getattr(actor, "id", None), side=Side.COOPERATIVE,
                         text=None)
    db.session.add(event)
    db.session.flush()
    audit.record("liaison.notice_of_default", actor=actor, cooperative=req.cooperative, obj=req,
                 receipt=req.receipt_number, notice_on=on.isoformat(), due_on=due.isoformat(),
                 penalty_from=deadlines.penalty_start(due, on).isoformat())
    _notify(req, Side.MUNICIPALITY, event)


# --- the municipality's side ----------------------------------------------------------------------


def acknowledge(req: LiaisonRequest, *, actor, text: str | None = None, via: str = "web") -> None:
    _require(req, S.SUBMITTED)
    event = _event(req, "acknowledged", S.ACKNOWLEDGED, actor=actor, side=Side.MUNICIPALITY,
                   text=_text(text, "text", required=False), via=via)
    _notify(req, Side.COOPERATIVE, event)


def request_information(req: LiaisonRequest, *, actor, question: str, on: date | None = None,
                        via: str = "web") -> None:
    """Awb 4:15: ask the cooperative to complete the request; the term is suspended."""
    _require(req, S.SUBMITTED, S.ACKNOWLEDGED, S.IN_PROGRESS)
    question = _text(question, "question")
    on = on or today()
    db.session.add(RequestSuspension(request_id=req.id, requested_on=on, question=question))
    db.session.flush()
    db.session.refresh(req, ["suspensions"])
    event = _event(req, "information_requested", S.INFO_REQUESTED, actor=actor, side=Side.MUNICIPALITY,
                   text=question, via=via, suspends=req.request_type.has_suspension)
    _notify(req, Side.COOPERATIVE, event)


def _close_suspension(req: LiaisonRequest, on: date) -> None:
    for s in req.suspensions:
        if s.resumed_on is None:
            s.resumed_on = max(on, s.requested_on)
    db.session.flush()


def start_work(req: LiaisonRequest, *, actor, text: str | None = None, on: date | None = None,
               via: str = "web") -> None:
    """In progress; from "information requested" this ends the suspension (the period lapsed)."""
    _require(req, S.SUBMITTED, S.ACKNOWLEDGED, S.INFO_REQUESTED)
    on = on or today()
    _close_suspension(req, on)
    recompute_due(req, on)
    event = _event(req, "in_progress", S.IN_PROGRESS, actor=actor, side=Side.MUNICIPALITY,
                   text=_text(text, "text", required=False), via=via)
    _notify(req, Side.COOPERATIVE, event)


EXTENSION_MESSAGES = {
    "not_allowed": _l("This kind of request cannot be extended."),
    "too_many": _l("The term of this request has already been extended as often as allowed."),
    "not_positive": _l("Give a positive number."),
    "too_long": _l("An extension of at most %(n)d %(unit)s is allowed for this kind of request."),
    "too_late": _l("The term has already ended: an extension must be announced before that."),
}


def extend_term(req: LiaisonRequest, *, actor, amount: int, reason: str, on: date | None = None,
                via: str = "web") -> None:
    from coop.liaison.models import UNIT_LABELS

    _require(req, *OPEN_STATUSES)
    reason = _text(reason, "grounds")
    on = on or today()
    suspensions, extensions = req.term_inputs()
    rule = req.request_type.rule
    try:
        deadlines.check_extension(rule, req.received_on, suspensions, extensions,
                                  deadlines.Extension(on, amount))
    except TermError as error:
        message = EXTENSION_MESSAGES[error.code]
        if error.code == "too_long":
            message = _l("An extension of at most %(n)d %(unit)s is allowed for this kind of request.",
                         n=rule.max_extension_amount, unit=UNIT_LABELS[rule.unit])
        raise DomainError(message, field="amount") from None
    db.session.add(RequestExtension(request_id=req.id, announced_on=on, amount=amount, reason=reason))
    db.session.flush()
    db.session.refresh(req, ["extensions"])
    recompute_due(req, on)
    event = _event(req, "extended", req.status, actor=actor, side=Side.MUNICIPALITY, text=reason, via=via,
                   amount=amount, due_on=req.due_on.isoformat())
    _notify(req, Side.COOPERATIVE, event)


def decide(req: LiaisonRequest, *, actor, outcome: Outcome, answer: str, on: date | None = None,
           document=None, via: str = "web") -> None:
    """The decision, with the official answer (required, also when granting) and optionally the
    decision document."""
    _require(req, S.SUBMITTED, S.ACKNOWLEDGED, S.INFO_REQUESTED, S.IN_PROGRESS)
    answer = _text(answer, "answer", limit=BODY_MAX)
    on = on or today()
    _close_suspension(req, on)
    recompute_due(req, on)
    if document is not None:
        add_attachment(req, document, actor=actor, side=Side.MUNICIPALITY, is_decision=True)
    req.outcome, req.answer_text, req.decided_on = Outcome(outcome), answer, on
    state = term_state(req, on)
    event = _event(req, "decided", S.DECIDED, actor=actor, side=Side.MUNICIPALITY, text=answer, via=via,
                   outcome=req.outcome.value, in_time=on <= req.due_on,
                   penalty_cents=state.penalty_cents if state else 0)
    _notify(req, Side.COOPERATIVE, event)


def close(req: LiaisonRequest, *, actor, text: str | None = None, via: str = "web") -> None:
    _require(req, S.DECIDED, S.WITHDRAWN)
    _event(req, "closed", S.CLOSED, actor=actor, side=Side.MUNICIPALITY,
           text=_text(text, "text", required=False), via=via)


def reopen(req: LiaisonRequest, *, actor, reason: str, via: str = "web") -> None:
    """Back to work on a decided, withdrawn or closed request; the reason is required."""
    _require(req, S.DECIDED, S.WITHDRAWN, S.CLOSED)
    reason = _text(reason, "reason")
    req.outcome = req.answer_text = req.decided_on = None
    event = _event(req, "reopened", S.IN_PROGRESS, actor=actor, side=Side.MUNICIPALITY, text=reason, via=via)
    _notify(req, Side.COOPERATIVE, event)


def assign(req: LiaisonRequest, assignee_id: int | None, *, actor) -> None:
    if assignee_id is not None:
        ok = db.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == assignee_id, RoleAssignment.role == Role.LIAISON,
            RoleAssignment.municipality_id == req.municipality_id))
        if ok is None:
            raise DomainError(_l("Choose a colleague of this municipality."), field="assignee")
    req.assignee_id = assignee_id
    db.session.flush()
    audit.record("liaison.assign", actor=actor, municipality=req.municipality, obj=req, assignee_id=assignee_id)


def add_note(req: LiaisonRequest, *, actor, body: str) -> RequestNote:
    note = RequestNote(request_id=req.id, author_id=actor.id, body=_text(body, "note"))
    db.session.add(note)
    db.session.flush()
    audit.record("liaison.add_note", actor=actor, municipality=req.municipality, obj=req, note_id=note.id)
    return note


# --- both sides ----------------------------------------------------------------------------------


def post_message(req: LiaisonRequest, *, actor, side: Side, body: str, audit_it: bool = True,
                 via: str = "web") -> RequestMessage:
    if req.status is S.DRAFT:
        raise DomainError(_l("Submit the request before writing messages."))
    message = RequestMessage(request_id=req.id, side=side, author_id=getattr(actor, "id", None),
                             body=_text(body, "body", limit=BODY_MAX))
    db.session.add(message)
    db.session.flush()
    if audit_it:
        tenant = ({"cooperative": req.cooperative} if side is Side.COOPERATIVE
                  else {"municipality": req.municipality})
        audit.record("liaison.post_message", actor=actor, obj=req, message_id=message.id, via=via, **tenant)
    return message


def attachments_of(req: LiaisonRequest) -> list[RequestAttachment]:
    return list(db.session.scalars(select(RequestAttachment).where(RequestAttachment.request_id == req.id)
                                   .order_by(RequestAttachment.id)))


def add_attachment(req: LiaisonRequest, storage, *, actor, side: Side, is_decision: bool = False) -> RequestAttachment:
    if side is Side.COOPERATIVE and req.status not in (S.DRAFT, *OPEN_STATUSES):
        raise DomainError(_l("Attachments can be added while the request is open."), field="file")
    data, kind, name = attachments.read_upload(storage)
    stored, digest = attachments.store(data)
    att = RequestAttachment(request_id=req.id, side=side, is_decision=is_decision, filename=name,
                            content_type=kind, size=len(data), sha256=digest, stored_name=stored,
                            uploaded_by_id=getattr(actor, "id", None))
    db.session.add(att)
    db.session.flush()
    tenant = ({"cooperative": req.cooperative} if side is Side.COOPERATIVE
              else {"municipality": req.municipality})
    audit.record("liaison.add_attachment", actor=actor, obj=req, attachment_id=att.id, sha256=digest,
                 size=len(data), content_type=kind, is_decision=is_decision, **tenant)
    return att


def add_commitment(req: LiaisonRequest, *, actor, what: str, who: str, due_on: date) -> Commitment:
    """A promise recorded with an answer or decision (by the municipality)."""
    if req.status is S.DRAFT:
        raise DomainError(_l("Commitments are recorded with an answer or decision."))
    if due_on is None:
        raise DomainError(_l("This field is required."), field="due_on")
    c = Commitment(request_id=req.id, cooperative_id=req.cooperative_id, municipality_id=req.municipality_id,
                   what=_text(what, "what"), who=_text(who, "who", limit=200), due_on=due_on)
    db.session.add(c)
    db.session.flush()
    audit.record("liaison.add_commitment", actor=actor, municipality=req.municipality, obj=c,
                 request_id=req.id, due_on=due_on.isoformat())
    return c


def update_commitment(c: Commitment, *, actor, side: Side, status: CommitmentStatus, progress: int,
                      on: date | None = None) -> None:
    if not 0 <= progress <= 100:
        raise DomainError(_l("Progress is a percentage from 0 to 100."), field="progress")
    status = CommitmentStatus(status)
    if status is CommitmentStatus.DONE:
        progress = 100
        c.completed_on = c.completed_on or on or today()
    else:
        c.completed_on = None
    c.status, c.progress = status, progress
    db.session.flush()
    tenant = ({"cooperative": c.request.cooperative} if side is Side.COOPERATIVE
              else {"municipality": c.request.municipality})
    audit.record("liaison.update_commitment", actor=actor, obj=c, status=status.value, progress=progress,
                 **tenant)
