"""Flask-Babel with the per-request answers remembered.

Flask-Babel looks up the request's language, time zone and catalog anew on every call
(``gettext`` walks ``g`` three times before it reaches the catalog). A page makes a hundred
such calls, from its templates, lazy labels and date formats, which made translation one of
the larger costs of a page (see ``bench/README.md``). Here the answers are read from the same
place Flask-Babel keeps them (``g._flask_babel``), so ``flask_babel.refresh()`` and
``force_locale()`` keep working: they reset exactly those attributes.
"""
from __future__ import annotations

from datetime import datetime
from functools import cached_property, lru_cache

import flask_babel
from babel import dates as babel_dates, numbers as babel_numbers
from flask.globals import _cv_app
from babel import Locale
from flask_babel import Babel, Domain
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup

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


def gettext(string: str, **variables) -> str:
    """Flask-Babel's ``gettext`` with the catalog remembered for the request."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """Flask-Babel's ``lazy_gettext`` (``_l``), translated by :func:`gettext`: a page reads a few
    dozen such labels, and Flask-Babel's own path to the catalog cost eight times as much."""
    return LazyString(gettext, string, **variables)


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
        # ``{% trans %}`` and ``_()``, the most frequent calls of a template, straight to the catalog.
        app.jinja_env.globals.update(gettext=template_gettext, _=template_gettext)


@pass_context
def template_gettext(context, string: str, **variables) -> str:
    """Jinja's "new style" ``gettext`` (translate, mark safe when autoescaping, fill in the
    escaped variables) without its two detours through ``Context.call`` and the alias ``_``."""
    text = translations().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    # Jinja treats a translation as a format string even without variables ("%%" reads "%").
    return text % variables if variables or "%" in text else text


#: The named formats of the locale data (``format_date(d, "short")``); other strings are patterns.
NAMED_FORMATS = ("full", "long", "medium", "short")


@lru_cache(maxsize=256)
def _patterns(language: Locale, fmt: str):
    """(joined, time pattern, date pattern) of a named format in ``language``, or (None, the
    parsed pattern, the same) for a pattern of one's own.

    Babel looks these up in the locale data on every call, which made a date four times as
    slow to format as applying its pattern (a page of 50 log entries spent 2 ms on it)."""
    if fmt not in NAMED_FORMATS:
        pattern = babel_dates.parse_pattern(fmt)
        return None, pattern, pattern
    return (babel_dates.get_datetime_format(fmt, locale=language).replace("'", ""),
            babel_dates.parse_pattern(babel_dates.get_time_format(fmt, locale=language)),
            babel_dates.parse_pattern(babel_dates.get_date_format(fmt, locale=language)))


def _local(value: datetime):
    """An instant in the user's zone; naive values are UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=babel_dates.UTC)
    tz = timezone()
    value = value.astimezone(tz)
    return tz.normalize(value) if hasattr(tz, "normalize") else value  # pytz


def format_datetime(value, fmt: str = "medium") -> str:
    """Babel's ``format_datetime`` in the user's language and zone (naive values are UTC), with
    the locale's patterns looked up once per worker."""
    language = locale()
    value = _local(value)
    joined, time_pattern, date_pattern = _patterns(language, fmt)
    if joined is None:
        return time_pattern.apply(value, language)
    return (joined.replace("{0}", time_pattern.apply(value.timetz(), language, reference_date=value.date()))
            .replace("{1}", date_pattern.apply(value.date(), language)))


def format_date(value, fmt: str = "medium") -> str:
    """Babel's ``format_date`` in the user's language; a datetime gives its date in the user's zone."""
    if isinstance(value, datetime):
        value = _local(value).date()
    return _patterns(locale(), fmt)[2].apply(value, locale())


def format_decimal(value) -> str:
    return babel_numbers.format_decimal(value, locale=locale())


def format_currency(value, currency: str) -> str:
    return babel_numbers.format_currency(value, currency, locale=locale())
