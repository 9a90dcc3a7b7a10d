"""The thread supervisor's rules, driven synchronously with a fake clock and sleep."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest

from bot.supervise import Supervised, Supervisor


class FakeTime:
    """A clock that only moves when the supervisor sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> bool:
        self.sleeps.append(seconds)
        self.now += seconds
        return False


def scripted(stop: threading.Event, steps: list[Callable[[Callable[[], None]], None]]):
    """A thread body that plays one step per start, then sets stop (the end of the test)."""
    calls = iter(steps)

    def body(beat: Callable[[], None]) -> None:
        step = next(calls, None)
        if step is None:
            stop.set()
            return
        step(beat)

    return body


def fail(message: str = "disk I/O error") -> Callable[[Callable[[], None]], None]:
    def step(_beat: Callable[[], None]) -> None:
        raise OSError(message)
    return step


def work_then_fail(message: str = "disk I/O error") -> Callable[[Callable[[], None]], None]:
    def step(beat: Callable[[], None]) -> None:
        beat()
        raise OSError(message)
    return step


def make(steps, **options) -> tuple[Supervised, FakeTime, threading.Event]:
    fake, stop = FakeTime(), threading.Event()
    handle = Supervised("watcher", scripted(stop, steps), stop, sleep=fake.sleep,
                        clock=fake.clock, **options)
    return handle, fake, stop


def test_a_failing_thread_is_restarted_with_a_doubling_backoff_that_is_capped():
    handle, fake, _ = make([fail()] * 8, base_backoff_s=0.5, max_backoff_s=5.0)
    handle.run()
    assert fake.sleeps == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0]
    assert handle.health().restarts == 8


def test_the_backoff_starts_from_the_bottom_once_the_thread_has_worked_again():
    handle, fake, _ = make([fail(), fail(), fail(), work_then_fail(), fail()])
    handle.run()
    assert fake.sleeps == [0.5, 1.0, 2.0, 0.5, 1.0]


def test_a_thread_that_ran_longer_than_stable_s_counts_as_having_worked():
    def long_run_then_fail(_beat):
        fake.now += 60
        raise OSError("dropped")

    handle, fake, _ = make([fail(), fail(), long_run_then_fail], stable_s=10)
    handle.run()
    assert fake.sleeps == [0.5, 1.0, 0.5]


def test_the_same_failure_is_logged_once_with_its_traceback_not_once_per_retry(caplog):
    handle, _, _ = make([fail("database or disk is full")] * 20)
    with caplog.at_level(logging.DEBUG, logger="bot.supervise"):
        handle.run()
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1
    assert "watcher" in errors[0].getMessage()
    assert "OSError: database or disk is full" in errors[0].getMessage()
    assert errors[0].exc_info is not None


def test_a_different_failure_and_a_failure_after_recovery_are_logged_again(caplog):
    handle, _, _ = make([fail("locked"), fail("locked"), fail("disk full"),
                         work_then_fail("locked"), fail("locked")])
    with caplog.at_level(logging.INFO, logger="bot.supervise"):
        handle.run()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert [("locked" in m, "disk full" in m) for m in errors] == [
        (True, False), (False, True), (True, False)]
    assert any("working again" in r.getMessage() for r in caplog.records
               if r.levelno == logging.INFO)


def test_a_thread_that_returns_while_the_service_runs_is_treated_as_failed_and_restarted(caplog):
    handle, fake, _ = make([lambda beat: None, lambda beat: None])
    with caplog.at_level(logging.ERROR, logger="bot.supervise"):
        handle.run()
    assert fake.sleeps == [0.5, 1.0]
    assert "returned while the service is running" in caplog.text


def test_health_is_red_while_down_and_turns_green_only_when_the_thread_works_again():
    fake, stop = FakeTime(), threading.Event()
    seen: list[tuple[str, bool]] = []

    def sleep(seconds: float) -> bool:
        seen.append(("backoff", handle.health().healthy))
        return fake.sleep(seconds)

    def restarted_before_beat(beat):
        seen.append(("restarted, no beat yet", handle.health().healthy))
        beat()
        seen.append(("after beat", handle.health().healthy))
        stop.set()

    handle = Supervised("triage", scripted(stop, [fail(), restarted_before_beat]), stop,
                        sleep=sleep, clock=fake.clock)
    assert handle.health().healthy is False  # not started yet
    handle.run()
    assert seen == [("backoff", False), ("restarted, no beat yet", False), ("after beat", True)]
    health = handle.health()
    assert (health.failures, health.last_error) == (0, None)


def test_stopping_during_the_backoff_ends_the_thread_without_another_start():
    stop = threading.Event()
    starts = []

    def body(_beat):
        starts.append(1)
        raise RuntimeError("boom")

    def sleep(_seconds: float) -> bool:
        stop.set()
        return True

    Supervised("delivery", body, stop, sleep=sleep).run()
    assert starts == [1]


@pytest.mark.parametrize("exit_how", ["returns", "raises"])
def test_a_thread_ending_because_the_service_stops_is_not_a_failure(exit_how, caplog):
    stop = threading.Event()

    def body(_beat):
        stop.set()
        if exit_how == "raises":
            raise ConnectionError("closed by shutdown")

    with caplog.at_level(logging.ERROR, logger="bot.supervise"):
        Supervised("http", body, stop, sleep=lambda s: pytest.fail("no backoff expected")).run()
    assert caplog.records == []


def test_the_supervisor_reports_each_thread_and_joins_them_on_stop():
    stop = threading.Event()
    supervisor = Supervisor(stop)
    ready = threading.Event()

    def body(beat):
        beat()
        ready.set()
        stop.wait()

    supervisor.start("worker-a", body)
    supervisor.start("worker-b", lambda beat: stop.wait())
    assert ready.wait(10)
    status = {h.name: h for h in supervisor.status()}
    assert status["worker-a"].healthy and status["worker-a"].running
    assert status["worker-b"].running
    stop.set()
    supervisor.join(10)
    assert not any(t.is_alive() for t in supervisor.threads)
    assert not any(h.running for h in supervisor.status())
