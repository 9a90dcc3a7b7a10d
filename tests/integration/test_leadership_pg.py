"""The watcher lock and the wake-up channel on a real PostgreSQL (skipped, saying why, without).

Many schemas share the database ``test`` while the suite runs, so each test here also checks
that nothing leaks from one schema to another.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.store.db import make_engine
from bot.store.leadership import (
    MAIL,
    MailListener,
    PostgresWatcherLock,
    engine_scope,
    notify,
)
from tests.conftest import POSTGRES_URL

MAILBOX = "support@caplus.org.uk@127.0.0.1:143/INBOX"


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def other_engine(postgres_url: str) -> Iterator[Engine]:
    """A second schema in the same database (what another test run, concurrently, is)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    engine = make_engine(f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}")
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_one_holder_per_mailbox_and_the_next_takes_it_when_released(engine: Engine):
    first, second = PostgresWatcherLock(engine, MAILBOX), PostgresWatcherLock(engine, MAILBOX)
    other_mailbox = PostgresWatcherLock(engine, MAILBOX.replace("support", "dpo"))
    try:
        assert first.try_acquire()
        assert not second.try_acquire() and not second.try_acquire()  # retrying is harmless
        assert other_mailbox.try_acquire()  # each mailbox has its own lock
        assert first.alive()
        first.release()
        assert second.try_acquire()
    finally:
        for lock in (first, second, other_mailbox):
            lock.release()


def test_the_same_mailbox_in_another_schema_is_another_lock(engine: Engine,
                                                            other_engine: Engine):
    here, there = PostgresWatcherLock(engine, MAILBOX), PostgresWatcherLock(other_engine, MAILBOX)
    try:
        assert here.try_acquire() and there.try_acquire()
        assert here.key != there.key
    finally:
        here.release()
        there.release()


def test_a_terminated_lock_session_is_noticed_and_the_lock_passes_on(engine: Engine):
    holder, standby = PostgresWatcherLock(engine, MAILBOX), PostgresWatcherLock(engine, MAILBOX)
    try:
        assert holder.try_acquire() and not standby.try_acquire()
        pid = holder._conn.info.backend_pid
        with engine.connect() as conn:  # an administrator, or a failover, ends the session
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        started = time.monotonic()
        assert not holder.alive()
        deadline = started + 5
        while not standby.try_acquire():
            assert time.monotonic() < deadline, "the lock was not released with its session"
            time.sleep(0.05)
        # A fresh attempt by the old holder opens a new session and finds the lock taken.
        assert not holder.try_acquire()
    finally:
        holder.release()
        standby.release()


def test_the_lock_session_is_named_for_the_operator_without_a_mailbox_address(engine: Engine):
    lock = PostgresWatcherLock(engine, MAILBOX)
    try:
        assert lock.try_acquire()
        with engine.connect() as conn:
            name = conn.execute(text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a "
                "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                "AND a.pid = :pid"), {"pid": lock._conn.info.backend_pid}).scalar_one()
        assert name.startswith("privacy-triage watcher pid=") and "@" not in name
    finally:
        lock.release()


def test_new_mail_notifications_reach_listeners_of_the_same_schema_only(engine: Engine,
                                                                        other_engine: Engine):
    here, there = MailListener(engine), MailListener(other_engine)
    here.open()
    there.open()
    try:
        assert here.wait(0.05) == 0
        notify(engine, engine_scope(engine), MAIL)
        assert here.wait(5) >= 1
        assert there.wait(0.3) == 0
        notify(other_engine, engine_scope(other_engine), MAIL)
        assert there.wait(5) >= 1 and here.wait(0.3) == 0
    finally:
        here.close()
        there.close()
