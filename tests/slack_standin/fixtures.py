"""Pytest fixture for the Slack stand-in.

Registered for every test by ``tests/conftest.py`` (``pytest_plugins``).
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
