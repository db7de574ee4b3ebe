"""coop: software for citizen collectives and their municipalities."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from coop.core.fastjson import OrjsonProvider

ROOT = Path(__file__).resolve().parent.parent


def select_locale() -> str | None:
    from flask import has_request_context
    from flask_login import current_user

    if not has_request_context():  # CLI and background jobs: the default, or force_locale
        return None
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    if session.get("locale") in ("nl", "en"):
        return session["locale"]
    return request.accept_languages.best_match(["nl", "en"]) or "en"


class CoopFlask(Flask):
    """Flask, with the links of a page built once per worker, and JSON written by orjson
    (:mod:`coop.core.fastjson`).

    A page has dozens of links (menus, the header, buttons) and building one took as long as a
    small query: the URL map walks the endpoint's rules, the URL defaults fill in the tenant
    and the result is quoted and joined. The same link in the same place always comes out the
    same, so plain calls (in a request, only the endpoint and simple values) are remembered by
    everything the result depends on: the endpoint, the values, the tenant that
    :func:`~coop.core.permissions.fill_tenant` would add, and where the app is mounted.
    """

    URL_CACHE_MAX = 4096
    json_provider_class = OrjsonProvider

    def url_for(self, /, endpoint: str, *, _anchor=None, _method=None, _scheme=None,
                _external=None, **values) -> str:
        from flask.globals import _cv_app, _cv_request

        ctx = _cv_request.get(None)
        if (ctx is None or _anchor is not None or _method is not None or _scheme is not None
                or _external is not None or endpoint[:1] == "."
                or not all(type(v) in (str, int) for v in values.values())):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        ctx_g = _cv_app.get().g
        coop, municipality = ctx_g.get("coop"), ctx_g.get("municipality")
        adapter = ctx.url_adapter
        key = (endpoint, tuple(values.items()), coop.slug if coop is not None else None,
               municipality.slug if municipality is not None else None,
               adapter.script_name, adapter.server_name, adapter.subdomain)
        cache = self.extensions["coop.urls"]
        url = cache.get(key)
        if url is None:
            url = super().url_for(endpoint, **values)
            if len(cache) >= self.URL_CACHE_MAX:
                cache.clear()
            cache[key] = url
        return url


def create_app(test_config: dict | None = None) -> Flask:
    app = CoopFlask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    app.extensions["coop.urls"] = {}
    from coop import config

    config.load(app, test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    from coop.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    from coop.core.db import end_reads_with_commit

    end_reads_with_commit(app, db)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    if app.config["RATELIMIT_STORAGE_URI"].startswith("coopsql"):
        import coop.core.ratelimit  # noqa: F401 — registers the coopsql:// storage

        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
        app.config["RATELIMIT_STORAGE_OPTIONS"].setdefault(
            "url", app.config["SQLALCHEMY_DATABASE_URI"]
        )
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    _import_models()

    @login_manager.user_loader
    def load_user(token: str):
        from coop.auth.models import user_by_session_token

        return user_by_session_token(token)

    from coop.core import errors, formatting, mail, nav, permissions, security

    # Before anything reads the URL: no database text column can hold a NUL character.
    app.url_value_preprocessor(security.refuse_nul_in_url)
    app.url_value_preprocessor(permissions.load_tenant)
    app.url_defaults(permissions.fill_tenant)
    app.before_request(permissions.check_access)

    @app.before_request
    def settle_locale():
        # Decide the language while the signed-in user is fresh: a view that commits (which
        # expires loaded rows) and then streams its answer must not reload the user.
        from flask_babel import get_locale

        get_locale()
    security.init_app(app)
    mail.init_app(app)
    formatting.init_app(app)
    errors.register_error_handlers(app)

    import coop.api.views  # noqa: F401 — attach the routes to the blueprints
    import coop.accountability.api  # noqa: F401
    import coop.accountability.views  # noqa: F401
    import coop.api.requests  # noqa: F401
    import coop.assets.views  # noqa: F401
    import coop.assets.me_views  # noqa: F401
    import coop.auth.views  # noqa: F401
    import coop.consultations.me_views  # noqa: F401
    import coop.consultations.views  # noqa: F401
    import coop.liaison.views  # noqa: F401
    import coop.members.capital_views  # noqa: F401
    import coop.members.import_views  # noqa: F401
    import coop.members.me_views  # noqa: F401
    import coop.members.views  # noqa: F401
    import coop.meetings.me_views  # noqa: F401
    import coop.meetings.views  # noqa: F401
    import coop.orgs.admin_views  # noqa: F401
    import coop.orgs.views  # noqa: F401
    import coop.voting.me_views  # noqa: F401
    import coop.voting.views  # noqa: F401
    from coop.accountability import bp as accountability_bp
    from coop.api import bp as api_bp
    from coop.api.open311 import bp as open311_bp
    from coop.assets import bp as assets_bp
    from coop.auth import bp as auth_bp
    from coop.consultations import bp as consultations_bp
    from coop.core.views import bp as core_bp
    from coop.liaison import bp as liaison_bp
    from coop.meetings import bp as meetings_bp
    from coop.members import bp as members_bp, me_bp
    from coop.orgs import admin_bp, bp as orgs_bp
    from coop.voting import bp as voting_bp

    for bp in (core_bp, auth_bp, orgs_bp, admin_bp, members_bp, me_bp, meetings_bp, api_bp,
               liaison_bp, open311_bp, assets_bp, voting_bp, accountability_bp, consultations_bp):
        app.register_blueprint(bp)
    permissions.public(app.view_functions["static"])

    from coop.cli import register as register_cli

    register_cli(app)

    from coop.orgs.models import BOARD_POSITION_LABELS, DOMAIN_LABELS, ROLE_LABELS

    app.jinja_env.globals.update(
        can=permissions.can, tenant_nav=nav.tenant_nav,
        endpoint_exists=lambda endpoint: endpoint in app.view_functions, unique_id=unique_id,
        ROLE_LABELS=ROLE_LABELS, DOMAIN_LABELS=DOMAIN_LABELS, BOARD_POSITION_LABELS=BOARD_POSITION_LABELS)

    @app.context_processor
    def request_globals():
        from coop.core.i18n import locale

        return {"current_locale": locale().language, "coop": g.get("coop"), "municipality": g.get("municipality")}

    return app


def unique_id(prefix: str = "id") -> str:
    """For templates: an element id that no other element of this page has (a page may show a
    template's table several times)."""
    n = g.get("_coop_unique_ids", 0) + 1
    g._coop_unique_ids = n
    return f"{prefix}-{n}"


def _import_models() -> None:
    """Import every model module so that metadata (and Alembic) sees all tables."""
    import coop.accountability.models  # noqa: F401
    import coop.auth.models  # noqa: F401
    import coop.consultations.models  # noqa: F401
    import coop.core.audit  # noqa: F401
    import coop.core.mail  # noqa: F401
    import coop.core.ratelimit  # noqa: F401
    import coop.api.models  # noqa: F401
    import coop.liaison.models  # noqa: F401
    import coop.assets.models  # noqa: F401
    import coop.members.importing  # noqa: F401
    import coop.meetings.models  # noqa: F401
    import coop.members.models  # noqa: F401
    import coop.orgs.models  # noqa: F401
    import coop.voting.models  # noqa: F401
