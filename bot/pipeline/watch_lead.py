"""Watch a mailbox only while holding its lock: standby, take over, stop when the lock is lost.

The lock itself (PostgreSQL advisory lock, SQLite file lock) is ``bot/store/leadership.py``;
this is the loop around :class:`~bot.pipeline.watch.Watcher` that every ``run`` process with
the watcher part runs for each mailbox:

1. **standby**: try the lock every ``retry_s`` (1 s); while another process holds it, do
   nothing but report healthy;
2. **leader**: run the watcher in a thread of its own and check every ``retry_s`` that the lock
   connection still answers; when it does not (the session was terminated, the network or the
   server went away) stop watching at once, because another process may already have the lock;
3. after the watcher stops, for whatever reason, give the lock up and go back to 1. A watcher
   that failed (the database down) re-raises here, so the supervisor logs it and backs off;
   meanwhile the released lock lets a healthy process take over.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from bot.pipeline.watch import Watcher
from bot.store.db import Store
from bot.store.leadership import (
    RETRY_S,
    AlreadyWatching,
    PostgresWatcherLock,
    SqliteWatcherLock,
    sqlite_database,
)

logger = logging.getLogger(__name__)


class WatcherLock(Protocol):
    """What the loop needs of a lock (``PostgresWatcherLock``, or :class:`AlwaysHeld`)."""

    def try_acquire(self) -> bool: ...
    def alive(self) -> bool: ...
    def release(self) -> None: ...


class AlwaysHeld:
    """The lock of a mailbox no other process can watch: SQLite, where the process-wide file
    lock was taken once at start-up (or refused)."""

    def try_acquire(self) -> bool:
        return True

    def alive(self) -> bool:
        return True

    def release(self) -> None:
        return None


def mailbox_lock(store: Store, identity: str) -> WatcherLock:
    """The lock a watcher thread of ``run`` holds while it watches one mailbox."""
    return PostgresWatcherLock(store.engine, identity) if store.is_postgresql else AlwaysHeld()


def take_process_lock(store: Store) -> SqliteWatcherLock | None:
    """On SQLite, the one-watcher-process lock, taken before ``run`` starts any thread.

    Raises:
        AlreadyWatching: another process watches this database's mailboxes.
    """
    database = sqlite_database(store.engine)
    if database is None:
        return None
    lock = SqliteWatcherLock(database)
    lock.acquire()
    return lock


@contextmanager
def one_pass(store: Store, identity: str) -> Iterator[bool]:
    """Hold the mailbox's watcher lock for one catch-up (``poll --once``, also a watcher):
    yields False, taking nothing, while a ``run`` process watches the mailbox."""
    lock: PostgresWatcherLock | SqliteWatcherLock | None = None
    if store.is_postgresql:
        lock = PostgresWatcherLock(store.engine, identity)
        if not lock.try_acquire():
            lock.release()
            yield False
            return
    else:
        try:
            lock = take_process_lock(store)
        except AlreadyWatching:
            yield False
            return
    try:
        yield True
    finally:
        if lock is not None:
            lock.release()


class LeadingWatcher:
    """One mailbox's watcher, run only while this process holds the mailbox's lock.

    Args:
        watcher: the mailbox's watcher.
        lock: its lock.
        name: how log lines name the mailbox (an index, never its address).
        retry_s: how often a standby tries the lock and the leader checks it.
    """

    def __init__(self, watcher: Watcher, lock: WatcherLock, name: str,
                 retry_s: float = RETRY_S) -> None:
        self.watcher = watcher
        self.lock = lock
        self.name = name
        self.retry_s = retry_s
        #: Whether this process is the mailbox's watcher right now (for health and tests).
        self.leading = threading.Event()
        #: Monotonic time of the last take-over (None while never leader).
        self.took_over_at: float | None = None

    def run(self, stop: threading.Event, beat: Callable[[], None]) -> None:
        """Stand by or lead until ``stop`` is set; the supervisor's thread body."""
        standby_said = False
        while not stop.is_set():
            if not self.lock.try_acquire():
                if not standby_said:
                    logger.info("%s: standby, another process watches this mailbox", self.name)
                    standby_said = True
                beat()  # a standby is doing its job
                stop.wait(self.retry_s)
                continue
            standby_said = False
            self.took_over_at = time.monotonic()
            logger.info("%s: took the watcher lock; watching", self.name)
            try:
                self._lead(stop)
            finally:
                self.leading.clear()
                self.lock.release()

    def _lead(self, stop: threading.Event) -> None:
        term = threading.Event()  # ends this term of leadership (stop, or the lock lost)
        failure: list[BaseException] = []

        def watch() -> None:
            try:
                self.watcher.run(term)
            except BaseException as exc:  # noqa: BLE001 - handed to the supervising thread
                failure.append(exc)

        thread = threading.Thread(target=watch, name=f"{self.name}-imap", daemon=True)
        self.leading.set()
        thread.start()
        try:
            while thread.is_alive() and not stop.wait(self.retry_s):
                if not self.lock.alive():
                    logger.warning("%s: the watcher lock is lost; stopping watching (another "
                                   "process may take over)", self.name)
                    break
        finally:
            term.set()
            self.watcher.interrupt()
            thread.join(30)
        if failure:
            raise failure[0]

    def interrupt(self) -> None:
        """Wake the watcher out of IDLE (after setting the stop event)."""
        self.watcher.interrupt()
