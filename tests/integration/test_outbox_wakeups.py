"""Queued outbox work wakes delivery at commit: in this process (``Store.on_outbox_commit``)
and, on PostgreSQL, in every other one (``NOTIFY`` on the schema's outbox channel)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.pipeline.ingest import store_raw
from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime
from bot.service import Service
from bot.store import outbox
from bot.store.db import Store
from bot.store.leadership import (
    MAIL,
    OUTBOX,
    MailListener,
    channel_name,
    engine_scope,
    notify,
)
from tests.conftest import make_config, verified
from tests.servers.smtp import SmtpServer
from tests.waiting import wait_until


def _queue(store: Store, key: str) -> None:
    with store.transaction() as session:
        outbox.enqueue(session, "email", key, {"to": "x@example.org"})


def test_the_hook_runs_after_a_commit_that_queued_work_and_only_then(sqlite_url: str):
    store = Store.open(sqlite_url)
    calls: list[str] = []
    store.on_outbox_commit = lambda: calls.append("woken")
    _queue(store, "a")
    assert calls == ["woken"]
    with store.transaction() as session:
        session.execute(text("SELECT 1"))          # a commit that queued nothing
    assert calls == ["woken"]
    with pytest.raises(RuntimeError), store.transaction() as session:
        outbox.enqueue(session, "email", "b", {})
        raise RuntimeError("rolled back")         # nothing was queued after all
    with store.transaction() as session:
        session.execute(text("SELECT 1"))
    assert calls == ["woken"]
    _queue(store, "a")                             # a repeat of a queued key queues nothing
    assert calls == ["woken"]
    with store.transaction() as session:
        item = outbox.list_items(session)[0]
        outbox.claim(session, item.id, item.created_at, timedelta(minutes=5), by="test")
        outbox.mark_failed(session, item.id, "relay down", now=item.created_at, by="test")
    with store.transaction() as session:
        outbox.requeue(session, item.id, now=item.created_at)
    assert calls == ["woken", "woken"]             # `outbox retry` is queued work too
    store.close()


def test_the_hook_waits_for_the_outer_commit_not_a_savepoint(sqlite_url: str):
    """Triage queues inside a SAVEPOINT per message; released savepoints are not commits."""
    store = Store.open(sqlite_url)
    calls: list[bool] = []
    with store.transaction() as session:
        store.on_outbox_commit = lambda: calls.append(session.in_transaction())
        with session.begin_nested():
            outbox.enqueue(session, "email", "in-savepoint", {})
        with session.begin_nested():
            session.execute(text("SELECT 1"))     # a later savepoint, released
        with pytest.raises(RuntimeError), session.begin_nested():
            raise RuntimeError("one message failed")  # and one rolled back
        assert calls == []                       # nothing announced inside the transaction
    assert len(calls) == 1                       # once, at the outer commit
    store.close()


def test_a_failing_hook_does_not_undo_the_commit(sqlite_url: str):
    store = Store.open(sqlite_url)

    def broken() -> None:
        raise ConnectionError("notify failed")

    store.on_outbox_commit = broken
    _queue(store, "kept")
    with store.sessions() as session:
        assert [i.idempotency_key for i in outbox.list_items(session)] == ["kept"]
    store.close()


@pytest.mark.postgres
def test_outbox_and_mail_notifications_arrive_by_topic(postgres_url: str):
    store = Store.open(postgres_url)
    scope = engine_scope(store.engine)
    listener = MailListener(store.engine, topics=(MAIL, OUTBOX))
    listener.open()
    try:
        assert listener.wait_topics(0.05) == {}
        notify(store.engine, scope, OUTBOX)
        assert listener.wait_topics(5) == {OUTBOX: 1}
        notify(store.engine, scope, MAIL)
        assert listener.wait_topics(5) == {MAIL: 1}
        mail_only = MailListener(store.engine)   # the default: mail alone, as before
        mail_only.open()
        notify(store.engine, scope, OUTBOX)
        assert mail_only.wait(0.3) == 0
        mail_only.close()
    finally:
        listener.close()
        store.close()


def _listening(store: Store) -> bool:
    """Whether a listener has run its LISTEN on this schema's outbox channel (pg_stat_activity
    shows each connection's last statement; the channel name is the schema's own, so a listener
    of another test's schema closing late cannot be taken for it)."""
    scope = engine_scope(store.engine)
    channel = channel_name(scope.database, scope.schema, OUTBOX)
    with store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT query, state FROM pg_stat_activity WHERE application_name = :name"),
            {"name": f"privacy-triage listener pid={os.getpid()}"}).all()
    return any(channel in query and state == "idle" for query, state in rows)


@pytest.mark.postgres
def test_work_queued_in_another_process_is_delivered_without_waiting_for_a_poll(
        postgres_url: str, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch):
    """The worker polls every 60 s here: only the NOTIFY can bring the email out in time."""
    import bot.service

    monkeypatch.setattr(bot.service, "WORKER_TICK_S", 60.0)
    config = make_config(postgres_url, smtp=smtp_server)
    worker_rt, other_rt = Runtime.open(config), Runtime.open(config)
    worker = Service(worker_rt, role="worker")
    worker.start()
    try:
        wait_until(lambda: _listening(worker_rt.store), timeout=20, what="worker listening")
        wait_until(lambda: all(h.running for h in worker.health()), timeout=20,
                   what="worker threads up")
        # Another process (`triage` from cron here; a Slack app or the web front end alike)
        # queues mail; its store announces it by itself on PostgreSQL.
        store_raw(other_rt.store, verified(
            "From: <far@example.org>\r\nTo: support@caplus.org.uk\r\nSubject: stop\r\n"
            "Message-ID: <far-1@example.org>\r\n\r\nPlease unsubscribe me from all "
            "marketing emails.\r\n").encode(), source="file")
        triage_pending(other_rt)           # queues the confirmation, commits, notifies
        sent = smtp_server.wait_for(1, timeout=15)
        with other_rt.store.sessions() as session:
            rows = [(i.kind, i.state, i.claimed_by, i.last_error)
                    for i in outbox.list_items(session)]
        assert [m["To"] for m in sent] == ["far@example.org"], (rows, worker.health())
    finally:
        worker.shutdown()
        worker_rt.close()
        other_rt.close()
