"""Pure rules of the member register (no Flask, no database): postcodes, notice dates,
appeal deadlines, holdings and share limits. Each can be checked by a board member or lawyer.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})\s*$")
#: Letter pairs PostNL does not use (they read as abbreviations of the SA, SD and SS).
_UNUSED_LETTERS = {"SA", "SD", "SS"}


def normalise_postcode(value: str) -> str:
    """``1234ab`` / ``1234 AB`` / `` 1234  ab `` → ``1234 AB``; ValueError when not Dutch."""
    m = _POSTCODE.match(value or "")
    if not m or m.group(2).upper() in _UNUSED_LETTERS:
        raise ValueError(value)
    return f"{m.group(1)} {m.group(2).upper()}"


_DUTCH_IBAN = re.compile(r"NL([0-9]{2})([A-Z]{4}[0-9]{10})")
#: ISO 7064: each letter counts as its number, A = 10 … Z = 35 (digits stay as they are).
_IBAN_LETTERS = str.maketrans({chr(ord("A") + i): str(10 + i) for i in range(26)})


def dutch_iban(value: str) -> str | None:
    """The compact form of a valid Dutch IBAN (``NL91 ABNA 0417 1643 00`` → ``NL91ABNA0417164300``),
    or None when ``value`` is not one — in which case a general IBAN check decides.

    The fast path of imports (most members bank in the Netherlands): the same checks the IBAN
    library makes, for this one country: format ``NL`` + 2 check digits + 4 letters + 10 digits,
    and ISO 7064 mod 97-10 check digits in 02..98.
    """
    compact = value.replace(" ", "").upper()
    m = _DUTCH_IBAN.fullmatch(compact)
    if m is None:
        return None
    numeric = (m.group(2) + "NL00").translate(_IBAN_LETTERS)
    expected = 98 - int(numeric) % 97
    return compact if expected == int(m.group(1)) else None


def is_postcode(value: str) -> bool:
    try:
        normalise_postcode(value)
    except ValueError:
        return False
    return True


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def financial_year_end(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def notice_effective_on(given_on: date, *, notice_weeks: int, at_year_end: bool,
                        fy_end_month: int = 12, fy_end_day: int = 31) -> date:
    """When a member's notice takes effect (typical statutes, DOMAIN.md).

    With ``at_year_end``: the first end of a financial year that lies at least ``notice_weeks``
    after the notice was given; otherwise simply ``notice_weeks`` after it.
    """
    earliest = given_on + timedelta(weeks=notice_weeks)
    if not at_year_end:
        return earliest
    end = financial_year_end(earliest.year, fy_end_month, fy_end_day)
    if end < earliest:
        end = financial_year_end(earliest.year + 1, fy_end_month, fy_end_day)
    return end


def appeal_deadline(decided_on: date, months: int) -> date:
    """Last day to appeal an expulsion to the general meeting (2:35 BW: at least one month)."""
    return add_months(decided_on, max(months, 1))


@dataclass(frozen=True)
class Movement:
    """One approved share transaction as it affects holdings."""

    member_id: int | None  # who gives up or receives (issue: receiver; redemption: giver)
    counterparty_id: int | None  # transfer: receiver
    kind: str  # "issue" | "transfer" | "redemption"
    quantity: int


def holdings(movements) -> dict[int, int]:
    """Units held per member, derived from approved movements (never stored)."""
    held: dict[int, int] = {}
    for m in movements:
        if m.kind == "issue":
            held[m.member_id] = held.get(m.member_id, 0) + m.quantity
        elif m.kind == "redemption":
            held[m.member_id] = held.get(m.member_id, 0) - m.quantity
        elif m.kind == "transfer":
            held[m.member_id] = held.get(m.member_id, 0) - m.quantity
            held[m.counterparty_id] = held.get(m.counterparty_id, 0) + m.quantity
        else:
            raise ValueError(m.kind)
    return held


def holding_problem(new_quantity: int, *, minimum: int, maximum: int | None,
                    leaving: bool = False) -> str | None:
    """Why a holding after a transaction is not allowed, or None.

    A member holds between ``minimum`` and ``maximum`` units; only a member who is leaving may
    go to zero (their capital is paid back).
    """
    if new_quantity < 0:
        return "negative"
    if new_quantity == 0 and leaving:
        return None
    if new_quantity < minimum:
        return "below_minimum"
    if maximum is not None and new_quantity > maximum:
        return "above_maximum"
    return None


def timeline_problem(timeline, member_id, *, from_day: date, minimum: int, maximum: int | None,
                     leaving: bool = False) -> tuple[str, int, date] | None:
    """The first way a member's holding goes wrong along a ledger, or None.

    ``timeline`` is a list of ``(day, Movement)`` in the order they count. From ``from_day``
    on (the new line's effective date) the holding may be neither negative nor above the
    maximum on any day; the final holding must lie within the minimum and the maximum (zero
    allowed for a member who is leaving). Returns ``(problem, units, day)``.
    """
    balance = 0
    for day, movement in timeline:
        balance += holdings([movement]).get(member_id, 0)
        if day >= from_day:
            problem = holding_problem(balance, minimum=0, maximum=maximum)
            if problem:
                return problem, balance, day
    problem = holding_problem(balance, minimum=minimum, maximum=maximum, leaving=leaving)
    if problem:
        return problem, balance, timeline[-1][0]
    return None
