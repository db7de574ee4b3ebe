"""State changes of the member register. Services flush and audit; the view commits once."""
from __future__ import annotations

import re
from datetime import date
from functools import cache

from sqlalchemy import and_, func, or_, select, update

from coop.core import audit, mail
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.members import rules
from coop.members.models import (Channel, EndReason, Member, MemberCategory, MemberEvent,
                                  MemberStatus, make_sort_name)
from coop.orgs.models import Cooperative

#: Fields a board may set on a member (and an import may fill), in form order.
MEMBER_FIELDS = ("first_name", "name_prefix", "last_name", "street", "house_number", "postcode",
                 "city", "email", "phone", "born_on", "iban", "channel", "household", "notes",
                 "category_id", "domains")
#: Fields members may change themselves on their own page.
SELF_SERVICE_FIELDS = ("street", "house_number", "postcode", "city", "email", "phone", "iban")
#: What is personal data, blanked on erasure (GDPR art. 17).
PERSONAL_FIELDS = ("name_prefix", "street", "house_number", "postcode", "city", "email", "phone",
                   "born_on", "iban", "household", "notes")


def today() -> date:
    return date.today()


# --- validation -------------------------------------------------------------------------------


def clean_member_data(data: dict, *, coop: Cooperative) -> dict:
    """Normalise and validate member fields; raise DomainError naming the field."""
    from email_validator import EmailNotValidError, validate_email

    out = {}
    for key in MEMBER_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, str):
            value = value.strip() or None
        out[key] = value
    for required in ("first_name", "last_name"):
        if required in out and not out[required]:
            raise DomainError(_l("This field is required."), field=required)
    if out.get("postcode"):
        try:
            out["postcode"] = rules.normalise_postcode(out["postcode"])
        except ValueError:
            raise DomainError(_l("A Dutch postcode has four digits and two letters, e.g. 1234 AB."),
                              field="postcode") from None
    if out.get("email"):
        plain = out["email"].lower()
        if not is_plain_email(plain):  # the library checks everything else (unicode, quoting…)
            try:
                plain = validate_email(out["email"], check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                raise DomainError(_l("This is not a valid e-mail address."), field="email") from None
        out["email"] = plain
    if out.get("iban"):
        out["iban"] = rules.dutch_iban(out["iban"]) or _foreign_iban(out["iban"])
    if out.get("born_on") and out["born_on"] > today():
        raise DomainError(_l("The date of birth cannot be in the future."), field="born_on")
    if "channel" in out and out["channel"] is not None and not isinstance(out["channel"], Channel):
        try:
            out["channel"] = Channel(out["channel"])
        except ValueError:
            raise DomainError(_l("Choose e-mail or letter."), field="channel") from None
    if "domains" in out:
        chosen = set(out["domains"] or [])
        allowed = {d.value for d in coop.domains}
        if not chosen <= allowed:
            raise DomainError(_l("Choose among the cooperative's domains."), field="domains")
        out["domains"] = sorted(chosen)
    if out.get("category_id") is not None:
        cat = db.session.get(MemberCategory, int(out["category_id"]))
        if cat is None or cat.cooperative_id != coop.id:
            raise DomainError(_l("Choose one of the categories."), field="category_id")
        out["category_id"] = cat.id
    # What the form does not limit (imports, the API) still fits the columns.
    lengths = _column_lengths()
    for key, value in out.items():
        length = lengths.get(key)
        if length and isinstance(value, str) and len(value) > length:
            raise DomainError(_l("At most %(n)d characters.", n=length), field=key)
    return out


def _foreign_iban(value: str) -> str:
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        return IBAN(value).compact
    except (SchwiftyException, ValueError):
        raise DomainError(_l("This is not a valid IBAN."), field="iban") from None


@cache
def _column_lengths() -> dict[str, int]:
    return {c.name: c.type.length for c in Member.__table__.c if getattr(c.type, "length", None)}


_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*"  # local part: no leading, trailing or double dots
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"  # domain labels
    r"([a-z]{2,63})"  # top-level domain
)
_SPECIAL_USE_TLDS = {"arpa", "invalid", "local", "localhost", "onion", "test"}


def is_plain_email(address: str) -> bool:
    """A lower-case ASCII address of the everyday shape that email-validator accepts as is.

    A fast path for imports of 100,000 rows: only addresses this strict pattern accepts skip the
    library (which is ~40 µs a row); everything else goes through it.
    """
    m = _PLAIN_EMAIL.fullmatch(address)
    return (m is not None and m.group(1) not in _SPECIAL_USE_TLDS
            and len(address) <= 254 and len(address.split("@", 1)[0]) <= 64)


def possible_duplicates(coop: Cooperative, *, email=None, first_name=None, last_name=None,
                        postcode=None, born_on=None, exclude_id=None) -> list[Member]:
    """Members of this cooperative with the same e-mail, or the same name + postcode + birth date."""
    conditions = []
    if email:
        conditions.append(Member.email == email.lower())
    if first_name and last_name and postcode and born_on:
        conditions.append(and_(func.lower(Member.first_name) == first_name.strip().lower(),
                               func.lower(Member.last_name) == last_name.strip().lower(),
                               Member.postcode == postcode, Member.born_on == born_on))
    if not conditions:
        return []
    q = select(Member).where(Member.cooperative_id == coop.id, Member.erased_at.is_(None), or_(*conditions))
    if exclude_id:
        q = q.where(Member.id != exclude_id)
    return list(db.session.scalars(q.limit(5)))


def _check_channel(member: Member) -> None:
    if member.channel == Channel.EMAIL and not (member.email and member.email_consent_at):
        raise DomainError(_l("E-mail can only be the channel with an e-mail address and the member's consent."),
                          field="channel")


# --- numbering and history ---------------------------------------------------------------------


def next_number(coop: Cooperative) -> int:
    """The next membership number: one higher than any ever given (never reused).

    A single UPDATE … RETURNING increments the counter, so concurrent admissions queue on the
    cooperative's row and can never get the same number.
    """
    number = db.session.execute(
        update(Cooperative).where(Cooperative.id == coop.id)
        .values(last_member_number=Cooperative.last_member_number + 1)
        .returning(Cooperative.last_member_number)
    ).scalar_one()
    db.session.expire(coop, ["last_member_number"])
    return number


def record_event(member: Member, kind: str, *, to_status: MemberStatus | None = None,
                 effective_on: date | None = None, reason: str | None = None, actor=None) -> MemberEvent:
    """Write the member's history; a status change takes effect now or on its (future) date."""
    effective_on = effective_on or today()
    event = MemberEvent(member=member, kind=kind, from_status=member.status, to_status=to_status,
                        effective_on=effective_on, reason=reason,
                        actor_id=getattr(actor, "id", None), is_applied=True)
    if to_status is not None:
        if effective_on <= today():
            member.status = to_status
            if to_status == MemberStatus.FORMER:
                member.ended_on = effective_on
        else:
            event.is_applied = False
    db.session.add(event)
    db.session.flush()
    # The reasons may name people or circumstances: they stay in the member's history (which
    # erasure can blank), not in the append-only log.
    audit.record(f"members.{kind}", actor=actor, cooperative=member.cooperative, obj=member,
                 number=member.number, to_status=to_status.value if to_status else None,
                 effective_on=effective_on.isoformat(), has_reason=bool(reason))
    return event


def apply_due_events(on: date | None = None) -> int:
    """Apply future-dated status changes whose day has come (run daily: ``flask coop members-due``)."""
    on = on or today()
    due = db.session.scalars(
        select(MemberEvent).where(MemberEvent.is_applied.is_(False), MemberEvent.effective_on <= on)
        .order_by(MemberEvent.effective_on, MemberEvent.id)
    ).all()
    for event in due:
        member = event.member
        member.status = event.to_status
        if event.to_status == MemberStatus.FORMER:
            member.ended_on = event.effective_on
        event.is_applied = True
        audit.record("members.status_due", cooperative=member.cooperative, obj=member,
                     number=member.number, to_status=event.to_status.value,
                     effective_on=event.effective_on.isoformat())
    db.session.flush()
    return len(due)


def voting_member_ids_on(coop: Cooperative, day: date):
    """A select of the ids of the members who had voting rights on ``day`` (from the history).

    A member has voting rights on a day when the last status change effective on or before that
    day made them MEMBER (admitted, and neither suspended nor gone).
    """
    ranked = (
        select(MemberEvent.member_id, MemberEvent.to_status,
               func.row_number().over(partition_by=MemberEvent.member_id,
                                      order_by=(MemberEvent.effective_on.desc(), MemberEvent.id.desc()))
               .label("rank"))
        .join(Member, Member.id == MemberEvent.member_id)
        .where(Member.cooperative_id == coop.id, MemberEvent.to_status.is_not(None),
               MemberEvent.effective_on <= day)
        .subquery()
    )
    return select(ranked.c.member_id).where(ranked.c.rank == 1, ranked.c.to_status == MemberStatus.MEMBER.value)


# --- creating members ------------------------------------------------------------------------


class DuplicateWarning(DomainError):
    """Raised when a member may already be registered; confirm to create anyway."""

    duplicates: list

    def __init__(self, duplicates):
        super().__init__(_l("This person may already be registered. Check the list and confirm to add anyway."))
        self.duplicates = duplicates


def create_member(coop: Cooperative, data: dict, *, actor, status: MemberStatus = MemberStatus.MEMBER,
                  on: date | None = None, confirm_duplicate: bool = False,
                  email_consent: bool = False, privacy_consent: bool = True,
                  reason: str | None = None, audit_it: bool = True) -> Member:
    """Register a member (status MEMBER: admitted now, with a number) or an applicant."""
    on = on or today()
    values = clean_member_data(data, coop=coop)
    if not confirm_duplicate:
        dups = possible_duplicates(coop, email=values.get("email"), first_name=values.get("first_name"),
                                   last_name=values.get("last_name"), postcode=values.get("postcode"),
                                   born_on=values.get("born_on"))
        if dups:
            raise DuplicateWarning(dups)
    now = utcnow()
    domains = values.pop("domains", None)
    member = Member(cooperative=coop, **values)
    if domains is not None:
        member.domains = domains
    member.sort_name = make_sort_name(member.first_name, member.last_name, member.name_prefix)
    member.status = MemberStatus.APPLICANT
    member.applied_on = on
    if email_consent and member.email:
        member.email_consent_at = now
    if privacy_consent:
        member.privacy_consent_at = now
    if member.channel is None:
        member.channel = Channel.LETTER
    _check_channel(member)
    db.session.add(member)
    db.session.flush()
    if audit_it:
        record_event(member, "applied", to_status=MemberStatus.APPLICANT, effective_on=on, actor=actor,
                     reason=reason)
    if status == MemberStatus.MEMBER:
        member.number = next_number(coop)
        member.admitted_on = on
        if audit_it:
            record_event(member, "admitted", to_status=MemberStatus.MEMBER, effective_on=on, actor=actor,
                         reason=reason)
        else:
            member.status = MemberStatus.MEMBER
    return member


def update_member(member: Member, data: dict, *, actor, fields=MEMBER_FIELDS,
                  email_consent: bool | None = None) -> dict:
    """Change a member's details; returns {field: [old, new]} (audited, personal values hidden)."""
    if member.erased_at:
        raise DomainError(_l("This member's data has been erased."))
    values = clean_member_data({k: v for k, v in data.items() if k in fields}, coop=member.cooperative)
    changed = {}
    if "domains" in values and sorted(d.value for d in member.domains) == values["domains"]:
        del values["domains"]
    for key, value in values.items():
        if getattr(member, key) != value:
            changed[key] = [getattr(member, key), value]
            setattr(member, key, value)
    if email_consent is not None:
        has = member.email_consent_at is not None
        if email_consent != has:
            member.email_consent_at = utcnow() if email_consent else None
            changed["email_consent"] = [has, email_consent]
            if not email_consent and member.channel == Channel.EMAIL:
                member.channel = Channel.LETTER
                changed["channel"] = [Channel.EMAIL, Channel.LETTER]
    if {"first_name", "last_name", "name_prefix"} & changed.keys():
        member.sort_name = make_sort_name(member.first_name, member.last_name, member.name_prefix)
    _check_channel(member)
    if changed:
        db.session.flush()
        # The log says what changed, not the personal values themselves.
        audit.record("members.update", actor=actor, cooperative=member.cooperative, obj=member,
                     number=member.number, fields=sorted(changed))
    return changed


# --- lifecycle -------------------------------------------------------------------------------


def _require(member: Member, *allowed: MemberStatus) -> None:
    if member.status not in allowed:
        raise DomainError(_l("This is not possible for a member with status %(status)s.",
                             status=member.status.value))


def admit(member: Member, *, actor, on: date | None = None, by_meeting: bool = False,
          reason: str | None = None) -> None:
    """The board admits an applicant; the general meeting may admit one the board refused."""
    _require(member, MemberStatus.APPLICANT, MemberStatus.REFUSED)
    if member.status == MemberStatus.REFUSED and not by_meeting:
        raise DomainError(_l("A refused applicant can only be admitted by the general meeting."))
    on = on or today()
    member.number = next_number(member.cooperative)
    member.admitted_on = on
    record_event(member, "admitted_by_meeting" if by_meeting else "admitted",
                 to_status=MemberStatus.MEMBER, effective_on=on, reason=reason, actor=actor)


def refuse(member: Member, *, actor, reason: str | None = None) -> None:
    _require(member, MemberStatus.APPLICANT)
    record_event(member, "refused", to_status=MemberStatus.REFUSED, reason=reason, actor=actor)


def give_notice(member: Member, *, by_member: bool, actor, given_on: date | None = None,
                reason: str | None = None) -> date:
    """Notice by the member or by the cooperative: the membership ends on the date the
    statutes profile gives (end of the financial year after the notice period)."""
    _require(member, MemberStatus.MEMBER)
    if member.leaves_on:
        raise DomainError(_l("Notice has already been given; the membership ends on %(day)s.",
                             day=member.leaves_on.isoformat()))
    if not by_member and not (reason or "").strip():
        raise DomainError(_l("Give the reasons for ending the membership."), field="reason")
    given_on = given_on or today()
    s = member.cooperative.statutes
    leaves_on = rules.notice_effective_on(given_on, notice_weeks=s.notice_period_weeks,
                                          at_year_end=s.is_notice_at_year_end,
                                          fy_end_month=s.financial_year_end_month,
                                          fy_end_day=s.financial_year_end_day)
    member.leaves_on = leaves_on
    member.end_reason = EndReason.NOTICE_BY_MEMBER if by_member else EndReason.NOTICE_BY_COOP
    member.notice_requested_at = None
    record_event(member, "notice_by_member" if by_member else "notice_by_coop",
                 to_status=MemberStatus.FORMER, effective_on=leaves_on, reason=reason, actor=actor)
    return leaves_on


def expel(member: Member, *, actor, reasons: str, on: date | None = None) -> date:
    """Expulsion by the board, in writing with reasons: suspended until the appeal term ends
    or the general meeting decides (2:35 BW)."""
    _require(member, MemberStatus.MEMBER)
    if not (reasons or "").strip():
        raise DomainError(_l("An expulsion needs written reasons."), field="reason")
    on = on or today()
    member.appeal_until = rules.appeal_deadline(on, member.cooperative.statutes.expulsion_appeal_months)
    member.has_appealed = False
    record_event(member, "expelled", to_status=MemberStatus.SUSPENDED, effective_on=on, reason=reasons,
                 actor=actor)
    return member.appeal_until


def record_appeal(member: Member, *, actor, on: date | None = None) -> None:
    _require(member, MemberStatus.SUSPENDED)
    on = on or today()
    if member.appeal_until and on > member.appeal_until:
        raise DomainError(_l("The term to appeal has passed."))
    member.has_appealed = True
    record_event(member, "appealed", effective_on=on, actor=actor)


def decide_appeal(member: Member, *, upheld: bool, actor, reason: str | None = None) -> None:
    """The general meeting decides the appeal: upheld reinstates, rejected ends the membership."""
    _require(member, MemberStatus.SUSPENDED)
    if not member.has_appealed:
        raise DomainError(_l("The member has not appealed."))
    if upheld:
        member.appeal_until = None
        record_event(member, "appeal_upheld", to_status=MemberStatus.MEMBER, reason=reason, actor=actor)
    else:
        _end(member, EndReason.EXPELLED, "appeal_rejected", actor=actor, reason=reason)


def finalise_expulsion(member: Member, *, actor, on: date | None = None) -> None:
    """No appeal within the term: the expulsion becomes final."""
    _require(member, MemberStatus.SUSPENDED)
    on = on or today()
    if member.has_appealed:
        raise DomainError(_l("The member has appealed: the general meeting decides."))
    if member.appeal_until and on <= member.appeal_until:
        raise DomainError(_l("The term to appeal has not ended yet."))
    _end(member, EndReason.EXPELLED, "expulsion_final", actor=actor, on=on)


def record_death(member: Member, *, died_on: date, actor) -> None:
    _require(member, MemberStatus.MEMBER, MemberStatus.SUSPENDED, MemberStatus.APPLICANT)
    if died_on > today():
        raise DomainError(_l("The date cannot be in the future."), field="died_on")
    if member.applied_on and died_on < member.applied_on:
        raise DomainError(_l("The date lies before the member applied."), field="died_on")
    _end(member, EndReason.DEATH, "death", actor=actor, on=died_on)


def _end(member: Member, reason_code: EndReason, kind: str, *, actor, on: date | None = None,
         reason: str | None = None) -> None:
    on = on or today()
    member.end_reason = reason_code
    member.ended_on = on
    member.leaves_on = None
    # a pending future change (notice) is superseded
    for event in member.history:
        if not event.is_applied:
            event.is_applied = True
            event.reason = ((event.reason or "") + " [superseded]").strip()
    record_event(member, kind, to_status=MemberStatus.FORMER, effective_on=on, reason=reason, actor=actor)


def link_account(coop: Cooperative, user) -> Member | None:
    """Link the member with the user's e-mail address to the user's account (on accepting)."""
    member = db.session.scalar(
        select(Member).where(Member.cooperative_id == coop.id, Member.email == user.email,
                             Member.user_id.is_(None)).order_by(Member.id).limit(1))
    if member is not None:
        member.user_id = user.id
        audit.record("members.link_account", actor=user, cooperative=coop, obj=member,
                     number=member.number, user_id=user.id)
    return member


# --- applications (join form) ----------------------------------------------------------------


def apply_to_join(coop: Cooperative, data: dict, *, email_consent: bool, locale: str | None) -> Member:
    """A public application: the applicant is registered and gets a confirmation e-mail."""
    if not data.get("email"):
        raise DomainError(_l("Give an e-mail address so that we can confirm your application."), field="email")
    member = create_member(coop, data, actor=None, status=MemberStatus.APPLICANT, confirm_duplicate=True,
                           email_consent=email_consent, privacy_consent=True)
    if email_consent:
        member.channel = Channel.EMAIL
    mail.queue(member.email, "member_applied", locale=locale, cooperative=coop, member=member)
    return member


def admit_applicants(coop: Cooperative, member_ids: list[int], *, actor, on: date | None = None) -> list[Member]:
    """Admit several applicants at once; each gets a welcome with an invitation to an account."""
    from coop.auth import services as auth_services
    from coop.orgs.models import Role

    members = _applicants(coop, member_ids)
    for m in members:
        admit(m, actor=actor, on=on)
        if m.email:
            existing = auth_services.find_user(m.email)
            if existing is None or not existing.has_role(Role.MEMBER, cooperative=coop):
                auth_services.invite(email=m.email, role=Role.MEMBER, cooperative=coop, invited_by=actor,
                                     template="member_welcome", context={"member": m})
    return members


def refuse_applicants(coop: Cooperative, member_ids: list[int], *, actor, reason: str | None) -> list[Member]:
    members = _applicants(coop, member_ids)
    for m in members:
        refuse(m, actor=actor, reason=reason)
    return members


def _applicants(coop: Cooperative, member_ids: list[int]) -> list[Member]:
    if not member_ids:
        raise DomainError(_l("Select at least one applicant."))
    members = db.session.scalars(
        select(Member).where(Member.cooperative_id == coop.id, Member.id.in_(member_ids),
                             Member.status == MemberStatus.APPLICANT).order_by(Member.id)
    ).all()
    if len(members) != len(set(member_ids)):
        raise DomainError(_l("Some of the selected people are no longer open applications."))
    return list(members)
