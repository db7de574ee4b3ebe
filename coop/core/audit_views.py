"""Shared rendering of an audit log for a tenant (cooperative, municipality or platform).

The log only grows, so it pages by position in the chain (``?before=seq`` / ``?after=seq``)
instead of counting rows and skipping an offset: each page costs the same however long the
log has become.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timezone

from flask import current_app, render_template, request
from sqlalchemy import select

from coop.auth.models import User
from coop.core.audit import AuditEntry
from coop.extensions import db


def _day(value: str | None, end: bool = False):
    try:
        d = datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(d, time.max if end else time.min, tzinfo=timezone.utc)


@dataclass
class LogPage:
    entries: list  # rows of _SHOWN
    newer: int | None  # ``after`` for the link to newer entries
    older: int | None  # ``before`` for the link to older entries
    is_first: bool


def log_page(stmt, per_page: int) -> LogPage:
    before = request.args.get("before", type=int)
    after = request.args.get("after", type=int)
    if after is not None:
        rows = db.session.execute(stmt.where(AuditEntry.seq > after)
                                  .order_by(AuditEntry.seq.asc()).limit(per_page + 1)).all()
        more_newer = len(rows) > per_page
        entries = list(reversed(rows[:per_page]))
        return LogPage(entries, entries[0].seq if entries and more_newer else None,
                       entries[-1].seq if entries else None, is_first=not more_newer)
    if before is not None:
        stmt = stmt.where(AuditEntry.seq < before)
    rows = db.session.execute(stmt.order_by(AuditEntry.seq.desc()).limit(per_page + 1)).all()
    entries = rows[:per_page]
    return LogPage(entries, entries[0].seq if entries and before is not None else None,
                   entries[-1].seq if len(rows) > per_page else None, is_first=before is None)


#: What a row of the log shows: rows, not entries with their accounts (half the cost of the page
#: went into building 50 entries and their users as objects).
_SHOWN = (AuditEntry.seq, AuditEntry.created_at, AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id,
          AuditEntry.details, User.email.label("actor_email"))


def render_log(tenant_key: str, title: str):
    """The tenant's log, newest first, filterable by action (prefix), actor and dates."""
    stmt = (select(*_SHOWN).outerjoin(User, AuditEntry.actor_id == User.id)
            .where(AuditEntry.tenant_key == tenant_key))
    action = (request.args.get("action") or "").strip()[:64]
    actor = (request.args.get("actor") or "").strip().lower()[:254]
    since, until = _day(request.args.get("from")), _day(request.args.get("to"), end=True)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor:
        stmt = stmt.where(User.email.contains(actor, autoescape=True))
    if since:
        stmt = stmt.where(AuditEntry.created_at >= since)
    if until:
        stmt = stmt.where(AuditEntry.created_at <= until)
    page = log_page(stmt, current_app.config["PER_PAGE"])
    filters = {"action": action, "actor": actor, "from": request.args.get("from", ""),
               "to": request.args.get("to", "")}
    return render_template("core/audit_log.html", page=page, title=title, filters=filters)
