"""Bearer-token authentication of the JSON API.

``Authorization: Bearer coop_…`` is the only way in: the API never looks at the session cookie
(a browser that is signed in to coop gets 401 like anyone else), so it needs no CSRF protection.
:func:`token_required` resolves the token by its hash (active tokens only), notes when it was
last used (at most one write a minute) and keeps the token's tenant in ``g``; :func:`tenant_coop`
then loads the cooperative of the URL, which must be the token's own — any other answers 404,
as if it did not exist.
"""
from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import abort, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select, update

from coop.api import tokens
from coop.api.models import ApiToken
from coop.core.db import utcnow
from coop.extensions import client_address, db
from coop.orgs.models import Cooperative

#: ``last_used_at`` is written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)
REALM = "coop"


def bearer_secret() -> str | None:
    """The token in the Authorization header, or None."""
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def unauthorized(invalid: bool):
    message = (_("The token is not valid or has been revoked.") if invalid
               else _("Send an API token: Authorization: Bearer <token>."))
    response = jsonify({"error": _("Unauthorized"), "status": 401, "message": message})
    response.status_code = 401
    challenge = f'Bearer realm="{REALM}"'
    if invalid:
        challenge += ', error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    response.headers["Cache-Control"] = "no-store"
    return response


def token_required(view):
    """Refuse the request with 401 unless it carries an active token."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        secret = bearer_secret()
        if not secret:
            return unauthorized(False)
        token = tokens.find_active(secret)
        if token is None:
            return unauthorized(True)
        g.api_token_id = token.id
        g.api_cooperative_id = token.cooperative_id
        g.api_municipality_id = token.municipality_id
        #: The web address name of the token's cooperative or municipality.
        g.api_tenant_slug = token.slug
        _note_use(token)
        return view(*args, **kwargs)

    return wrapped


def _note_use(token) -> None:
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    db.session.commit()


def tenant_coop(slug: str) -> Cooperative:
    """The cooperative named in the URL, when the request's token belongs to it; else 404."""
    if g.get("api_cooperative_id") is None or slug != g.get("api_tenant_slug"):
        abort(404)
    coop = db.session.scalar(select(Cooperative).where(Cooperative.slug == slug))
    if coop is None or coop.id != g.api_cooperative_id:
        abort(404)
    g.coop = coop
    return coop


def rate_limit_key() -> str:
    """Rate limits count per token (by a hash of what was sent), else per client address."""
    secret = bearer_secret()
    if secret:
        return "api-token:" + tokens.hash_secret(secret)[:24]
    return "api-address:" + client_address()
