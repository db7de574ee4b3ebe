"""Rules of voting that a lawyer could check: no Flask, no database.

- A motion passes with MORE than ``num/den`` of the votes cast (ordinary: more than half) or,
  for qualified decisions, AT LEAST ``num/den`` (2/3). Votes cast are for + against; blank and
  invalid votes count as not cast unless the statutes say otherwise; abstentions are recorded
  but not cast. A tie is rejected (the statutes may say otherwise only for "more than").
- A quorum is ``num/den`` of the weight of the frozen roll that is present or represented when
  the vote closes: in the room, online, represented by a present proxy holder, or having handed
  in any ballot (online ahead of the meeting included; abstain and blank count as present).
- Weights are data: every ballot carries the weight frozen on the roll.
- Elections: an absolute majority of the votes cast wins; otherwise a run-off between the two
  with most votes; a tie that remains (or a tie for the second place) is decided by a lot drawn
  reproducibly from a published seed. Multi-seat elections: approval voting, the N with most
  approvals (ties for the last seat by the same lot), or single transferable vote (Scottish STV
  with the Droop quota, counted by the ``stvpoll`` library; a tie it cannot break by earlier
  rounds is broken by the same lot).
- The result is frozen with a SHA-256 hash over the roll, the ballots and the outcome.
"""
from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Iterable

from stvpoll.scottish_stv import calculate_scottish_stv
from stvpoll.tiebreak_strategies import TiebreakHistory, TiebreakRandom
from stvpoll.types import CandidateStatus, SelectionMethod

FOR, AGAINST, ABSTAIN, BLANK, INVALID = "for", "against", "abstain", "blank", "invalid"
MOTION_CHOICES = (FOR, AGAINST, ABSTAIN)

# Outcomes
ADOPTED, REJECTED, NO_QUORUM = "adopted", "rejected", "no_quorum"
ELECTED, RUNOFF = "elected", "runoff"
#: An election in which no valid vote was cast (none, or only blank ballots): nobody is elected,
#: not even by lot.
NO_VOTES = "no_votes"


@dataclass(frozen=True)
class MajorityRule:
    num: int = 1
    den: int = 2
    #: True: at least num/den (qualified); False: more than num/den (ordinary).
    at_least: bool = False
    #: Quorum as a share of the roll's weight that took part (0: none).
    quorum_num: int = 0
    quorum_den: int = 1
    #: Blank and invalid votes count as cast (they then weigh against the motion).
    blank_counts_as_cast: bool = False
    #: A tie is rejected (the legal default); False: a tie on "more than half" is still rejected
    #: by arithmetic; kept for statutes that say so explicitly.
    tie_rejected: bool = True

    def __post_init__(self):
        if not (0 < self.num <= self.den) or self.quorum_den <= 0 or not (0 <= self.quorum_num <= self.quorum_den):
            raise ValueError("invalid majority rule")


@dataclass(frozen=True)
class MotionResult:
    outcome: str
    votes_for: int
    votes_against: int
    abstentions: int
    blank: int
    cast: int
    participated: int
    #: Weight present or represented (the quorum is measured against it).
    present: int
    roll_weight: int
    quorum_needed: int
    quorum_met: bool
    needed: str  # human-readable rule, e.g. "> 1/2" or ">= 2/3"

    def as_dict(self) -> dict:
        return asdict(self)


def tally_motion(ballots: Iterable[tuple[str, int]], *, roll_weight: int, rule: MajorityRule,
                 present_weight: int | None = None) -> MotionResult:
    """``ballots``: (choice, weight) pairs; ``roll_weight``: the summed weight of the frozen roll;
    ``present_weight``: the weight present or represented (never less than the weight that handed
    in a ballot; None: only the ballots tell who was there)."""
    totals: Counter = Counter()
    for choice, weight in ballots:
        if weight < 0:
            raise ValueError("negative weight")
        totals[choice if choice in (FOR, AGAINST, ABSTAIN, BLANK) else INVALID] += weight
    blank = totals[BLANK] + totals[INVALID]
    cast = totals[FOR] + totals[AGAINST] + (blank if rule.blank_counts_as_cast else 0)
    participated = sum(totals.values())
    quorum_needed = _ceil(Fraction(rule.quorum_num, rule.quorum_den) * roll_weight)
    present = participated if present_weight is None else max(present_weight, participated)
    quorum_met = present >= quorum_needed
    share = Fraction(totals[FOR], cast) if cast else Fraction(0)
    threshold = Fraction(rule.num, rule.den)
    passes = cast > 0 and (share >= threshold if rule.at_least else share > threshold)
    if passes and rule.tie_rejected and totals[FOR] == cast - totals[FOR]:
        passes = False
    outcome = NO_QUORUM if not quorum_met else (ADOPTED if passes else REJECTED)
    return MotionResult(outcome=outcome, votes_for=totals[FOR], votes_against=totals[AGAINST],
                        abstentions=totals[ABSTAIN], blank=blank, cast=cast, participated=participated,
                        present=present, roll_weight=roll_weight, quorum_needed=quorum_needed, quorum_met=quorum_met,
                        needed=f"{'>=' if rule.at_least else '>'} {rule.num}/{rule.den}")


def _ceil(x: Fraction) -> int:
    return -(-x.numerator // x.denominator)


# --- elections ----------------------------------------------------------------------------------


def draw_lot(seed: str, candidates: Iterable[str], k: int = 1) -> list[str]:
    """``k`` of ``candidates`` drawn by lot, reproducible by anyone from the published ``seed``
    (the candidates are sorted first so the draw does not depend on their order)."""
    pool = sorted(set(candidates))
    rng = random.Random(hashlib.sha256(seed.encode()).hexdigest())
    rng.shuffle(pool)
    return pool[:k]


@dataclass(frozen=True)
class ElectionResult:
    outcome: str  # ELECTED or RUNOFF
    counts: dict[str, int]
    cast: int
    elected: list[str] = field(default_factory=list)
    #: For RUNOFF: the two candidates of the second round.
    runoff: list[str] = field(default_factory=list)
    #: Candidates chosen by lot (the draw is reproducible from the seed).
    by_lot: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def tally_election(ballots: Iterable[tuple[str, int]], candidates: list[str], *, seed: str,
                   is_runoff: bool = False, runoff_allowed: bool = True) -> ElectionResult:
    """One seat. ``ballots``: (candidate or BLANK/INVALID, weight). An absolute majority of the
    votes cast elects; otherwise the two with most votes go to a run-off (ties for a place by lot).
    In a run-off (or without run-off), most votes wins and a tie is decided by lot."""
    counts = {c: 0 for c in candidates}
    for choice, weight in ballots:
        if choice in counts:
            counts[choice] += weight
    cast = sum(counts.values())
    if not cast:
        return ElectionResult(NO_VOTES, counts, 0)
    ranked = _ranked(counts)
    top = ranked[0][1] if ranked else 0
    leaders = [c for c, n in counts.items() if n == top]
    if cast and 2 * top > cast:
        return ElectionResult(ELECTED, counts, cast, elected=[leaders[0]])
    if is_runoff or not runoff_allowed or len(candidates) <= 2:
        if len(leaders) == 1:
            return ElectionResult(ELECTED, counts, cast, elected=leaders)
        won = draw_lot(seed, leaders)
        return ElectionResult(ELECTED, counts, cast, elected=won, by_lot=won)
    # Run-off between the top two.
    if len(leaders) >= 2:
        pair = draw_lot(seed, leaders, 2) if len(leaders) > 2 else sorted(leaders)
        return ElectionResult(RUNOFF, counts, cast, runoff=sorted(pair),
                              by_lot=sorted(pair) if len(leaders) > 2 else [])
    second = max(n for c, n in counts.items() if c != leaders[0])
    seconds = [c for c, n in counts.items() if n == second and c != leaders[0]]
    drawn = draw_lot(seed, seconds) if len(seconds) > 1 else seconds
    return ElectionResult(RUNOFF, counts, cast, runoff=sorted([leaders[0], *drawn]),
                          by_lot=drawn if len(seconds) > 1 else [])


def tally_approval(ballots: Iterable[tuple[Iterable[str], int]], candidates: list[str], seats: int, *,
                   seed: str) -> ElectionResult:
    """Several seats by approval: each ballot approves any number of candidates; the ``seats``
    with most approvals are elected; a tie for the last seat is decided by lot."""
    counts = {c: 0 for c in candidates}
    cast = 0
    for approved, weight in ballots:
        chosen = set(approved) & counts.keys()
        if chosen:
            cast += weight
        for c in chosen:
            counts[c] += weight
    if not cast:
        return ElectionResult(NO_VOTES, counts, 0)
    ranked = _ranked(counts)
    if seats >= len(candidates):
        return ElectionResult(ELECTED, counts, cast, elected=sorted(candidates))
    cutoff = ranked[seats - 1][1]
    sure = [c for c, n in ranked if n > cutoff]
    tied = [c for c, n in ranked if n == cutoff]
    drawn = draw_lot(seed, tied, seats - len(sure)) if len(sure) + len(tied) > seats else tied
    return ElectionResult(ELECTED, counts, cast, elected=sure + sorted(drawn),
                          by_lot=sorted(drawn) if len(sure) + len(tied) > seats else [])


@dataclass(frozen=True)
class STVResult:
    """A single-transferable-vote count: ``counts`` are the first preferences, ``rounds`` each
    round's votes, who was elected or excluded (and how) and the transfers that followed."""
    outcome: str
    counts: dict[str, int]
    cast: int
    blank: int
    quota: int
    elected: list[str] = field(default_factory=list)
    rounds: list[dict] = field(default_factory=list)
    exhausted: float = 0.0
    by_lot: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


#: How a round's candidates were chosen: reached the quota, fewest votes, a tie broken by the
#: earlier rounds or by lot, or the seats left equal the candidates left.
STV_QUOTA, STV_FEWEST, STV_HISTORY, STV_LOT, STV_LAST = "quota", "fewest", "history", "lot", "no_competition"


def stv_ranking(choice: Iterable[str], candidates: Iterable[str]) -> tuple[str, ...]:
    """A ranked ballot as counted: names not standing and repeated names are left out."""
    standing, seen = set(candidates), []
    for name in choice:
        if name in standing and name not in seen:
            seen.append(name)
    return tuple(seen)


def tally_stv(ballots: Iterable[tuple[Iterable[str], int]], candidates: list[str], seats: int, *,
              seed: str) -> STVResult:
    """Several seats by single transferable vote (Scottish STV: Droop quota ``votes // (seats + 1)
    + 1``, surpluses transferred at a reduced value, the candidate with fewest votes excluded).
    ``ballots``: (ranking, weight), the ranking best first; an empty ranking is a blank ballot.
    Identical rankings are counted together, so the order of the ballots does not matter; a tie
    that the earlier rounds do not break is decided by the lot drawn from ``seed`` (the draw's
    order is the order of preference: the last of the tied in the draw is excluded first)."""
    names = sorted(set(candidates))
    grouped: Counter = Counter()
    blank = 0
    for choice, weight in ballots:
        if weight < 0:
            raise ValueError("negative weight")
        ranking = stv_ranking(choice, names)
        if ranking:
            grouped[ranking] += weight
        else:
            blank += weight
    counts = {c: 0 for c in candidates}
    for ranking, weight in grouped.items():
        counts[ranking[0]] += weight
    cast = sum(grouped.values())
    if not cast:
        return STVResult(NO_VOTES, counts, 0, blank, quota=0)
    if seats >= len(names):
        return STVResult(ELECTED, counts, cast, blank, quota=0, elected=names)
    lot_order = tuple(draw_lot(seed, names, len(names)))
    result = calculate_scottish_stv(
        tuple(names), {r: grouped[r] for r in sorted(grouped) if grouped[r] > 0}, seats,
        tiebreak_strategies=(TiebreakHistory(), TiebreakRandom(lot_order, shuffle=False)))
    methods = {SelectionMethod.TiebreakHistory: STV_HISTORY, SelectionMethod.TiebreakRandom: STV_LOT,
               SelectionMethod.NoCompetition: STV_LAST}
    rounds, by_lot = [], []
    for n, rnd in enumerate(result.rounds):
        excluded = rnd.status == CandidateStatus.Excluded
        method = methods.get(rnd.selection_method, STV_FEWEST if excluded else STV_QUOTA)
        # Candidates chosen together are listed by name: the set, not the library's order, counts.
        chosen = sorted(rnd.selected, key=lambda c: (-rnd.votes.get(c, 0), c))
        transfers = result.transfer_log[n] if n < len(result.transfer_log) else {}
        rounds.append({
            "number": n + 1,
            "votes": {c: _num(v) for c, v in sorted(rnd.votes.items())},
            "action": "excluded" if excluded else "elected",
            "candidates": chosen,
            "method": method,
            "transfers": [[a, b, _num(v)] for (a, b), v in sorted(transfers.items()) if v],
        })
        if method == STV_LOT:
            by_lot.extend(chosen)
    elected = [c for rnd in rounds if rnd["action"] == "elected" for c in rnd["candidates"]]
    return STVResult(ELECTED, counts, cast, blank, quota=int(result.quota), elected=elected, rounds=rounds,
                     exhausted=_num(result.exhausted), by_lot=by_lot)


def _num(value) -> float | int:
    """A vote total as stored in the frozen result: an int when whole, else 5 decimals."""
    value = round(float(value), 5)
    return int(value) if value == int(value) else value


def tally_poll(ballots: Iterable[tuple[str, int]], options: list[str]) -> dict[str, int]:
    counts = {o: 0 for o in options}
    for choice, weight in ballots:
        if choice in counts:
            counts[choice] += weight
    return counts


def _ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


# --- freezing -----------------------------------------------------------------------------------


def result_hash(roll: Iterable[tuple], ballots: Iterable[tuple[str, int]], outcome: dict) -> str:
    """SHA-256 over the roll ((member id, weight[, present or represented at closing])), the
    ballots ((choice, weight), order-free) and the outcome: anyone holding the three can
    recompute it."""
    h = hashlib.sha256()
    h.update(b"roll\n")
    for entry in sorted(roll):
        h.update((":".join(str(int(x)) for x in entry) + "\n").encode())
    h.update(b"ballots\n")
    for choice, weight in sorted(ballots):
        h.update(f"{choice}:{weight}\n".encode())
    h.update(b"outcome\n")
    h.update(json.dumps(outcome, sort_keys=True, separators=(",", ":")).encode())
    return h.hexdigest()


def receipt_hash(code: str) -> str:
    """What is published of a receipt code: its hash (the code itself stays with the voter)."""
    return hashlib.sha256(code.encode()).hexdigest()[:16]


def paper_totals_refusal(totals: dict[str, int], *, handed_out: int, present_plus_represented: int) -> str | None:
    """Why counted paper totals of a secret vote cannot be accepted (None when they can): more
    ballots counted than papers handed out, or more papers than members present or represented."""
    if any(n < 0 for n in totals.values()) or handed_out < 0:
        return "negative"
    if sum(totals.values()) > handed_out:
        return "exceeds_handed_out"
    if handed_out > present_plus_represented:
        return "exceeds_present"
    return None
