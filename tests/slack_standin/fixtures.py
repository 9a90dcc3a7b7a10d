"""Pytest fixture for the Slack stand-in.

Load it in a test module with ``pytest_plugins = ["tests.slack_standin.fixtures"]`` (or import
``slack_standin`` into a conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import SlackStandIn


@pytest.fixture
def slack_standin() -> Iterator[SlackStandIn]:
    """A started stand-in on a free loopback port, stopped after the test.

    Tokens: bot ``xoxb-test``, app-level ``xapp-test``.
    """
    with SlackStandIn() as standin:
        yield standin
