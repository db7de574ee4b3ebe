"""State changes of consultations. Services flush and audit; the view (or CLI) commits once."""
from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from coop.consultations import rules
from coop.consultations.models import (Consultation, ConsultationAnswer, ConsultationParticipation,
                                       ConsultationRoll, ConsultationStatus)
from coop.core import audit
from coop.core.db import lock_row, utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.meetings.services import local_day
from coop.voting.rules import receipt_hash

S = ConsultationStatus
#: Reminders go out this many hours before closing unless the configuration says otherwise.
REMIND_HOURS_BEFORE = 48
_SECOND = timedelta(seconds=1)


def _audit(action: str, consultation: Consultation, actor, **details):
    audit.record(f"consultations.{action}", actor=actor, cooperative=consultation.cooperative,
                 obj=consultation, **details)



# --- drafting -----------------------------------------------------------------------------------


def _content(data: dict, now: datetime) -> dict:
    title, question = (data.get("title") or "").strip(), (data.get("question") or "").strip()
    if not title:
        raise DomainError(_l("Give the consultation a title."), field="title")
    if not question:
        raise DomainError(_l("Ask the question and explain it."), field="question")
    lines = data.get("options") or []
    options = rules.clean_options(lines.splitlines() if isinstance(lines, str) else lines)
    if options is None:
        raise DomainError(_l("Give between 2 and %(n)d different options, one per line.", n=rules.MAX_OPTIONS),
                          field="options")
    opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
    if opens_at is None or closes_at is None:
        raise DomainError(_l("Say when the consultation opens and closes."), field="closes_at")
    if closes_at <= opens_at:
        raise DomainError(_l("A consultation closes after it opens."), field="closes_at")
    if closes_at <= now:
        raise DomainError(_l("The closing time has already passed."), field="closes_at")
    return {"title": title[:200], "question": question, "options_json": json.dumps(options, ensure_ascii=False),
            "is_multiple_choice": bool(data.get("is_multiple_choice")),
            "is_anonymous": bool(data.get("is_anonymous")), "opens_at": opens_at, "closes_at": closes_at}


def create(coop, data: dict, *, actor, now: datetime | None = None) -> Consultation:
    """A draft. ``data``: title, question, options (lines or list), opens_at, closes_at (UTC),
    is_anonymous, is_multiple_choice."""
    values = _content(data, now or utcnow())
    consultation = Consultation(cooperative=coop, created_by_id=getattr(actor, "id", None), **values)
    db.session.add(consultation)
    db.session.flush()
    _audit("create", consultation, actor, options=consultation.options, anonymous=consultation.is_anonymous,
           multiple=consultation.is_multiple_choice, opens_at=consultation.opens_at.isoformat(),
           closes_at=consultation.closes_at.isoformat())
    return consultation


def update_draft(consultation: Consultation, data: dict, *, actor, now: datetime | None = None) -> None:
    if not consultation.is_draft:
        raise DomainError(_l("Only a draft can be changed."))
    for key, value in _content(data, now or utcnow()).items():
        setattr(consultation, key, value)
    db.session.flush()
    _audit("update", consultation, actor, options=consultation.options, anonymous=consultation.is_anonymous,
           multiple=consultation.is_multiple_choice, opens_at=consultation.opens_at.isoformat(),
           closes_at=consultation.closes_at.isoformat())


def delete_draft(consultation: Consultation, *, actor) -> None:
    if not consultation.is_draft:
        raise DomainError(_l("Only a draft can be deleted; an open or closed consultation stays on record."))
    _audit("delete", consultation, actor, title=consultation.title)
    db.session.delete(consultation)
    db.session.flush()


# --- opening ------------------------------------------------------------------------------------


def open_consultation(consultation: Consultation, *, actor, now: datetime | None = None) -> int:
    """Open it and freeze the roll: the members with voting rights on the opening day. Answers
    are accepted from ``opens_at`` (or now, when that has passed) until ``closes_at``."""
    from coop.members.services import voting_member_ids_on

    now = now or utcnow()
    lock_row(consultation)  # a second "open" at the same moment waits, then is refused
    if not consultation.is_draft:
        raise DomainError(_l("This consultation has already been opened."))
    if consultation.closes_at <= now:
        raise DomainError(_l("The closing time has already passed; change the draft first."))
    consultation.opens_at = max(consultation.opens_at, now)
    eligible = voting_member_ids_on(consultation.cooperative, local_day(consultation.opens_at)).subquery()
    ids = sorted(set(db.session.scalars(select(eligible.c.member_id))))
    rows = [{"consultation_id": consultation.id, "member_id": m} for m in ids]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(ConsultationRoll), rows[start:start + 5000])
    consultation.status, consultation.opened_at = S.OPEN, now
    consultation.opened_by_id = getattr(actor, "id", None)
    db.session.flush()
    _audit("open", consultation, actor, roll=len(ids), opens_at=consultation.opens_at.isoformat(),
           closes_at=consultation.closes_at.isoformat())
    return len(ids)


# --- answering ----------------------------------------------------------------------------------


def on_roll(consultation: Consultation, member) -> bool:
    return db.session.get(ConsultationRoll, (consultation.id, member.id)) is not None


def has_answered(consultation: Consultation, member) -> bool:
    return db.session.get(ConsultationParticipation, (consultation.id, member.id)) is not None


def _lock_open(consultation: Consultation, now: datetime, *, exclusive: bool = False) -> None:
    """Refuse outside the window; hold the consultation's row so that closing waits for
    answers being given (and an answer given while closing waits and is refused)."""
    lock_row(consultation, exclusive=exclusive)
    if consultation.is_closed:
        raise DomainError(_l("This consultation is closed."))
    if not consultation.accepts_at(now):
        raise DomainError(_l("This consultation is not open now."))


def answer(consultation: Consultation, member, picked, *, actor, now: datetime | None = None) -> str | None:
    """``member`` answers once. Returns the receipt code of an anonymous answer (shown once;
    only its hash is kept), None for a named one."""
    now = now or utcnow()
    _lock_open(consultation, now)
    if not on_roll(consultation, member):
        raise DomainError(_l("You are not on the roll of this consultation."))
    choice = rules.stored_choice(consultation.options, picked, multiple=consultation.is_multiple_choice)
    if choice is None:
        raise DomainError(_l("That answer is not one of the options."))
    if has_answered(consultation, member):
        raise DomainError(_l("You have already answered this consultation."))
    today = local_day(now)
    code = None
    try:
        with db.session.begin_nested():
            db.session.add(ConsultationParticipation(consultation_id=consultation.id, member_id=member.id,
                                                     answered_on=today))
            if consultation.is_anonymous:
                raw = secrets.token_hex(6).upper()
                code = "-".join(raw[i:i + 4] for i in range(0, 12, 4))
                db.session.add(ConsultationAnswer(id=uuid.uuid4().hex, consultation_id=consultation.id,
                                                  choice=choice, receipt_hash=receipt_hash(code), answered_on=today))
            else:
                db.session.add(ConsultationAnswer(id=uuid.uuid4().hex, consultation_id=consultation.id,
                                                  member_id=member.id, choice=choice, answered_on=today))
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("You have already answered this consultation.")) from None
    # Who answered, never what: named answers are shown after closing, the audit log before.
    _audit("answer", consultation, actor, member=member.id)
    return code


# --- closing ------------------------------------------------------------------------------------


def stored_roll(consultation: Consultation) -> list[int]:
    return list(db.session.scalars(select(ConsultationRoll.member_id)
                                   .where(ConsultationRoll.consultation_id == consultation.id)))


def stored_answers(consultation: Consultation) -> list[str]:
    return list(db.session.scalars(select(ConsultationAnswer.choice)
                                   .where(ConsultationAnswer.consultation_id == consultation.id)))


def compute(consultation: Consultation, roll: list[int], answers: list[str]) -> dict:
    return rules.tally(answers, consultation.options, multiple=consultation.is_multiple_choice,
                       eligible=len(roll))


def close(consultation: Consultation, *, actor, now: datetime | None = None) -> dict:
    """Freeze the result (early, or once the window has passed): counts, turnout and the
    SHA-256 over roll, answers and result. Anonymous answers are rewritten in the order of
    their random keys. A closed consultation is never reopened."""
    now = now or utcnow()
    lock_row(consultation)  # answers being given finish first; a second close waits and is refused
    if consultation.is_closed:
        raise DomainError(_l("This consultation is already closed; it is never reopened."))
    if not consultation.is_open:
        raise DomainError(_l("Only an open consultation can be closed."))
    if consultation.is_anonymous:
        _shuffle(consultation)
    roll, answers = stored_roll(consultation), stored_answers(consultation)
    outcome = compute(consultation, roll, answers)
    consultation.result_json = json.dumps(outcome, sort_keys=True, ensure_ascii=False)
    consultation.result_hash = rules.freeze(roll, answers, outcome)
    consultation.status, consultation.closed_at = S.CLOSED, now
    consultation.closed_by_id = getattr(actor, "id", None)
    early = now < consultation.closes_at
    if early:  # the window ends when it is closed early
        consultation.closes_at = max(now, consultation.opens_at + _SECOND)
    db.session.flush()
    _audit("close", consultation, actor, hash=consultation.result_hash, answered=outcome["answered"],
           eligible=outcome["eligible"], early=early)
    return outcome


def _shuffle(consultation: Consultation) -> None:
    rows = [{"id": a.id, "consultation_id": a.consultation_id, "member_id": None, "choice": a.choice,
             "receipt_hash": a.receipt_hash, "answered_on": a.answered_on}
            for a in db.session.scalars(select(ConsultationAnswer)
                                        .where(ConsultationAnswer.consultation_id == consultation.id))]
    db.session.execute(delete(ConsultationAnswer).where(ConsultationAnswer.consultation_id == consultation.id))
    db.session.expire_all()
    rows.sort(key=lambda r: r["id"])
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(ConsultationAnswer), rows[start:start + 5000])


def recount(consultation: Consultation) -> bool:
    """Whether counting again from the stored roll and answers gives the frozen result and hash."""
    roll, answers = stored_roll(consultation), stored_answers(consultation)
    again = compute(consultation, roll, answers)
    frozen = consultation.result
    return (frozen is not None and json.loads(json.dumps(again)) == frozen
            and rules.freeze(roll, answers, frozen) == consultation.result_hash)


def close_due(*, now: datetime | None = None) -> int:
    """Close every open consultation whose window has passed (for cron)."""
    now = now or utcnow()
    due = db.session.scalars(select(Consultation).where(Consultation.status == S.OPEN,
                                                        Consultation.closes_at <= now)
                             .order_by(Consultation.id)).all()
    for consultation in due:
        close(consultation, actor=None, now=now)
    return len(due)


# --- what members see ---------------------------------------------------------------------------


def named_answers(consultation: Consultation) -> list[ConsultationAnswer]:
    """Who chose what in a closed NAMED consultation (by member name)."""
    from coop.members.models import Member

    if consultation.is_anonymous or not consultation.is_closed:
        return []
    return list(db.session.scalars(select(ConsultationAnswer).join(Member, Member.id == ConsultationAnswer.member_id)
                                   .where(ConsultationAnswer.consultation_id == consultation.id)
                                   .order_by(Member.sort_name, Member.id)))


def receipts(consultation: Consultation) -> list[tuple[str, str]]:
    """After closing an ANONYMOUS consultation: (receipt hash, answer), sorted by the hash."""
    if not consultation.is_anonymous or not consultation.is_closed:
        return []
    return [tuple(r) for r in db.session.execute(
        select(ConsultationAnswer.receipt_hash, ConsultationAnswer.choice)
        .where(ConsultationAnswer.consultation_id == consultation.id)
        .order_by(ConsultationAnswer.receipt_hash))]


def awaiting(member, *, now: datetime | None = None) -> list[Consultation]:
    """Open consultations, within their window, on whose roll ``member`` is and which they have
    not answered yet."""
    now = now or utcnow()
    answered = select(ConsultationParticipation.consultation_id).where(
        ConsultationParticipation.member_id == member.id)
    return list(db.session.scalars(
        select(Consultation).join(ConsultationRoll, ConsultationRoll.consultation_id == Consultation.id)
        .where(ConsultationRoll.member_id == member.id, Consultation.status == S.OPEN,
               Consultation.opens_at <= now, Consultation.closes_at > now, Consultation.id.not_in(answered))
        .order_by(Consultation.closes_at)))


def answered_ids(member) -> set[int]:
    return set(db.session.scalars(select(ConsultationParticipation.consultation_id)
                                  .where(ConsultationParticipation.member_id == member.id)))


def live_count(consultation: Consultation) -> tuple[int, int]:
    """(answered, on the roll) while it is open."""
    answered = db.session.scalar(select(func.count()).select_from(ConsultationParticipation).where(
        ConsultationParticipation.consultation_id == consultation.id))
    roll = db.session.scalar(select(func.count()).select_from(ConsultationRoll).where(
        ConsultationRoll.consultation_id == consultation.id))
    return answered, roll


# --- reminders ----------------------------------------------------------------------------------


def send_reminders(*, hours: int = REMIND_HOURS_BEFORE, now: datetime | None = None) -> int:
    """E-mail, once, each member on the roll of an open consultation that closes within
    ``hours`` who has not answered yet (and agreed to e-mail). Records the reminder on the roll
    so that a second run sends nothing. For cron."""
    from coop.core.mail import queue
    from coop.meetings.services import external_url
    from coop.members.models import Member

    now = now or utcnow()
    due = [c for c in db.session.scalars(select(Consultation).where(
        Consultation.status == S.OPEN, Consultation.opens_at <= now, Consultation.closes_at > now)
        .order_by(Consultation.id)) if rules.reminder_due(c.closes_at, now, hours)]
    sent = 0
    for consultation in due:
        answered = select(ConsultationParticipation.member_id).where(
            ConsultationParticipation.consultation_id == consultation.id)
        rows = db.session.execute(
            select(ConsultationRoll, Member).join(Member, Member.id == ConsultationRoll.member_id)
            .where(ConsultationRoll.consultation_id == consultation.id, ConsultationRoll.reminded_at.is_(None),
                   ConsultationRoll.member_id.not_in(answered), Member.email.is_not(None),
                   Member.email_consent_at.is_not(None))
            .order_by(Member.id)).all()
        if not rows:
            continue
        coop = consultation.cooperative
        link = external_url("consultations.answer", coop=coop.slug, consultation_id=consultation.id)
        for entry, member in rows:
            locale = (member.user.locale if member.user is not None and member.user.locale else None) or "nl"
            queue(member.email, "consultation_reminder", locale=locale, cooperative=coop, coop=coop,
                  member=member, consultation=consultation, link=link)
            entry.reminded_at = now
            sent += 1
        db.session.flush()
        _audit("remind", consultation, None, members=[m.id for _e, m in rows], hours=hours)
    return sent
