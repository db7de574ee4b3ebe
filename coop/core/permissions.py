"""Named permissions declared on routes, and tenancy loading.

Every view declares who may use it with :func:`require` (or :func:`public`). The declaration is
checked before the view runs and is what the access-matrix test reads. A view without a
declaration is refused (fail closed).

Within a tenant (``/c/<coop>/…`` or ``/m/<municipality>/…``), a user with no role there gets
404 — the pages of another cooperative do not exist for them; a user with some role there but
not the one needed gets 403; an anonymous visitor is sent to the login page.
"""
from __future__ import annotations

from functools import cache

from flask import abort, current_app, g, request
from flask_login import current_user
from sqlalchemy import bindparam, select

from coop.orgs.models import Cooperative, Municipality, Role

#: Names that views may declare. ``public``: anyone; ``login``: any signed-in user.
PERMISSIONS = {"public", "login", "member", "board", "auditor", "liaison", "admin"}

#: Which roles within the cooperative satisfy a coop permission.
COOP_PERMISSION_ROLES = {
    "member": {Role.MEMBER, Role.BOARD, Role.AUDITOR},
    "board": {Role.BOARD},
    "auditor": {Role.AUDITOR, Role.BOARD},
}


def require(*names: str):
    """Declare who may use a view: ``@require("board")``, ``@require("member", "liaison")``."""
    unknown = set(names) - PERMISSIONS
    if unknown or not names:
        raise ValueError(f"unknown permission(s) {unknown or names}")

    def decorate(view):
        view.access = frozenset(names)
        return view

    return decorate


public = require("public")


def endpoint_access(endpoint: str) -> frozenset[str] | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def user_may(names: frozenset[str], user, coop=None, municipality=None) -> bool:
    if "public" in names:
        return True
    if not user.is_authenticated:
        return False
    if "login" in names:
        return True
    if "admin" in names and user.is_admin:
        return True
    if coop is not None:
        roles = user.coop_roles(coop)
        for name in names & COOP_PERMISSION_ROLES.keys():
            if roles & COOP_PERMISSION_ROLES[name]:
                return True
    if municipality is not None and "liaison" in names:
        if user.has_role(Role.LIAISON, municipality=municipality):
            return True
    return False


def has_tenant_role(user, coop=None, municipality=None) -> bool:
    if coop is not None and user.coop_roles(coop):
        return True
    if municipality is not None and user.has_role(Role.LIAISON, municipality=municipality):
        return True
    return False


def check_access() -> None:
    """Run before every request: refuse what the endpoint's declaration does not allow."""
    if request.endpoint is None:  # 404 raised by routing
        return
    names = endpoint_access(request.endpoint)
    if names is None:
        current_app.logger.error("endpoint %s declares no permission", request.endpoint)
        abort(403)
    coop, muni = g.get("coop"), g.get("municipality")
    user = current_user._get_current_object()
    if user_may(names, user, coop, muni):
        return
    if not user.is_authenticated:
        from coop.extensions import login_manager

        return login_manager.unauthorized()
    if (coop is not None or muni is not None) and not has_tenant_role(user, coop, muni):
        abort(404)
    abort(403)


@cache
def _tenant_by_slug(model):
    # Built once per model; executed with the slug as a parameter.
    return select(model).where(model.slug == bindparam("slug"))


def load_tenant(endpoint, values) -> None:
    """URL value preprocessor: ``<coop>`` and ``<municipality>`` become ``g.coop``/``g.municipality``.

    When the session names a user who has not been loaded yet, the same query reads that user
    (for Flask-Login's user loader, which checks that the token is the same)."""
    if not values:
        return
    from flask import session

    from coop.auth.models import PRELOADED, tenant_and_user_statement
    from coop.extensions import db

    for key, model in (("coop", Cooperative), ("municipality", Municipality)):
        if key in values:
            slug = values.pop(key)
            token = session.get("_user_id") if "_login_user" not in g else None
            if isinstance(token, str):
                row = db.session.execute(tenant_and_user_statement(model),
                                         {"slug": slug, "token": token}).unique().first()
                tenant = row[0] if row else None
                if row:
                    setattr(g, PRELOADED, (token, row[1]))
            else:
                tenant = db.session.scalar(_tenant_by_slug(model), {"slug": slug})
            setattr(g, key, tenant or abort(404))


def _endpoints_expecting(key: str) -> frozenset[str]:
    """Endpoints whose URL has a ``<coop>`` (or ``<municipality>``) part, worked out once per
    app and number of endpoints (routes are all added before the app serves).

    Called by every ``url_for``: the check must stay cheap (``url_map._rules`` builds a new list
    of every rule on each access, which cost a page of 50 links several milliseconds)."""
    known = current_app.extensions.setdefault("coop.tenant_endpoints", {})
    by_endpoint = current_app.url_map._rules_by_endpoint
    entry = known.get(key)
    if entry is None or entry[0] != len(by_endpoint):
        entry = known[key] = (len(by_endpoint), frozenset(
            endpoint for endpoint, rules in by_endpoint.items() if any(key in r.arguments for r in rules)))
    return entry[1]


def fill_tenant(endpoint, values) -> None:
    """URL defaults: within a tenant's page, ``url_for`` fills in the current tenant."""
    for key in ("coop", "municipality"):
        if key not in values:
            tenant = g.get(key)
            if tenant is not None and endpoint in _endpoints_expecting(key):
                values[key] = tenant.slug


def can(name: str) -> bool:
    """For templates: may the current user do what permission ``name`` allows here?

    Answers are remembered for the request: menus ask the same question many times.
    """
    answers = g.setdefault("_can", {})
    if name not in answers:
        answers[name] = user_may(frozenset({name}), current_user._get_current_object(),
                                 g.get("coop"), g.get("municipality"))
    return answers[name]
