"""The loop around a mailbox's watcher: stand by, lead, stop when the lock is lost.

A lock and a watcher of our own stand in for PostgreSQL and IMAP here (the real ones are in
tests/integration/test_processes.py); the loop is what is under test.
"""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest

from bot.pipeline.watch import Watcher
from bot.pipeline.watch_lead import LeadingWatcher
from tests.waiting import wait_until


class Lock:
    def __init__(self) -> None:
        self.free = False
        self.held = False
        self.connection_ok = True
        self.released = 0

    def try_acquire(self) -> bool:
        if self.free:
            self.free, self.held, self.connection_ok = False, True, True
            return True
        return False

    def alive(self) -> bool:
        return self.connection_ok

    def release(self) -> None:
        self.held = False
        self.released += 1


class FakeWatcher:
    def __init__(self, fail: BaseException | None = None) -> None:
        self.watching = threading.Event()
        self.terms = 0
        self.fail = fail

    def run(self, stop: threading.Event) -> None:
        self.terms += 1
        self.watching.set()
        if self.fail is not None:
            raise self.fail
        stop.wait(30)
        self.watching.clear()

    def interrupt(self) -> None:
        pass


def start(leader: LeadingWatcher, stop: threading.Event) -> tuple[threading.Thread, list[int]]:
    beats: list[int] = []
    thread = threading.Thread(target=leader.run, args=(stop, lambda: beats.append(1)))
    thread.start()
    return thread, beats


def leading(lock: Lock, watcher: FakeWatcher) -> LeadingWatcher:
    return LeadingWatcher(cast(Watcher, cast(Any, watcher)), lock, "mailbox-1", retry_s=0.01)


def test_a_standby_does_not_watch_but_reports_healthy_and_takes_over_when_free():
    lock, watcher, stop = Lock(), FakeWatcher(), threading.Event()
    leader = leading(lock, watcher)
    thread, beats = start(leader, stop)
    try:
        wait_until(lambda: len(beats) >= 3, 5, "standby beats")
        assert not watcher.watching.is_set() and not leader.leading.is_set()
        lock.free = True  # the holder died
        wait_until(watcher.watching.is_set, 5, "the take-over")
        assert leader.leading.is_set() and leader.took_over_at is not None
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive() and lock.released == 1 and not lock.held


def test_the_leader_stops_watching_when_its_lock_connection_is_lost_and_stands_by_again():
    lock, watcher, stop = Lock(), FakeWatcher(), threading.Event()
    lock.free = True
    leader = leading(lock, watcher)
    thread, _ = start(leader, stop)
    try:
        wait_until(watcher.watching.is_set, 5, "leading")
        lock.connection_ok = False
        wait_until(lambda: not watcher.watching.is_set(), 5, "watching to stop")
        wait_until(lambda: lock.released == 1 and not leader.leading.is_set(), 5, "release")
        assert watcher.terms == 1  # and it does not watch again while the lock is taken
        lock.free = True
        wait_until(lambda: watcher.terms == 2 and watcher.watching.is_set(), 5, "second term")
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_a_failing_watcher_gives_the_lock_up_and_raises_to_the_supervisor():
    lock, stop = Lock(), threading.Event()
    lock.free = True
    leader = leading(lock, FakeWatcher(fail=RuntimeError("database down")))
    with pytest.raises(RuntimeError, match="database down"):
        leader.run(stop, lambda: None)
    assert lock.released == 1 and not lock.held
