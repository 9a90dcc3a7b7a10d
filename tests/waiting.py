"""The one way tests wait for something another thread does: poll until it holds, or fail.

Waiting is measured on the monotonic clock, so it is unaffected by the test clock, by
libfaketime moving the wall clock, or by a change of summer time.

A check that reads the database must see other threads' commits. On SQLite in WAL mode a read
transaction keeps the snapshot it started with, so re-reading through one open session can wait
forever for a commit it will never see. Pass ``store=`` and the check is called with a *fresh*
session on every poll (closed before the next one).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.store.db import Store


def wait_until(check: Callable[..., Any], timeout: float = 5.0, what: str = "condition", *,
               store: Store | None = None, interval: float = 0.02) -> Any:
    """Return ``check()``'s first truthy value; raise AssertionError after ``timeout`` s.

    With ``store``, ``check(session)`` gets a new session each time. The check is always run
    once more at the deadline, so a slow machine does not fail a condition that did come true.
    """
    deadline = time.monotonic() + timeout
    while True:
        last_try = time.monotonic() >= deadline
        value = _run(check, store)
        if value:
            return value
        if last_try:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def _run(check: Callable[..., Any], store: Store | None) -> Any:
    if store is None:
        return check()
    session: Session
    with store.sessions() as session:
        return check(session)


def seconds_until(check: Callable[..., Any], timeout: float = 5.0, what: str = "condition", *,
                  store: Store | None = None, interval: float = 0.02) -> float:
    """:func:`wait_until`, returning how long it took: for tests that report a latency."""
    started = time.monotonic()
    wait_until(check, timeout, what, store=store, interval=interval)
    return time.monotonic() - started
