"""The daily digest: every liaison gets the overdue and soon-due requests of their municipality,
every board member those of their cooperative (only when there is something to list).
Run daily by ``flask coop liaison-digest``."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from coop.core import mail
from coop.extensions import db
from coop.liaison import services
from coop.liaison.deadlines import SOON_DAYS
from coop.liaison.models import RUNNING_STATUSES, LiaisonRequest
from coop.orgs.models import Cooperative, Municipality


def due_requests(on: date) -> list[LiaisonRequest]:
    """Running requests that are overdue or due within a week, earliest first (one query)."""
    return list(db.session.scalars(
        select(LiaisonRequest).options(joinedload(LiaisonRequest.cooperative), joinedload(LiaisonRequest.municipality))
        .where(LiaisonRequest.status.in_(RUNNING_STATUSES), LiaisonRequest.due_on <= on + timedelta(days=SOON_DAYS))
        .order_by(LiaisonRequest.due_on, LiaisonRequest.id)))


def send_digests(on: date | None = None) -> int:
    """Queue the digests; returns the number of messages queued (the caller commits)."""
    on = on or services.today()
    by_muni: dict[int, list[LiaisonRequest]] = {}
    by_coop: dict[int, list[LiaisonRequest]] = {}
    for r in due_requests(on):
        by_muni.setdefault(r.municipality_id, []).append(r)
        by_coop.setdefault(r.cooperative_id, []).append(r)
    queued = 0
    for muni_id, reqs in by_muni.items():
        muni = db.session.get(Municipality, muni_id)
        link = services.link("liaison.inbox", municipality=muni.slug)
        for email, locale in services.liaison_addresses(muni):
            queued += _queue(email, locale, muni.name, reqs, on, link)
    for coop_id, reqs in by_coop.items():
        coop = db.session.get(Cooperative, coop_id)
        link = services.link("liaison.coop_requests", coop=coop.slug)
        for email, locale in services.board_addresses(coop):
            queued += _queue(email, locale, coop.name, reqs, on, link, cooperative=coop)
    return queued


def _queue(email, locale, name, reqs, on, link, cooperative=None) -> int:
    overdue = [r for r in reqs if r.due_on < on]
    soon = [r for r in reqs if r.due_on >= on]
    mail.queue(email, "liaison_digest", locale=locale or "nl", cooperative=cooperative, name=name,
               overdue=overdue, soon=soon, link=link)
    return 1
