"""Shared rendering of an audit log for a tenant (cooperative, municipality or platform)."""
from __future__ import annotations

from datetime import datetime, time, timezone

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from coop.auth.models import User
from coop.core.audit import AuditEntry
from coop.core.pagination import paginate
from coop.extensions import db


def _day(value: str | None, end: bool = False):
    try:
        d = datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(d, time.max if end else time.min, tzinfo=timezone.utc)


def render_log(tenant_key: str, title: str):
    """The tenant's log, newest first, filterable by action, actor and dates."""
    stmt = select(AuditEntry).where(AuditEntry.tenant_key == tenant_key)
    action = (request.args.get("action") or "").strip()
    actor = (request.args.get("actor") or "").strip().lower()
    since, until = _day(request.args.get("from")), _day(request.args.get("to"), end=True)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor:
        stmt = stmt.join(User, AuditEntry.actor_id == User.id).where(User.email.contains(actor))
    if since:
        stmt = stmt.where(AuditEntry.created_at >= since)
    if until:
        stmt = stmt.where(AuditEntry.created_at <= until)
    page = paginate(stmt.options(joinedload(AuditEntry.actor)).order_by(AuditEntry.seq.desc()))
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.tenant_key == tenant_key).distinct()
        .order_by(AuditEntry.action)
    ).all()
    return render_template("core/audit_log.html", page=page, actions=actions, title=title,
                           filters={"action": action, "actor": actor,
                                    "from": request.args.get("from", ""),
                                    "to": request.args.get("to", "")})
