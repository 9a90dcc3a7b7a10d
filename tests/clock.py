"""The one clock tests use: set by the test, moved by the test, never read from the wall.

A :class:`TestClock` is what ``Runtime.now`` expects (a callable returning an aware UTC
datetime), so a test hands it to the runtime and every step that asks "what time is it?" gets
the test's answer. Received dates of test mail come from the same clock (``received_at=`` for
files and Slack, ``msg_time=`` for an IMAP APPEND), so a due date computed today is the due date
next year, under libfaketime, and across a change of UK summer time.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

# A Monday in term: the sample mail is dated 23 Nov 2026, a working day in England and Wales.
DEFAULT_START = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


class TestClock:
    """A stopped clock: ``clock()`` is the time the test set until the test moves it."""

    __test__ = False  # not a test class, whatever its name says

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self._lock = threading.Lock()
        self._now = _aware(start)

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> datetime:
        with self._lock:
            self._now = _aware(when)
            return self._now

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move forward by ``delta`` or by ``timedelta(**parts)`` (e.g. ``minutes=5``)."""
        step = delta if delta is not None else timedelta(**parts)
        with self._lock:
            self._now += step
            return self._now


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("a test clock needs an aware datetime (tzinfo=UTC)")
    return when.astimezone(UTC)
