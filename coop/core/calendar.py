"""The Dutch calendar of the Algemene termijnenwet (Atw): pure functions, no Flask, no database.

The Atw (art. 1) moves the end of a statutory term that falls on a Saturday, a Sunday or a
generally recognised holiday to the next day that is none of these. Its own list of holidays
(art. 3, with Good Friday treated alike by the Besluit van 1978) is NOT a generic public-holiday
calendar: it holds 5 May (Liberation Day) and Good Friday every year, and it has no Easter
Sunday or Whit Sunday of its own (they are Sundays anyway).

The same list defines working days for municipal service norms ("answered within N working
days"), which are not legal terms but are counted the same way.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous algorithm of Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def kings_day(year: int) -> date:
    """The day the King's (before 2014: the Queen's) birthday is celebrated.

    27 April since 2014 and 30 April before; when that is a Sunday, the day before.
    """
    day = date(year, 4, 27) if year >= 2014 else date(year, 4, 30)
    return day - timedelta(days=1) if day.weekday() == 6 else day


@lru_cache(maxsize=256)
def atw_holidays(year: int) -> dict[date, str]:
    """The Atw's holidays of ``year``: date → English name (names are for tests and tooltips)."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): "New Year's Day",
        easter - timedelta(days=2): "Good Friday",
        easter + timedelta(days=1): "Easter Monday",
        kings_day(year): "King's Day",
        date(year, 5, 5): "Liberation Day",
        easter + timedelta(days=39): "Ascension Day",
        easter + timedelta(days=50): "Whit Monday",
        date(year, 12, 25): "Christmas Day",
        date(year, 12, 26): "Boxing Day",
    }
    return days


def is_atw_holiday(day: date) -> bool:
    return day in atw_holidays(day.year)


def is_rest_day(day: date) -> bool:
    """Saturday, Sunday or an Atw holiday: a statutory term does not end on such a day."""
    return day.weekday() >= 5 or is_atw_holiday(day)


def is_working_day(day: date) -> bool:
    return not is_rest_day(day)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it (Atw art. 1)."""
    while is_rest_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself does not count)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
