"""Response deadlines for privacy requests under UK GDPR, counted the way the ICO describes.

The ICO's rule ("How long do we have to comply?", right of access guidance):

1. Count from the day the request arrives (day one is the day of receipt, working day or not)
   to the corresponding calendar date in the next month.
2. If the next month has no such date (received 31 January), the due date is the last day of
   that month.
3. If the due date falls on a weekend or a bank holiday, it moves to the next working day.
4. For complex or numerous requests the limit may be extended by two further months, counted
   from the original start date, and the person must be told within the first month.

Asking the person for identity evidence or for clarification stops the clock until they reply;
the days that were left when the clock stopped carry over. Each stop is a :class:`Pause`.

Everything here is pure: callers pass ``today`` in, and nothing reads the system clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from replies.errors import RepliesError

__all__ = [
    "ClockStoppedError",
    "DeadlineError",
    "Pause",
    "add_months",
    "can_extend",
    "due_date",
    "extended_due_date",
    "is_working_day",
    "next_working_day",
    "receipt_date",
]

# UK GDPR Article 12(3): "by two further months where necessary".
MAX_EXTRA_MONTHS = 2
# Days are counted on the organisation's calendar, not in UTC.
UK_TIME = ZoneInfo("Europe/London")


class DeadlineError(RepliesError):
    """Raised when a deadline cannot be computed or changed as asked.

    For example, an extension asked for after the first month has run out, or for more than
    two further months. :attr:`due` is the due date in force when the refusal was made, if known.
    """

    def __init__(self, message: str, *, due: date | None = None) -> None:
        self.due = due
        super().__init__(message)


class ClockStoppedError(DeadlineError):
    """Raised by :func:`due_date` while a pause is still open (we are waiting for the person).

    There is no due date until they reply. :attr:`since` is the day the clock stopped and
    :attr:`days_left` how many calendar days will remain once it restarts.
    """

    def __init__(self, *, since: date, days_left: int) -> None:
        self.since = since
        self.days_left = days_left
        super().__init__(
            f"the clock stopped on {since.isoformat()} while waiting for the requester; "
            f"{days_left} day(s) will remain when they reply"
        )


@dataclass(frozen=True)
class Pause:
    """A stretch of time during which the clock is stopped.

    ``start`` is the day we asked for identity evidence or clarification; ``end`` the day the
    reply arrived, when the clock restarts (``None`` while we are still waiting). The days
    between ``start`` and ``end`` do not count.
    """

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"pause ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int | None:
        """Calendar days the clock stood still, or ``None`` while the pause is open."""
        return None if self.end is None else (self.end - self.start).days


def receipt_date(received: datetime) -> date:
    """Return the UK calendar day on which a message arrived: day one of the time limit.

    A message at 23:30 UTC on 30 June arrives at 00:30 on 1 July in London (summer time), and
    the ICO counts from the day of receipt whatever the hour.

    Raises:
        ValueError: for a naive datetime, whose day would be a guess.
    """
    if received.tzinfo is None or received.utcoffset() is None:
        raise ValueError("received must be timezone-aware (store times in UTC)")
    return received.astimezone(UK_TIME).date()


def add_months(start: date, months: int) -> date:
    """Return the corresponding calendar date ``months`` later, clamped to the month's end.

    >>> add_months(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    """
    if months < 0:
        raise ValueError("months must not be negative")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=1)
def _bank_holidays() -> holidays.HolidayBase:
    # England and Wales: CA Plus is in Nottingham. The holidays object fills in each year on
    # first use, including one-off days such as the 2023 coronation.
    return holidays.country_holidays("GB", subdiv="ENG")


def is_working_day(day: date) -> bool:
    """True for Monday to Friday except bank holidays in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays()


def next_working_day(day: date) -> date:
    """Return ``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_date(received: date, *, months: int = 1, pauses: Sequence[Pause] = ()) -> date:
    """Return the last day on which a reply is in time.

    Steps:
    1. Take the corresponding date ``months`` after ``received`` (last day of a short month).
    2. Push it back by the days of every pause that began while the clock was running.
    3. Move a weekend or bank-holiday result to the next working day.

    Args:
        received: the day the request arrived (day one, whatever the hour).
        months: 1 for the normal limit, 3 for a request extended by two further months.
        pauses: the times we were waiting for identity evidence or clarification.

    Raises:
        ClockStoppedError: when a pause that began in time is still open.
        ValueError: for a pause that starts before ``received``, or ``months`` below 1.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    running_until = add_months(received, months)
    for pause in _merged(pauses, received):
        if pause.start > running_until:
            break  # asked after the time had already run out: nothing to stop
        if pause.end is None:
            raise ClockStoppedError(since=pause.start, days_left=(running_until - pause.start).days)
        running_until += timedelta(days=pause.end.toordinal() - pause.start.toordinal())
    return next_working_day(running_until)


def can_extend(received: date, today: date, pauses: Sequence[Pause] = ()) -> bool:
    """True while the first month is still running, the only time an extension may be given.

    A stopped clock counts as running: the first month has not yet run out.

    Raises:
        ValueError: when ``today`` is before ``received`` or a pause is malformed.
    """
    if today < received:
        raise ValueError("today is before the request was received")
    try:
        return today <= due_date(received, pauses=pauses)
    except ClockStoppedError:
        return True


def extended_due_date(
    received: date, today: date, extra_months: int = 2, pauses: Sequence[Pause] = ()
) -> date:
    """Return the due date after extending by ``extra_months``, counted from the original start.

    Args:
        received: the day the request arrived.
        today: the day the extension is decided (it must be within the first month).
        extra_months: 1 or 2 further months.
        pauses: as for :func:`due_date`; they also push back the extended date.

    Raises:
        DeadlineError: when the first month has already run out, or ``extra_months`` is not
            1 or 2. ``ClockStoppedError`` when the clock is stopped: the extended date is
            unknown until the person replies (the extension itself may still be recorded).
    """
    if not 1 <= extra_months <= MAX_EXTRA_MONTHS:
        raise DeadlineError(
            f"an extension must be 1 or {MAX_EXTRA_MONTHS} further months, not {extra_months}"
        )
    if not can_extend(received, today, pauses):
        current = due_date(received, pauses=pauses)
        raise DeadlineError(
            f"too late to extend: the first month ran out on {current.isoformat()}; "
            "an extension must be decided, and the requester told, within the first month",
            due=current,
        )
    return due_date(received, months=1 + extra_months, pauses=pauses)


def _merged(pauses: Iterable[Pause], received: date) -> list[Pause]:
    """Sort pauses and join overlapping ones, so no day is counted twice."""
    merged: list[Pause] = []
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.start < received:
            raise ValueError(f"pause starts ({pause.start}) before the request ({received})")
        last = merged[-1] if merged else None
        if last is not None and (last.end is None or pause.start <= last.end):
            end = None if last.end is None or pause.end is None else max(last.end, pause.end)
            merged[-1] = Pause(last.start, end)
        else:
            merged.append(pause)
    return merged
