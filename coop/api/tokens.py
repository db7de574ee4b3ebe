"""API tokens: created by a cooperative's board (later also a municipality's liaison), shown once,
stored as a SHA-256 hash. Services flush and audit; the view commits.

A token reads ``coop_`` followed by 43 URL-safe characters (256 random bits). The database keeps
its SHA-256 and 8 characters after ``coop_`` to tell tokens apart in lists; neither can be used
to call the API.
"""
from __future__ import annotations

import hashlib
import secrets
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from coop.api.models import ApiToken
from coop.core import audit
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db

TOKEN_PREFIX = "coop_"
NAME_MAX = 80


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def display_prefix(secret: str) -> str:
    """The 8 characters after ``coop_`` that lists show (``coop_AbCd1234…``)."""
    return secret[len(TOKEN_PREFIX):len(TOKEN_PREFIX) + 8]


def create_token(name: str, *, actor, cooperative=None, municipality=None) -> tuple[ApiToken, str]:
    """A new token for one tenant; returns the row and the secret (shown once, never stored)."""
    if (cooperative is None) == (municipality is None):
        raise ValueError("a token belongs to exactly one cooperative or municipality")
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the token a name, e.g. the program that will use it."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(_l("At most %(n)d characters.", n=NAME_MAX), field="name")
    secret = new_secret()
    token = ApiToken(cooperative=cooperative, municipality=municipality, name=name,
                     token_hash=hash_secret(secret), prefix=display_prefix(secret),
                     created_by_id=getattr(actor, "id", None))
    db.session.add(token)
    db.session.flush()
    audit.record("api.create_token", actor=actor, cooperative=cooperative, municipality=municipality,
                 obj=token, name=name, prefix=token.prefix)
    return token, secret


def revoke_token(token: ApiToken, *, actor) -> None:
    if token.revoked_at is not None:
        raise DomainError(_l("This token has already been revoked."))
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record("api.revoke_token", actor=actor, cooperative=token.cooperative,
                 municipality=token.municipality, obj=token, name=token.name, prefix=token.prefix)


def _valid_form(secret: str | None) -> bool:
    return bool(secret) and secret.startswith(TOKEN_PREFIX) and len(secret) <= 200


@cache
def _active_token_statement():
    # Built once: every API call runs it with the secret's hash bound.
    from coop.orgs.models import Cooperative, Municipality

    return (select(ApiToken.id, ApiToken.cooperative_id, ApiToken.municipality_id, ApiToken.last_used_at,
                   func.coalesce(Cooperative.slug, Municipality.slug).label("slug"))
            .outerjoin(Cooperative, Cooperative.id == ApiToken.cooperative_id)
            .outerjoin(Municipality, Municipality.id == ApiToken.municipality_id)
            .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None)))


def find_active(secret: str):
    """What each API call needs of the active token with this secret, as one row (id,
    cooperative_id, municipality_id, last_used_at and the tenant's ``slug``), or None.

    One query on the unique hash, joined to the token's tenant, without loading entities."""
    if not _valid_form(secret):
        return None
    return db.session.connection().execute(_active_token_statement(), {"token_hash": hash_secret(secret)}).first()


def tokens_of(*, cooperative=None, municipality=None) -> list[ApiToken]:
    """The tenant's tokens, active first, newest first (two queries)."""
    q = select(ApiToken).options(selectinload(ApiToken.created_by))
    if cooperative is not None:
        q = q.where(ApiToken.cooperative_id == cooperative.id)
    else:
        q = q.where(ApiToken.municipality_id == municipality.id)
    return list(db.session.scalars(
        q.order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())))
