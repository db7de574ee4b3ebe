"""The revenue split: pure functions, exhaustive cases and properties (Hypothesis)."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.assets.distribution import Change, distribute, largest_remainder, unit_days

JAN1, JAN31 = date(2025, 1, 1), date(2025, 1, 31)


def test_equal_holders_split_evenly_and_the_odd_cent_goes_somewhere():
    parts = largest_remainder(100, {1: 1, 2: 1, 3: 1})
    assert sum(parts.values()) == 100
    assert sorted(parts.values()) == [33, 33, 34]


def test_largest_remainder_gives_the_cent_to_the_largest_fraction():
    # exact shares 66.67 and 33.33 → 67 and 33
    assert largest_remainder(100, {"a": 2, "b": 1}) == {"a": 67, "b": 33}


def test_units_held_all_period_count_every_day():
    changes = [Change(1, date(2024, 6, 1), 10)]
    assert unit_days(changes, JAN1, JAN31) == {1: 310}


def test_units_that_changed_hands_count_pro_rata_by_days():
    # member 1 holds 10 units from before; transfers all to member 2 on 16 January
    changes = [Change(1, date(2024, 1, 1), 10), Change(1, date(2025, 1, 16), -10),
               Change(2, date(2025, 1, 16), 10)]
    assert unit_days(changes, JAN1, JAN31) == {1: 150, 2: 160}
    assert distribute(3100, changes, JAN1, JAN31) == {1: 1500, 2: 1600}


def test_changes_after_the_period_do_not_count_and_empty_holders_are_left_out():
    changes = [Change(1, date(2025, 2, 1), 5), Change(2, date(2024, 1, 1), 3),
               Change(2, date(2024, 6, 1), -3)]
    assert unit_days(changes, JAN1, JAN31) == {}
    with pytest.raises(ValueError):
        distribute(1000, changes, JAN1, JAN31)


def test_refuses_negative_amounts_and_weights_and_backwards_periods():
    with pytest.raises(ValueError):
        largest_remainder(-1, {1: 1})
    with pytest.raises(ValueError):
        largest_remainder(1, {1: -1, 2: 3})
    with pytest.raises(ValueError):
        unit_days([], JAN31, JAN1)


@settings(max_examples=300, deadline=None)
@given(amount=st.integers(0, 10**9),
       weights=st.dictionaries(st.integers(1, 10**6), st.integers(0, 10**7), min_size=1,
                               max_size=40).filter(lambda w: sum(w.values()) > 0))
def test_parts_add_up_are_never_negative_and_within_a_cent(amount, weights):
    parts = largest_remainder(amount, weights)
    total = sum(weights.values())
    assert sum(parts.values()) == amount
    assert all(p >= 0 for p in parts.values())
    for key, weight in weights.items():
        # |part − amount·w/total| < 1  ⇔  |part·total − amount·w| < total
        assert abs(parts[key] * total - amount * weight) < total


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(1, 10**8),
       moves=st.lists(st.tuples(st.integers(1, 6), st.integers(-40, 60), st.integers(1, 20)),
                      min_size=1, max_size=30))
def test_distribution_over_a_ledger_adds_up(amount, moves):
    changes = [Change(holder, JAN1 + timedelta(days=offset), units) for holder, offset, units in moves]
    weights = unit_days(changes, JAN1, JAN31)
    if not weights:
        return
    parts = distribute(amount, changes, JAN1, JAN31)
    assert sum(parts.values()) == amount
    assert set(parts) == set(weights)
    assert all(p >= 0 for p in parts.values())
