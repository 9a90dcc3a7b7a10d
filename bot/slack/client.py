"""The Web API client every part of the app uses, and the pacing of posts.

One :class:`~slack_sdk.WebClient` per process, pointed at ``[slack] base_url`` (the stand-in in
tests), with slack_sdk's own retry handlers: a 429 waits for ``Retry-After`` and tries again, a
5xx is retried with backoff, a dropped connection once. What still fails becomes a
:class:`~bot.errors.DeliveryError` in :mod:`bot.slack.delivery`, and the outbox retries later,
so nothing is lost while Slack is down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator

from bot.config import SlackConfig

# Slack allows about one message per second per channel in bursts (chat.postMessage docs).
POST_INTERVAL_S = 1.0
#: The wait before retrying a 5xx: 0.5 s, then 1 s, each plus up to 1 s of random jitter. A
#: module attribute read by each new client, so tests that inject 5xx faults can shorten it.
SERVER_ERROR_INTERVAL: RetryIntervalCalculator = BackoffRetryIntervalCalculator(
    backoff_factor=0.5)


def make_web_client(config: SlackConfig, *, timeout: int = 15) -> WebClient:
    """A bot-token client with rate-limit, server-error and connection retries."""
    client = WebClient(token=config.bot_token, base_url=config.base_url, timeout=timeout)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=1),
        RateLimitErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2, interval_calculator=SERVER_ERROR_INTERVAL),
    ]
    return client


class Pacer:
    """Keeps posts to one channel at least ``interval`` seconds apart, across threads."""

    def __init__(self, interval: float = POST_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait(self, channel: str) -> float:
        """Block until ``channel`` may be posted to; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(channel, now))
            self._next[channel] = slot + self.interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay


PACER = Pacer()
