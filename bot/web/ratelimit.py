"""Per-client token buckets for the public endpoint (pure: the clock is passed in).

A bucket holds up to ``burst`` tokens and refills at ``rate`` tokens a second. Each counted request
takes one; an empty bucket means "429, come back in N seconds". Buckets live in memory, keyed by
the client's address: limits are per process, which is what a single front end needs, and a
restart forgets them, which only ever lets someone in, never locks them out.

Why not a library: the one rule here (a token bucket with a retry hint) is twenty lines, and the
maintained libraries (``limits``, ``Flask-Limiter``) bring storage back-ends and a decorator
language we would not use.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

# Enough distinct clients for a busy day; beyond it the least recently seen bucket is dropped
# (that client starts again full), so a flood of spoofed sources cannot exhaust memory.
MAX_CLIENTS = 10_000


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """One token bucket per key, thread-safe (waitress serves requests from a pool)."""

    def __init__(self, rate_per_minute: float, burst: int,
                 clock: Callable[[], float] = time.monotonic,
                 max_clients: int = MAX_CLIENTS) -> None:
        if rate_per_minute <= 0 or burst < 1:
            raise ValueError("rate_per_minute must be positive and burst at least 1")
        self.rate = rate_per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(float(self.burst), now)
            self._buckets[key] = bucket
            while len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)
        else:
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            self._buckets.move_to_end(key)
        return bucket

    def take(self, key: str) -> float:
        """Take one token for ``key``: 0 when allowed, else the whole seconds to wait."""
        with self._lock:
            bucket = self._refilled(key, self._clock())
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    def retry_after(self, key: str) -> float:
        """Like :meth:`take` but takes nothing: 0 when a token is there, else seconds to wait."""
        with self._lock:
            bucket = self._refilled(key, self._clock())
            if bucket.tokens >= 1.0:
                return 0
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))
