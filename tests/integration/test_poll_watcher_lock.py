"""`poll --once` is a watcher too: it leaves a mailbox alone while a `run` process watches it."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from bot.pipeline.watch import Watcher
from bot.runtime import Runtime
from bot.service import poll_once
from bot.store.leadership import PostgresWatcherLock, SqliteWatcherLock
from tests.conftest import make_config, verified
from tests.servers.dovecot import Dovecot

OPT_OUT = verified("From: <ann@example.org>\r\nTo: support@caplus.org.uk\r\nSubject: stop\r\n"
                   "Message-ID: <poll-lock@example.org>\r\n\r\nPlease unsubscribe me.\r\n")


def test_poll_skips_a_mailbox_another_process_watches_and_fetches_it_once_free(
        database_url: str, dovecot: Dovecot):
    dovecot.append(OPT_OUT)
    rt = Runtime.open(make_config(database_url, dovecot))
    lock: PostgresWatcherLock | SqliteWatcherLock
    if rt.store.is_postgresql:
        lock = PostgresWatcherLock(rt.store.engine, Watcher(rt).identity)
        assert lock.try_acquire()
    else:
        lock = SqliteWatcherLock(str(make_url(database_url).database))
        lock.acquire()
    try:
        report = poll_once(rt)  # the "other process" (our lock) watches
        assert (report.fetched, report.skipped_mailboxes) == (0, 1)
        lock.release()
        report = poll_once(rt)
        assert (report.fetched, report.skipped_mailboxes) == (1, 0)
    finally:
        lock.release()
        rt.close()
