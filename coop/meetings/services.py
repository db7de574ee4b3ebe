"""State changes of general meetings. Services flush and audit; the view (or CLI) commits once."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from sqlalchemy import func, insert, or_, select
from sqlalchemy import text as text_sql
from sqlalchemy.exc import IntegrityError

from coop.core import audit, mail
from coop.core.i18n import lazy_gettext as _l
from coop.core.mail import MailStatus, OutboxMessage
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.extensions import db
from coop.meetings import rules
from coop.meetings.models import (AgendaChange, AgendaItem, Attendance, Convocation, DocumentKind,
                                  GeneralMeeting, ItemKind, MeetingDocument, MeetingKind,
                                  MeetingStatus, MemberProposal, MemberQuestion, ProposalSignature,
                                  ProposalStatus, Proxy, ProxySource, Resolution, Rsvp)
from coop.members.models import Channel, Member, MemberStatus
from coop.members.services import voting_member_ids_on
from coop.orgs.models import Cooperative

#: Meetings are held in the Netherlands: days (notice, record date) are counted there.
LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
#: An online participant counts as present while the live page asked within this window.
ONLINE_WINDOW = timedelta(seconds=45)
#: Members are convened in batches of this many (bounded memory at 100,000 members).
CONVENE_BATCH = 1000


def external_url(endpoint: str, **values) -> str:
    """An absolute link for e-mails and letters (the configured public address); works outside
    a request too (CLI, benchmarks)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


def in_dutch(message) -> str:
    """Text that becomes the cooperative's data (agenda titles, minutes) is written in Dutch,
    whoever's browser asked for it."""
    with force_locale("nl"):
        return str(message)


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def _audit(action: str, meeting: GeneralMeeting, actor, **details):
    audit.record(f"meetings.{action}", actor=actor, cooperative=meeting.cooperative, obj=meeting,
                 **details)


def _move(meeting: GeneralMeeting, target: MeetingStatus) -> None:
    if not rules.may_move(meeting.status.value, target.value):
        raise DomainError(_l("This meeting cannot go from “%(a)s” to “%(b)s”.",
                             a=meeting.status.value, b=target.value))
    meeting.status = target


# --- the meeting --------------------------------------------------------------------------------

MEETING_FIELDS = ("title", "kind", "first_meeting_id", "starts_at", "duration_minutes", "place",
                  "online_url", "record_on")


def _clean_meeting(coop: Cooperative, data: dict) -> dict:
    values = {k: data.get(k) for k in MEETING_FIELDS if k in data}
    for key in ("place", "online_url"):
        values[key] = (values.get(key) or "").strip() or None
    if not values.get("place") and not values.get("online_url"):
        raise DomainError(_l("Give a place, an online link, or both."), field="place")
    kind = MeetingKind(values.get("kind") or "regular")
    values["kind"] = kind
    if kind == MeetingKind.SECOND:
        first = db.session.get(GeneralMeeting, values.get("first_meeting_id") or 0)
        if first is None or first.cooperative_id != coop.id or first.status not in (
                MeetingStatus.CLOSED, MeetingStatus.MINUTES_ADOPTED):
            raise DomainError(_l("A second meeting follows a first meeting that has been held."),
                              field="first_meeting_id")
        weeks = coop.statutes.second_meeting_within_weeks
        if values["starts_at"] > first.starts_at + timedelta(weeks=weeks):
            raise DomainError(_l("The statutes say the second meeting is held within %(n)d weeks of the first.",
                                 n=weeks), field="starts_at")
    else:
        values["first_meeting_id"] = None
    if values["record_on"] > local_day(values["starts_at"]):
        raise DomainError(_l("The record date cannot lie after the meeting."), field="record_on")
    return values


def create_meeting(coop: Cooperative, data: dict, *, actor) -> GeneralMeeting:
    """A draft meeting with the usual opening and closing items and, when an earlier meeting's
    minutes wait for adoption, a decision item to adopt them."""
    meeting = GeneralMeeting(cooperative_id=coop.id, cooperative=coop, **_clean_meeting(coop, data))
    db.session.add(meeting)
    db.session.flush()
    items = [AgendaItem(title=in_dutch(_l("Opening and announcements")), kind=ItemKind.INFORMATION)]
    pending = db.session.scalar(
        select(GeneralMeeting).where(GeneralMeeting.cooperative_id == coop.id,
                                     GeneralMeeting.status == MeetingStatus.CLOSED,
                                     GeneralMeeting.id != meeting.id,
                                     ~select(AgendaItem.id).where(AgendaItem.adopts_minutes_of_id == GeneralMeeting.id)
                                     .exists())
        .order_by(GeneralMeeting.starts_at.desc()).limit(1))
    if pending is not None:
        items.append(AgendaItem(title=in_dutch(_l("Minutes of %(title)s", title=pending.title)),
                                kind=ItemKind.DECISION, adopts_minutes_of_id=pending.id))
    items.append(AgendaItem(title=in_dutch(_l("Any other business and closing")), kind=ItemKind.INFORMATION))
    for position, item in enumerate(items, start=1):
        item.position, item.cooperative_id = position, coop.id
        meeting.items.append(item)
    db.session.flush()
    _audit("create", meeting, actor, title=meeting.title, starts_at=meeting.starts_at)
    return meeting


def update_meeting(meeting: GeneralMeeting, data: dict, *, actor) -> None:
    if meeting.status != MeetingStatus.DRAFT:
        raise DomainError(_l("A convened meeting keeps its date and place; convene a new meeting instead."))
    for key, value in _clean_meeting(meeting.cooperative, data).items():
        setattr(meeting, key, value)
    db.session.flush()
    _audit("update", meeting, actor)


# --- agenda -------------------------------------------------------------------------------------


def _check_change(meeting: GeneralMeeting, announcement: str | None) -> None:
    """Draft: any change. Convened: only with an announcement. Later: no change."""
    if meeting.status == MeetingStatus.DRAFT:
        return
    if meeting.status != MeetingStatus.CONVENED:
        raise DomainError(_l("The agenda can no longer be changed: the meeting has begun."))
    if not (announcement or "").strip():
        raise DomainError(_l("The agenda is frozen since the convocation. Write the announcement "
                             "that tells the members about this change."), field="announcement")


def _announce(meeting: GeneralMeeting, what: str, announcement: str | None, *, actor) -> None:
    """After convocation: log the change, raise the agenda version and send the announcement
    with the new agenda to every member convened by e-mail (the letter batch prints the new
    agenda for the others)."""
    if meeting.status == MeetingStatus.DRAFT:
        return
    meeting.agenda_version += 1
    db.session.add(AgendaChange(cooperative_id=meeting.cooperative_id, meeting_id=meeting.id,
                                version=meeting.agenda_version, what=what,
                                announcement=announcement.strip(), actor_id=getattr(actor, "id", None)))
    db.session.flush()
    db.session.refresh(meeting, ["items"])
    link = external_url("meetings.my_meeting", coop=meeting.cooperative.slug, meeting_id=meeting.id)
    sent = 0
    for _conv, member in _convened_by_email(meeting):
        mail.queue(member.email, "meeting_agenda_changed", locale="nl", cooperative=meeting.cooperative,
                   meeting=meeting, member=member, announcement=announcement.strip(), what=what, link=link)
        sent += 1
    _audit("agenda_change", meeting, actor, version=meeting.agenda_version, what=what, emailed=sent)


def _convened_by_email(meeting: GeneralMeeting):
    return db.session.execute(
        select(Convocation, Member).join(Member, Member.id == Convocation.member_id)
        .where(Convocation.meeting_id == meeting.id, Convocation.channel == Channel.EMAIL.value)
        .order_by(Convocation.id)).all()


def add_item(meeting: GeneralMeeting, data: dict, *, actor, announcement: str | None = None) -> AgendaItem:
    item = AgendaItem(cooperative_id=meeting.cooperative_id, title=data["title"].strip(),
                      description=(data.get("description") or "").strip() or None,
                      kind=ItemKind(data.get("kind") or "discussion"),
                      is_statute_amendment=bool(data.get("is_statute_amendment")),
                      proposal_id=data.get("proposal_id"),
                      position=max((i.position for i in meeting.items), default=0) + 1)
    # Keep "any other business and closing" last.
    if meeting.items and meeting.items[-1].kind == ItemKind.INFORMATION and meeting.items[-1].position > 1:
        item.position = meeting.items[-1].position
        meeting.items[-1].position += 1
    _check_change(meeting, announcement)
    meeting.items.append(item)
    meeting.items.sort(key=lambda i: i.position)
    db.session.flush()
    audit.record("meetings.add_item", actor=actor, cooperative=meeting.cooperative, obj=item,
                 meeting=meeting.id, title=item.title, kind=item.kind.value)
    _announce(meeting, in_dutch(_l("Item added: %(title)s", title=item.title)), announcement, actor=actor)
    return item


def update_item(item: AgendaItem, data: dict, *, actor, announcement: str | None = None) -> None:
    _check_change(item.meeting, announcement)
    item.title = data["title"].strip()
    item.description = (data.get("description") or "").strip() or None
    item.kind = ItemKind(data.get("kind") or item.kind.value)
    item.is_statute_amendment = bool(data.get("is_statute_amendment"))
    db.session.flush()
    audit.record("meetings.update_item", actor=actor, cooperative=item.meeting.cooperative, obj=item,
                 title=item.title)
    _announce(item.meeting, in_dutch(_l("Item changed: %(title)s", title=item.title)), announcement, actor=actor)


def remove_item(item: AgendaItem, *, actor, announcement: str | None = None) -> None:
    meeting = item.meeting
    _check_change(meeting, announcement)
    for doc in item.documents:
        doc.item_id = None
    meeting.items.remove(item)
    for position, other in enumerate(meeting.items, start=1):
        other.position = position
    db.session.flush()
    audit.record("meetings.remove_item", actor=actor, cooperative=meeting.cooperative, obj=meeting,
                 title=item.title)
    _announce(meeting, in_dutch(_l("Item removed: %(title)s", title=item.title)), announcement, actor=actor)


def move_item(item: AgendaItem, step: int, *, actor, announcement: str | None = None) -> None:
    meeting = item.meeting
    items = list(meeting.items)
    index = items.index(item)
    other = index + step
    if not 0 <= other < len(items):
        return
    _check_change(meeting, announcement)
    items[index].position, items[other].position = items[other].position, items[index].position
    meeting.items.sort(key=lambda i: i.position)
    db.session.flush()
    audit.record("meetings.move_item", actor=actor, cooperative=meeting.cooperative, obj=item, step=step)
    _announce(meeting, in_dutch(_l("Item moved: %(title)s", title=item.title)), announcement, actor=actor)


# --- documents ----------------------------------------------------------------------------------


def add_document(meeting: GeneralMeeting, item: AgendaItem | None, stream, filename: str, *, actor,
                 kind: DocumentKind = DocumentKind.DOCUMENT, announcement: str | None = None) -> MeetingDocument:
    from coop.meetings import documents

    allowed = documents.SCAN_TYPES if kind == DocumentKind.PROXY_SCAN else documents.DOCUMENT_TYPES
    if kind == DocumentKind.DOCUMENT:
        _check_change(meeting, announcement)
    stored, file_type, size, digest = documents.store(stream, allowed=allowed)
    doc = MeetingDocument(cooperative_id=meeting.cooperative_id, meeting_id=meeting.id,
                          item=item, kind=kind,
                          original_name=(filename or "document")[:255], stored_name=stored,
                          file_type=file_type, size_bytes=size, sha256=digest,
                          uploaded_by_id=getattr(actor, "id", None))
    db.session.add(doc)
    db.session.flush()
    audit.record("meetings.add_document", actor=actor, cooperative=meeting.cooperative, obj=doc,
                 meeting=meeting.id, name=doc.original_name, sha256=digest, kind=kind.value)
    if kind == DocumentKind.DOCUMENT:
        _announce(meeting, in_dutch(_l("Document added: %(name)s", name=doc.original_name)), announcement, actor=actor)
    return doc


# --- convocation --------------------------------------------------------------------------------


def notice_days(meeting: GeneralMeeting) -> int:
    s = meeting.cooperative.statutes
    return rules.notice_days(convocation_days=s.convocation_days,
                             amendment_convocation_days=s.amendment_convocation_days,
                             has_amendment=meeting.has_statute_amendment)


def check_convocation(meeting: GeneralMeeting, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    if meeting.status != MeetingStatus.DRAFT:
        raise DomainError(_l("This meeting has already been convened."))
    days = notice_days(meeting)
    meeting_on, today = local_day(meeting.starts_at), local_day(now)
    if not rules.is_in_time(today, meeting_on, days):
        latest = rules.latest_convocation_day(meeting_on, days)
        if meeting.has_statute_amendment:
            raise DomainError(_l("Too late: a statute amendment is on the agenda, so the members must be "
                                 "convened at least %(days)d days ahead, at the latest on %(latest)s. Move the "
                                 "meeting to a later date.", days=days, latest=latest.strftime("%d-%m-%Y")))
        raise DomainError(_l("Too late: the statutes require convocation at least %(days)d days before the "
                             "meeting, at the latest on %(latest)s. Move the meeting to a later date.",
                             days=days, latest=latest.strftime("%d-%m-%Y")))
    for item in meeting.items:
        if item.is_statute_amendment and not item.documents:
            raise DomainError(_l("Attach the proposed text of the statute amendment (“%(title)s”) before "
                                 "convening: it must be available to the members.", title=item.title))


def ics_text(meeting: GeneralMeeting) -> str:
    """The iCalendar invitation (RFC 5545) of a meeting."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//coop//general meetings//NL")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.id}@{meeting.cooperative.slug}.coop")
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", f"{meeting.cooperative.name}: {meeting.title}")
    event.add("sequence", meeting.agenda_version - 1)
    if meeting.place:
        event.add("location", meeting.place)
    description = "\n".join(f"{i.position}. {i.title}" for i in meeting.items)
    if meeting.online_url:
        description += "\n\n" + meeting.online_url
    event.add("description", description)
    event.add("url", external_url("meetings.my_meeting", coop=meeting.cooperative.slug, meeting_id=meeting.id))
    cal.add_component(event)
    return cal.to_ical().decode()


def convocation_channel(member) -> Channel:
    """E-mail for a member with an address and recorded consent; a letter otherwise."""
    if member.email and member.email_consent_at:
        return Channel.EMAIL
    return Channel.LETTER


class _Addressee:
    """Stands for each member while the convocation is rendered once (see :func:`convene`)."""

    first_name = "\x00first_name\x00"


TOKEN_MARK = "\x00token\x00"


def convene(meeting: GeneralMeeting, *, actor, now: datetime | None = None, progress=None) -> dict:
    """Convene the members: e-mail (agenda, documents, .ics) to those who consented, a letter
    for everyone else; who, how and when is recorded per member.

    Built for 100,000 members: the e-mail is rendered once and personalised per member (first
    name, check-in code), members are read in batches of plain rows and the convocations and
    messages are written with bulk inserts, so memory stays bounded; ``progress(done, total)``
    is called per batch. Only the first few hundred messages are delivered right after the
    request; the sender (``flask coop send-mail``) delivers the rest."""
    now = now or utcnow()
    check_convocation(meeting, now=now)
    meeting.convened_at, meeting.convened_by_id = now, getattr(actor, "id", None)
    _move(meeting, MeetingStatus.CONVENED)
    db.session.flush()
    coop = meeting.cooperative
    current = (Member.cooperative_id == coop.id, Member.status == MemberStatus.MEMBER)
    total = db.session.scalar(select(func.count()).select_from(Member).where(*current))
    link = external_url("meetings.my_meeting", coop=coop.slug, meeting_id=meeting.id)
    subject, body = mail.render("meeting_convocation", locale="nl", cooperative=coop, meeting=meeting,
                                member=_Addressee, token=TOKEN_MARK, link=link)
    ics = ics_text(meeting)
    counts = {"email": 0, "letter": 0}
    deliver_now = db.session.info.setdefault("queued_mail", [])
    last_id = 0
    while True:
        batch = db.session.execute(
            select(Member.id, Member.first_name, Member.email, Member.email_consent_at)
            .where(*current, Member.id > last_id).order_by(Member.id).limit(CONVENE_BATCH)).all()
        if not batch:
            break
        convocations, messages = [], []
        for member in batch:
            channel = convocation_channel(member)
            token = secrets.token_urlsafe(12)
            convocations.append({"cooperative_id": coop.id, "meeting_id": meeting.id, "member_id": member.id,
                                 "channel": channel.value, "token": token, "sent_at": now})
            if channel == Channel.EMAIL:
                messages.append({
                    "to_address": member.email, "subject": subject,
                    "body_text": body.replace(_Addressee.first_name, member.first_name).replace(TOKEN_MARK, token),
                    "attachment_name": "uitnodiging.ics", "attachment_type": "text/calendar",
                    "attachment_text": ics, "status": MailStatus.QUEUED, "attempts": 0,
                    "cooperative_id": coop.id, "created_at": now})
            counts[channel.value] += 1
        db.session.execute(insert(Convocation), convocations)
        if messages:
            ids = db.session.scalars(insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True),
                                     messages).all()
            deliver_now.extend(ids[:max(0, 500 - len(deliver_now))])
        last_id = batch[-1].id
        if progress:
            progress(counts["email"] + counts["letter"], total)
    _audit("convene", meeting, actor, emailed=counts["email"], letters=counts["letter"],
           notice_days=notice_days(meeting), agenda_version=meeting.agenda_version)
    return counts


# --- proposals and questions --------------------------------------------------------------------


def voting_ids_among(meeting: GeneralMeeting, member_ids) -> set[int]:
    """Which of ``member_ids`` had voting rights on the meeting's record date."""
    ids = list(set(member_ids))
    if not ids:
        return set()
    eligible = voting_member_ids_on(meeting.cooperative, meeting.record_on).subquery()
    return set(db.session.scalars(select(eligible.c.member_id).where(eligible.c.member_id.in_(ids))))


def voting_count(meeting: GeneralMeeting) -> int:
    eligible = voting_member_ids_on(meeting.cooperative, meeting.record_on).subquery()
    return db.session.scalar(select(func.count()).select_from(eligible))


def _require_voting(meeting: GeneralMeeting, member: Member | None, message) -> Member:
    if member is None or not voting_ids_among(meeting, [member.id]):
        raise DomainError(message)
    return member


def propose(meeting: GeneralMeeting, member: Member, data: dict, *, actor) -> MemberProposal:
    if meeting.status != MeetingStatus.DRAFT:
        raise DomainError(_l("Proposals can be made until the meeting is convened."))
    _require_voting(meeting, member, _l("Only members with voting rights can make a proposal."))
    s = meeting.cooperative.statutes
    if rules.signatures_needed(1, min_members=s.proposal_min_members, min_percent=s.proposal_min_percent) is None:
        raise DomainError(_l("The statutes do not let members put items on the agenda."))
    proposal = MemberProposal(cooperative_id=meeting.cooperative_id, meeting_id=meeting.id,
                              author_id=member.id, title=data["title"].strip(), text=data["text"].strip(),
                              kind=ItemKind(data.get("kind") or "decision"))
    proposal.signatures.append(ProposalSignature(member_id=member.id))
    db.session.add(proposal)
    db.session.flush()
    audit.record("meetings.propose", actor=actor, cooperative=meeting.cooperative, obj=proposal,
                 meeting=meeting.id, title=proposal.title)
    _place_when_supported(meeting, proposal, actor=actor)
    return proposal


def signatures_needed(meeting: GeneralMeeting) -> int | None:
    s = meeting.cooperative.statutes
    return rules.signatures_needed(voting_count(meeting), min_members=s.proposal_min_members,
                                   min_percent=s.proposal_min_percent)


def sign_proposal(proposal: MemberProposal, member: Member, *, actor) -> None:
    meeting = db.session.get(GeneralMeeting, proposal.meeting_id)
    if proposal.status != ProposalStatus.COLLECTING or meeting.status != MeetingStatus.DRAFT:
        raise DomainError(_l("This proposal no longer collects signatures."))
    _require_voting(meeting, member, _l("Only members with voting rights can sign a proposal."))
    if any(s.member_id == member.id for s in proposal.signatures):
        raise DomainError(_l("You have already signed this proposal."))
    proposal.signatures.append(ProposalSignature(member_id=member.id))
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("You have already signed this proposal.")) from None
    audit.record("meetings.sign_proposal", actor=actor, cooperative=meeting.cooperative, obj=proposal,
                 member=member.id)
    _place_when_supported(meeting, proposal, actor=actor)


def _place_when_supported(meeting: GeneralMeeting, proposal: MemberProposal, *, actor) -> None:
    needed = signatures_needed(meeting)
    if needed is not None and len(proposal.signatures) >= needed:
        proposal.status = ProposalStatus.ON_AGENDA
        add_item(meeting, {"title": proposal.title, "description": proposal.text, "kind": proposal.kind.value,
                           "proposal_id": proposal.id}, actor=actor)


def ask_question(meeting: GeneralMeeting, member: Member, text: str, *, actor) -> MemberQuestion:
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.CONVENED):
        raise DomainError(_l("Questions can be sent until the meeting begins."))
    question = MemberQuestion(cooperative_id=meeting.cooperative_id, meeting_id=meeting.id,
                              member_id=member.id, question=text.strip())
    db.session.add(question)
    db.session.flush()
    audit.record("meetings.ask_question", actor=actor, cooperative=meeting.cooperative, obj=question,
                 meeting=meeting.id)
    return question


def answer_question(question: MemberQuestion, text: str, *, actor) -> None:
    question.answer = text.strip()
    question.answered_at = utcnow()
    question.answered_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record("meetings.answer_question", actor=actor, cooperative=question.member.cooperative,
                 obj=question, meeting=question.meeting_id)


# --- attendance ---------------------------------------------------------------------------------


def _attendance(meeting: GeneralMeeting, member: Member) -> Attendance:
    """The member's one attendance row, created when missing. Two requests racing to create it
    meet the unique constraint: the loser reads the winner's row."""
    row = db.session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                     Attendance.member_id == member.id))
    if row is not None:
        return row
    row = Attendance(cooperative_id=meeting.cooperative_id, meeting_id=meeting.id, member_id=member.id)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        row = db.session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                         Attendance.member_id == member.id))
    return row


def rsvp(meeting: GeneralMeeting, member: Member, answer: Rsvp, *, actor) -> None:
    if meeting.status not in (MeetingStatus.CONVENED, MeetingStatus.IN_SESSION):
        raise DomainError(_l("You can answer once the meeting has been convened."))
    if member.status != MemberStatus.MEMBER:
        raise DomainError(_l("Only members can take part in the meeting."))
    row = _attendance(meeting, member)
    row.rsvp, row.rsvp_at = answer, utcnow()
    db.session.flush()
    audit.record("meetings.rsvp", actor=actor, cooperative=meeting.cooperative, obj=meeting,
                 member=member.id, rsvp=answer.value)


def check_in(meeting: GeneralMeeting, member: Member, *, actor) -> bool:
    """Record that the member is present in the room. Returns False when they already were."""
    if meeting.status not in (MeetingStatus.CONVENED, MeetingStatus.IN_SESSION):
        raise DomainError(_l("Check-in is open on the day of the meeting, until it closes."))
    if member.cooperative_id != meeting.cooperative_id:
        raise DomainError(_l("This person is not a member of this cooperative."))
    if member.status != MemberStatus.MEMBER:
        raise DomainError(_l("%(name)s is not a member now (suspended or former member) and cannot be "
                             "checked in.", name=member.full_name))
    row = _attendance(meeting, member)
    if row.checked_in_at is not None:
        return False
    row.checked_in_at, row.checked_in_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    audit.record("meetings.check_in", actor=actor, cooperative=meeting.cooperative, obj=meeting,
                 member=member.id)
    return True


def mark_online(meeting: GeneralMeeting, member: Member, *, now: datetime | None = None) -> None:
    """The member's live page asked for news: present online while the session runs (no audit
    entry per refresh; the attendance row keeps the last moment)."""
    if meeting.status != MeetingStatus.IN_SESSION or member.status != MemberStatus.MEMBER:
        return
    _attendance(meeting, member).online_seen_at = now or utcnow()
    db.session.flush()


def find_for_check_in(meeting: GeneralMeeting, query: str, limit: int = 10) -> list[Member]:
    """Members by number, postcode, name or the token of their convocation's QR code."""
    q = (query or "").strip()
    if not q:
        return []
    coop_id = meeting.cooperative_id
    base = select(Member).where(Member.cooperative_id == coop_id)
    by_number = list(db.session.scalars(base.where(Member.number == int(q)))) if q.isdigit() else []
    if q.isdigit() and len(q) != 4:
        return by_number
    token = db.session.scalar(select(Convocation.member_id).where(Convocation.meeting_id == meeting.id,
                                                                  Convocation.token == q))
    if token is not None:
        return list(db.session.scalars(base.where(Member.id == token)))
    compact = q.upper().replace(" ", "")
    if len(compact) >= 4 and compact[:4].isdigit():
        postcode = f"{compact[:4]} {compact[4:6]}".strip()
        # four digits: a membership number or the digits of a postcode
        return by_number + list(db.session.scalars(
            base.where(Member.postcode.startswith(postcode), Member.id.not_in([m.id for m in by_number]))
            .order_by(Member.postcode, Member.sort_name, Member.id).limit(limit)))
    stmt = base
    for word in q.lower().replace(",", " ").split():
        stmt = stmt.where(Member.sort_name.contains(word, autoescape=True))
    return list(db.session.scalars(stmt.order_by(Member.sort_name, Member.id).limit(limit)))


# --- proxies ------------------------------------------------------------------------------------

PROXY_MESSAGES = {
    rules.NOT_ALLOWED: _l("The statutes do not allow voting by proxy."),
    rules.VOTING_OPEN: _l("Voting has opened: proxies can no longer be given or revoked."),
    rules.SELF: _l("A member cannot hold their own proxy."),
    rules.GRANTOR_NOT_VOTING: _l("Only a member with voting rights at this meeting can give a proxy."),
    rules.HOLDER_NOT_VOTING: _l("A proxy can only go to a member with voting rights at this meeting."),
    rules.ALREADY_GIVEN: _l("This member has already given a proxy for this meeting; revoke it first."),
    rules.CAP: _l("The proxy holder already holds the most proxies the statutes allow."),
    rules.CHAIN_HOLDER_GAVE: _l("The chosen holder has given their own vote to someone else: a proxy "
                                "cannot be passed on."),
    rules.CHAIN_GRANTOR_HOLDS: _l("This member holds proxies of others and cannot pass them on by giving "
                                  "a proxy."),
    "revoked": _l("This proxy has already been revoked."),
}


def standing_proxies(meeting: GeneralMeeting) -> list[Proxy]:
    return list(db.session.scalars(select(Proxy).where(Proxy.meeting_id == meeting.id,
                                                       Proxy.revoked_at.is_(None)).order_by(Proxy.id)))


def _lock_meeting(meeting: GeneralMeeting) -> None:
    """Serialise proxy changes of one meeting (the cap cannot be passed by two at once)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(GeneralMeeting.id).where(GeneralMeeting.id == meeting.id).with_for_update())


def give_proxy(meeting: GeneralMeeting, grantor: Member, holder: Member, *, actor,
               source: ProxySource = ProxySource.ONLINE, scan: MeetingDocument | None = None) -> Proxy:
    if meeting.status not in (MeetingStatus.CONVENED, MeetingStatus.IN_SESSION):
        raise DomainError(_l("Proxies can be given once the meeting has been convened."))
    if holder is None or holder.cooperative_id != meeting.cooperative_id:
        raise DomainError(PROXY_MESSAGES[rules.HOLDER_NOT_VOTING], field="holder_number")
    _lock_meeting(meeting)
    s = meeting.cooperative.statutes
    standing = [(p.grantor_id, p.holder_id) for p in standing_proxies(meeting)]
    refusal = rules.proxy_refusal(
        grantor.id, holder.id, policy=rules.ProxyPolicy(allowed=s.has_proxies, cap=s.max_proxies_per_holder),
        voting=voting_ids_among(meeting, [grantor.id, holder.id]), standing=standing,
        voting_open=meeting.is_voting_open)
    if refusal:
        about_holder = refusal in (rules.SELF, rules.HOLDER_NOT_VOTING, rules.CAP, rules.CHAIN_HOLDER_GAVE)
        raise DomainError(PROXY_MESSAGES[refusal], field="holder_number" if about_holder else None)
    proxy = Proxy(cooperative_id=meeting.cooperative_id, meeting_id=meeting.id, grantor_id=grantor.id,
                  holder_id=holder.id, source=source, scan_id=scan.id if scan else None,
                  granted_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(proxy)
            db.session.flush()
    except IntegrityError:
        raise DomainError(PROXY_MESSAGES[rules.ALREADY_GIVEN]) from None
    audit.record("meetings.give_proxy", actor=actor, cooperative=meeting.cooperative, obj=proxy,
                 meeting=meeting.id, grantor=grantor.id, holder=holder.id, source=source.value)
    return proxy


def revoke_proxy(proxy: Proxy, *, actor) -> None:
    meeting = db.session.get(GeneralMeeting, proxy.meeting_id)
    _lock_meeting(meeting)
    refusal = rules.revoke_refusal(voting_open=meeting.is_voting_open, already_revoked=proxy.revoked_at is not None)
    if refusal:
        raise DomainError(PROXY_MESSAGES[refusal])
    proxy.revoked_at, proxy.revoked_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    audit.record("meetings.revoke_proxy", actor=actor, cooperative=meeting.cooperative, obj=proxy,
                 meeting=meeting.id)


# --- the session --------------------------------------------------------------------------------


def open_session(meeting: GeneralMeeting, *, actor) -> None:
    _move(meeting, MeetingStatus.IN_SESSION)
    meeting.opened_at = utcnow()
    meeting.current_position = meeting.items[0].position if meeting.items else None
    db.session.flush()
    _audit("open", meeting, actor)


#: Called with (meeting, actor=...) when voting opens in the session (the voting module fixes the
#: proxies on the rolls of votes that opened before the meeting).
on_voting_opened: list = []


def open_voting(meeting: GeneralMeeting, *, actor) -> None:
    """The moment voting opens (the board, or the voting module with the first vote in the
    session): from here on proxies are fixed."""
    if meeting.status != MeetingStatus.IN_SESSION:
        raise DomainError(_l("Voting opens during the session."))
    if meeting.voting_opened_at is None:
        meeting.voting_opened_at = utcnow()
        db.session.flush()
        _audit("open_voting", meeting, actor, counts=live_counts(meeting))
        for hook in on_voting_opened:
            hook(meeting, actor=actor)


def set_current_item(meeting: GeneralMeeting, position: int, *, actor) -> None:
    if meeting.status != MeetingStatus.IN_SESSION:
        raise DomainError(_l("The meeting is not in session."))
    if not any(i.position == position for i in meeting.items):
        raise DomainError(_l("There is no such agenda item."))
    meeting.current_position = position
    db.session.flush()
    _audit("current_item", meeting, actor, position=position)


def close_meeting(meeting: GeneralMeeting, *, actor) -> None:
    counts = live_counts(meeting)
    _move(meeting, MeetingStatus.CLOSED)
    meeting.closed_at = utcnow()
    meeting.current_position = None
    draft_minutes(meeting, counts)
    db.session.flush()
    _audit("close", meeting, actor, counts=counts)


def adopt_minutes(item: AgendaItem, *, actor) -> None:
    """The meeting of ``item`` adopts the minutes of the earlier meeting the item names."""
    meeting = item.meeting
    earlier = item.adopts_minutes_of
    if earlier is None:
        raise DomainError(_l("This item does not adopt minutes."))
    if meeting.status != MeetingStatus.IN_SESSION:
        raise DomainError(_l("Minutes are adopted by the meeting in session."))
    _move(earlier, MeetingStatus.MINUTES_ADOPTED)
    earlier.minutes_adopted_at = utcnow()
    db.session.flush()
    _audit("adopt_minutes", earlier, actor, by_meeting=meeting.id)


# --- counts and minutes -------------------------------------------------------------------------


def present_ids(meeting: GeneralMeeting, *, now: datetime | None = None) -> tuple[set[int], set[int]]:
    """(in the room, online now): a member checked in counts in the room only."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Attendance.member_id, Attendance.checked_in_at, Attendance.online_seen_at)
        .where(Attendance.meeting_id == meeting.id,
               or_(Attendance.checked_in_at.is_not(None), Attendance.online_seen_at.is_not(None)))).all()
    room = {r.member_id for r in rows if r.checked_in_at is not None}
    online = set()
    if meeting.status == MeetingStatus.IN_SESSION:
        online = {r.member_id for r in rows if r.member_id not in room
                  and r.online_seen_at is not None and r.online_seen_at >= now - ONLINE_WINDOW}
    return room, online


def live_counts(meeting: GeneralMeeting, *, now: datetime | None = None) -> dict:
    room, online = present_ids(meeting, now=now)
    standing = [(p.grantor_id, p.holder_id) for p in standing_proxies(meeting)]
    proxies = rules.represented(standing, room | online)
    return {"in_person": len(room), "online": len(online), "by_proxy": len(proxies),
            "total": len(room) + len(online) + len(proxies)}


def draft_minutes(meeting: GeneralMeeting, counts: dict | None = None) -> None:
    """Fill the minutes from the agenda and the attendance where the secretary wrote nothing yet."""
    counts = counts or live_counts(meeting)
    if not meeting.minutes_intro:
        meeting.minutes_intro = in_dutch(_l(
            "Present in the room: %(room)d; online: %(online)d; represented by proxy: %(proxy)d "
            "(together %(total)d members).", room=counts["in_person"], online=counts["online"],
            proxy=counts["by_proxy"], total=counts["total"]))
    for item in meeting.items:
        if item.minutes_text:
            continue
        if item.adopts_minutes_of is not None and item.adopts_minutes_of.minutes_adopted_at:
            item.minutes_text = in_dutch(_l("The minutes were adopted."))
        elif item.kind in (ItemKind.DECISION, ItemKind.ELECTION):
            item.minutes_text = in_dutch(_l("Motions and results: see the voting record."))
        else:
            item.minutes_text = ""


def update_minutes(meeting: GeneralMeeting, intro: str, texts: dict[int, str], *, actor) -> None:
    if meeting.status not in (MeetingStatus.IN_SESSION, MeetingStatus.CLOSED):
        raise DomainError(_l("The minutes can be edited from the session until they are adopted."))
    meeting.minutes_intro = intro
    for item in meeting.items:
        if item.id in texts:
            item.minutes_text = texts[item.id]
    db.session.flush()
    _audit("update_minutes", meeting, actor)


def to_utc(local: datetime) -> datetime:
    """A wall-clock time typed in a form (Dutch time) as a UTC datetime."""
    return local.replace(tzinfo=LOCAL_TZ).astimezone(timezone.utc)


def upcoming_and_past(coop: Cooperative, *, include_drafts: bool):
    stmt = select(GeneralMeeting).where(GeneralMeeting.cooperative_id == coop.id)
    if not include_drafts:
        stmt = stmt.where(GeneralMeeting.status != MeetingStatus.DRAFT)
    meetings = list(db.session.scalars(stmt.order_by(GeneralMeeting.starts_at.desc())))
    upcoming = [m for m in meetings if m.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED,
                                                    MeetingStatus.IN_SESSION)]
    return list(reversed(upcoming)), [m for m in meetings if m not in upcoming]



def record_resolution(meeting: GeneralMeeting, *, title: str, text: str, actor,
                      item: AgendaItem | None = None, adopted_on: date | None = None) -> Resolution:
    """Enter a decision of ``meeting`` in the resolutions register under the next number of
    its year. The meeting must have been held (in session or later)."""
    if meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED):
        raise DomainError(_l("Only a meeting that has been held takes decisions."))
    if item is not None and item.meeting_id != meeting.id:
        raise DomainError(_l("That agenda item belongs to another meeting."))
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise DomainError(_l("A resolution needs a title and the text as adopted."))
    adopted_on = adopted_on or local_day(meeting.starts_at)
    if db.session.get_bind().dialect.name == "postgresql":
        # Two decisions recorded at once must not draw the same number.
        db.session.execute(text_sql("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                           {"k": f"resolution:{meeting.cooperative_id}:{adopted_on.year}"})
    last = db.session.scalar(
        select(func.max(Resolution.seq)).where(Resolution.cooperative_id == meeting.cooperative_id,
                                               Resolution.year == adopted_on.year))
    resolution = Resolution(
        cooperative_id=meeting.cooperative_id, meeting=meeting, agenda_item=item,
        year=adopted_on.year, seq=(last or 0) + 1, title=title[:200], text=text,
        adopted_on=adopted_on, created_by_id=getattr(actor, "id", None))
    db.session.add(resolution)
    db.session.flush()
    _audit("resolution.recorded", meeting, actor, number=resolution.number,
           resolution_id=resolution.id)
    return resolution
