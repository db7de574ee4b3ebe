"""The pure rules of general meetings: notice, proxies, proposal thresholds, workflow."""
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.meetings import rules

POLICY = rules.ProxyPolicy(allowed=True, cap=2)
VOTING = frozenset(range(1, 11))


# --- notice -------------------------------------------------------------------------------------

def test_convocation_on_the_seventh_day_before_is_in_time_and_a_day_later_is_not():
    meeting_on = date(2026, 6, 20)
    assert rules.latest_convocation_day(meeting_on, 7) == date(2026, 6, 13)
    assert rules.is_in_time(date(2026, 6, 13), meeting_on, 7)
    assert not rules.is_in_time(date(2026, 6, 14), meeting_on, 7)


def test_a_statute_amendment_takes_the_longer_notice():
    assert rules.notice_days(convocation_days=7, amendment_convocation_days=14, has_amendment=True) == 14
    assert rules.notice_days(convocation_days=7, amendment_convocation_days=14, has_amendment=False) == 7
    # statutes with a longer ordinary term keep it for amendments too
    assert rules.notice_days(convocation_days=21, amendment_convocation_days=14, has_amendment=True) == 21


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(7, 90),
       st.integers(-200, 200))
def test_in_time_exactly_when_at_least_n_days_remain(meeting_on, days, offset):
    from datetime import timedelta

    convened_on = meeting_on - timedelta(days=offset)
    assert rules.is_in_time(convened_on, meeting_on, days) == (offset >= days)


# --- proxies ------------------------------------------------------------------------------------

def refusal(g, h, standing=(), policy=POLICY, voting=VOTING, voting_open=False):
    return rules.proxy_refusal(g, h, policy=policy, voting=voting, standing=list(standing), voting_open=voting_open)


def test_a_proxy_between_two_voting_members_is_accepted():
    assert refusal(1, 2) is None


@pytest.mark.parametrize("args, reason", [
    ((1, 1), rules.SELF),
    ((1, 99), rules.HOLDER_NOT_VOTING),
    ((99, 1), rules.GRANTOR_NOT_VOTING),
])
def test_bad_pairs_are_refused(args, reason):
    assert refusal(*args) == reason


def test_statutes_without_proxies_refuse_every_proxy():
    assert refusal(1, 2, policy=rules.ProxyPolicy(allowed=False, cap=2)) == rules.NOT_ALLOWED
    assert refusal(1, 2, policy=rules.ProxyPolicy(allowed=True, cap=0)) == rules.NOT_ALLOWED


def test_one_proxy_too_many_for_the_holder():
    assert refusal(3, 2, standing=[(1, 2)]) is None
    assert refusal(4, 2, standing=[(1, 2), (3, 2)]) == rules.CAP


def test_no_chains_either_way():
    # B has given their vote to C: A cannot give to B
    assert refusal(1, 2, standing=[(2, 3)]) == rules.CHAIN_HOLDER_GAVE
    # A holds C's proxy: A cannot give theirs away
    assert refusal(1, 2, standing=[(3, 1)]) == rules.CHAIN_GRANTOR_HOLDS


def test_one_standing_proxy_per_grantor():
    assert refusal(1, 3, standing=[(1, 2)]) == rules.ALREADY_GIVEN


def test_nothing_changes_once_voting_is_open():
    assert refusal(1, 2, voting_open=True) == rules.VOTING_OPEN
    assert rules.revoke_refusal(voting_open=True, already_revoked=False) == rules.VOTING_OPEN
    assert rules.revoke_refusal(voting_open=False, already_revoked=False) is None
    assert rules.revoke_refusal(voting_open=False, already_revoked=True) == "revoked"


def test_a_member_who_attends_takes_back_their_vote():
    standing = [(1, 2), (3, 2), (4, 5)]
    assert rules.represented(standing, present={2}) == [(1, 2), (3, 2)]
    assert rules.represented(standing, present={1, 2}) == [(3, 2)]
    assert rules.represented(standing, present={4}) == []  # holder 5 is not there


members = st.integers(0, 12)


@settings(max_examples=300)
@given(st.lists(st.tuples(members, members), max_size=40), st.integers(0, 3), st.booleans())
def test_whatever_is_asked_the_accepted_proxies_keep_every_rule(attempts, cap, allowed):
    """Grant proxies in any order: the accepted set never has self-proxies, non-members,
    chains, two proxies of one grantor, or a holder above the cap."""
    policy = rules.ProxyPolicy(allowed=allowed, cap=cap)
    standing: list[tuple[int, int]] = []
    for g, h in attempts:
        if rules.proxy_refusal(g, h, policy=policy, voting=VOTING, standing=standing, voting_open=False) is None:
            standing.append((g, h))
    grantors = [g for g, _ in standing]
    holders = {h for _, h in standing}
    assert len(grantors) == len(set(grantors))
    assert all(g != h and g in VOTING and h in VOTING for g, h in standing)
    assert not holders & set(grantors), "a chain slipped through"
    assert all(sum(1 for _, h2 in standing if h2 == h) <= cap for h in holders)
    if not allowed or cap == 0:
        assert standing == []


@given(st.lists(st.tuples(members, members), max_size=30), st.sets(members))
def test_represented_never_counts_a_present_grantor_or_an_absent_holder(standing, present):
    for g, h in rules.represented(standing, present):
        assert g not in present and h in present


# --- proposals ----------------------------------------------------------------------------------

def test_threshold_is_the_lower_of_n_members_and_p_percent():
    assert rules.signatures_needed(1000, min_members=10, min_percent=10) == 10
    assert rules.signatures_needed(50, min_members=10, min_percent=10) == 5
    assert rules.signatures_needed(51, min_members=10, min_percent=10) == 6  # rounded up
    assert rules.signatures_needed(50, min_members=0, min_percent=10) == 5
    assert rules.signatures_needed(50, min_members=10, min_percent=0) == 10
    assert rules.signatures_needed(50, min_members=0, min_percent=0) is None
    assert not rules.is_threshold_met(100, 50, min_members=0, min_percent=0)
    assert rules.is_threshold_met(5, 50, min_members=10, min_percent=10)
    assert not rules.is_threshold_met(4, 50, min_members=10, min_percent=10)


@given(st.integers(0, 200_000), st.integers(0, 1000), st.integers(0, 100))
def test_the_percent_threshold_is_never_below_p_percent(voting, n, p):
    needed = rules.signatures_needed(voting, min_members=n, min_percent=p)
    if needed is None:
        assert n == 0 and p == 0
    else:
        assert needed >= 1
        assert needed == n or needed * 100 >= voting * p


# --- workflow -----------------------------------------------------------------------------------

def test_the_workflow_goes_one_way():
    path = ["draft", "convened", "in_session", "closed", "minutes_adopted"]
    for a, b in zip(path, path[1:]):
        assert rules.may_move(a, b)
        assert not rules.may_move(b, a)
    assert not rules.may_move("draft", "in_session")
    assert not rules.may_move("convened", "closed")
