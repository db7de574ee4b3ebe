"""Rules of general meetings that a lawyer could check: no Flask, no database.

- Notice (2:41 BW): the convocation goes out no later than on the N-th day before the day of
  the meeting (N from the statutes profile, at least 7; the longer amendment term when a
  statute amendment is on the agenda, 2:42 BW).
- Proxies: allowed at all or not; a holder holds at most ``cap``; nobody holds their own;
  both sides are voting members; no chains (a holder does not give a proxy, a grantor does not
  hold one); one standing proxy per grantor; given and revoked only until voting opens.
- Members' agenda proposals: signed by N members or by P % of the members, whichever is fewer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

#: The workflow of a meeting: which status may follow which.
TRANSITIONS = {
    "draft": {"convened"},
    "convened": {"in_session"},
    "in_session": {"closed"},
    "closed": {"minutes_adopted"},
    "minutes_adopted": set(),
}


def may_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())


def notice_days(*, convocation_days: int, amendment_convocation_days: int, has_amendment: bool) -> int:
    return max(convocation_days, amendment_convocation_days) if has_amendment else convocation_days


def latest_convocation_day(meeting_on: date, days: int) -> date:
    """The last day on which the meeting of ``meeting_on`` can still be convened."""
    return meeting_on - timedelta(days=days)


def is_in_time(convened_on: date, meeting_on: date, days: int) -> bool:
    return convened_on <= latest_convocation_day(meeting_on, days)


# --- proxies ------------------------------------------------------------------------------------

NOT_ALLOWED = "not_allowed"
VOTING_OPEN = "voting_open"
SELF = "self"
GRANTOR_NOT_VOTING = "grantor_not_voting"
HOLDER_NOT_VOTING = "holder_not_voting"
ALREADY_GIVEN = "already_given"
CAP = "cap"
CHAIN_HOLDER_GAVE = "chain_holder_gave"
CHAIN_GRANTOR_HOLDS = "chain_grantor_holds"


@dataclass(frozen=True)
class ProxyPolicy:
    allowed: bool
    cap: int


def proxy_refusal(grantor: int, holder: int, *, policy: ProxyPolicy, voting: set[int] | frozenset[int],
                  standing: list[tuple[int, int]], voting_open: bool) -> str | None:
    """Why ``grantor`` may not give a proxy to ``holder`` now, or None when they may.

    ``standing`` holds the (grantor, holder) pairs of the proxies not revoked.
    """
    if not policy.allowed or policy.cap < 1:
        return NOT_ALLOWED
    if voting_open:
        return VOTING_OPEN
    if grantor == holder:
        return SELF
    if grantor not in voting:
        return GRANTOR_NOT_VOTING
    if holder not in voting:
        return HOLDER_NOT_VOTING
    if any(g == grantor for g, _h in standing):
        return ALREADY_GIVEN
    if any(g == holder for g, _h in standing):
        return CHAIN_HOLDER_GAVE
    if any(h == grantor for _g, h in standing):
        return CHAIN_GRANTOR_HOLDS
    if sum(1 for _g, h in standing if h == holder) >= policy.cap:
        return CAP
    return None


def revoke_refusal(*, voting_open: bool, already_revoked: bool) -> str | None:
    if already_revoked:
        return "revoked"
    if voting_open:
        return VOTING_OPEN
    return None


def represented(standing: list[tuple[int, int]], present: set[int]) -> list[tuple[int, int]]:
    """The proxies that count: the holder is present and the grantor is not (a member who
    attends takes back their own vote)."""
    return [(g, h) for g, h in standing if h in present and g not in present]


# --- members' proposals -------------------------------------------------------------------------


def signatures_needed(voting_members: int, *, min_members: int, min_percent: int) -> int | None:
    """How many signatures put a members' proposal on the agenda (None: no route open)."""
    options = []
    if min_members > 0:
        options.append(min_members)
    if min_percent > 0:
        options.append(max(1, math.ceil(voting_members * min_percent / 100)))
    return min(options) if options else None


def is_threshold_met(signatures: int, voting_members: int, *, min_members: int, min_percent: int) -> bool:
    needed = signatures_needed(voting_members, min_members=min_members, min_percent=min_percent)
    return needed is not None and signatures >= needed
