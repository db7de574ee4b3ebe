"""A read-only Open311 GeoReport v2 view of the public part of requests, so that existing civic
tools (dashboards, Open311 clients) can read which requests municipalities received and how
they are handled.

Public part: the receipt number, the kind (service), the status (open/closed), the
municipality, and the dates (requested, updated, expected = due date). Subjects, texts,
messages and the cooperative's name are not published: they may name people.

GET /open311/v2/services.json[?jurisdiction_id=<municipality slug or CBS code>]
GET /open311/v2/requests.json[?jurisdiction_id=&service_code=&status=open|closed&start_date=&end_date=]
Errors answer as GeoReport does: a list of ``{"code": …, "description": …}`` with the status code.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, jsonify, request
from sqlalchemy import or_, select

from coop.core.db import utcnow
from coop.core.permissions import public
from coop.extensions import db
from coop.liaison.models import KIND_LABELS, OPEN_STATUSES, LiaisonRequest, RequestKind, RequestStatus, RequestType
from coop.orgs.models import Municipality

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

NL = ZoneInfo("Europe/Amsterdam")
#: GeoReport's defaults: at most 1000 requests, from the last 90 days.
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90

DESCRIPTIONS = {
    RequestKind.DECISION: "Application for a decision under the Awb (8 weeks).",
    RequestKind.WOO: "Information request under the Wet open overheid (4 weeks, +2).",
    RequestKind.PERMIT: "Permit under the Omgevingswet (8 weeks, +6).",
    RequestKind.CHALLENGE: "Right-to-challenge bid (term of the participation ordinance).",
    RequestKind.CONSULTATION: "Consultation response (term of the participation ordinance).",
    RequestKind.MEETING: "Meeting request (service norm).",
    RequestKind.QUESTION: "General question (service norm).",
}


def _error(code: int, description: str):
    response = jsonify([{"code": code, "description": description}])
    response.status_code = code
    return response


class Refused(Exception):
    pass


def _jurisdiction() -> Municipality | None:
    raw = (request.args.get("jurisdiction_id") or "").strip()
    if not raw:
        return None
    muni = db.session.scalar(select(Municipality).where(or_(Municipality.slug == raw,
                                                            Municipality.cbs_code == raw.upper()[:6])))
    if muni is None:
        raise Refused("jurisdiction_id not found")
    return muni


def _moment(name: str) -> datetime | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("z", "Z"))
    except (ValueError, OverflowError):
        raise Refused(f"{name} must be a W3C date and time, e.g. 2026-01-31T12:00:00Z") from None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


@bp.route("/services.json")
@public
def services():
    try:
        muni = _jurisdiction()
    except Refused as error:
        return _error(404, str(error))
    kinds = list(RequestKind)
    if muni is not None:
        active = set(db.session.scalars(select(RequestType.kind).where(RequestType.municipality_id == muni.id,
                                                                       RequestType.is_active.is_(True))))
        kinds = [k for k in kinds if k in active] if active else kinds
    return jsonify([{"service_code": k.value, "service_name": str(KIND_LABELS[k]), "description": DESCRIPTIONS[k],
                     "metadata": False, "type": "realtime", "keywords": "", "group": "coop"} for k in kinds])


@bp.route("/requests.json")
@public
def requests():
    try:
        muni = _jurisdiction()
        start, end = _moment("start_date"), _moment("end_date")
        status = (request.args.get("status") or "").strip()
        if status and status not in ("open", "closed"):
            raise Refused("status must be open or closed")
        codes = [c.strip() for c in (request.args.get("service_code") or "").split(",") if c.strip()]
        if any(c not in {k.value for k in RequestKind} for c in codes):
            raise Refused("unknown service_code")
    except Refused as error:
        return _error(400, str(error))
    if start is None and end is None:
        start = utcnow() - timedelta(days=DEFAULT_DAYS)
    stmt = (select(LiaisonRequest.receipt_number, LiaisonRequest.status, LiaisonRequest.submitted_at,
                   LiaisonRequest.updated_at, LiaisonRequest.due_on, RequestType.kind, Municipality.name)
            .join(RequestType, RequestType.id == LiaisonRequest.request_type_id)
            .join(Municipality, Municipality.id == LiaisonRequest.municipality_id)
            .where(LiaisonRequest.status != RequestStatus.DRAFT))
    if muni is not None:
        stmt = stmt.where(LiaisonRequest.municipality_id == muni.id)
    if start is not None:
        stmt = stmt.where(LiaisonRequest.submitted_at >= start)
    if end is not None:
        stmt = stmt.where(LiaisonRequest.submitted_at <= end)
    if status == "open":
        stmt = stmt.where(LiaisonRequest.status.in_(OPEN_STATUSES))
    elif status == "closed":
        stmt = stmt.where(LiaisonRequest.status.not_in(OPEN_STATUSES))
    if codes:
        stmt = stmt.where(RequestType.kind.in_([RequestKind(c) for c in codes]))
    rows = db.session.execute(stmt.order_by(LiaisonRequest.submitted_at.desc(), LiaisonRequest.id.desc())
                              .limit(MAX_REQUESTS)).all()
    return jsonify([{
        "service_request_id": r.receipt_number, "status": "open" if r.status in OPEN_STATUSES else "closed",
        "status_notes": r.status.value, "service_name": str(KIND_LABELS[r.kind]), "service_code": r.kind.value,
        "agency_responsible": r.name, "service_notice": "", "requested_datetime": _iso(r.submitted_at),
        "updated_datetime": _iso(r.updated_at),
        "expected_datetime": _iso(datetime.combine(r.due_on, time(23, 59, 59), tzinfo=NL)) if r.due_on else None,
        "address": "", "lat": None, "long": None,
    } for r in rows])
