"""The import's quick check of the everyday row (RowChecker) decides every row exactly as the
full check (clean_row) does: the same cleaned values, or the same errors by field."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coop.members.importing import TARGET_FIELDS, RowChecker, RowError, clean_row

FIELDS = list(TARGET_FIELDS)


class Coop:
    id = 1
    domains: list = []


def _iban(bank: str, account: int) -> str:
    from schwifty import IBAN

    return IBAN.generate("NL", bank_code=bank, account_code=f"{account:010d}").compact


TODAY = date.today()
text = st.sampled_from(["Jan", " Jan ", "", "  ", "'=cmd", "'Jan", "x" * 81, "x" * 120, "x" * 121,
                        "Zoë", "van der", "a\tb", "İlker"]) | st.text(max_size=25)
postcode = st.sampled_from(["1234 AB", "1234ab", " 1234  ab ", "1234 SA", "1234 ss", "0123 AB",
                            "12345", "", " ", "'1234AB", "1234\tAB", "１２３４AB", "1234 A"]) | \
    st.builds(lambda d, l: f"{d}{l}", st.integers(1000, 9999), st.text("ABCDEFGHSZabcsz ", max_size=3))
email = st.sampled_from(["a@b.nl", "A@B.NL", "jan.de.vries@voorbeeld.nl", "x@test", "x@localhost",
                         "bad", "ü@example.nl", "a..b@c.nl", " a@b.nl ", "", "'@x.nl", "a@b.c",
                         "jan@xn--bcher-kva.nl", "\"jan\"@example.nl", "a@" + "b" * 250 + ".nl"]) | st.emails()
iban = st.sampled_from(["NL91ABNA0417164300", "nl91 abna 0417 1643 00", "NL92ABNA0417164300",
                        "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB00", "", "'NL91",
                        "NL91ABNA041716430", "XX" * 20]) | \
    st.builds(_iban, st.sampled_from(["ABNA", "RABO", "INGB"]), st.integers(0, 10**9))
day = st.dates(min_value=date(1900, 1, 1), max_value=TODAY + timedelta(days=400)) | \
    st.dates(min_value=TODAY - timedelta(days=2), max_value=TODAY + timedelta(days=2))  # the edge
a_date = st.sampled_from(["01-02-1980", "1-2-1980", "1980-02-01", "1980-2-1", "1980-02-01 00:00",
                          "1980/02/01", "01.02.1980", "31-02-1980", "2999-01-01", "", " ", "x",
                          "'01-02-1980", "01-02-80", "1980-02-01T00:00:00"]) | \
    day.map(lambda d: d.strftime("%d-%m-%Y")) | day.map(date.isoformat) | day
number = st.sampled_from(["1", "0", "007", " 12 ", "2147483647", "2147483648", "-1", "²", "١٢",
                          "1.0", "", "'12", "1e3"]) | st.integers(-5, 10**10).map(str)
TRICKY = {"number": number, "first_name": text, "name_prefix": text, "last_name": text,
          "street": text, "house_number": text, "postcode": postcode, "city": text, "email": email,
          "phone": text, "born_on": a_date, "admitted_on": a_date, "iban": iban}
# Everyday values, so that most rows are valid throughout and take the quick path.
name = st.text("abcdefghijklmnopqrstuvwxyzëéï ABCDEFGHIJKLMNOPQRSTUVWXYZ-'", min_size=1, max_size=20) \
    .filter(str.strip)
past = st.dates(min_value=date(1900, 1, 1), max_value=TODAY) | \
    st.dates(min_value=TODAY - timedelta(days=2), max_value=TODAY + timedelta(days=2))  # the edge
past_date = past.map(lambda d: d.strftime("%d-%m-%Y")) | past.map(date.isoformat) | \
    past.map(lambda d: f"{d.day}-{d.month}-{d.year}")
EVERYDAY = {
    "number": st.integers(1, 10**6).map(str), "first_name": name, "name_prefix": name | st.just(""),
    "last_name": name, "street": name | st.just(""), "house_number": st.integers(1, 999).map(str),
    "postcode": st.builds(lambda d, l, sep: f"{d}{sep}{l}", st.integers(1000, 9999),
                          st.sampled_from(["AB", "cd", "Ez", "SZ", "XX"]), st.sampled_from(["", " ", "  "])),
    "city": name, "email": st.builds(lambda a, b: f"{a}@{b}.nl", st.from_regex(r"[A-Za-z0-9]{1,10}", fullmatch=True),
                                     st.from_regex(r"[a-z]{2,10}", fullmatch=True)) | st.just(""),
    "phone": st.from_regex(r"06[0-9]{8}", fullmatch=True) | st.just(""), "born_on": past_date | st.just(""),
    "admitted_on": past_date | st.just(""),
    "iban": st.builds(_iban, st.sampled_from(["ABNA", "RABO", "INGB"]), st.integers(0, 10**9)) | st.just(""),
}


@st.composite
def rows(draw):
    """A mapping (first and last name always, the other fields some of the time, in any
    column order) and one row of the file."""
    optional = draw(st.lists(st.sampled_from(FIELDS[:1] + FIELDS[2:3] + FIELDS[4:]), unique=True))
    fields = draw(st.permutations(["first_name", "last_name", *optional]))
    # mostly everyday values, each field now and then something unusual or wrong
    values = [draw(TRICKY[f] if draw(st.integers(0, 9)) == 0 else EVERYDAY[f]) for f in fields]
    return {f: i for i, f in enumerate(fields)}, values


def outcome(check, values):
    try:
        return "clean", check(values)
    except RowError as error:
        return "errors", error.errors


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows())
def test_the_quick_check_decides_as_the_full_check(app, mapping_and_row):
    mapping, values = mapping_and_row
    with app.test_request_context():
        quick = RowChecker(mapping, Coop())
        assert outcome(quick, values) == outcome(lambda v: clean_row(v, mapping, Coop()), values)
        QUICK.append(quick._everyday(values) is not None)


QUICK: list[bool] = []


def test_most_generated_rows_took_the_quick_path():
    """(So that the test above compares the quick path, not only the full check with itself.)"""
    if len(QUICK) < 100:
        pytest.skip("runs after the property test")
    assert sum(QUICK) > len(QUICK) / 4


def test_the_everyday_row_takes_the_quick_path(app):
    mapping = {f: i for i, f in enumerate(FIELDS)}
    row = ["12", "Anna", "van der", "Berg", "Dorpsstraat", "3a", "1234ab", "Haren", "Anna@Voorbeeld.NL",
           "0612345678", "1-2-1980", "2001-02-03", "NL91 ABNA 0417 1643 00"]
    with app.test_request_context():
        quick = RowChecker(mapping, Coop())
        cleaned = quick._everyday(row)
        assert cleaned == clean_row(row, mapping, Coop())
    assert cleaned["postcode"] == "1234 AB" and cleaned["email"] == "anna@voorbeeld.nl"
    assert cleaned["iban"] == "NL91ABNA0417164300" and cleaned["number"] == 12
    assert cleaned["born_on"] == date(1980, 2, 1) and cleaned["admitted_on"] == date(2001, 2, 3)


@pytest.mark.parametrize("field,value", [
    ("postcode", "1234 SA"), ("email", "x@test"), ("iban", "DE89370400440532013000"),
    ("number", "²"), ("born_on", "2999-01-01"), ("first_name", " "), ("city", "'=1+1"),
])
def test_anything_unusual_goes_to_the_full_check(app, field, value):
    mapping = {f: i for i, f in enumerate(FIELDS)}
    row = ["12", "Anna", "", "Berg", "", "", "1234 AB", "", "", "", "", "", ""]
    row[mapping[field]] = value
    with app.test_request_context():
        assert RowChecker(mapping, Coop())._everyday(row) is None
