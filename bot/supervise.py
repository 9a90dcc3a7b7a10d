"""Supervision of the service's long-lived threads: restart on failure, report health.

A thread that dies silently is the worst failure a mail service can have: the process stays up,
a health check that only pings the database answers 200, and intake has stopped for good. So
every long-lived thread of ``privacy-triage run`` runs under :class:`Supervisor`:

- an unexpected exception (or an unexpected return) is logged once, with its traceback; the
  same failure repeated while the thread keeps failing is logged at debug level only, so a
  database that is down for an hour gives one error line, not one per retry;
- the thread is restarted after an exponential backoff, capped at ``max_backoff_s``; the
  backoff starts again from the bottom once the thread has worked again;
- :meth:`Supervisor.status` says, per thread, whether it is healthy, so ``/healthz`` and
  ``/readyz`` can turn red while a thread is down.

A thread's body is called with a ``beat`` function and proves it is working by calling it after
each good pass; a thread that has no natural "pass" (the HTTP server) counts as healthy once it has
run for ``stable_s`` without failing. Clock and sleep are injected so the rules are unit-tested
without waiting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# Waits up to the given seconds; returns True when the service is stopping (Event.wait's contract).
Sleep = Callable[[float], bool]
# A thread's body; it is handed its ``beat`` to call after each good pass.
Target = Callable[[Callable[[], None]], object]


@dataclass(frozen=True)
class ThreadHealth:
    """One supervised thread as ``/readyz`` shows it."""

    name: str
    healthy: bool
    running: bool
    failures: int  # consecutive failures since it last worked
    restarts: int  # restarts since the process started
    last_error: str | None


class Supervised:
    """The supervision state and loop of one thread (see the module docstring)."""

    def __init__(self, name: str, target: Target, stop: threading.Event, *,
                 sleep: Sleep | None = None, clock: Callable[[], float] = time.monotonic,
                 base_backoff_s: float = 0.5, max_backoff_s: float = 30.0,
                 stable_s: float = 10.0) -> None:
        self.name = name
        self.target = target
        self.stop = stop
        self.sleep: Sleep = sleep or stop.wait
        self.clock = clock
        self.base_backoff_s = base_backoff_s
        self.max_backoff_s = max_backoff_s
        self.stable_s = stable_s
        self._lock = threading.Lock()
        self._running = False
        self._started_at = 0.0
        self._beaten = False
        self._failures = 0
        self._restarts = 0
        self._last_error: str | None = None
        self._logged: str | None = None  # the failure last logged at error level

    def beat(self) -> None:
        """Called by the thread after each good pass: it works (again)."""
        with self._lock:
            self._beaten = True
            if self._failures:
                logger.info("Thread %s is working again after %d failure(s)", self.name,
                            self._failures)
                self._failures, self._last_error, self._logged = 0, None, None

    def health(self) -> ThreadHealth:
        with self._lock:
            settled = self._failures == 0 or self._beaten or (
                self.clock() - self._started_at >= self.stable_s)
            return ThreadHealth(self.name, self._running and settled, self._running,
                                self._failures, self._restarts, self._last_error)

    def next_backoff(self) -> float:
        """The wait before the next restart, after ``failures`` consecutive failures."""
        return min(self.max_backoff_s, self.base_backoff_s * 2.0 ** max(0, self._failures - 1))

    def run(self) -> None:
        """Run the target until the stop event is set, restarting it whenever it fails."""
        while not self.stop.is_set():
            with self._lock:
                self._running, self._started_at, self._beaten = True, self.clock(), False
            try:
                self.target(self.beat)
            except Exception as exc:  # noqa: BLE001 - whatever it was, the thread must come back
                failure: BaseException | None = exc
            else:
                failure = None
            with self._lock:
                self._running = False
            if self.stop.is_set():
                return
            delay = self._record_failure(failure)
            if self.sleep(delay):
                return
            with self._lock:
                self._restarts += 1

    def _record_failure(self, exc: BaseException | None) -> float:
        with self._lock:
            if self._beaten or self.clock() - self._started_at >= self.stable_s:
                self._failures = 0  # it had worked again: start the backoff from the bottom
            self._failures += 1
            what = (f"{type(exc).__name__}: {exc}" if exc is not None
                    else "returned while the service is running")
            self._last_error = what[:500]
            delay = self.next_backoff()
            repeated = what == self._logged
            self._logged = what
        if repeated:
            logger.debug("Thread %s failed again (%d in a row): %s; restarting in %.1f s",
                         self.name, self._failures, what, delay)
        else:
            logger.error("Thread %s failed: %s; restarting in %.1f s (backoff up to %.0f s; "
                         "the same failure again is not logged until it changes or recovers)",
                         self.name, what, delay, self.max_backoff_s,
                         exc_info=(type(exc), exc, exc.__traceback__) if exc else None)
        return delay


class Supervisor:
    """Starts supervised daemon threads that share one stop event, and reports their health."""

    def __init__(self, stop: threading.Event, **options: float) -> None:
        self.stop = stop
        self.options = options
        self.supervised: list[Supervised] = []
        self.threads: list[threading.Thread] = []

    def start(self, name: str, target: Target) -> Supervised:
        handle = Supervised(name, target, self.stop, **self.options)  # type: ignore[arg-type]
        thread = threading.Thread(target=handle.run, name=name, daemon=True)
        self.supervised.append(handle)
        self.threads.append(thread)
        thread.start()
        return handle

    def status(self) -> list[ThreadHealth]:
        return [s.health() for s in self.supervised]

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
