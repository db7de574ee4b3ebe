"""Flask-Babel with the per-request answers remembered.

Flask-Babel looks up the request's language, time zone and catalog anew on every call
(``gettext`` walks ``g`` three times before it reaches the catalog). A page makes a hundred
such calls, from its templates, lazy labels and date formats, which made translation one of
the larger costs of a page (see ``bench/README.md``). Here the answers are read from the same
place Flask-Babel keeps them (``g._flask_babel``), so ``flask_babel.refresh()`` and
``force_locale()`` keep working: they reset exactly those attributes.
"""
from __future__ import annotations

from functools import cached_property

import flask_babel
from babel import dates as babel_dates, numbers as babel_numbers
from flask.globals import _cv_app
from babel import Locale
from flask_babel import Babel, Domain

_ENGLISH = Locale.parse("en")


def _babel_namespace():
    """``g._flask_babel`` of the current app context, or None (no context, nothing cached)."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return None
    return ctx.g.__dict__.get("_flask_babel")


def _remembered(attribute: str, compute):
    ns = _babel_namespace()
    if ns is not None:
        value = ns.__dict__.get(attribute)
        if value is not None:
            return value
    value = compute()
    ns = _babel_namespace()  # Flask-Babel creates it on first use
    if ns is not None and value is not None:
        setattr(ns, attribute, value)
    return value


def translations():
    """The catalog of the request's language."""
    return _remembered("babel_translations", flask_babel.get_translations)


def locale():
    """The request's :class:`babel.Locale` (``babel_locale`` is Flask-Babel's own cache);
    English outside a request."""
    return _remembered("babel_locale", flask_babel.get_locale) or _ENGLISH


def timezone():
    return _remembered("babel_tzinfo", flask_babel.get_timezone) or babel_dates.UTC


class CoopDomain(Domain):
    def get_translations(self):
        # Lazy strings (``_l``) and ``gettext`` end here.
        return _remembered("babel_translations", super().get_translations)


class CoopBabel(Babel):
    @cached_property
    def domain_instance(self):
        return CoopDomain(domain=self.domain)

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        app.jinja_env.install_gettext_callables(
            gettext=lambda s: translations().ugettext(s),
            ngettext=lambda s, p, n: translations().ungettext(s, p, n),
            newstyle=True,
            pgettext=lambda c, s: translations().upgettext(c, s),
            npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        )


def format_datetime(value, fmt: str = "medium") -> str:
    """Like Flask-Babel's ``format_datetime``: naive values are UTC, shown in the user's zone."""
    tz = timezone()
    if value.tzinfo is None:
        value = value.replace(tzinfo=babel_dates.UTC)
    return babel_dates.format_datetime(value, fmt, tzinfo=tz, locale=locale())


def format_date(value, fmt: str = "medium") -> str:
    if hasattr(value, "tzinfo"):  # a datetime: its date in the user's zone
        if value.tzinfo is None:
            value = value.replace(tzinfo=babel_dates.UTC)
        value = value.astimezone(timezone())
    return babel_dates.format_date(value, fmt, locale=locale())


def format_decimal(value) -> str:
    return babel_numbers.format_decimal(value, locale=locale())


def format_currency(value, currency: str) -> str:
    return babel_numbers.format_currency(value, currency, locale=locale())
