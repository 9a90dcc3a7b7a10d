"""The token buckets behind the 429s, on a clock the test moves."""

from __future__ import annotations

import pytest

from bot.web.ratelimit import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_each_token_comes_back_at_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate_per_minute=60, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(4)] == [0, 0, 0, 1]
    clock.now += 0.5
    assert buckets.take("a") == 1          # half a token: still wait (rounded up to 1 s)
    clock.now += 0.5
    assert buckets.take("a") == 0
    clock.now += 3600
    assert [buckets.take("a") for _ in range(4)] == [0, 0, 0, 1]   # refills to the burst only


def test_keys_do_not_share_a_bucket_and_retry_after_takes_nothing() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate_per_minute=6, burst=1, clock=clock)
    assert buckets.take("a") == 0 and buckets.take("a") == 10
    assert buckets.retry_after("b") == 0 and buckets.retry_after("b") == 0
    assert buckets.take("b") == 0


def test_the_least_recently_seen_client_is_forgotten_beyond_the_cap() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate_per_minute=1, burst=1, clock=clock, max_clients=2)
    buckets.take("a")
    buckets.take("b")
    buckets.take("c")                       # "a" is dropped and starts again full
    assert buckets.take("a") == 0
    assert buckets.take("c") > 0


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_nonsense_limits_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        TokenBuckets(rate, burst)
