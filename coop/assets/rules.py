"""Pure rules of shared assets (no Flask, no database): EAN codes, postcode areas, meter
readings, production totals, avoided CO₂, booking overlap and fair use."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# --- EAN codes of connections (18 digits, GS1 check digit; Dutch ones start with 871) ----------

_EAN = re.compile(r"^[0-9]{18}$")


def ean_check_digit(first17: str) -> int:
    """GS1 mod-10: weights 3,1,3,1,… from the right of the 17 digits."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(first17)))
    return (10 - total % 10) % 10


def normalise_ean(value: str) -> str:
    """``871 6859 …`` → 18 digits; ValueError when not an 18-digit code with a valid check digit."""
    digits = re.sub(r"[\s.-]", "", value or "")
    if not _EAN.match(digits) or ean_check_digit(digits[:17]) != int(digits[17]):
        raise ValueError(value)
    return digits


# --- postcode areas (postcoderoos) --------------------------------------------------------------

_AREA = re.compile(r"^[1-9][0-9]{3}$")


def parse_areas(text: str) -> list[str]:
    """``9711, 9712 9713`` → ``["9711", "9712", "9713"]``; ValueError on anything else."""
    areas = [a for a in re.split(r"[\s,;]+", (text or "").strip()) if a]
    bad = [a for a in areas if not _AREA.match(a)]
    if bad:
        raise ValueError(bad[0])
    return sorted(set(areas))


def in_areas(postcode: str | None, areas: list[str]) -> bool:
    """Whether a postcode (``9711 AB``) lies in one of the 4-digit areas; no areas: everyone."""
    if not areas:
        return True
    return bool(postcode) and postcode.strip()[:4] in areas


# --- meter readings and production ----------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    read_on: date
    meter_kwh: int
    #: A new meter was placed: it starts again from its own reading.
    is_meter_replacement: bool = False


def reading_problem(previous: Reading | None, new: Reading) -> str | None:
    """Why a reading cannot follow ``previous`` (the latest one before it), or None."""
    if new.meter_kwh < 0:
        return "negative"
    if previous is not None and not new.is_meter_replacement and new.meter_kwh < previous.meter_kwh:
        return "lower"
    return None


def productions(readings: list[Reading]) -> list[tuple[date, int]]:
    """What was produced between each reading and the one before it, dated on the later one.

    The first reading is the starting point (nothing produced yet). After a meter replacement
    the new meter's reading is what it counted since it was placed.
    """
    result = []
    previous = None
    for r in sorted(readings, key=lambda r: r.read_on):
        if previous is not None:
            produced = r.meter_kwh if r.is_meter_replacement else r.meter_kwh - previous.meter_kwh
            result.append((r.read_on, max(produced, 0)))
        previous = r
    return result


def totals_by_month(produced: list[tuple[date, int]]) -> dict[tuple[int, int], int]:
    """kWh per (year, month) of the reading date."""
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for day, kwh in produced:
        totals[(day.year, day.month)] += kwh
    return dict(sorted(totals.items()))


def totals_by_year(produced: list[tuple[date, int]]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for day, kwh in produced:
        totals[day.year] += kwh
    return dict(sorted(totals.items()))


def avoided_co2_kg(kwh: int, grams_per_kwh: int) -> int:
    """kWh × emission factor (g CO₂/kWh) in whole kilograms, rounded half up."""
    return (kwh * grams_per_kwh + 500) // 1000


# --- bookings -------------------------------------------------------------------------------------


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: a booking ending at 10:00 and one starting at 10:00 do not overlap."""
    return a_start < b_end and b_start < a_end


#: Shortest and longest booking.
MIN_BOOKING = timedelta(minutes=15)
MAX_BOOKING = timedelta(days=14)


def booking_problem(starts_at: datetime, ends_at: datetime, now: datetime) -> str | None:
    """Why a time slot cannot be booked at all, or None."""
    if ends_at <= starts_at:
        return "end_before_start"
    if ends_at - starts_at < MIN_BOOKING:
        return "too_short"
    if ends_at - starts_at > MAX_BOOKING:
        return "too_long"
    if starts_at < now - timedelta(minutes=5):
        return "in_past"
    return None


def hours(starts_at: datetime, ends_at: datetime) -> float:
    return (ends_at - starts_at).total_seconds() / 3600


def month_of(moment: datetime) -> tuple[int, int]:
    return moment.year, moment.month


def fair_use_problem(*, new_hours: float, hours_this_month: float, open_bookings: int,
                     max_hours_per_month: int | None, max_open_bookings: int | None) -> str | None:
    """Why a member may not make one more booking, or None. ``hours_this_month`` are the
    member's booked hours in the month the new booking starts; ``open_bookings`` their
    bookings that have not ended yet."""
    if max_open_bookings is not None and open_bookings + 1 > max_open_bookings:
        return "too_many_open"
    if max_hours_per_month is not None and hours_this_month + new_hours > max_hours_per_month + 1e-9:
        return "too_many_hours"
    return None
