"""Pacing posts per channel, and the retry handlers every client gets."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import SlackConfig
from bot.slack.client import Pacer, make_web_client


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_posts_to_one_channel_are_a_second_apart_and_channels_are_independent():
    clock = _Clock()
    pacer = Pacer(1.0, clock=clock, sleep=clock.sleep)
    assert pacer.wait("C1") == 0
    assert pacer.wait("C1") == 1.0
    assert pacer.wait("C2") == 0
    clock.now += 5
    assert pacer.wait("C1") == 0
    assert clock.slept == [1.0]


def test_the_client_uses_the_configured_base_url_and_retries_429_and_5xx():
    client = make_web_client(SlackConfig(bot_token="xoxb-1", base_url="http://127.0.0.1:9/api/"))
    assert client.base_url == "http://127.0.0.1:9/api/"
    kinds = {type(h) for h in client.retry_handlers}
    assert {RateLimitErrorRetryHandler, ServerErrorRetryHandler} <= kinds
