"""The pure parts of the watcher lock and wake-ups, and the SQLite file lock."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.store.leadership import (
    AlreadyWatching,
    SqliteWatcherLock,
    channel_name,
    lock_key,
    sqlite_lock_path,
)

MAILBOX = "support@caplus.org.uk@imap.example.org:993/INBOX"


def test_the_lock_key_is_a_stable_signed_64_bit_integer():
    key = lock_key("test", "t_abc", MAILBOX)
    assert key == lock_key("test", "t_abc", MAILBOX)  # every process computes the same
    assert -2**63 <= key < 2**63


def test_the_lock_key_differs_by_schema_database_and_mailbox():
    keys = {lock_key("test", "t_a", MAILBOX), lock_key("test", "t_b", MAILBOX),
            lock_key("other", "t_a", MAILBOX), lock_key("test", "t_a", MAILBOX + "x"),
            # a separator, so that moving characters from one part to the next changes it
            lock_key("test", "t_", "a" + MAILBOX)}
    assert len(keys) == 5


def test_many_schemas_give_distinct_keys_and_channels():
    schemas = [f"t_{i:012x}" for i in range(5000)]
    assert len({lock_key("test", s, MAILBOX) for s in schemas}) == len(schemas)
    assert len({channel_name("test", s) for s in schemas}) == len(schemas)


def test_a_channel_name_is_a_short_plain_identifier_whatever_the_schema():
    name = channel_name("test", 'weird "schema" name ' * 10)
    assert re.fullmatch(r"[a-z0-9_]+", name) and len(name) < 63
    assert channel_name("test", "a") != channel_name("test", "a", topic="outbox")


def test_the_sqlite_lock_file_sits_next_to_the_database():
    assert sqlite_lock_path("/var/lib/pt/triage.sqlite3") == Path(
        "/var/lib/pt/triage.sqlite3.watcher.lock")


def test_a_second_sqlite_watcher_is_refused_until_the_first_lets_go(tmp_path: Path):
    database = str(tmp_path / "triage.sqlite3")
    first, second = SqliteWatcherLock(database), SqliteWatcherLock(database)
    first.acquire()
    with pytest.raises(AlreadyWatching, match=r"already watching .*--role worker") as err:
        second.acquire()
    assert "watcher.lock" in str(err.value)
    first.release()
    second.acquire()  # free again
    second.release()


def test_another_database_file_has_its_own_watcher(tmp_path: Path):
    one, two = (SqliteWatcherLock(str(tmp_path / name)) for name in ("a.sqlite3", "b.sqlite3"))
    one.acquire()
    two.acquire()
    one.release()
    two.release()
