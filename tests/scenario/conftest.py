"""Fixtures for the Slack scenarios: a runtime on the stand-in and aiosmtpd, and the app
running over Socket Mode as ``privacy-triage run`` starts it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.socket_mode.builtin.client import SocketModeClient

from bot.runtime import Runtime
from bot.slack import client as slack_client
from tests.clock import TestClock
from tests.conftest import make_config
from tests.scenario.slack_helpers import running_app, slack_config, triage_config
from tests.servers.smtp import SmtpServer
from tests.slack_standin import SlackStandIn


@pytest.fixture(autouse=True)
def quick_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pacing is tested on its own; here it would only add a second per post."""
    monkeypatch.setattr(slack_client.PACER, "interval", 0.0)


@pytest.fixture(autouse=True)
def quick_server_error_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 5xx is still retried (twice) before the outbox takes over, 10 ms apart instead of
    0.5 s and 1 s plus up to a second of jitter each: the waits checked nothing."""
    monkeypatch.setattr(slack_client, "SERVER_ERROR_INTERVAL",
                        FixedValueRetryIntervalCalculator(0.01))


@pytest.fixture(autouse=True)
def prompt_socket_mode_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wake slack_sdk's message processor when the Socket Mode client closes.

    The processor blocks on its queue for up to a second between looks at ``closed``, so every
    app fixture's teardown waited that second (a minute over the scenarios). A ``None`` on the
    queue is a message it skips; it then sees ``closed`` and returns at once.
    """
    original = SocketModeClient.close

    def close(self: SocketModeClient) -> None:
        self.closed = True
        self.message_queue.put(None)
        original(self)

    monkeypatch.setattr(SocketModeClient, "close", close)


@pytest.fixture
def slack_runtime(sqlite_url: str, smtp_server: SmtpServer, slack_standin: SlackStandIn,
       clock: TestClock) -> Iterator[Runtime]:
    """A runtime on SQLite whose clock is the test's (``clock``), not the wall's."""
    config = make_config(sqlite_url, smtp=smtp_server, slack=slack_config(slack_standin),
                         triage=triage_config())
    runtime = Runtime.open(config)
    runtime.now = clock
    yield runtime
    runtime.close()


@pytest.fixture
def slack_runtime_both(database_url: str, smtp_server: SmtpServer, slack_standin: SlackStandIn,
            clock: TestClock) -> Iterator[Runtime]:
    """Like ``slack_runtime``, on SQLite and on PostgreSQL (skipped, with why, if absent)."""
    config = make_config(database_url, smtp=smtp_server, slack=slack_config(slack_standin),
                         triage=triage_config())
    runtime = Runtime.open(config)
    runtime.now = clock
    yield runtime
    runtime.close()


@pytest.fixture
def app_both(slack_runtime_both: Runtime, slack_standin: SlackStandIn) -> Iterator[Any]:
    yield from running_app(slack_runtime_both, slack_standin)


@pytest.fixture
def app(slack_runtime: Runtime, slack_standin: SlackStandIn) -> Iterator[Any]:
    """The app as ``privacy-triage run`` starts it, connected over Socket Mode."""
    yield from running_app(slack_runtime, slack_standin)
