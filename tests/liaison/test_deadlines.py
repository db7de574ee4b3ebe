"""The terms engine and the Atw calendar, checked against real dates (Easter, King's Day,
5 May, Ascension, Whitsun, Christmas, New Year) and with Hypothesis properties."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.core import calendar as cal
from coop.liaison import deadlines as dl
from coop.liaison.deadlines import Extension, Suspension, TermError, TermRule, TermUnit

AWB = TermRule(8, TermUnit.WEEKS, max_extensions=1, max_extension_amount=8, has_penalty=True)
WOO = TermRule(4, TermUnit.WEEKS, max_extensions=1, max_extension_amount=2)
PERMIT = TermRule(8, TermUnit.WEEKS, max_extensions=1, max_extension_amount=6, has_penalty=True)
QUESTION = TermRule(10, TermUnit.WORKING_DAYS, is_legal=False, has_suspension=False)
D = date


# --- the calendar ---------------------------------------------------------------------------------


@pytest.mark.parametrize("year, easter", [
    (2000, D(2000, 4, 23)), (2008, D(2008, 3, 23)), (2011, D(2011, 4, 24)), (2024, D(2024, 3, 31)),
    (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)), (2027, D(2027, 3, 28)), (2038, D(2038, 4, 25)),
    (2285, D(2285, 3, 22)),
])
def test_easter_sunday(year, easter):
    assert cal.easter_sunday(year) == easter


def test_the_atw_holidays_of_2026():
    assert cal.atw_holidays(2026) == {
        D(2026, 1, 1): "New Year's Day", D(2026, 4, 3): "Good Friday", D(2026, 4, 6): "Easter Monday",
        D(2026, 4, 27): "King's Day", D(2026, 5, 5): "Liberation Day", D(2026, 5, 14): "Ascension Day",
        D(2026, 5, 25): "Whit Monday", D(2026, 12, 25): "Christmas Day", D(2026, 12, 26): "Boxing Day",
    }


def test_the_atw_list_is_not_a_generic_holiday_calendar():
    # 5 May and Good Friday every year, not only in lustrum years or for some employers
    for year in (2023, 2026, 2031):
        assert cal.is_atw_holiday(D(year, 5, 5))
        assert cal.is_atw_holiday(cal.easter_sunday(year) - timedelta(days=2))
    # May Day, Easter Sunday as a holiday of its own, and Sinterklaas are not on the list
    assert not cal.is_atw_holiday(D(2026, 5, 1)) and not cal.is_atw_holiday(D(2026, 12, 5))
    assert not cal.is_atw_holiday(D(2026, 4, 5))  # (a Sunday anyway)


@pytest.mark.parametrize("year, day", [
    (2025, D(2025, 4, 26)),  # 27 April 2025 is a Sunday: the Saturday before
    (2026, D(2026, 4, 27)), (2014, D(2014, 4, 26)),
    (2013, D(2013, 4, 30)),  # Queen's Day
    (2006, D(2006, 4, 29)),  # 30 April 2006 was a Sunday
])
def test_kings_day(year, day):
    assert cal.kings_day(year) == day


def test_next_working_day_and_working_days():
    assert cal.next_working_day(D(2026, 4, 3)) == D(2026, 4, 7)  # Good Friday → after Easter Monday
    assert cal.next_working_day(D(2026, 4, 8)) == D(2026, 4, 8)
    assert cal.next_working_day(D(2027, 12, 25)) == D(2027, 12, 27)  # Christmas on a Saturday
    assert cal.add_working_days(D(2026, 4, 24), 10) == D(2026, 5, 12)  # over King's Day and 5 May
    assert cal.working_days_between(D(2026, 4, 24), D(2026, 5, 12)) == 10
    assert cal.working_days_between(D(2026, 5, 12), D(2026, 4, 24)) == -10
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 1, 1), -1)


# --- due dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("received, rule, due", [
    (D(2026, 3, 2), AWB, D(2026, 4, 28)),     # 27 April: King's Day
    (D(2026, 3, 6), WOO, D(2026, 4, 7)),      # Good Friday, weekend, Easter Monday
    (D(2026, 4, 7), WOO, D(2026, 5, 6)),      # 5 May, a Tuesday
    (D(2026, 4, 16), WOO, D(2026, 5, 15)),    # Ascension Day
    (D(2026, 4, 27), WOO, D(2026, 5, 26)),    # Whit Monday
    (D(2026, 11, 27), WOO, D(2026, 12, 28)),  # Christmas Day (Fri), Boxing Day (Sat), Sunday
    (D(2026, 12, 4), WOO, D(2027, 1, 4)),     # New Year's Day (Fri)
    (D(2026, 3, 3), WOO, D(2026, 3, 31)),     # an ordinary Tuesday
    (D(2026, 3, 7), WOO, D(2026, 4, 7)),      # received on a Saturday: 4 April is a Saturday too
    (D(2026, 4, 24), QUESTION, D(2026, 5, 12)),  # service norm in working days
])
def test_due_dates_over_real_holidays(received, rule, due):
    assert dl.due_date(received, rule) == due


def test_the_atw_does_not_apply_to_a_term_longer_than_12_weeks():
    extended = [Extension(D(2026, 11, 1), 6)]
    # 8 + 6 weeks after 18 September 2026 is Christmas Day: it stays there
    assert dl.due_date(D(2026, 9, 18), PERMIT, extensions=extended) == D(2026, 12, 25)
    assert not dl.atw_applies(PERMIT, 6) and dl.atw_applies(PERMIT, 4)
    assert dl.due_date(D(2026, 9, 18), PERMIT, extensions=[Extension(D(2026, 11, 1), 4)]) == D(2026, 12, 11)
    long_days = TermRule(91, TermUnit.DAYS)
    assert dl.due_date(D(2026, 1, 3), long_days) == D(2026, 4, 4)  # a Saturday, not moved
    assert dl.due_date(D(2026, 1, 4), TermRule(90, TermUnit.DAYS)) == D(2026, 4, 7)  # 4 April → Tuesday


def test_a_service_norm_is_not_a_legal_term():
    assert not dl.atw_applies(QUESTION)


def test_suspension_from_the_day_after_the_request_until_the_information_arrives():
    # asked on 10 March, received on 18 March: 11–17 March do not run (7 days)
    s = [Suspension(D(2026, 3, 10), D(2026, 3, 18))]
    assert len(dl.suspended_dates(s, D(2026, 4, 1))) == 7
    assert dl.due_date(D(2026, 3, 2), AWB, s) == D(2026, 5, 4)
    # 8 days: 27 April + 8 = 5 May, Liberation Day → 6 May
    s = [Suspension(D(2026, 3, 10), D(2026, 3, 19))]
    assert dl.due_date(D(2026, 3, 2), AWB, s) == D(2026, 5, 6)
    # answered the very next day: nothing is suspended
    assert dl.due_date(D(2026, 3, 2), AWB, [Suspension(D(2026, 3, 10), D(2026, 3, 11))]) == D(2026, 4, 28)


def test_a_suspension_still_waiting_counts_up_to_today():
    s = [Suspension(D(2026, 3, 10))]
    assert len(dl.suspended_dates(s, D(2026, 3, 12))) == 2
    assert dl.due_date(D(2026, 3, 2), WOO, s, as_of=D(2026, 3, 12)) == D(2026, 4, 1)


def test_overlapping_suspensions_count_once():
    s = [Suspension(D(2026, 3, 10), D(2026, 3, 15)), Suspension(D(2026, 3, 12), D(2026, 3, 20))]
    assert len(dl.suspended_dates(s, D(2026, 4, 1))) == 9


def test_a_type_without_suspension_ignores_it():
    assert dl.due_date(D(2026, 4, 24), QUESTION, [Suspension(D(2026, 4, 28), D(2026, 5, 20))]) == D(2026, 5, 12)


def test_a_service_norm_with_a_suspension_ends_on_a_working_day():
    norm = TermRule(5, TermUnit.WORKING_DAYS, is_legal=False)
    # 5 working days after Fri 24 April: 28, 29, 30 April, 1 and 4 May; +1 suspended day → 5 May → 6 May
    assert dl.due_date(D(2026, 4, 24), norm, [Suspension(D(2026, 4, 27), D(2026, 4, 29))]) == D(2026, 5, 6)


# --- extensions ------------------------------------------------------------------------------------


def test_woo_extension_of_two_weeks_announced_in_time():
    received, ext = D(2026, 3, 2), Extension(D(2026, 3, 30), 2)
    dl.check_extension(WOO, received, [], [], ext)  # announced on the last day: in time
    assert dl.due_date(received, WOO, extensions=[ext]) == D(2026, 4, 13)


@pytest.mark.parametrize("rule, existing, new, code", [
    (WOO, [], Extension(D(2026, 3, 31), 2), "too_late"),       # the term ended on 30 March
    (WOO, [], Extension(D(2026, 3, 20), 3), "too_long"),       # Woo: at most 2 weeks
    (WOO, [Extension(D(2026, 3, 10), 1)], Extension(D(2026, 3, 20), 1), "too_many"),  # once
    (WOO, [], Extension(D(2026, 3, 20), 0), "not_positive"),
    (QUESTION, [], Extension(D(2026, 3, 3), 1), "not_allowed"),
    (AWB, [], Extension(D(2026, 3, 20), 9), "too_long"),
])
def test_refused_extensions(rule, existing, new, code):
    with pytest.raises(TermError) as err:
        dl.check_extension(rule, D(2026, 3, 2), [], existing, new)
    assert err.value.code == code


def test_an_extension_is_in_time_while_the_term_is_suspended():
    # the Woo term (30 March) moved by an open suspension since 20 March
    dl.check_extension(WOO, D(2026, 3, 2), [Suspension(D(2026, 3, 20))], [], Extension(D(2026, 4, 3), 2))


# --- notice of default and penalty (Awb 4:17) ------------------------------------------------------


def test_penalty_runs_two_weeks_after_the_notice_in_three_bands():
    due, notice = D(2026, 4, 28), D(2026, 4, 29)
    assert dl.earliest_notice_on(due) == D(2026, 4, 29)
    assert dl.penalty_start(due, notice) == D(2026, 5, 14)
    assert dl.penalty_days(due, notice, D(2026, 5, 13)) == 0
    assert dl.penalty_days(due, notice, D(2026, 5, 14)) == 1
    assert dl.penalty_cents(1) == 2300
    assert dl.penalty_cents(14) == 32200
    assert dl.penalty_cents(15) == 32200 + 3500
    assert dl.penalty_cents(28) == 32200 + 49000
    assert dl.penalty_cents(29) == 32200 + 49000 + 4500
    assert dl.penalty_days(due, notice, D(2027, 1, 1)) == 42
    assert dl.penalty_cents(42) == dl.MAX_PENALTY_CENTS == 144200
    assert dl.penalty_cents(100) == 144200


def test_the_penalty_stops_on_the_day_of_the_decision():
    due, notice = D(2026, 4, 28), D(2026, 4, 29)
    assert dl.penalty_days(due, notice, D(2026, 7, 1), decided_on=D(2026, 5, 20)) == 6  # 14–19 May
    assert dl.penalty_days(due, notice, D(2026, 7, 1), decided_on=D(2026, 5, 10)) == 0


def test_a_late_notice_starts_the_wait_later():
    assert dl.penalty_start(D(2026, 4, 28), D(2026, 6, 1)) == D(2026, 6, 16)


def test_term_state_days_left_overdue_and_soon():
    state = dl.term_state(D(2026, 3, 2), AWB, as_of=D(2026, 4, 21))
    assert state.due_on == D(2026, 4, 28) and state.days_left == 7 and state.is_soon and not state.is_overdue
    state = dl.term_state(D(2026, 3, 2), AWB, as_of=D(2026, 4, 29), notice_on=D(2026, 4, 29))
    assert state.is_overdue and state.days_left == -1 and state.penalty_cents == 0
    assert state.penalty_starts_on == D(2026, 5, 14)
    state = dl.term_state(D(2026, 3, 2), AWB, as_of=D(2026, 5, 16), notice_on=D(2026, 4, 29))
    assert state.penalty_days == 3 and state.penalty_cents == 6900
    suspended = dl.term_state(D(2026, 3, 2), AWB, [Suspension(D(2026, 4, 1))], as_of=D(2026, 6, 1))
    assert suspended.is_suspended and not suspended.is_overdue
    closed = dl.term_state(D(2026, 3, 2), AWB, as_of=D(2026, 6, 1), is_closed=True)
    assert not closed.is_overdue and not closed.is_soon
    # no penalty for a type without one (Woo), even after a notice
    assert dl.term_state(D(2026, 3, 2), WOO, as_of=D(2026, 7, 1), notice_on=D(2026, 4, 1)).penalty_cents == 0


# --- properties ------------------------------------------------------------------------------------

days = st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31))
rules = st.builds(
    TermRule, amount=st.integers(1, 20), unit=st.sampled_from(list(TermUnit)), is_legal=st.booleans(),
    max_extensions=st.just(1), max_extension_amount=st.integers(1, 8), has_suspension=st.just(True))
suspension = st.builds(lambda start, gap, waiting: Suspension(start, None if waiting else start + timedelta(days=gap)),
                       days, st.integers(0, 60), st.booleans())


@settings(max_examples=300, deadline=None)
@given(received=days, rule=rules, existing=st.lists(suspension, max_size=3), extra=suspension,
       later=st.integers(0, 400))
def test_a_suspension_never_shortens_a_term(received, rule, existing, extra, later):
    as_of = received + timedelta(days=later)
    without = dl.due_date(received, rule, existing, as_of=as_of)
    assert dl.due_date(received, rule, existing + [extra], as_of=as_of) >= without
    assert without >= dl.due_date(received, rule, as_of=as_of)


@settings(max_examples=300, deadline=None)
@given(received=days, rule=rules, sus=st.lists(suspension, max_size=3), ext=st.integers(0, 8),
       later=st.integers(0, 400))
def test_a_due_date_never_falls_on_a_weekend_or_atw_holiday(received, rule, sus, ext, later):
    extensions = [Extension(received, ext)] if ext else []
    due = dl.due_date(received, rule, sus, extensions, as_of=received + timedelta(days=later))
    if dl.atw_applies(rule, ext) or rule.unit is TermUnit.WORKING_DAYS:
        assert cal.is_working_day(due)
        assert due.weekday() < 5 and due not in cal.atw_holidays(due.year)
    assert due > received


@settings(max_examples=200, deadline=None)
@given(received=days, rule=rules, ext=st.integers(1, 8))
def test_an_extension_never_shortens_a_term(received, rule, ext):
    assert dl.due_date(received, rule, extensions=[Extension(received, ext)]) >= dl.due_date(received, rule)


@settings(deadline=None)
@given(due=days, wait=st.integers(1, 60), a=st.integers(0, 200), b=st.integers(0, 200))
def test_the_penalty_grows_with_time_and_never_passes_the_maximum(due, wait, a, b):
    notice = due + timedelta(days=wait)
    first, second = sorted((notice + timedelta(days=a), notice + timedelta(days=b)))
    d1, d2 = dl.penalty_days(due, notice, first), dl.penalty_days(due, notice, second)
    assert 0 <= d1 <= d2 <= dl.MAX_PENALTY_DAYS
    assert dl.penalty_cents(d1) <= dl.penalty_cents(d2) <= dl.MAX_PENALTY_CENTS
    # nothing in the two weeks after the notice
    assert dl.penalty_days(due, notice, notice + timedelta(days=14)) == 0
