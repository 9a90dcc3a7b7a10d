"""Shared fixtures for the HTTP front end: a runtime with both web secrets, the Flask test
client, and the real server on a free port. ``tests/conftest.py`` registers this module
(``pytest_plugins``), so every test can ask for them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from bot.config import HttpConfig
from bot.runtime import Runtime
from bot.store.db import Store
from bot.web.app import create_app
from bot.web.server import RunningServer, start_server
from tests.conftest import make_config

SECRET = "unsubscribe-secret-for-tests"
API_TOKEN = "api-token-for-tests"


def web_runtime(database_url: str, **http: object) -> Runtime:
    """A runtime on ``database_url`` with both secrets set unless ``http`` overrides them."""
    settings = {"unsubscribe_secret": SECRET, "api_token": API_TOKEN, "port": 0, **http}
    config = make_config(database_url, http=HttpConfig(**settings))  # type: ignore[arg-type]
    return Runtime(config, Store.open(database_url))


@pytest.fixture
def http_runtime(database_url: str) -> Iterator[Runtime]:
    """A runtime with both web secrets, on SQLite and on PostgreSQL (what ``client`` serves)."""
    runtime = web_runtime(database_url)
    yield runtime
    runtime.close()


@pytest.fixture
def http_sqlite_runtime(sqlite_url: str) -> Iterator[Runtime]:
    """The same on SQLite only: what the real server (``server``) runs on."""
    runtime = web_runtime(sqlite_url)
    yield runtime
    runtime.close()


@pytest.fixture
def client(http_runtime: Runtime) -> FlaskClient:
    return create_app(http_runtime).test_client()


@pytest.fixture
def server(http_sqlite_runtime: Runtime) -> Iterator[RunningServer]:
    """The real waitress server on a free loopback port (SQLite)."""
    running = start_server(http_sqlite_runtime, host="127.0.0.1", port=0)
    yield running
    running.close()
