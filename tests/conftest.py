"""Shared fixtures: the real servers (Dovecot, aiosmtpd, PostgreSQL) and a runtime on them."""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.config import Config, DatabaseConfig, ImapConfig, SmtpConfig
from bot.runtime import Runtime
from bot.store.db import Store
from tests import hypothesis_profiles
from tests.clock import TestClock
from tests.servers.dovecot import Dovecot, dovecot_available
from tests.servers.smtp import SmtpServer

# Fixture modules of their own: the HTTP front end's, and the Slack stand-in's.
pytest_plugins = ["tests.web_fixtures", "tests.slack_standin.fixtures"]

POSTGRES_URL = os.environ.get("PRIVACY_TRIAGE_TEST_POSTGRES",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


#: Fixtures that bring up a real server or process: a test that uses one is ``slow``, so
#: ``pytest -m "not slow"`` is the inner loop (the full suite still runs them all).
REAL_SERVER_FIXTURES = frozenset({
    "dovecot", "dovecot_server", "tls_dovecot", "oauth_dovecot",  # Dovecot
    "postgres_url",  # PostgreSQL
    "browser",  # headless Chromium
    "smtp_server",  # aiosmtpd on loopback
    "slack_standin",  # Slack's Web API and Socket Mode on loopback
    "server",  # the web app served by waitress on loopback
})
#: Markers that name a real dependency: they imply ``slow`` too.
REAL_SERVER_MARKERS = ("postgres", "dovecot", "browser", "own_dovecot")
#: Folders whose every test drives a real browser.
SLOW_FOLDERS = ("browser",)


def pytest_configure(config: pytest.Config) -> None:
    """Load the Hypothesis profile (tests/hypothesis_profiles.py) before any test module is
    imported, so the counts in their ``settings`` decorators follow it."""
    from hypothesis import settings

    settings.load_profile(hypothesis_profiles.profile_for(
        config.getoption("markexpr") or "", os.environ))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a real server ``slow``, found by its fixtures or markers.

    Done here rather than by hand in each file so a new Dovecot or PostgreSQL test cannot
    land in the inner loop by forgetting a decorator.
    """
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        folder = item.path.parent.name
        if (fixtures & REAL_SERVER_FIXTURES or folder in SLOW_FOLDERS
                or any(item.get_closest_marker(name) for name in REAL_SERVER_MARKERS)):
            item.add_marker(pytest.mark.slow)


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


@pytest.fixture(autouse=True, scope="session")
def shared_default_drafter() -> Iterator[None]:
    """One reply drafter per session for every runtime on the shipped notice and templates.

    A process builds its drafter once (``Runtime.drafter``); the tests open hundreds of
    runtimes, and each rebuilt it and recompiled its templates on its first draft (0.1-0.3 s).
    The drafter holds nothing of a test's (the notice, the compiled templates), so runtimes on
    the defaults share one. A runtime with its own ``notice_path`` or ``templates_dir`` still
    loads its own, so the tests of a missing notice or a broken template see the real loading.
    """
    original = Runtime.__dict__["drafter"]
    shared: list[object] = []

    def drafter(self: Runtime) -> object:
        org = self.config.organisation
        if org.notice_path or org.templates_dir:
            return original.func(self)
        if not shared:
            shared.append(original.func(self))
        return shared[0]

    patched = functools.cached_property(drafter)
    patched.__set_name__(Runtime, "drafter")
    Runtime.drafter = patched  # type: ignore[assignment, method-assign]
    yield
    Runtime.drafter = original  # type: ignore[method-assign]


@pytest.fixture
def clock() -> TestClock:
    """The test's clock: hand it to ``Runtime.now`` and date test mail from it."""
    return TestClock()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session, for ``sqlite_url`` to copy.

    Running Alembic from scratch costs each test a tenth of a second or more; a copy of a
    migrated file costs a millisecond, and opening it still runs the (no-op) upgrade, as a
    restarted service would. The migrations' own test starts from an empty file instead
    (``empty_sqlite_url``).
    """
    template = tmp_path_factory.mktemp("sqlite-template") / "triage.sqlite3"
    Store.open(f"sqlite:///{template}").close()
    return template


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    """A SQLite URL with no file behind it yet: whatever opens it migrates from nothing."""
    return f"sqlite:///{tmp_path / 'triage.sqlite3'}"


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite_template: Path) -> str:
    """A SQLite database of the test's own, already at the current schema."""
    database = tmp_path / "triage.sqlite3"
    shutil.copyfile(migrated_sqlite_template, database)
    return f"sqlite:///{database}"


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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """Both databases with no schema yet (a fresh file; a fresh PostgreSQL schema)."""
    name = "empty_sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(name)


def _started_dovecot() -> Iterator[Dovecot]:
    """A started server, closed afterwards; skips, saying why, where Dovecot cannot run."""
    reason = dovecot_available()
    if reason:
        pytest.skip(reason)
    server = Dovecot()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    """The session's one Dovecot; tests reach it through ``dovecot``, a mailbox user each."""
    yield from _started_dovecot()


@pytest.fixture
def dovecot(request: pytest.FixtureRequest) -> Iterator[Dovecot]:
    """A mailbox of the test's own: a fresh user on the session's server.

    A test marked ``own_dovecot`` (it stops, restarts or rebuilds the server, or fails logins,
    which Dovecot penalises per client address) gets a server of its own instead.
    """
    if request.node.get_closest_marker("own_dovecot") is None:
        server: Dovecot = request.getfixturevalue("dovecot_server")
        if not server.running():  # a test killed it after all: later tests still get one
            server.start()
        yield server.account(f"t{uuid.uuid4().hex[:10]}@caplus.org.uk")
    else:
        yield from _started_dovecot()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


#: The authserv-id of the test "MX": mail stamped with it counts as verified by our own server.
TEST_MX = "mx.test.example"


def verified(raw: str, domain: str = "example.org") -> str:
    """``raw`` with our MX's DMARC pass on top, as the organisation's real MX would stamp it."""
    return (f"Authentication-Results: {TEST_MX}; dmarc=pass header.from={domain}\r\n"
            f"Received: from sender.{domain} by {TEST_MX}; Mon, 23 Nov 2026 09:00:00 +0000\r\n"
            + raw)


def make_config(database_url: str, dovecot: Dovecot | None = None,
                smtp: SmtpServer | None = None, **sections: object) -> Config:
    """A config pointing at the test servers (secrets already resolved, as load_config does)."""
    # Mail stamped by the test MX (see verified()) counts as authenticated, as in production.
    config = Config(database=DatabaseConfig(url=database_url),
                    imap=ImapConfig(trusted_authserv_ids=[TEST_MX]))
    if dovecot is not None:
        config = dataclasses.replace(config, imap=ImapConfig(
            host=dovecot.host, port=dovecot.port, ssl=False, username=dovecot.user,
            secret=dovecot.password, poll_interval_s=30, timeout_s=10, fetch_batch=50,
            trusted_authserv_ids=[TEST_MX],
            start="all"))  # tests fill the mailbox before the first poll
    if smtp is not None:
        config = dataclasses.replace(config, smtp=SmtpConfig(
            host=smtp.host, port=smtp.port, starttls=False,
            from_address="support@caplus.org.uk", timeout_s=5))
    return dataclasses.replace(config, **sections)
