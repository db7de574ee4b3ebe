"""The figures of an annual report, one function per section, each a JSON-serialisable dict
built from the other areas' data (their own functions where they have them).

``meetings(coop, year)`` counts meetings held, turnout, proxies and resolutions adopted; the
voting module (built apart) adds motions and their outcomes there when it is merged.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, or_, select

from coop.accountability import rules
from coop.extensions import db


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    start = datetime.combine(date(year, 1, 1), time(0), timezone.utc)
    return start, datetime.combine(date(year + 1, 1, 1), time(0), timezone.utc)


def members(coop, year: int) -> dict:
    """Members with voting rights at the start and the end of the year, joined and left during
    it, and at the end per domain (register history: coop.members.services)."""
    from coop.members.models import Member
    from coop.members.services import voting_member_ids_on
    from coop.orgs.models import Domain

    start_ids = voting_member_ids_on(coop, date(year - 1, 12, 31)).subquery()
    end_ids = voting_member_ids_on(coop, date(year, 12, 31)).subquery()
    at_start = db.session.scalar(select(func.count()).select_from(start_ids))
    at_end = db.session.scalar(select(func.count()).select_from(end_ids))
    in_year = lambda col: (Member.cooperative_id == coop.id) & (col >= date(year, 1, 1)) & (col <= date(year, 12, 31))  # noqa: E731
    joined = db.session.scalar(select(func.count()).where(in_year(Member.admitted_on)))
    left = db.session.scalar(select(func.count()).where(in_year(Member.ended_on)))
    by_domain = {}
    for d in Domain:
        col = getattr(Member, f"has_{d.value}")
        n = db.session.scalar(select(func.count()).select_from(Member).where(
            Member.id.in_(select(end_ids.c.member_id)), col.is_(True)))
        if n:
            by_domain[d.value] = n
    return {"at_start": at_start, "at_end": at_end, "joined": joined, "left": left,
            "by_domain": by_domain}


def meetings(coop, year: int) -> dict:
    """General meetings held in the year with their turnout (present in the room or online,
    and represented by proxy, of the members with voting rights on the record date), and the
    resolutions adopted."""
    from coop.meetings import rules as meeting_rules
    from coop.meetings.models import Attendance, GeneralMeeting, MeetingStatus, Proxy, Resolution
    from coop.members.services import voting_member_ids_on

    start, end = _year_bounds(year)
    held = db.session.scalars(select(GeneralMeeting).where(
        GeneralMeeting.cooperative_id == coop.id, GeneralMeeting.starts_at >= start,
        GeneralMeeting.starts_at < end,
        GeneralMeeting.status.in_([MeetingStatus.IN_SESSION, MeetingStatus.CLOSED,
                                   MeetingStatus.MINUTES_ADOPTED])).order_by(GeneralMeeting.starts_at)).all()
    rows = []
    for m in held:
        present = set(db.session.scalars(select(Attendance.member_id).where(
            Attendance.meeting_id == m.id,
            or_(Attendance.checked_in_at.is_not(None), Attendance.online_seen_at.is_not(None)))))
        standing = db.session.execute(select(Proxy.grantor_id, Proxy.holder_id).where(
            Proxy.meeting_id == m.id, Proxy.revoked_at.is_(None))).all()
        proxies = len(meeting_rules.represented([tuple(r) for r in standing], present))
        eligible = db.session.scalar(select(func.count()).select_from(
            voting_member_ids_on(coop, m.record_on).subquery()))
        resolutions = db.session.scalar(select(func.count()).where(Resolution.meeting_id == m.id))
        rows.append({"title": m.title, "on": m.starts_at.date().isoformat(), "eligible": eligible,
                     "present": len(present), "by_proxy": proxies,
                     "turnout_pct": round(100 * (len(present) + proxies) / eligible) if eligible else 0,
                     "resolutions": resolutions})
    adopted = db.session.scalar(select(func.count()).where(
        Resolution.cooperative_id == coop.id, Resolution.year == year))
    return {"held": len(rows), "list": rows, "proxies": sum(r["by_proxy"] for r in rows),
            "resolutions_adopted": adopted, "motions": motion_outcomes([m.id for m in held])}


def motion_outcomes(meeting_ids: list[int]) -> dict[str, int]:
    """How the motions (amendments included) of these meetings ended: adopted, rejected,
    no quorum, withdrawn; motions not yet decided are left out."""
    from coop.voting.models import Motion, MotionStatus

    decided = [MotionStatus.ADOPTED, MotionStatus.REJECTED, MotionStatus.NO_QUORUM,
               MotionStatus.WITHDRAWN]
    counts = dict(db.session.execute(
        select(Motion.status, func.count()).where(Motion.meeting_id.in_(meeting_ids),
                                                  Motion.status.in_(decided))
        .group_by(Motion.status)).all()) if meeting_ids else {}
    return {status.value: counts.get(status, 0) for status in decided}


def followup(coop, year: int, *, today: date | None = None) -> dict:
    """The follow-up rate of the resolutions adopted in ``year`` and the list with status, and
    the rate of every year so far (for the chart)."""
    from coop.accountability import services

    today = today or date.today()
    items = services.resolution_items(coop)
    by_year: dict[int, list[str]] = {}
    listed = []
    for item in items:
        o = rules.outcome(item.status.phase.value, item.due_on, item.completed_on)
        by_year.setdefault(item.resolution.year, []).append(o)
        if item.resolution.year == year:
            listed.append({"number": item.resolution.number, "title": item.resolution.title,
                           "status": item.status.name, "phase": item.status.phase.value,
                           "progress": item.progress,
                           "due_on": item.due_on.isoformat() if item.due_on else None,
                           "completed_on": item.completed_on.isoformat() if item.completed_on else None,
                           "outcome": o})
    counts = rules.rate(by_year.get(year, []))
    return {"counts": counts, "percent": rules.percentages(counts), "resolutions": listed,
            "by_year": {str(y): rules.rate(v) for y, v in sorted(by_year.items()) if y <= year}}


def assets(coop, year: int) -> dict:
    """Per asset: capacity, production and avoided CO₂ in the year (coop.assets.services),
    bookings made for the year, and the distributions approved for periods ending in it."""
    from coop.assets import services as asset_services
    from coop.assets.models import Asset, Booking, BookingStatus, Distribution, DistributionStatus

    start, end = _year_bounds(year)
    rows = []
    for a in db.session.scalars(select(Asset).where(Asset.cooperative_id == coop.id).order_by(Asset.name)):
        prod = asset_services.production(a)
        booked = db.session.execute(select(Booking.starts_at, Booking.ends_at).where(
            Booking.asset_id == a.id, Booking.status == BookingStatus.ACTIVE,
            Booking.starts_at >= start, Booking.starts_at < end)).all()
        hours = sum((r.ends_at - r.starts_at) / timedelta(hours=1) for r in booked)
        paid = db.session.scalar(select(func.coalesce(func.sum(Distribution.amount_cents), 0)).where(
            Distribution.asset_id == a.id, Distribution.status == DistributionStatus.APPROVED,
            Distribution.period_end_on >= date(year, 1, 1), Distribution.period_end_on <= date(year, 12, 31)))
        rows.append({"name": a.name, "kind": a.kind.value, "capacity_kw": (a.capacity_watts or 0) / 1000,
                     "kwh": prod.by_year.get(year, 0), "co2_kg": prod.co2_kg_by_year.get(year),
                     "bookings": len(booked), "booked_hours": round(hours),
                     "distributed_cents": int(paid)})
    return {"list": rows, "capacity_kw": sum(r["capacity_kw"] for r in rows),
            "kwh": sum(r["kwh"] for r in rows), "co2_kg": sum(r["co2_kg"] or 0 for r in rows),
            "bookings": sum(r["bookings"] for r in rows),
            "distributed_cents": sum(r["distributed_cents"] for r in rows)}


def liaison(coop, year: int) -> dict:
    """Requests submitted to municipalities in the year: decided, decided within their term,
    outcomes, and the commitments still open at the end of the year."""
    from coop.liaison.models import Commitment, CommitmentStatus, LiaisonRequest

    start, end = _year_bounds(year)
    reqs = db.session.scalars(select(LiaisonRequest).where(
        LiaisonRequest.cooperative_id == coop.id, LiaisonRequest.submitted_at >= start,
        LiaisonRequest.submitted_at < end)).all()
    decided = [r for r in reqs if r.decided_on is not None]
    outcomes: dict[str, int] = {}
    for r in decided:
        if r.outcome is not None:
            outcomes[r.outcome.value] = outcomes.get(r.outcome.value, 0) + 1
    open_commitments = db.session.scalar(select(func.count()).where(
        Commitment.cooperative_id == coop.id, Commitment.created_at < end,
        or_(Commitment.status.in_([CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS]),
            Commitment.completed_on > date(year, 12, 31))))
    return {"sent": len(reqs), "decided": len(decided),
            "within_term": sum(1 for r in decided if r.due_on is None or r.decided_on <= r.due_on),
            "outcomes": outcomes, "open_commitments": open_commitments}


def finances(report) -> dict:
    return {"income_cents": report.income_cents, "costs_cents": report.costs_cents,
            "result_cents": report.result_cents, "member_capital_cents": report.member_capital_cents,
            "auditors_statement": report.auditors_statement or ""}


def capital_at_end(coop, year: int) -> int:
    """Member capital on the last day of the year from the share ledger (a suggestion for the
    treasurer, who enters the figure of the accounts)."""
    from coop.members.capital import capital_summary

    return capital_summary(coop, date(year, 12, 31)).total_cents
