"""JSON API v1 routes, the OpenAPI document, and the board's page to manage API tokens.

Access: the API's own gate is the bearer token (:func:`coop.api.auth.token_required`), checked
inside the view; for the app-wide permission check (and the access matrix) the API routes are
therefore declared ``@public``. They never use the session cookie, so the whole API blueprint is
exempt from CSRF protection. Every answer under /api/ is JSON, errors included (coop/core/errors.py
and :func:`coop.api.auth.unauthorized`). Requests are rate limited per token.

The token page is a cooperative page (``/c/<coop>/api-tokens``, board only) and therefore
attaches to the register's blueprint.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from coop.api import bp, tokens
from coop.api.auth import rate_limit_key, tenant_coop, token_required
from coop.api.models import ApiToken
from coop.api.openapi import build_document
from coop.core import nav
from coop.core.db import scoped
from coop.core.forms import attempt
from coop.core.i18n import lazy_gettext as _l
from coop.core.permissions import public, require
from coop.extensions import csrf, db, limiter
from coop.members import bp as coop_bp
from coop.members.models import Member, MemberStatus

csrf.exempt(bp)

nav.add("coop", "members.list_api_tokens", _l("API tokens"), "board", order=88)

MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 100
MAX_PAGE = 100_000


def api_rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "600 per minute")


class ApiError(Exception):
    """A refused query parameter: answered 400 with the parameter's name."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def bad_request(error: ApiError):
    response = jsonify({"error": _("Bad request"), "status": 400, "message": error.message,
                        "parameter": error.parameter})
    response.status_code = 400
    return response


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ApiError(name, _("%(name)s must be a whole number.", name=name)) from None
    if not low <= value <= high:
        raise ApiError(name, _("%(name)s must be between %(low)d and %(high)d.", name=name, low=low, high=high))
    return value


def _datetime_arg(name: str) -> datetime | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("z", "Z"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise ApiError(name, _("%(name)s must be a date and time in ISO 8601, e.g. 2026-01-31T12:00:00Z.",
                               name=name)) from None


def _status_arg(name: str) -> MemberStatus | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return MemberStatus(raw)
    except ValueError:
        raise ApiError(name, _("%(name)s must be one of: %(values)s.", name=name,
                               values=", ".join(s.value for s in MemberStatus))) from None


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the API -------------------------------------------------------------------------------------


@bp.route("/openapi.json")
@public
def openapi_document():
    return jsonify(build_document(server_url=request.url_root.rstrip("/") + bp.url_prefix))


#: The columns the API shows: no notes, IBAN, birth date, street, phone or household.
MEMBER_COLUMNS = (Member.number, Member.status, Member.first_name, Member.name_prefix, Member.last_name,
                  Member.postcode, Member.city, Member.email, Member.channel, Member.admitted_on,
                  Member.ended_on, Member.updated_at)


@bp.route("/coops/<coop_slug>/members")
@public
@limiter.limit(api_rate_limit, key_func=rate_limit_key, scope="api")
@token_required
def list_members(coop_slug: str):
    """The cooperative's register, page by page (a constant number of queries)."""
    coop = tenant_coop(coop_slug)
    try:
        page = _int_arg("page", 1, 1, MAX_PAGE)
        per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
        status = _status_arg("status")
        since = _datetime_arg("updated_since")
    except ApiError as error:
        return bad_request(error)
    conditions = [Member.cooperative_id == coop.id]
    if status is not None:
        conditions.append(Member.status == status)
    if since is not None:
        conditions.append(Member.updated_at >= since)
    total = db.session.scalar(select(func.count()).select_from(Member).where(*conditions))
    rows = db.session.execute(
        select(*MEMBER_COLUMNS).where(*conditions).order_by(Member.id)
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    items = [{
        "number": r.number, "status": r.status.value, "first_name": r.first_name,
        "name_prefix": r.name_prefix, "last_name": r.last_name, "postcode": r.postcode, "city": r.city,
        "email": r.email, "channel": r.channel.value, "admitted_on": _iso(r.admitted_on),
        "ended_on": _iso(r.ended_on), "updated_at": _iso(r.updated_at),
    } for r in rows]
    next_url = None
    if page * per_page < total:
        args = {k: v for k, v in request.args.items() if k in ("status", "updated_since") and v}
        next_url = url_for("api.list_members", coop_slug=coop.slug, page=page + 1, per_page=per_page,
                           _external=True, **args)
    return _private(jsonify({"items": items, "page": page, "per_page": per_page, "total": total,
                             "next": next_url}))


# --- the board's token page ----------------------------------------------------------------------


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Name"), description=_l("What the token is for, e.g. the bookkeeping program."),
                       validators=[DataRequired(), Length(max=tokens.NAME_MAX)])


class RevokeTokenForm(FlaskForm):
    token_id = HiddenField(validators=[DataRequired()])


def _tokens_page(form, status: int = 200):
    return render_template("api/tokens.html", form=form, tokens=tokens.tokens_of(cooperative=g.coop),
                           api_base=request.url_root.rstrip("/") + bp.url_prefix), status


@coop_bp.route("/c/<coop>/api-tokens")
@require("board")
def list_api_tokens():
    return _tokens_page(ApiTokenForm())


@coop_bp.route("/c/<coop>/api-tokens/new", methods=["POST"])
@require("board")
def create_api_token():
    form = ApiTokenForm()
    created: list = []
    if form.validate_on_submit() and attempt(form, lambda: created.append(tokens.create_token(
            form.name.data, actor=current_user, cooperative=g.coop))):
        token, secret = created[0]
        # Shown once, on this page (not stored, not in a redirect or flash message).
        return render_template(
            "api/token_created.html", token=token, secret=secret,
            example_url=f"{request.url_root.rstrip('/')}{bp.url_prefix}/coops/{g.coop.slug}/members",
            back_url=url_for("members.list_api_tokens"))
    return _tokens_page(form, 400)


@coop_bp.route("/c/<coop>/api-tokens/revoke", methods=["POST"])
@require("board")
def revoke_api_token():
    form = RevokeTokenForm()
    token_id = form.token_id.data or ""
    if not form.validate_on_submit() or not token_id.isdecimal() or len(token_id) > 12:
        flash(_("Choose a token to revoke."), "error")
        return redirect(url_for("members.list_api_tokens"))
    token = scoped(ApiToken, int(token_id))
    if attempt(form, lambda: tokens.revoke_token(token, actor=current_user)):
        flash(_("The token “%(name)s” has been revoked; programs using it no longer have access.",
                name=token.name), "success")
    else:
        flash(" ".join(form.form_errors), "error")
    return redirect(url_for("members.list_api_tokens"))
