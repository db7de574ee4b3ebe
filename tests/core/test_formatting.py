from datetime import date

from flask_babel import force_locale

from coop.core.formatting import fmt_date, money, number


def test_money_per_locale(app):
    with app.test_request_context():
        with force_locale("nl"):
            assert money(123456) == "€\xa01.234,56"
            assert number(1234567) == "1.234.567"
            assert fmt_date(date(2026, 4, 27), "long") == "27 april 2026"
        with force_locale("en"):
            assert money(123456) == "€1,234.56"
            assert fmt_date(date(2026, 4, 27), "long") == "April 27, 2026"
