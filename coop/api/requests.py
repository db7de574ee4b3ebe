"""API v1 for municipal case systems: the requests sent to a municipality, read and answered
with a token of that municipality (created by a liaison), under the same workflow rules as the
pages (the same services). Described in the OpenAPI document (see the bottom of this module).

Answers: 200 with the request; 400 for a malformed body; 409 when the workflow refuses the move
(e.g. deciding a withdrawn request); 401/404/429 as everywhere in the API.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from flask import abort, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from coop.api import bp
from coop.api.auth import rate_limit_key, token_required
from coop.api.openapi import (RESPONSES, TAGS, add_path, error_responses, json_response, nullable, ref)
from coop.api.views import ApiError, _datetime_arg, _int_arg, _private, api_rate_limit, bad_request
from coop.core.errors import DomainError
from coop.core.permissions import public
from coop.extensions import db, limiter
from coop.liaison import services
from coop.liaison.models import (RUNNING_STATUSES, Commitment, LiaisonRequest, Outcome,
                                 RequestKind, RequestMessage, RequestStatus, RequestType, Side)
from coop.orgs.models import Cooperative, Municipality

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
STATUSES = [s.value for s in RequestStatus if s is not RequestStatus.DRAFT]
#: The status changes a case system may post (deciding has its own endpoint).
MOVES = {
    "acknowledged": services.acknowledge,
    "in_progress": services.start_work,
    "information_requested": None,  # needs the question: see post_status
    "closed": services.close,
}


def tenant_municipality_id(slug: str) -> int:
    """The id of the municipality named in the URL, when the request's token belongs to it (no
    query: the token's lookup brought its tenant's name); else 404."""
    if g.get("api_municipality_id") is None or slug != g.get("api_tenant_slug"):
        abort(404)
    return g.api_municipality_id


def tenant_municipality(slug: str) -> Municipality:
    """The municipality named in the URL, when the request's token belongs to it; else 404."""
    tenant_municipality_id(slug)
    muni = db.session.scalar(select(Municipality).where(Municipality.slug == slug))
    if muni is None or muni.id != g.api_municipality_id:
        abort(404)
    return muni


def _enum_arg(name: str, values: list[str]) -> str | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if raw not in values:
        raise ApiError(name, _("%(name)s must be one of: %(values)s.", name=name, values=", ".join(values)))
    return raw


def _bool_arg(name: str) -> bool | None:
    raw = (request.args.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw not in ("true", "false"):
        raise ApiError(name, _("%(name)s must be true or false.", name=name))
    return raw == "true"


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _summary(r, coop_slug: str, coop_name: str, kvk_number: str, kind: RequestKind, today: date) -> dict:
    """A request as the list shows it; ``r`` is an entity or a row with the same column names."""
    overdue = r.status in RUNNING_STATUSES and r.due_on is not None and r.due_on < today
    return {
        "id": r.id, "receipt_number": r.receipt_number, "kind": kind.value, "subject": r.subject,
        "cooperative": {"slug": coop_slug, "name": coop_name, "kvk_number": kvk_number},
        "status": r.status.value, "outcome": r.outcome.value if r.outcome else None,
        "received_on": _iso(r.received_on), "due_on": _iso(r.due_on), "decided_on": _iso(r.decided_on),
        "notice_on": _iso(r.notice_on), "is_overdue": overdue, "updated_at": _iso(r.updated_at),
    }


def _detail(r: LiaisonRequest) -> dict:
    today = services.today()
    state = services.term_state(r, today)
    c = r.cooperative
    out = _summary(r, c.slug, c.name, c.kvk_number, r.request_type.kind, today)
    out.update({
        "body": r.body, "location": r.location, "answer": r.answer_text, "legal_basis": r.request_type.legal_basis,
        "is_suspended": bool(state and state.is_suspended), "is_overdue": bool(state and state.is_overdue),
        "due_on": _iso(state.due_on) if state else None,
        "penalty_cents": state.penalty_cents if state else 0,
        "events": [{"at": _iso(e.created_at), "kind": e.kind, "status": e.to_status.value, "side": e.side.value,
                    "text": e.text} for e in r.events],
        "messages": [{"at": _iso(m.created_at), "side": m.side.value, "body": m.body}
                     for m in db.session.scalars(select(RequestMessage).where(RequestMessage.request_id == r.id)
                                                 .order_by(RequestMessage.id))],
        "commitments": [{"id": c.id, "what": c.what, "who": c.who, "due_on": _iso(c.due_on), "status": c.status.value,
                         "progress": c.progress}
                        for c in db.session.scalars(select(Commitment).where(Commitment.request_id == r.id)
                                                    .order_by(Commitment.id))],
        "consultation": _consultation(r.consultation),
    })
    return out


def _consultation(c) -> dict | None:
    """The consultation a request rests on, as the municipality sees it (its frozen result)."""
    if c is None or c.result is None:
        return None
    result = c.result
    return {"title": c.title, "question": c.question, "options": c.options, "is_anonymous": c.is_anonymous,
            "is_multiple_choice": c.is_multiple_choice, "counts": result["counts"], "answered": result["answered"],
            "eligible": result["eligible"], "turnout_percent": result["turnout_percent"],
            "closed_at": _iso(c.closed_at), "result_hash": c.result_hash}


def _load(muni: Municipality, request_id: int) -> LiaisonRequest:
    return db.session.scalar(
        select(LiaisonRequest).options(joinedload(LiaisonRequest.request_type), joinedload(LiaisonRequest.cooperative),
                                       joinedload(LiaisonRequest.municipality))
        .where(LiaisonRequest.id == request_id, LiaisonRequest.municipality_id == muni.id,
               LiaisonRequest.status != RequestStatus.DRAFT)) or abort(404)


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError("body", _("Send a JSON object."))
    return data


def _str_field(data: dict, name: str, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ApiError(name, _("%(name)s must be a string.", name=name))
    if "\x00" in value:  # no database text column can hold it (PostgreSQL refuses)
        raise ApiError(name, _("%(name)s may not contain NUL characters.", name=name))
    return value


def conflict(error: DomainError):
    response = jsonify({"error": _("Conflict"), "status": 409, "message": str(error.message),
                        **({"parameter": error.field} if error.field else {})})
    response.status_code = 409
    return response


def _apply(req: LiaisonRequest, action):
    """Run one service for the API; commit, or answer 409 with the workflow's refusal."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        return conflict(error)
    db.session.commit()
    return _private(jsonify(_detail(_load(req.municipality, req.id))))


def _api_route(rule: str, **options):
    """A token-protected, rate-limited API route (declared public: the token is the gate)."""
    def decorate(view):
        return bp.route(rule, **options)(public(limiter.limit(api_rate_limit, key_func=rate_limit_key, scope="api")(
            token_required(view))))
    return decorate


#: The list counts at most this many requests (``total_is_capped`` says when there are more):
#: an exact count would read every request of the municipality on each call.
COUNT_CAP = 1_000
#: What the list reads: columns, not entities (no identity map, no lazy loads).
LIST_COLUMNS = (LiaisonRequest.id, LiaisonRequest.receipt_number, LiaisonRequest.subject, LiaisonRequest.status,
                LiaisonRequest.outcome, LiaisonRequest.received_on, LiaisonRequest.due_on, LiaisonRequest.decided_on,
                LiaisonRequest.notice_on, LiaisonRequest.updated_at, Cooperative.slug.label("coop_slug"),
                Cooperative.name.label("coop_name"), Cooperative.kvk_number, RequestType.kind)


@lru_cache(maxsize=64)
def _list_statements(status: bool, kind: bool, cooperative: bool, overdue: bool | None, since: bool,
                     after: bool):
    """The list's count and page statements for one combination of filters, built once per
    worker (building them took as long as running them); the values are bound parameters.

    Counted up to the cap only; the page reads one row more than it shows: whether there is a
    next page, without counting. The page's rows carry the count (``counted``, a subquery run
    once), so a page takes one round trip; the count statement alone serves a page past the
    end, which has no rows to carry it. (Before PostgreSQL kept the app's prepared statements,
    planning the subquery on every call cost more than the second round trip.)"""
    conditions = [LiaisonRequest.municipality_id == bindparam("muni_id"), LiaisonRequest.status != RequestStatus.DRAFT]
    if status:
        conditions.append(LiaisonRequest.status == bindparam("status"))
    if kind:
        conditions.append(LiaisonRequest.request_type_id == select(RequestType.id).where(
            RequestType.municipality_id == bindparam("muni_id"), RequestType.kind == bindparam("kind")
        ).scalar_subquery())
    if cooperative:
        conditions.append(LiaisonRequest.cooperative_id == select(Cooperative.id).where(
            Cooperative.slug == bindparam("coop_slug")).scalar_subquery())
    running_and_late = LiaisonRequest.status.in_(RUNNING_STATUSES) & (LiaisonRequest.due_on < bindparam("today"))
    if overdue is True:
        conditions.append(running_and_late)
    elif overdue is False:
        conditions.append(~running_and_late)
    if since:
        conditions.append(LiaisonRequest.updated_at >= bindparam("since"))
    count = select(func.count()).select_from(select(LiaisonRequest.id).where(*conditions).limit(COUNT_CAP + 1).subquery())
    if after:
        conditions.append(LiaisonRequest.id > bindparam("after"))
    page = (select(*LIST_COLUMNS, count.scalar_subquery().label("counted"))
            .join(Cooperative, Cooperative.id == LiaisonRequest.cooperative_id)
            .join(RequestType, RequestType.id == LiaisonRequest.request_type_id).where(*conditions)
            .order_by(LiaisonRequest.id).offset(bindparam("offset")).limit(bindparam("limit")))
    return count, page


@_api_route("/municipalities/<muni_slug>/requests")
def list_requests(muni_slug: str):
    """One page in id order. ``next`` continues after the page's last id (keyset: every page costs
    the same, however deep); ``page`` still works as an offset on top of ``after``."""
    muni_id = tenant_municipality_id(muni_slug)
    try:
        page = _int_arg("page", 1, 1, 100_000)
        per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
        after = _int_arg("after", 0, 0, 2**31 - 1)
        status = _enum_arg("status", STATUSES)
        kind = _enum_arg("kind", [k.value for k in RequestKind])
        coop_slug = (request.args.get("cooperative") or "").strip() or None
        overdue = _bool_arg("overdue")
        since = _datetime_arg("updated_since")
    except ApiError as error:
        return bad_request(error)
    today = services.today()
    count_statement, page_statement = _list_statements(
        bool(status), bool(kind), bool(coop_slug), overdue, since is not None, bool(after))
    params = {"muni_id": muni_id, "status": RequestStatus(status) if status else None,
              "kind": RequestKind(kind) if kind else None, "coop_slug": coop_slug, "today": today, "since": since,
              "after": after, "offset": (page - 1) * per_page, "limit": per_page + 1}
    # Plain Core statements on the session's connection: no ORM execution layer for rows
    # that never become entities.
    conn = db.session.connection()
    rows = conn.execute(page_statement, params).all()
    counted = rows[0].counted if rows else conn.execute(count_statement, params).scalar_one()
    more = len(rows) > per_page
    items = [_summary(r, r.coop_slug, r.coop_name, r.kvk_number, r.kind, today) for r in rows[:per_page]]
    next_url = None
    if more:
        args = {k: v for k, v in request.args.items()
                if k in ("status", "kind", "cooperative", "overdue", "updated_since") and v}
        next_url = url_for("api.list_requests", muni_slug=muni_slug, after=items[-1]["id"], per_page=per_page,
                           _external=True, **args)
    return _private(jsonify({"items": items, "page": page, "per_page": per_page, "total": min(counted, COUNT_CAP),
                             "total_is_capped": counted > COUNT_CAP, "next": next_url}))


@_api_route("/municipalities/<muni_slug>/requests/<int:request_id>")
def get_request(muni_slug: str, request_id: int):
    return _private(jsonify(_detail(_load(tenant_municipality(muni_slug), request_id))))


@_api_route("/municipalities/<muni_slug>/requests/<int:request_id>/status", methods=["POST"])
def post_status(muni_slug: str, request_id: int):
    req = _load(tenant_municipality(muni_slug), request_id)
    try:
        data = _json_body()
        status = _str_field(data, "status")
        if status not in MOVES:
            raise ApiError("status", _("%(name)s must be one of: %(values)s.", name="status", values=", ".join(MOVES)))
        text = _str_field(data, "text", required=status == "information_requested")
    except ApiError as error:
        return bad_request(error)
    if status == "information_requested":
        return _apply(req, lambda: services.request_information(req, actor=None, question=text, via="api"))
    return _apply(req, lambda: MOVES[status](req, actor=None, text=text, via="api"))


@_api_route("/municipalities/<muni_slug>/requests/<int:request_id>/messages", methods=["POST"])
def post_request_message(muni_slug: str, request_id: int):
    req = _load(tenant_municipality(muni_slug), request_id)
    try:
        body = _str_field(_json_body(), "body")
    except ApiError as error:
        return bad_request(error)
    return _apply(req, lambda: services.post_message(req, actor=None, side=Side.MUNICIPALITY, body=body, via="api"))


@_api_route("/municipalities/<muni_slug>/requests/<int:request_id>/decision", methods=["POST"])
def post_decision(muni_slug: str, request_id: int):
    req = _load(tenant_municipality(muni_slug), request_id)
    try:
        data = _json_body()
        outcome = _str_field(data, "outcome")
        if outcome not in [o.value for o in Outcome]:
            raise ApiError("outcome", _("%(name)s must be one of: %(values)s.", name="outcome",
                                        values=", ".join(o.value for o in Outcome)))
        answer = _str_field(data, "answer")
    except ApiError as error:
        return bad_request(error)
    return _apply(req, lambda: services.decide(req, actor=None, outcome=Outcome(outcome), answer=answer, via="api"))


# --- the OpenAPI description -----------------------------------------------------------------------

_DATE = nullable("string", format="date")
_REQUEST_PROPS = {
    "id": {"type": "integer"},
    "receipt_number": {"type": "string"},
    "kind": {"type": "string", "enum": [k.value for k in RequestKind]},
    "subject": {"type": "string"},
    "cooperative": {"type": "object", "required": ["slug", "name", "kvk_number"],
                    "properties": {"slug": {"type": "string"}, "name": {"type": "string"},
                                   "kvk_number": {"type": "string"}}},
    "status": {"type": "string", "enum": STATUSES},
    "outcome": nullable("string", enum=[o.value for o in Outcome] + [None]),
    "received_on": {"type": "string", "format": "date"},
    "due_on": {"type": "string", "format": "date",
               "description": "The last day of the term (Algemene termijnenwet applied)."},
    "decided_on": _DATE,
    "notice_on": {**_DATE, "description": "The day the cooperative sent a notice of default, if any."},
    "is_overdue": {"type": "boolean"},
    "updated_at": {"type": "string", "format": "date-time"},
}
_SUMMARY_REQUIRED = list(_REQUEST_PROPS)
SCHEMAS = {
    "RequestSummary": {"type": "object", "required": _SUMMARY_REQUIRED, "properties": _REQUEST_PROPS},
    "Request": {
        "type": "object",
        "description": "A request with its status history, messages and commitments (never internal notes).",
        "required": _SUMMARY_REQUIRED + ["body", "answer", "events", "messages", "commitments", "penalty_cents",
                                         "is_suspended"],
        "properties": {
            **_REQUEST_PROPS,
            "body": {"type": "string"}, "location": nullable("string"), "answer": nullable("string"),
            "legal_basis": {"type": "string"}, "is_suspended": {"type": "boolean"},
            "penalty_cents": {"type": "integer", "minimum": 0, "maximum": 144200,
                              "description": "Penalty accrued under Awb 4:17, in euro cents."},
            "events": {"type": "array", "items": {"type": "object", "required": ["at", "kind", "status", "side"],
                                                  "properties": {"at": {"type": "string"}, "kind": {"type": "string"},
                                                                 "status": {"type": "string", "enum": STATUSES},
                                                                 "side": {"type": "string"},
                                                                 "text": nullable("string")}}},
            "messages": {"type": "array", "items": {"type": "object", "required": ["at", "side", "body"]}},
            "commitments": {"type": "array", "items": {"type": "object", "required": ["id", "what", "who", "due_on"]}},
            "consultation": {
                "type": ["object", "null"],
                "description": "The closed consultation of the members the request rests on, with its frozen result.",
                "required": ["title", "question", "options", "counts", "answered", "eligible", "turnout_percent",
                             "closed_at", "result_hash"],
                "properties": {"title": {"type": "string"}, "question": {"type": "string"},
                               "options": {"type": "array", "items": {"type": "string"}},
                               "is_anonymous": {"type": "boolean"}, "is_multiple_choice": {"type": "boolean"},
                               "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                               "answered": {"type": "integer", "minimum": 0},
                               "eligible": {"type": "integer", "minimum": 0},
                               "turnout_percent": {"type": "number"},
                               "closed_at": {"type": "string", "format": "date-time"},
                               "result_hash": {"type": "string"}}},
        },
    },
    "RequestPage": {
        "type": "object", "required": ["items", "page", "per_page", "total", "total_is_capped", "next"],
        "properties": {"items": {"type": "array", "items": ref("schemas", "RequestSummary")},
                       "page": {"type": "integer", "minimum": 1},
                       "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                       "total": {"type": "integer", "minimum": 0, "maximum": COUNT_CAP,
                                 "description": f"How many requests match the filters (not counting `after`), "
                                                f"counted up to {COUNT_CAP:,}."},
                       "total_is_capped": {"type": "boolean",
                                           "description": f"true: more than {COUNT_CAP:,} requests match; "
                                                          "`total` is then the cap."},
                       "next": {**nullable("string", format="uri"),
                                "description": "The next page (continues after this page's last id), or null."}},
    },
    "StatusChange": {
        "type": "object", "required": ["status"],
        "properties": {"status": {"type": "string", "enum": list(MOVES)},
                       "text": {"type": "string", "maxLength": 10000,
                                "description": "Explanation; required (the question) for information_requested."}},
    },
    "Message": {"type": "object", "required": ["body"],
                "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 20000}}},
    "Decision": {"type": "object", "required": ["outcome", "answer"],
                 "properties": {"outcome": {"type": "string", "enum": [o.value for o in Outcome]},
                                "answer": {"type": "string", "minLength": 1, "maxLength": 20000,
                                           "description": "The official answer; required with every decision."}}},
}
PARAMETERS = {
    "municipality": {"name": "municipality", "in": "path", "required": True,
                     "description": "The municipality's web address name (as in /m/<municipality>/). The token must belong to it.",
                     "schema": {"type": "string", "minLength": 1}},
    "request_id": {"name": "request_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
    "request_status": {"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": STATUSES}},
    "request_kind": {"name": "kind", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": [k.value for k in RequestKind]}},
    "cooperative": {"name": "cooperative", "in": "query", "required": False,
                    "description": "Only requests of this cooperative (its web address name).", "schema": {"type": "string"}},
    "overdue": {"name": "overdue", "in": "query", "required": False,
                "description": "true: only requests whose term has passed without an answer.",
                "schema": {"type": "string", "enum": ["true", "false"]}},
    "after": {"name": "after", "in": "query", "required": False,
              "description": "Only requests with a larger id: the `next` link continues with it.",
              "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}},
    "request_per_page": {"name": "per_page", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}},
}
RESPONSES["Conflict"] = json_response("The workflow does not allow this move now (e.g. deciding a withdrawn "
                                      "request), or a required text is missing.", ref("schemas", "Error"))
TAGS.append({"name": "requests", "description": "Requests of collectives to a municipality (municipality tokens)."})

_ERRORS = error_responses("BadRequest", "Unauthorized", "NotFound", "TooManyRequests")
_ONE = [ref("parameters", "municipality"), ref("parameters", "request_id")]


def _post(operation_id: str, summary: str, schema: str) -> dict:
    return {"post": {
        "operationId": operation_id, "summary": summary, "tags": ["requests"], "parameters": _ONE,
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("schemas", schema)}}},
        "responses": {"200": json_response("The request after the change.", ref("schemas", "Request")),
                      "409": ref("responses", "Conflict"), **_ERRORS},
    }}


add_path("/municipalities/{municipality}/requests", {"get": {
    "operationId": "listRequests", "summary": "Requests sent to the municipality, page by page.",
    "description": "Ordered by id; follow `next` (keyset: each page costs the same, however deep). Needs a "
                   "token created by a liaison of the municipality.", "tags": ["requests"],
    "parameters": [ref("parameters", n) for n in ("municipality", "page", "after", "request_per_page", "request_status",
                                                  "request_kind", "cooperative", "overdue", "updated_since")],
    "responses": {"200": json_response("One page of requests.", ref("schemas", "RequestPage")), **_ERRORS},
}}, schemas=SCHEMAS, parameters=PARAMETERS)
add_path("/municipalities/{municipality}/requests/{request_id}", {"get": {
    "operationId": "getRequest", "summary": "One request with its history, messages and commitments.",
    "tags": ["requests"], "parameters": _ONE,
    "responses": {"200": json_response("The request.", ref("schemas", "Request")), **_ERRORS},
}})
add_path("/municipalities/{municipality}/requests/{request_id}/status",
         _post("postRequestStatus", "Acknowledge, start work, ask for information (suspends the term) or close.",
               "StatusChange"))
add_path("/municipalities/{municipality}/requests/{request_id}/messages",
         _post("postRequestMessage", "Add a message to the thread that the cooperative sees.", "Message"))
add_path("/municipalities/{municipality}/requests/{request_id}/decision",
         _post("postRequestDecision", "Record the decision with its official answer.", "Decision"))
