from datetime import date, datetime, timezone

from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coop.core.formatting import fmt_date, fmt_datetime, money, number


def test_money_per_locale(app):
    with app.test_request_context():
        with force_locale("nl"):
            assert money(123456) == "€\xa01.234,56"
            assert number(1234567) == "1.234.567"
            assert fmt_date(date(2026, 4, 27), "long") == "27 april 2026"
        with force_locale("en"):
            assert money(123456) == "€1,234.56"
            assert fmt_date(date(2026, 4, 27), "long") == "April 27, 2026"


def test_times_are_shown_in_dutch_time_summer_and_winter(app):
    # Stored in UTC; a member reads the time on the clock in the Netherlands.
    with app.test_request_context(), force_locale("nl"):
        assert fmt_datetime(datetime(2026, 1, 15, 19, 30, tzinfo=timezone.utc), "short") == "15-01-2026, 20:30"
        assert fmt_datetime(datetime(2026, 7, 15, 19, 30), "short") == "15-07-2026, 21:30"  # naive = UTC
        # Late in the evening in the Netherlands is already the next day in UTC terms.
        assert fmt_date(datetime(2026, 7, 15, 22, 30, tzinfo=timezone.utc), "short") == "16-07-2026"


def test_a_language_switch_within_a_request_takes_effect(app):
    from flask_babel import gettext, refresh

    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert gettext("Sign in") != "Sign in"
        with force_locale("en"):
            assert gettext("Sign in") == "Sign in"
        assert gettext("Sign in") != "Sign in"
        refresh()
        assert gettext("Sign in") != "Sign in"


def test_lazy_labels_follow_the_language_of_the_moment_they_are_read(app):
    from coop.core.i18n import lazy_gettext as _l

    label, greeting = _l("Sign in"), _l("Audit log of %(name)s", name="Zonnedak")
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert str(label) == "Inloggen" and str(greeting) == "Logboek van Zonnedak"
        with force_locale("en"):
            assert str(label) == "Sign in" and str(greeting) == "Audit log of Zonnedak"
    with app.app_context():
        assert str(label) == "Sign in"  # no request: English


def test_a_domain_error_reads_outside_a_request(app):
    # CLI commands and background jobs print refused changes without a request.
    from flask_babel import lazy_gettext as _l

    from coop.core.errors import DomainError

    with app.app_context():
        assert str(DomainError(_l("Nothing was changed."))) == "Nothing was changed."


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moment=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)),
       aware=st.booleans(), language=st.sampled_from(["nl", "en"]),
       fmt=st.sampled_from(["full", "long", "medium", "short", "MMM", "EEEE d MMM"]),
       own=st.sampled_from(["d MMMM y, HH:mm", "EEE HH:mm:ss zzzz", "h:mm a"]))
def test_dates_read_as_babel_formats_them(app, moment, aware, language, fmt, own):
    # The locale's patterns are looked up once per worker; the text is what Babel itself writes
    # in the user's zone, in both languages, for every named format, winter and summer time.
    from babel import dates

    from coop.core.i18n import timezone as user_zone

    value = moment.replace(tzinfo=timezone.utc) if aware else moment
    with app.test_request_context(), force_locale(language):
        zone = user_zone()
        for pattern in (fmt, own):
            assert fmt_datetime(value, pattern) == dates.format_datetime(value.replace(tzinfo=timezone.utc), pattern,
                                                                         tzinfo=zone, locale=language)
        local_day = value.replace(tzinfo=timezone.utc).astimezone(zone).date()
        assert fmt_date(value, fmt) == dates.format_date(local_day, fmt, locale=language)
        assert fmt_date(moment.date(), fmt) == dates.format_date(moment.date(), fmt, locale=language)


def test_templates_translate_escape_and_read_percent_signs_as_jinja_does(app):
    from flask import render_template_string

    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert render_template_string("{% trans %}Sign in{% endtrans %} · {{ _('Sign in') }}") == "Inloggen · Inloggen"
        with force_locale("en"):
            assert render_template_string('{{ _("Audit log of %(name)s", name="<b>A&B</b>") }}') \
                == "Audit log of &lt;b&gt;A&amp;B&lt;/b&gt;"
            # A literal "%" in a trans block is stored as "%%" and reads as one sign.
            assert render_template_string("{% trans %}Reached 50%{% endtrans %}") == "Reached 50%"
            assert render_template_string("{% trans n=3 %}{{ n }}% done{% endtrans %}") == "3% done"
