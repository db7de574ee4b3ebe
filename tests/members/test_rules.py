from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop.members import rules


@pytest.mark.parametrize("raw,expected", [
    ("1234ab", "1234 AB"), ("1234 AB", "1234 AB"), (" 9711  xz ", "9711 XZ"), ("1234Ab", "1234 AB"),
])
def test_postcode_normalised(raw, expected):
    assert rules.normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["0123 AB", "123 AB", "12345", "1234 A", "1234 SS", "1234 SA", "ABCD 12", ""])
def test_postcode_refused(raw):
    assert not rules.is_postcode(raw)


@given(st.integers(1000, 9999), st.text("ABCDEFGHJKLMNPRTUVWXYZ", min_size=2, max_size=2))
def test_postcode_round_trip(digits, letters):
    assert rules.normalise_postcode(f"{digits}{letters.lower()}") == f"{digits} {letters}"


def test_notice_at_year_end_with_four_weeks():
    kw = dict(notice_weeks=4, at_year_end=True)
    assert rules.notice_effective_on(date(2026, 11, 23), **kw) == date(2026, 12, 31)
    assert rules.notice_effective_on(date(2026, 12, 3), **kw) == date(2026, 12, 31)  # exactly 4 weeks
    assert rules.notice_effective_on(date(2026, 12, 4), **kw) == date(2027, 12, 31)


def test_notice_with_other_financial_year():
    assert rules.notice_effective_on(date(2026, 3, 1), notice_weeks=4, at_year_end=True,
                                     fy_end_month=6, fy_end_day=30) == date(2026, 6, 30)


def test_notice_without_year_end():
    assert rules.notice_effective_on(date(2026, 1, 1), notice_weeks=4, at_year_end=False) == date(2026, 1, 29)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 52),
       st.integers(1, 12), st.integers(1, 31))
def test_notice_is_the_first_year_end_after_the_notice_period(given_on, weeks, month, day):
    end = rules.notice_effective_on(given_on, notice_weeks=weeks, at_year_end=True,
                                    fy_end_month=month, fy_end_day=day)
    earliest = given_on + timedelta(weeks=weeks)
    assert end >= earliest
    assert end == rules.financial_year_end(end.year, month, day)
    assert rules.financial_year_end(end.year - 1, month, day) < earliest  # not a year too late


def test_appeal_deadline_at_least_a_month():
    assert rules.appeal_deadline(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.appeal_deadline(date(2026, 5, 15), 0) == date(2026, 6, 15)


def test_holdings_and_bounds():
    mv = [rules.Movement(1, None, "issue", 5), rules.Movement(1, 2, "transfer", 2),
          rules.Movement(2, None, "redemption", 1)]
    assert rules.holdings(mv) == {1: 3, 2: 1}
    assert rules.holding_problem(0, minimum=1, maximum=10, leaving=True) is None
    assert rules.holding_problem(0, minimum=1, maximum=10) == "below_minimum"
    assert rules.holding_problem(11, minimum=1, maximum=10) == "above_maximum"
    assert rules.holding_problem(-1, minimum=0, maximum=None) == "negative"


@pytest.mark.parametrize("address", [
    "jan@example.org", "jan.de.vries@gemeente-groningen.nl", "a+b_c%d@x.example.co.uk", "j-1@a-b.nl",
])
def test_plain_email_fast_path_accepts_what_the_library_accepts(address):
    from email_validator import validate_email

    from coop.members.services import is_plain_email

    assert is_plain_email(address)
    assert validate_email(address, check_deliverability=False).normalized.lower() == address


@pytest.mark.parametrize("address", [
    "jan..vries@example.org", ".jan@example.org", "jan.@example.org", "jan@-example.org",
    "jan@example-.org", "jan@example.test", "jan@localhost", "jan@example", "jän@example.org",
    "jan@exa mple.org", "a" * 65 + "@example.org", "jan@@example.org", "jan@example.o",
])
def test_plain_email_fast_path_leaves_the_rest_to_the_library(address):
    from coop.members.services import is_plain_email

    assert not is_plain_email(address)


@given(st.emails())
def test_fast_path_never_accepts_what_the_library_refuses(address):
    from email_validator import EmailNotValidError, validate_email

    from coop.members.services import is_plain_email

    lowered = address.lower()
    if is_plain_email(lowered):
        try:
            assert validate_email(lowered, check_deliverability=False).normalized.lower() == lowered
        except EmailNotValidError as error:  # pragma: no cover - this is the failure we look for
            raise AssertionError(f"{lowered} passed the fast path but not the library: {error}")


# --- Dutch IBANs (the import's fast path) must agree with the IBAN library ------------------

def _library_verdict(value: str) -> str | None:
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        iban = IBAN(value)
    except (SchwiftyException, ValueError):
        return None
    return iban.compact if iban.country_code == "NL" else "foreign"


@pytest.mark.parametrize("value", ["NL91ABNA0417164300", "nl91 abna 0417 1643 00", "NL02ABNA0123456789"])
def test_valid_dutch_iban(value):
    assert rules.dutch_iban(value) == _library_verdict(value) == value.replace(" ", "").upper()


@pytest.mark.parametrize("value", ["NL92ABNA0417164300", "NL91ABNA041716430", "NL91ABN00417164300",
                                   "BE68539007547034", "NL91-ABNA-0417-1643-00", ""])
def test_not_a_dutch_iban(value):
    assert rules.dutch_iban(value) is None


@given(bank=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=4, max_size=4),
       account=st.integers(0, 10**10 - 1), check=st.integers(0, 99))
def test_dutch_iban_agrees_with_the_library(bank, account, check):
    value = f"NL{check:02d}{bank}{account:010d}"
    assert rules.dutch_iban(value) == _library_verdict(value)


@given(bank=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=4, max_size=4),
       account=st.integers(0, 10**10 - 1))
def test_every_iban_the_library_makes_passes_the_fast_path(bank, account):
    from schwifty import IBAN

    iban = IBAN.from_bban("NL", f"{bank}{account:010d}")
    assert rules.dutch_iban(iban.formatted) == iban.compact
