"""Rules of consultations that a member could check: no Flask, no database.

- The options are at least two different, non-empty names (not "blank").
- A single-choice answer is one of the options; a multiple-choice answer is a non-empty set of
  them (stored as a sorted JSON list). Anything else is refused (a tampered form).
- The result counts, per option, the members who chose it (with multiple choice a member counts
  once for each option ticked), how many answered and how many were on the roll; it is frozen
  with the voting rules' SHA-256 hash over roll, answers and result.
- A reminder is due for a member on the roll who has not answered and was not reminded yet,
  once the consultation closes within the reminder period.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Iterable

from coop.voting.rules import BLANK, result_hash

MAX_OPTIONS = 20
MAX_OPTION_LENGTH = 200


def clean_options(lines: Iterable[str]) -> list[str] | None:
    """The options as given (trimmed, empty lines dropped), or None when they cannot be used."""
    options = [o.strip() for o in lines if o and o.strip()]
    if not (2 <= len(options) <= MAX_OPTIONS) or len(set(options)) != len(options):
        return None
    if BLANK in options or any(len(o) > MAX_OPTION_LENGTH for o in options):
        return None
    return options


def stored_choice(options: list[str], picked, *, multiple: bool) -> str | None:
    """The stored form of an answer, or None when it is not on offer."""
    if multiple:
        chosen = picked if isinstance(picked, (list, tuple, set, frozenset)) else [picked]
        chosen = sorted({c for c in chosen if c})
        if not chosen or not set(chosen) <= set(options):
            return None
        return json.dumps(chosen, ensure_ascii=False)
    if isinstance(picked, str) and picked in options:
        return picked
    return None


def chosen_options(choice: str, *, multiple: bool) -> list[str]:
    return json.loads(choice) if multiple else [choice]


def tally(answers: Iterable[str], options: list[str], *, multiple: bool, eligible: int) -> dict:
    """The result of a consultation from its stored answers."""
    counts = {o: 0 for o in options}
    answered = 0
    for choice in answers:
        answered += 1
        for option in chosen_options(choice, multiple=multiple):
            if option in counts:
                counts[option] += 1
    return {"counts": counts, "answered": answered, "eligible": eligible,
            "turnout_percent": round(100 * answered / eligible, 1) if eligible else 0.0}


def freeze(roll: Iterable[int], answers: Iterable[str], outcome: dict) -> str:
    """SHA-256 over the roll (member ids), the answers (order-free) and the result."""
    return result_hash([(m, 1) for m in roll], [(a, 1) for a in answers], outcome)


def reminder_due(closes_at: datetime, now: datetime, hours: int) -> bool:
    """Whether ``now`` falls within the reminder period before closing (and before closing)."""
    return closes_at - timedelta(hours=hours) <= now < closes_at
