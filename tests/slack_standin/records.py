"""What the stand-in saw and holds: recorded calls, acks and the messages in each channel.

The stand-in's event loop writes these from its own thread while the test reads them from the
main thread, so every structure here is guarded by one ``threading.Condition`` and readers get
copies, never the live objects.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """One Web API request as the stand-in received it."""

    method: str
    args: dict[str, Any]  # query + form + JSON body, with JSON-encoded fields decoded
    headers: dict[str, str]
    time: float  # time.monotonic(): for intervals between calls, unaffected by clock changes
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))


@dataclass(frozen=True)
class Ack:
    """One Socket Mode acknowledgement (``{"envelope_id": ..., "payload": ...}``) from the app."""

    envelope_id: str
    payload: dict[str, Any] | None
    time: float
    elapsed: float  # seconds since the envelope was first sent
    known: bool  # False when the envelope_id was never sent by the stand-in


class Journal:
    """A thread-safe, append-only log with blocking waits."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._acks: list[Ack] = []
        self._connections = 0

    def add_call(self, call: Call) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def add_ack(self, ack: Ack) -> None:
        with self._cond:
            self._acks.append(ack)
            self._cond.notify_all()

    def add_connection(self) -> int:
        with self._cond:
            self._connections += 1
            self._cond.notify_all()
            return self._connections

    def calls(self, method: str | None = None) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def acks(self, envelope_id: str | None = None) -> list[Ack]:
        with self._cond:
            return [a for a in self._acks if envelope_id is None or a.envelope_id == envelope_id]

    @property
    def connections(self) -> int:
        with self._cond:
            return self._connections

    def wait(self, predicate: Callable[[], T], timeout: float, what: str) -> T:
        """Block until ``predicate()`` returns something truthy, and return it.

        Raises:
            TimeoutError: after ``timeout`` seconds, naming ``what`` was awaited.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"Slack stand-in: timed out after {timeout}s waiting {what}")
                self._cond.wait(remaining)

    def wait_for_calls(self, method: str, count: int, timeout: float) -> list[Call]:
        def enough() -> list[Call]:
            found = [c for c in self._calls if c.method == method]
            return found if len(found) >= count else []

        return self.wait(enough, timeout, f"for {count} {method} call(s)")

    def wait_for_ack(self, envelope_id: str, timeout: float) -> Ack:
        def acked() -> Ack | None:
            return next((a for a in self._acks if a.envelope_id == envelope_id), None)

        return self.wait(acked, timeout, f"for the ack of envelope {envelope_id}")

    def wait_for_connections(self, count: int, timeout: float) -> int:
        return self.wait(
            lambda: self._connections if self._connections >= count else 0,
            timeout,
            f"for {count} Socket Mode connection(s)",
        )


class MessageStore:
    """Messages per channel, in posting order, as Slack would return them now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._channels: dict[str, dict[str, dict[str, Any]]] = {}
        self._ephemeral: list[dict[str, Any]] = []
        self._last_ts = 0.0

    def next_ts(self) -> str:
        """Return a unique, increasing ``ts`` (Slack's message ids are unique per channel)."""
        with self._lock:
            now = max(time.time(), self._last_ts + 0.000001)
            self._last_ts = now
            return f"{now:.6f}"

    def add(self, channel: str, message: dict[str, Any]) -> None:
        with self._lock:
            self._channels.setdefault(channel, {})[message["ts"]] = copy.deepcopy(message)

    def add_ephemeral(self, message: dict[str, Any]) -> None:
        with self._lock:
            self._ephemeral.append(copy.deepcopy(message))

    def update(self, channel: str, ts: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Apply ``changes`` to a stored message and return its new state (None if not found)."""
        with self._lock:
            stored = self._channels.get(channel, {}).get(ts)
            if stored is None:
                return None
            stored.update(copy.deepcopy(changes))
            return copy.deepcopy(stored)

    def get(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self._lock:
            stored = self._channels.get(channel, {}).get(ts)
            return copy.deepcopy(stored)

    def in_channel(self, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._channels.get(channel, {}).values()))

    def ephemeral(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(
                [m for m in self._ephemeral if channel is None or m["channel"] == channel]
            )
