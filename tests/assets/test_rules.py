"""Pure rules of shared assets: EAN codes, postcode areas, readings, bookings, fair use."""
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop.assets import rules

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


def test_ean_codes_need_18_digits_and_a_good_check_digit():
    code = "87168590000000" + "001"
    full = code + str(rules.ean_check_digit(code))
    assert rules.normalise_ean(full[:3] + " " + full[3:]) == full
    wrong = full[:-1] + str((int(full[-1]) + 1) % 10)
    for bad in (wrong, full[:-1], "abc", ""):
        with pytest.raises(ValueError):
            rules.normalise_ean(bad)


def test_postcode_areas():
    assert rules.parse_areas("9712, 9711;9711 9713") == ["9711", "9712", "9713"]
    with pytest.raises(ValueError):
        rules.parse_areas("9711 971")
    assert rules.in_areas("9711 AB", ["9711"])
    assert not rules.in_areas("9721 AB", ["9711"])
    assert not rules.in_areas(None, ["9711"])
    assert rules.in_areas(None, [])


def test_a_lower_reading_is_refused_unless_a_new_meter_was_placed():
    before = rules.Reading(date(2025, 1, 1), 1000)
    assert rules.reading_problem(before, rules.Reading(date(2025, 2, 1), 999)) == "lower"
    assert rules.reading_problem(before, rules.Reading(date(2025, 2, 1), 5, True)) is None
    assert rules.reading_problem(before, rules.Reading(date(2025, 2, 1), 1000)) is None


def test_production_per_month_and_year_with_a_meter_replacement():
    readings = [rules.Reading(date(2024, 12, 31), 1000), rules.Reading(date(2025, 1, 31), 1300),
                rules.Reading(date(2025, 2, 28), 50, True), rules.Reading(date(2025, 3, 31), 450)]
    produced = rules.productions(readings)
    assert produced == [(date(2025, 1, 31), 300), (date(2025, 2, 28), 50), (date(2025, 3, 31), 400)]
    assert rules.totals_by_month(produced) == {(2025, 1): 300, (2025, 2): 50, (2025, 3): 400}
    assert rules.totals_by_year(produced) == {2025: 750}
    assert rules.avoided_co2_kg(750, 328) == 246  # 246.0 kg


def test_overlap_by_one_minute_counts_touching_does_not():
    a = (T0, T0 + timedelta(hours=2))
    assert rules.overlaps(*a, T0 + timedelta(hours=2) - timedelta(minutes=1), T0 + timedelta(hours=3))
    assert not rules.overlaps(*a, T0 + timedelta(hours=2), T0 + timedelta(hours=3))
    assert rules.overlaps(*a, T0 - timedelta(hours=1), T0 + timedelta(hours=5))


@given(st.integers(-600, 600), st.integers(1, 600), st.integers(-600, 600), st.integers(1, 600))
def test_overlap_is_symmetric_and_matches_minute_sets(s1, d1, s2, d2):
    a = (T0 + timedelta(minutes=s1), T0 + timedelta(minutes=s1 + d1))
    b = (T0 + timedelta(minutes=s2), T0 + timedelta(minutes=s2 + d2))
    minutes_a, minutes_b = set(range(s1, s1 + d1)), set(range(s2, s2 + d2))
    assert rules.overlaps(*a, *b) == rules.overlaps(*b, *a) == bool(minutes_a & minutes_b)


def test_booking_problems():
    now = T0
    assert rules.booking_problem(T0 + timedelta(hours=2), T0 + timedelta(hours=1), now) == "end_before_start"
    assert rules.booking_problem(T0 + timedelta(hours=1), T0 + timedelta(hours=1), now) == "end_before_start"
    assert rules.booking_problem(T0, T0 + timedelta(minutes=10), now) == "too_short"
    assert rules.booking_problem(T0, T0 + timedelta(days=15), now) == "too_long"
    assert rules.booking_problem(T0 - timedelta(days=1), T0, now) == "in_past"
    assert rules.booking_problem(T0 + timedelta(hours=1), T0 + timedelta(hours=3), now) is None


def test_fair_use():
    limits = {"max_hours_per_month": 10, "max_open_bookings": 2}
    assert rules.fair_use_problem(new_hours=2, hours_this_month=8, open_bookings=1, **limits) is None
    assert rules.fair_use_problem(new_hours=2.5, hours_this_month=8, open_bookings=1,
                                  **limits) == "too_many_hours"
    assert rules.fair_use_problem(new_hours=1, hours_this_month=0, open_bookings=2,
                                  **limits) == "too_many_open"
    assert rules.fair_use_problem(new_hours=500, hours_this_month=500, open_bookings=50,
                                  max_hours_per_month=None, max_open_bookings=None) is None
