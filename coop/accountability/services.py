"""State changes of the follow-up and the annual reports. Services flush and write the audit
log; the view or the CLI command commits."""
from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from coop.accountability import figures, rules
from coop.accountability.models import (AnnualReport, FollowUpItem, FollowUpStatus, FollowUpUpdate,
                                        Phase)
from coop.core import audit
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db

#: The board is reminded this many days before an item's due date.
REMIND_DAYS_AHEAD = 14

DEFAULT_STATUS_NAMES = {"planned": _l("Planned"), "in_progress": _l("In progress"),
                        "done": _l("Done"), "dropped": _l("Dropped")}

UPDATE_REFUSALS = {
    "done_needs_text": _l("Say what was done: an item is marked done only with an update text."),
    "dropped_needs_reason": _l("Give the reason why this is dropped."),
    "text_required": _l("Write what happened (the update text)."),
    "progress_range": _l("Progress is a percentage from 0 to 100."),
}

NARRATIVE_FIELDS = ("foreword", "members_text", "meetings_text", "assets_text", "liaison_text", "outlook")
FINANCE_FIELDS = ("income_cents", "costs_cents", "member_capital_cents", "auditors_statement")


def today() -> date:
    return date.today()


# --- the status list and the items -----------------------------------------------------------


def statuses(coop) -> list[FollowUpStatus]:
    """The cooperative's status list; the four default statuses are made on first use."""
    found = db.session.scalars(select(FollowUpStatus).where(FollowUpStatus.cooperative_id == coop.id)
                               .order_by(FollowUpStatus.position, FollowUpStatus.id)).all()
    if found:
        return list(found)
    with force_locale("nl"):  # the cooperative's data is in Dutch
        made = [FollowUpStatus(cooperative_id=coop.id, name=str(DEFAULT_STATUS_NAMES[key]),
                               phase=Phase(phase), progress=progress, position=i)
                for i, (key, phase, progress) in enumerate(rules.DEFAULT_STATUSES)]
    db.session.add_all(made)
    db.session.flush()
    return made


def add_status(coop, *, name: str, phase: str, progress: int | None, actor) -> FollowUpStatus:
    """A status of the cooperative's own (e.g. "Wacht op gemeente", in progress, 30 %)."""
    existing = statuses(coop)
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the status a name."), field="name")
    if any(s.name.lower() == name.lower() for s in existing):
        raise DomainError(_l("There is already a status with that name."), field="name")
    phase_ = Phase(phase)
    if progress is None:
        progress = dict((p, pr) for _k, p, pr in rules.DEFAULT_STATUSES)[phase_.value]
    if phase_ == Phase.DONE:
        progress = 100
    if not 0 <= progress <= 100:
        raise DomainError(UPDATE_REFUSALS["progress_range"], field="progress")
    status = FollowUpStatus(cooperative_id=coop.id, name=name[:80], phase=phase_, progress=progress,
                            position=max(s.position for s in existing) + 1)
    db.session.add(status)
    db.session.flush()
    audit.record("accountability.status_added", actor=actor, cooperative=coop, obj=status, name=status.name,
                 phase=phase_.value, progress=progress)
    return status


def sync_items(coop) -> int:
    """Give every resolution and every municipal commitment of the cooperative a follow-up
    item (planned; a commitment keeps its due date and who carries it out). Returns how many
    were made; safe to run twice or at once (unique per source)."""
    from coop.liaison.models import Commitment
    from coop.meetings.models import Resolution

    planned = next(s for s in statuses(coop) if s.phase == Phase.PLANNED)
    new_res = db.session.scalars(select(Resolution.id).where(
        Resolution.cooperative_id == coop.id,
        ~select(FollowUpItem.id).where(FollowUpItem.resolution_id == Resolution.id).exists())).all()
    new_com = db.session.execute(select(Commitment.id, Commitment.who, Commitment.due_on).where(
        Commitment.cooperative_id == coop.id,
        ~select(FollowUpItem.id).where(FollowUpItem.commitment_id == Commitment.id).exists())).all()
    if not new_res and not new_com:
        return 0
    items = [FollowUpItem(cooperative_id=coop.id, resolution_id=rid, status_id=planned.id, progress=0)
             for rid in new_res]
    items += [FollowUpItem(cooperative_id=coop.id, commitment_id=c.id, status_id=planned.id,
                           progress=0, owner=c.who[:200], due_on=c.due_on) for c in new_com]
    try:
        with db.session.begin_nested():
            db.session.add_all(items)
    except IntegrityError:  # someone else made them just now
        return 0
    return len(items)


def items(coop, *, phase: str | None = None, source: str | None = None, year: int | None = None,
          overdue: bool = False, on: date | None = None) -> list[FollowUpItem]:
    """The cooperative's follow-up items, filtered; soonest due first, undated last."""
    from coop.liaison.models import Commitment
    from coop.meetings.models import Resolution

    on = on or today()
    stmt = (select(FollowUpItem).join(FollowUpStatus, FollowUpStatus.id == FollowUpItem.status_id)
            .outerjoin(Resolution, Resolution.id == FollowUpItem.resolution_id)
            .options(joinedload(FollowUpItem.status), joinedload(FollowUpItem.resolution),
                     joinedload(FollowUpItem.commitment).joinedload(Commitment.request))
            .where(FollowUpItem.cooperative_id == coop.id))
    if phase:
        stmt = stmt.where(FollowUpStatus.phase == Phase(phase))
    if source == "resolution":
        stmt = stmt.where(FollowUpItem.resolution_id.is_not(None))
    elif source == "commitment":
        stmt = stmt.where(FollowUpItem.commitment_id.is_not(None))
    if year:
        stmt = stmt.where(Resolution.year == year)
    if overdue:
        stmt = stmt.where(FollowUpStatus.phase.in_([Phase.PLANNED, Phase.IN_PROGRESS]),
                          FollowUpItem.due_on < on)
    stmt = stmt.order_by(FollowUpItem.due_on.is_(None), FollowUpItem.due_on, FollowUpItem.id)
    return list(db.session.scalars(stmt).unique())


def resolution_items(coop) -> list[FollowUpItem]:
    sync_items(coop)
    return items(coop, source="resolution")


def post_update(item: FollowUpItem, *, status_id: int, text: str | None, progress: int | None = None,
                reason: str | None = None, owner: str | None = None, due_on: date | None = None,
                posted_on: date | None = None, actor) -> FollowUpUpdate:
    """Add a dated entry to the item's timeline and move it to the chosen status (with the
    status's progress unless another is given). Done needs an update text; dropped a reason."""
    status = db.session.scalar(select(FollowUpStatus).where(
        FollowUpStatus.id == status_id, FollowUpStatus.cooperative_id == item.cooperative_id))
    if status is None:
        raise DomainError(_l("Choose a status from the list."))
    posted_on = posted_on or today()
    try:
        change = rules.check_update(phase=status.phase.value, text=text, progress=progress,
                                    default_progress=status.progress, posted_on=posted_on, reason=reason)
    except rules.UpdateRefused as refused:
        raise DomainError(UPDATE_REFUSALS[refused.code]) from None
    item.status_id, item.status = status.id, status
    item.progress, item.completed_on = change.progress, change.completed_on
    item.dropped_reason = change.dropped_reason
    if owner is not None:
        item.owner = owner.strip()[:200] or None
    if due_on is not None:
        item.due_on = due_on
    update = FollowUpUpdate(item=item, posted_on=posted_on, status_id=status.id, progress=change.progress,
                            text=(text or "").strip() or (reason or "").strip(),
                            actor_id=getattr(actor, "id", None))
    db.session.add(update)
    db.session.flush()
    audit.record("accountability.update", actor=actor, cooperative=item_coop(item), obj=item,
                 status=status.name, progress=change.progress)
    return update


def item_coop(item: FollowUpItem):
    from coop.orgs.models import Cooperative

    return db.session.get(Cooperative, item.cooperative_id)


def send_reminders(*, on: date | None = None) -> int:
    """Remind the board of each open item due within :data:`REMIND_DAYS_AHEAD` days (once per
    due date): one e-mail per board member per cooperative, listing the items. For cron."""
    from coop.auth.models import User
    from coop.core.mail import queue
    from coop.orgs.models import Cooperative, Role, RoleAssignment

    on = on or today()
    due = db.session.scalars(
        select(FollowUpItem).join(FollowUpStatus, FollowUpStatus.id == FollowUpItem.status_id)
        .where(FollowUpStatus.phase.in_([Phase.PLANNED, Phase.IN_PROGRESS]),
               FollowUpItem.due_on.is_not(None),
               FollowUpItem.due_on <= on + timedelta(days=REMIND_DAYS_AHEAD),
               (FollowUpItem.reminded_for_on.is_(None)) | (FollowUpItem.reminded_for_on != FollowUpItem.due_on))
        .order_by(FollowUpItem.cooperative_id, FollowUpItem.due_on, FollowUpItem.id)).all()
    per_coop: dict[int, list[FollowUpItem]] = {}
    for item in due:
        per_coop.setdefault(item.cooperative_id, []).append(item)
    sent = 0
    for coop_id, coop_items in per_coop.items():
        coop = db.session.get(Cooperative, coop_id)
        board = db.session.scalars(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
            RoleAssignment.cooperative_id == coop_id, RoleAssignment.role == Role.BOARD)).unique().all()
        for user in board:
            queue(user.email, "followup_due", locale=getattr(user, "locale", None) or "nl",
                  cooperative=coop, coop=coop, user=user, items=coop_items, today=on)
            sent += 1
        for item in coop_items:
            item.reminded_for_on = item.due_on
        audit.record("accountability.remind", actor=None, cooperative=coop,
                     items=[i.id for i in coop_items], to=len(board))
    db.session.flush()
    return sent


# --- annual reports --------------------------------------------------------------------------


def first_year(coop) -> int:
    """The first year a report can be made for: the year the cooperative was founded (or
    registered here, when the founding date is unknown)."""
    return coop.founded_on.year if coop.founded_on else coop.created_at.year


def report_for(coop, year: int) -> AnnualReport | None:
    return db.session.scalar(select(AnnualReport).where(AnnualReport.cooperative_id == coop.id,
                                                        AnnualReport.year == year))


def reports(coop, *, published_only: bool = False, public_only: bool = False) -> list[AnnualReport]:
    stmt = select(AnnualReport).where(AnnualReport.cooperative_id == coop.id)
    if published_only or public_only:
        stmt = stmt.where(AnnualReport.published_at.is_not(None))
    if public_only:
        stmt = stmt.where(AnnualReport.is_public.is_(True))
    return list(db.session.scalars(stmt.order_by(AnnualReport.year.desc())))


def start_report(coop, year: int, *, actor) -> AnnualReport:
    """A draft report for ``year`` (not before the cooperative existed, not in the future)."""
    if year < first_year(coop):
        raise DomainError(_l("The cooperative did not exist yet in %(year)s.", year=year))
    if year > today().year:
        raise DomainError(_l("A report is made for a year that has begun."))
    if report_for(coop, year) is not None:
        raise DomainError(_l("There is already a report for %(year)s.", year=year))
    report = AnnualReport(cooperative_id=coop.id, year=year,
                          member_capital_cents=figures.capital_at_end(coop, year))
    db.session.add(report)
    db.session.flush()
    audit.record("accountability.report_started", actor=actor, cooperative=coop, obj=report, year=year)
    return report


def _refuse_published(report: AnnualReport) -> None:
    """Refuse changing a published report; on PostgreSQL the row is locked first, so that a
    publication and an edit (or two publications) at the same moment cannot both pass."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(AnnualReport.id).where(AnnualReport.id == report.id).with_for_update())
        db.session.refresh(report, ["published_at"])
    if report.is_published:
        raise DomainError(_l("A published report is frozen: it cannot be changed."))


def update_report(report: AnnualReport, values: dict, *, actor) -> None:
    """The board's narrative and the treasurer's figures of a draft."""
    _refuse_published(report)
    changed = []
    for field in NARRATIVE_FIELDS + FINANCE_FIELDS:
        if field in values:
            value = values[field]
            if isinstance(value, str):
                value = value.strip() or None
            if getattr(report, field) != value:
                setattr(report, field, value)
                changed.append(field)
    db.session.flush()
    audit.record("accountability.report_edited", actor=actor, cooperative=report_coop(report),
                 obj=report, fields=changed)


def report_coop(report: AnnualReport):
    from coop.orgs.models import Cooperative

    return db.session.get(Cooperative, report.cooperative_id)


def snapshot(report: AnnualReport, *, today_: date | None = None) -> dict:
    """Everything the report shows, as data: the figures of each section, the narrative and
    the finances. A draft computes it now; a published report keeps what it published."""
    if report.is_published:
        return json.loads(report.snapshot_json)
    coop, year = report_coop(report), report.year
    return {
        "cooperative": {"name": coop.name, "slug": coop.slug, "kvk_number": coop.kvk_number},
        "year": year,
        "members": figures.members(coop, year),
        "meetings": figures.meetings(coop, year),
        "followup": figures.followup(coop, year, today=today_),
        "assets": figures.assets(coop, year),
        "liaison": figures.liaison(coop, year),
        "finances": figures.finances(report),
        "narrative": {f: report_text for f in NARRATIVE_FIELDS
                      if (report_text := getattr(report, f))},
    }


def canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def member_names(coop) -> list[str]:
    from coop.members.models import Member

    rows = db.session.execute(select(Member.first_name, Member.name_prefix, Member.last_name).where(
        Member.cooperative_id == coop.id, Member.erased_at.is_(None))).all()
    return sorted({" ".join(p for p in (r.first_name, r.name_prefix, r.last_name) if p) for r in rows})


def _strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


def names_in_report(coop, data: dict) -> list[str]:
    """Members' names that the report mentions anywhere (narrative, statement, titles): a
    public report carries no personal data. (The report lists no owners or attendees.)"""
    return rules.names_in("\n".join(_strings(data)), member_names(coop))


def _refuse_names(coop, data: dict) -> None:
    names = names_in_report(coop, data)
    if names:
        raise DomainError(_l("A public report may not name members: %(names)s.", names=", ".join(names)))


def publish(report: AnnualReport, *, actor, make_public: bool = False, locale: str = "nl") -> AnnualReport:
    """Freeze the report: the figures (JSON) and the PDF are stored with their SHA-256, and the
    members are told by e-mail. ``make_public`` also shows it on the transparency page, which
    is refused while the text names a member."""
    from coop.accountability.documents import report_pdf

    _refuse_published(report)
    if report.income_cents is None or report.costs_cents is None:
        raise DomainError(_l("The treasurer has not entered the income and costs yet."))
    data = snapshot(report)
    if make_public:
        _refuse_names(report_coop(report), data)
    data["published_on"] = today().isoformat()
    report.snapshot_json = canonical(data).decode()
    report.snapshot_sha256 = hashlib.sha256(report.snapshot_json.encode()).hexdigest()
    report.pdf = report_pdf(data, locale=locale)
    report.pdf_sha256 = hashlib.sha256(report.pdf).hexdigest()
    report.published_at = utcnow()
    report.published_by_id = getattr(actor, "id", None)
    report.is_public = make_public
    db.session.flush()
    coop = report_coop(report)
    audit.record("accountability.report_published", actor=actor, cooperative=coop, obj=report,
                 year=report.year, pdf_sha256=report.pdf_sha256, snapshot_sha256=report.snapshot_sha256,
                 public=make_public)
    notify_members(report, coop)
    return report


def notify_members(report: AnnualReport, coop) -> int:
    """An e-mail notice to every member who receives mail by e-mail."""
    from coop.core.mail import queue
    from coop.members.models import Channel, Member, MemberStatus

    rows = db.session.execute(select(Member.email, Member.first_name).where(
        Member.cooperative_id == coop.id, Member.status == MemberStatus.MEMBER,
        Member.channel == Channel.EMAIL, Member.email.is_not(None))).all()
    for row in rows:
        queue(row.email, "annual_report_published", locale="nl", cooperative=coop, coop=coop, year=report.year,
              first_name=row.first_name, sha256=report.pdf_sha256)
    return len(rows)


def set_public(report: AnnualReport, is_public: bool, *, actor) -> None:
    """Show a published report on the transparency page, or take it off."""
    if not report.is_published:
        raise DomainError(_l("Only a published report can be made public."))
    if is_public:
        _refuse_names(report_coop(report), json.loads(report.snapshot_json))
    report.is_public = is_public
    db.session.flush()
    audit.record("accountability.report_public", actor=actor, cooperative=report_coop(report),
                 obj=report, public=is_public)
