"""Shared fixtures: the real servers (Dovecot, aiosmtpd, PostgreSQL) and a runtime on them."""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.config import Config, DatabaseConfig, ImapConfig, SmtpConfig
from tests.servers.dovecot import Dovecot, dovecot_available
from tests.servers.smtp import SmtpServer

# Fixture modules of their own: the HTTP front end's, and the Slack stand-in's.
pytest_plugins = ["tests.web_fixtures", "tests.slack_standin.fixtures"]

POSTGRES_URL = os.environ.get("PRIVACY_TRIAGE_TEST_POSTGRES",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _postgres_unavailable() -> str | None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install '.[postgres]')"
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable here"
        return f"no PostgreSQL reachable at {POSTGRES_URL}: {type(exc).__name__}"
    return None


_PG_REASON: list[str | None] = []


def postgres_reason() -> str | None:
    if not _PG_REASON:
        _PG_REASON.append(_postgres_unavailable())
    return _PG_REASON[0]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'triage.sqlite3'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped after the test."""
    reason = postgres_reason()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Every store test runs on both databases (PostgreSQL skipped, with why, if absent)."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(name)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    reason = dovecot_available()
    if reason:
        pytest.skip(reason)
    server = Dovecot()
    server.start()
    yield server
    server.close()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def make_config(database_url: str, dovecot: Dovecot | None = None,
                smtp: SmtpServer | None = None, **sections: object) -> Config:
    """A config pointing at the test servers (secrets already resolved, as load_config does)."""
    config = Config(database=DatabaseConfig(url=database_url))
    if dovecot is not None:
        config = dataclasses.replace(config, imap=ImapConfig(
            host=dovecot.host, port=dovecot.port, ssl=False, username=dovecot.user,
            secret=dovecot.password, poll_interval_s=30, timeout_s=10, fetch_batch=50,
            start="all"))  # tests fill the mailbox before the first poll
    if smtp is not None:
        config = dataclasses.replace(config, smtp=SmtpConfig(
            host=smtp.host, port=smtp.port, starttls=False,
            from_address="support@caplus.org.uk", timeout_s=5))
    return dataclasses.replace(config, **sections)
