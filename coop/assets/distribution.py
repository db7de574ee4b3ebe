"""Revenue distribution: who gets which part of an amount, by units held during a period.

Pure functions (no Flask, no database), so a treasurer or an auditor can check them:

* :func:`unit_days` — for each holder, the sum over every day of the period of the units
  held that day (a unit that changed hands half-way counts half for each side: pro rata by
  days). A ledger line counts from its ``effective_on`` day.
* :func:`largest_remainder` — split an amount of cents in proportion to weights, rounding
  down and handing out the cents left over to the largest remainders (Hamilton's method),
  so that the parts always add up to the amount exactly.
* :func:`distribute` — both together.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Hashable, Iterable, Mapping, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Change:
    """A change in one holder's units, counting from ``effective_on``."""

    holder: Hashable
    effective_on: date
    delta: int


def unit_days(changes: Iterable[Change], start: date, end: date) -> dict:
    """Units × days held per holder within ``start``..``end`` (both included).

    Holders that held nothing during the period are left out. A holding below zero (which the
    ledger's rules never allow) counts as zero.
    """
    if end < start:
        raise ValueError("the period ends before it starts")
    per_holder: dict = defaultdict(list)
    for c in changes:
        if c.effective_on <= end:
            per_holder[c.holder].append(c)
    result = {}
    for holder, items in per_holder.items():
        items.sort(key=lambda c: c.effective_on)
        balance = 0
        day = start
        total = 0
        for c in items:
            if c.effective_on > start:
                total += max(balance, 0) * (c.effective_on - day).days
                day = c.effective_on
            balance += c.delta
        total += max(balance, 0) * ((end - day).days + 1)
        if total > 0:
            result[holder] = total
    return result


def largest_remainder(amount_cents: int, weights: Mapping[K, int]) -> dict[K, int]:
    """Split ``amount_cents`` over ``weights`` (non-negative integers, not all zero).

    Each part is the exact share rounded down; the cents that remain go one by one to the
    largest remainders (ties: in the order of the keys). The parts add up to the amount, none
    is negative, and each differs from its exact share by less than one cent.
    """
    if amount_cents < 0:
        raise ValueError("the amount cannot be negative")
    if any(w < 0 for w in weights.values()):
        raise ValueError("a weight cannot be negative")
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("nothing to distribute over")
    parts: dict[K, int] = {}
    remainders = []
    for order, (key, weight) in enumerate(weights.items()):
        quotient, remainder = divmod(amount_cents * weight, total)
        parts[key] = quotient
        remainders.append((-remainder, order, key))
    left = amount_cents - sum(parts.values())
    for _neg, _order, key in sorted(remainders)[:left]:
        parts[key] += 1
    return parts


def distribute(amount_cents: int, changes: Iterable[Change], start: date, end: date) -> dict:
    """Each holder's share of ``amount_cents`` for the period, pro rata by unit-days."""
    weights = unit_days(changes, start, end)
    ordered = dict(sorted(weights.items()))
    return largest_remainder(amount_cents, ordered)
