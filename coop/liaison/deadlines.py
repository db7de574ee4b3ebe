"""The terms engine: when an answer to a request is due, and what a passed term costs.

Pure Python (no Flask, no database), so a lawyer can check it against the law:

* Awb 4:13 / Woo 4.4 / Omgevingswet: a term in weeks or days runs from the day of receipt;
  the last day of the term is the receipt date plus the term (8 weeks after receipt on
  Monday 2 March is Monday 27 April).
* Awb 4:15: the term is suspended from the day after the applicant is asked to complete the
  request until the day the information is received (that day itself runs again), or, while
  nothing has been received, up to and including today. Overlapping suspensions count once.
* Awb 4:14 / Woo 4.4(2): an extension adds to the term; it must be announced before the term
  has ended and may not exceed what the request type allows (number and length).
* Algemene termijnenwet: a legal term ending on a Saturday, Sunday or Atw holiday ends on the
  next working day (coop.core.calendar); not for terms longer than 12 weeks / 90 days. The
  term's length is its length with extensions (Omgevingswet 8 + 6 weeks = 14: no Atw).
  The shift is applied once, to the final end date.
* Service norms ("within N working days") are not legal terms: counted in working days
  (the Atw's list of holidays), never ending on a rest day.
* Awb 4:17: after a written notice of default (ingebrekestelling), once two weeks have passed
  after the later of the end of the term and the day the notice was received, a penalty runs:
  €23 a day for the first 14 days, €35 for the next 14, €45 after that, at most 42 days
  (€1,442). The day of the decision no longer counts.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from coop.core.calendar import add_working_days, next_working_day


class TermUnit(enum.Enum):
    DAYS = "days"
    WEEKS = "weeks"
    WORKING_DAYS = "working_days"


#: The Atw does not apply to terms longer than these (art. 4): 12 weeks, 90 days.
ATW_MAX = {TermUnit.WEEKS: 12, TermUnit.DAYS: 90}

#: Awb 4:17(2): (days, cents a day) for the successive periods of the penalty.
PENALTY_BANDS = ((14, 2300), (14, 3500), (14, 4500))
MAX_PENALTY_DAYS = sum(days for days, _ in PENALTY_BANDS)  # 42
MAX_PENALTY_CENTS = sum(days * cents for days, cents in PENALTY_BANDS)  # 144,200
#: Awb 4:17(3): the penalty starts once two weeks have passed after the notice.
PENALTY_WAIT_DAYS = 14
#: How many days before the due date a request counts as "soon due".
SOON_DAYS = 7


@dataclass(frozen=True)
class TermRule:
    """The term of a request type."""

    amount: int
    unit: TermUnit
    #: A statutory term (Atw applies, notice of default possible) or a service norm.
    is_legal: bool = True
    #: How often, and by how much each time (in ``unit``), the term may be extended.
    max_extensions: int = 0
    max_extension_amount: int = 0
    #: Whether asking for information suspends the term (Awb 4:15).
    has_suspension: bool = True
    #: Whether the Awb 4:17 penalty applies to a passed term.
    has_penalty: bool = False


@dataclass(frozen=True)
class Suspension:
    #: The day the applicant was asked for information.
    requested_on: date
    #: The day the information was received; None while waiting.
    resumed_on: date | None = None


@dataclass(frozen=True)
class Extension:
    announced_on: date
    amount: int


class TermError(ValueError):
    """A move the terms do not allow; ``code`` names it (the caller translates)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def suspended_dates(suspensions: Iterable[Suspension], as_of: date) -> set[date]:
    """The days on which the term did not run (a set, so overlapping suspensions count once)."""
    days: set[date] = set()
    for s in suspensions:
        end = s.resumed_on if s.resumed_on is not None else as_of + timedelta(days=1)
        day = s.requested_on + timedelta(days=1)
        while day < end:
            days.add(day)
            day += timedelta(days=1)
    return days


def _calendar_length(amount: int, unit: TermUnit) -> timedelta:
    return timedelta(weeks=amount) if unit is TermUnit.WEEKS else timedelta(days=amount)


def atw_applies(rule: TermRule, extension_total: int = 0) -> bool:
    if not rule.is_legal or rule.unit not in ATW_MAX:
        return False
    return rule.amount + extension_total <= ATW_MAX[rule.unit]


def due_date(received_on: date, rule: TermRule, suspensions: Iterable[Suspension] = (),
             extensions: Iterable[Extension] = (), as_of: date | None = None) -> date:
    """The last day on which the answer is in time.

    ``as_of`` (default: ``received_on``) is "today" for a suspension that has not ended.
    """
    as_of = as_of or received_on
    extension_total = sum(e.amount for e in extensions)
    paused = len(suspended_dates(suspensions, as_of)) if rule.has_suspension else 0
    if rule.unit is TermUnit.WORKING_DAYS:
        day = add_working_days(received_on, rule.amount + extension_total)
        return next_working_day(day + timedelta(days=paused)) if paused else day
    day = received_on + _calendar_length(rule.amount + extension_total, rule.unit) + timedelta(days=paused)
    return next_working_day(day) if atw_applies(rule, extension_total) else day


def check_extension(rule: TermRule, received_on: date, suspensions: Iterable[Suspension],
                    extensions: Iterable[Extension], new: Extension) -> None:
    """Raise :class:`TermError` unless ``new`` is an extension the rule allows.

    Codes: ``not_allowed`` (the type has none), ``too_many``, ``not_positive``, ``too_long``,
    ``too_late`` (announced after the term ended).
    """
    extensions = list(extensions)
    if rule.max_extensions <= 0 or rule.max_extension_amount <= 0:
        raise TermError("not_allowed")
    if len(extensions) >= rule.max_extensions:
        raise TermError("too_many")
    if new.amount <= 0:
        raise TermError("not_positive")
    if new.amount > rule.max_extension_amount:
        raise TermError("too_long")
    current = due_date(received_on, rule, suspensions, extensions, as_of=new.announced_on)
    if new.announced_on > current:
        raise TermError("too_late")


def earliest_notice_on(due_on: date) -> date:
    """The first day a notice of default may be sent: the day after the term's last day."""
    return due_on + timedelta(days=1)


def penalty_start(due_on: date, notice_received_on: date) -> date:
    """The first day of penalty: two weeks after the later of the term's end and the notice."""
    anchor = max(earliest_notice_on(due_on), notice_received_on)
    return anchor + timedelta(days=PENALTY_WAIT_DAYS + 1)


def penalty_days(due_on: date, notice_received_on: date, as_of: date,
                 decided_on: date | None = None) -> int:
    """Days of penalty accrued up to and including ``as_of`` (the day of the decision excluded)."""
    start = penalty_start(due_on, notice_received_on)
    last = as_of if decided_on is None else min(as_of, decided_on - timedelta(days=1))
    return max(0, min(MAX_PENALTY_DAYS, (last - start).days + 1))


def penalty_cents(days: int) -> int:
    """The penalty for ``days`` days, in cents (Awb 4:17(2))."""
    total, left = 0, max(0, min(days, MAX_PENALTY_DAYS))
    for band_days, cents in PENALTY_BANDS:
        n = min(left, band_days)
        total += n * cents
        left -= n
    return total


@dataclass(frozen=True)
class TermState:
    """What the pages show about a request's term today."""

    due_on: date
    as_of: date
    is_suspended: bool
    is_closed: bool
    notice_on: date | None = None
    penalty_days: int = 0
    penalty_cents: int = 0
    penalty_starts_on: date | None = None

    @property
    def days_left(self) -> int:
        return (self.due_on - self.as_of).days

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and not self.is_suspended and self.as_of > self.due_on

    @property
    def is_soon(self) -> bool:
        return not self.is_closed and not self.is_overdue and 0 <= self.days_left <= SOON_DAYS


def term_state(received_on: date, rule: TermRule, suspensions: Iterable[Suspension] = (),
               extensions: Iterable[Extension] = (), *, as_of: date, decided_on: date | None = None,
               notice_on: date | None = None, is_closed: bool = False) -> TermState:
    suspensions = list(suspensions)
    due = due_date(received_on, rule, suspensions, extensions, as_of=as_of)
    suspended = rule.has_suspension and any(s.resumed_on is None for s in suspensions)
    days = cents = 0
    starts = None
    if notice_on is not None and rule.has_penalty:
        starts = penalty_start(due, notice_on)
        days = penalty_days(due, notice_on, as_of, decided_on)
        cents = penalty_cents(days)
    return TermState(due_on=due, as_of=as_of, is_suspended=suspended, is_closed=is_closed,
                     notice_on=notice_on, penalty_days=days, penalty_cents=cents,
                     penalty_starts_on=starts)
