"""Privacy of the member register (AVG/GDPR).

* What members may see and take along (art. 15 and 20): :func:`export_data` (JSON) and
  :func:`export_zip` (a zip with one CSV per kind of record). Every export is audited.
* What members may ask: to end the membership (:func:`request_notice`; the board then gives
  notice with ``services.give_notice``) and to be erased (:func:`request_erasure`).
* What the board does: :func:`erase_member` pseudonymises a former member or refused applicant.
  Erasure BLANKS every field of ``services.PERSONAL_FIELDS``, the first and last name (replaced
  by "—" and "Gewist lid <number>"), the e-mail consent, the link to the account, the free-text
  reasons of the history events, and the addresses and texts of mail sent to the member by this
  cooperative. It KEEPS the membership number, status, category, the dates (applied, admitted,
  ended, consent to the privacy statement, the requests), the history events (what happened
  when), share transactions and fee charges (financial records are kept for the tax term; they
  refer to the member's id, not to a name) and everything that shows a ballot was cast.
  The audit log records ``members.erase`` with the member's number only.
* Invitations of this cooperative to the member's address and mail it sent to that address keep
  their dates but lose the address (and the mail its text).
* The member's account (a ``User``) may belong to other cooperatives, so erasure does not delete
  it: it removes the member role in this cooperative, and when the account then has no role
  and no member record anywhere, it is deactivated, its name is blanked ("—") and its e-mail
  address replaced by ``erased-<id>@erased.invalid`` (so that no personal data stays behind).
* Retention: :func:`past_retention` lists former members whose membership ended more than the
  statutes profile's ``member_retention_years`` ago; ``flask coop retention`` prints them and
  with ``--erase`` erases them (:func:`register_retention_command`).

Services flush and audit; the caller (view or CLI command) commits.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from functools import cache

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from coop.core import audit
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.members import rules, services
from coop.members.models import (Channel, FeeCharge, Member, MemberEvent, MemberStatus,
                                  ShareTransaction, ShareTransactionKind, make_sort_name)
from coop.orgs.models import Cooperative, Role, RoleAssignment

#: Statuses whose data may be erased: the register of current members (and open applications)
#: is needed to run the cooperative, so their membership must end (or be decided) first.
ERASABLE_STATUSES = frozenset({MemberStatus.FORMER, MemberStatus.REFUSED})

#: Format marker of the data export, so that a reader can tell versions apart.
EXPORT_FORMAT = "coop-member-export/1"


def today() -> date:
    return services.today()


# --- the member's own record -----------------------------------------------------------------


@cache
def _own_member_statement():
    # Built once: every page of a member's own side (and each ballot of a voting burst) runs it.
    return select(Member).where(Member.cooperative_id == bindparam("coop_id"), Member.user_id == bindparam("user_id"))


def own_member(coop: Cooperative, user) -> Member | None:
    """The user's own record in this cooperative (never anyone else's), or None."""
    return db.session.scalar(_own_member_statement(), {"coop_id": coop.id, "user_id": user.id})


def memberships_of(user) -> list[Member]:
    """Every member record linked to the user, with its cooperative (two queries)."""
    return list(db.session.scalars(
        select(Member).options(selectinload(Member.cooperative))
        .where(Member.user_id == user.id).order_by(Member.cooperative_id)
    ))


def update_own_details(member: Member, data: dict, *, email_consent: bool, actor) -> dict:
    """A member changes their contact details and e-mail consent; the channel follows consent:
    with consent (and an address) mail goes by e-mail, without it by letter."""
    values = {key: data.get(key) for key in services.SELF_SERVICE_FIELDS}
    if email_consent and not (values.get("email") or "").strip():
        raise DomainError(_l("Give an e-mail address to receive mail by e-mail."), field="email")
    values["channel"] = Channel.EMAIL if email_consent else Channel.LETTER
    return services.update_member(member, values, actor=actor,
                                  fields=services.SELF_SERVICE_FIELDS + ("channel",),
                                  email_consent=email_consent)


def expected_leave_date(member: Member, given_on: date | None = None) -> date:
    """The day the membership would end if notice were given on ``given_on`` (default today)."""
    s = member.cooperative.statutes
    return rules.notice_effective_on(given_on or today(), notice_weeks=s.notice_period_weeks,
                                     at_year_end=s.is_notice_at_year_end,
                                     fy_end_month=s.financial_year_end_month,
                                     fy_end_day=s.financial_year_end_day)


def notice_problem(member: Member):
    """Why the member cannot ask to end the membership now (a message), or None."""
    if member.erased_at:
        return _l("This member's data has been erased.")
    if member.status != MemberStatus.MEMBER:
        return _l("Only a member can give notice.")
    if member.leaves_on:
        return _l("Notice has already been given; the membership ends on %(day)s.",
                  day=member.leaves_on.isoformat())
    if member.notice_requested_at:
        return _l("You have already asked to end your membership. The board will confirm it.")
    return None


def request_notice(member: Member, *, actor) -> date:
    """The member asks to end the membership; the board confirms with ``give_notice``.
    Returns the day the membership would end when the board processes it today."""
    problem = notice_problem(member)
    if problem:
        raise DomainError(problem)
    member.notice_requested_at = utcnow()
    day = expected_leave_date(member)
    db.session.flush()
    audit.record("members.request_notice", actor=actor, cooperative=member.cooperative, obj=member,
                 number=member.number, expected_end=day.isoformat())
    return day


def request_erasure(member: Member, *, actor) -> None:
    """The member asks to be erased (GDPR art. 17); the board executes it."""
    if member.erased_at:
        raise DomainError(_l("This member's data has been erased."))
    if member.erasure_requested_at:
        raise DomainError(_l("You have already asked for erasure. The board will handle it."))
    member.erasure_requested_at = utcnow()
    db.session.flush()
    audit.record("members.request_erasure", actor=actor, cooperative=member.cooperative, obj=member,
                 number=member.number)


# --- erasure (board) -------------------------------------------------------------------------


def erasure_problem(member: Member):
    """Why the member cannot be erased now (a message), or None."""
    if member.erased_at:
        return _l("This member's data has already been erased.")
    if member.status not in ERASABLE_STATUSES:
        return _l("The data of a current member or an open application is needed to run the "
                  "cooperative: end the membership (or decide on the application) first.")
    return None


def erased_last_name(member: Member) -> str:
    if member.number is not None:
        return f"Gewist lid {member.number}"
    return f"Gewist lid (aanmelding {member.id})"


def erase_member(member: Member, *, actor) -> None:
    """Pseudonymise a former member or refused applicant (see the module docstring)."""
    problem = erasure_problem(member)
    if problem:
        raise DomainError(problem)
    coop = member.cooperative
    user = member.user
    old_email = member.email
    on_request = member.erasure_requested_at is not None

    for field in services.PERSONAL_FIELDS:
        setattr(member, field, None)
    member.first_name = "—"
    member.last_name = erased_last_name(member)
    member.sort_name = make_sort_name(member.first_name, member.last_name)
    member.email_consent_at = None
    member.channel = Channel.LETTER
    member.user = None
    member.erased_at = utcnow()
    for event in member.history:
        event.reason = None
    db.session.add(MemberEvent(member=member, kind="erased", effective_on=today(),
                               actor_id=getattr(actor, "id", None), is_applied=True))
    _redact_mail(coop, old_email)
    _redact_invitations(coop, old_email)
    db.session.flush()
    account_deactivated = _release_account(user, coop) if user is not None else False
    db.session.flush()
    audit.record("members.erase", actor=actor, cooperative=coop, obj=member, number=member.number,
                 on_request=on_request, account_deactivated=account_deactivated)


def _redact_mail(coop: Cooperative, email: str | None) -> None:
    """Mail this cooperative sent (or was about to send) to the member: keep the fact, not the
    address or the text."""
    if not email:
        return
    from coop.core.mail import MailStatus, OutboxMessage

    for msg in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.cooperative_id == coop.id, OutboxMessage.to_address == email)):
        msg.to_address = "erased@erased.invalid"
        msg.body_text = ""
        msg.attachment_name = msg.attachment_type = msg.attachment_text = None
        if msg.status == MailStatus.QUEUED:
            msg.status = MailStatus.FAILED
            msg.last_error = "recipient erased"


def _redact_invitations(coop: Cooperative, email: str | None) -> None:
    """Invitations of this cooperative to the member's address keep their dates, not the address."""
    if not email:
        return
    from coop.auth.models import Invitation

    for inv in db.session.scalars(select(Invitation).where(
            Invitation.cooperative_id == coop.id, Invitation.email == email,
            Invitation.role == Role.MEMBER)):
        inv.email = f"erased-invitation-{inv.id}@erased.invalid"
        if inv.accepted_at is None:
            inv.expires_at = utcnow()  # an open invitation can no longer be used


def _release_account(user, coop: Cooperative) -> bool:
    """Remove the member role in this cooperative; deactivate and blank an account that is
    left with no role and no member record anywhere. Returns whether it was deactivated."""
    from coop.auth.models import new_token

    for ra in list(user.roles):
        if ra.role == Role.MEMBER and ra.cooperative_id == coop.id:
            user.roles.remove(ra)
            db.session.delete(ra)
    db.session.flush()
    remaining_roles = db.session.scalar(
        select(func.count()).select_from(RoleAssignment).where(RoleAssignment.user_id == user.id))
    other_records = db.session.scalar(
        select(func.count()).select_from(Member).where(Member.user_id == user.id))
    if remaining_roles or other_records:
        return False
    user.is_active = False
    user.name = "—"
    user.email = f"erased-{user.id}@erased.invalid"
    user.set_password(new_token())  # nobody knows it; also rotates the session token
    return True


def erasure_requests(coop: Cooperative) -> list[Member]:
    """Open erasure requests, oldest first."""
    return list(db.session.scalars(
        select(Member).where(Member.cooperative_id == coop.id, Member.erasure_requested_at.is_not(None),
                             Member.erased_at.is_(None))
        .order_by(Member.erasure_requested_at, Member.id)
    ))


def retention_cutoff(coop: Cooperative, on: date | None = None) -> date:
    """Memberships that ended before this day are past the retention period."""
    return rules.add_months(on or today(), -12 * coop.statutes.member_retention_years)


def past_retention(coop: Cooperative, on: date | None = None):
    """A select of the former members of ``coop`` whose data is past the retention period."""
    return (
        select(Member)
        .where(Member.cooperative_id == coop.id, Member.status == MemberStatus.FORMER,
               Member.erased_at.is_(None), Member.ended_on.is_not(None),
               Member.ended_on < retention_cutoff(coop, on))
        .order_by(Member.ended_on, Member.number)
    )


# --- data export (GDPR art. 15 and 20) ------------------------------------------------------


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _enum(value) -> str | None:
    return None if value is None else value.value


def export_data(user) -> dict:
    """Everything coop holds about the user: account, roles, member records with history,
    share transactions, fee charges, consents and requests (a constant number of queries)."""
    roles = db.session.scalars(
        select(RoleAssignment)
        .options(selectinload(RoleAssignment.cooperative), selectinload(RoleAssignment.municipality))
        .where(RoleAssignment.user_id == user.id).order_by(RoleAssignment.id)
    ).all()
    members = db.session.scalars(
        select(Member)
        .options(selectinload(Member.cooperative), selectinload(Member.history),
                 selectinload(Member.category))
        .where(Member.user_id == user.id).order_by(Member.cooperative_id)
    ).all()
    ids = [m.id for m in members]
    transactions: dict[int, list] = {i: [] for i in ids}
    fees: dict[int, list] = {i: [] for i in ids}
    if ids:
        for t in db.session.scalars(
                select(ShareTransaction).options(selectinload(ShareTransaction.share_type))
                .where(or_(ShareTransaction.member_id.in_(ids), ShareTransaction.counterparty_id.in_(ids)))
                .order_by(ShareTransaction.effective_on, ShareTransaction.id)):
            for mid in {t.member_id, t.counterparty_id} & set(ids):
                transactions[mid].append(_transaction_row(t, mid))
        for f in db.session.scalars(select(FeeCharge).where(FeeCharge.member_id.in_(ids))
                                    .order_by(FeeCharge.year)):
            fees[f.member_id].append({"year": f.year, "amount_cents": f.amount_cents,
                                      "paid_on": _iso(f.paid_on)})
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(utcnow()),
        "account": {
            "email": user.email, "name": user.name, "locale": user.locale,
            "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
        },
        "roles": [{
            "role": r.role.value,
            "cooperative": r.cooperative.slug if r.cooperative else None,
            "municipality": r.municipality.slug if r.municipality else None,
            "board_position": _enum(r.board_position),
            "since": _iso(r.created_at),
        } for r in roles],
        "memberships": [_member_dict(m, transactions[m.id], fees[m.id]) for m in members],
    }


def _transaction_row(t: ShareTransaction, member_id: int) -> dict:
    if t.kind == ShareTransactionKind.TRANSFER:
        direction = "out" if t.member_id == member_id else "in"
    else:
        direction = "in" if t.kind == ShareTransactionKind.ISSUE else "out"
    return {
        "share_type": t.share_type.name, "nominal_cents": t.share_type.nominal_cents,
        "kind": t.kind.value, "direction": direction, "quantity": t.quantity,
        "status": t.status.value, "effective_on": _iso(t.effective_on),
        "decided_at": _iso(t.decided_at), "created_at": _iso(t.created_at),
    }


def _member_dict(m: Member, transactions: list, fees: list) -> dict:
    return {
        "cooperative": {"slug": m.cooperative.slug, "name": m.cooperative.name},
        "number": m.number,
        "status": m.status.value,
        "first_name": m.first_name, "name_prefix": m.name_prefix, "last_name": m.last_name,
        "street": m.street, "house_number": m.house_number, "postcode": m.postcode, "city": m.city,
        "email": m.email, "phone": m.phone, "born_on": _iso(m.born_on), "iban": m.iban,
        "channel": m.channel.value, "category": m.category.name if m.category else None,
        "household": m.household,
        "notes_of_the_board": m.notes,
        "applied_on": _iso(m.applied_on), "admitted_on": _iso(m.admitted_on),
        "leaves_on": _iso(m.leaves_on), "ended_on": _iso(m.ended_on),
        "end_reason": _enum(m.end_reason), "appeal_until": _iso(m.appeal_until),
        "consents": {
            "privacy_statement_accepted_at": _iso(m.privacy_consent_at),
            "email_consent_at": _iso(m.email_consent_at),
        },
        "requests": {
            "notice_requested_at": _iso(m.notice_requested_at),
            "erasure_requested_at": _iso(m.erasure_requested_at),
        },
        "created_at": _iso(m.created_at), "updated_at": _iso(m.updated_at),
        "history": [{
            "kind": e.kind, "from_status": _enum(e.from_status), "to_status": _enum(e.to_status),
            "effective_on": _iso(e.effective_on), "reason": e.reason, "is_applied": e.is_applied,
            "recorded_at": _iso(e.created_at),
        } for e in m.history],
        "share_transactions": transactions,
        "fee_charges": fees,
    }


#: Cells that a spreadsheet would run as a formula are written as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([_cell(r.get(c)) for c in columns])
    # UTF-8 with a byte-order mark, so that Excel reads accented names correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_zip(user, data: dict | None = None) -> bytes:
    """The same data as :func:`export_data`, as a zip with one CSV file per kind of record:
    account.csv, roles.csv, memberships.csv, history.csv, share_transactions.csv, fees.csv
    (and export.json with everything, for programs)."""
    data = data or export_data(user)
    memberships, history, transactions, fees = [], [], [], []
    for m in data["memberships"]:
        key = {"cooperative": m["cooperative"]["slug"], "number": m["number"]}
        flat = {k: v for k, v in m.items()
                if k not in ("history", "share_transactions", "fee_charges", "consents", "requests")}
        flat["cooperative"] = m["cooperative"]["slug"]
        flat.update(m["consents"])
        flat.update(m["requests"])
        memberships.append(flat)
        history += [dict(key, **e) for e in m["history"]]
        transactions += [dict(key, **t) for t in m["share_transactions"]]
        fees += [dict(key, **f) for f in m["fee_charges"]]
    member_cols = ["cooperative", "number", "status", "first_name", "name_prefix", "last_name",
                   "street", "house_number", "postcode", "city", "email", "phone", "born_on", "iban",
                   "channel", "category", "household", "notes_of_the_board", "applied_on",
                   "admitted_on", "leaves_on", "ended_on", "end_reason", "appeal_until",
                   "privacy_statement_accepted_at", "email_consent_at", "notice_requested_at",
                   "erasure_requested_at", "created_at", "updated_at"]
    files = {
        "account.csv": _csv([data["account"]], ["email", "name", "locale", "created_at", "last_login_at"]),
        "roles.csv": _csv(data["roles"], ["role", "cooperative", "municipality", "board_position", "since"]),
        "memberships.csv": _csv(memberships, member_cols),
        "history.csv": _csv(history, ["cooperative", "number", "kind", "from_status", "to_status",
                                      "effective_on", "reason", "is_applied", "recorded_at"]),
        "share_transactions.csv": _csv(transactions, [
            "cooperative", "number", "share_type", "nominal_cents", "kind", "direction", "quantity",
            "status", "effective_on", "decided_at", "created_at"]),
        "fees.csv": _csv(fees, ["cooperative", "number", "year", "amount_cents", "paid_on"]),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
        zf.writestr("export.json", json.dumps(data, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def record_export(user, *, fmt: str, data: dict) -> None:
    """Audit an export in the platform log: the format and which register entries (cooperative
    and membership number) were included — no personal data."""
    audit.record("members.export_data", actor=user, obj=user, format=fmt,
                 memberships=[{"cooperative": m["cooperative"]["slug"], "number": m["number"]}
                              for m in data["memberships"]])


# --- the retention command -------------------------------------------------------------------


def register_retention_command(group) -> None:
    """Add ``retention`` to a click group (``flask coop retention [--coop SLUG] [--erase]``)."""
    import click

    @group.command("retention")
    @click.option("--coop", "slug", default=None, help="Only this cooperative (its web address name).")
    @click.option("--erase", is_flag=True, help="Erase the listed former members (pseudonymise).")
    def retention_command(slug: str | None, erase: bool):
        """List former members whose data is past the retention period; --erase erases them."""
        stmt = select(Cooperative).options(selectinload(Cooperative.statutes)).order_by(Cooperative.slug)
        if slug:
            stmt = stmt.where(Cooperative.slug == slug)
        coops = db.session.scalars(stmt).all()
        if slug and not coops:
            raise click.ClickException(f"No cooperative with web address name {slug!r}.")
        total = erased = 0
        for coop in coops:
            members = db.session.scalars(past_retention(coop)).all()
            if not members:
                continue
            click.echo(f"{coop.slug} (retention {coop.statutes.member_retention_years} years, "
                       f"ended before {retention_cutoff(coop).isoformat()}):")
            for m in members:
                click.echo(f"  number {m.number if m.number is not None else '-'}  "
                           f"ended on {m.ended_on.isoformat()}")
                total += 1
                if erase:
                    erase_member(m, actor=None)
                    erased += 1
            if erase:
                db.session.commit()
        click.echo(f"{total} former member(s) past the retention period.")
        if erase:
            click.echo(f"{erased} erased (audit actor: system).")
