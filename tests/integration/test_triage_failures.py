"""Triage failures on real databases: configuration trouble and lost connections wait and are
retried, a message that keeps failing is set aside loudly, and the commands show and retry them."""

from __future__ import annotations

import dataclasses
import logging
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, select, text

import bot.pipeline.triage as triage_module
from bot.cases.outgoing import CHAT_ANSWER
from bot.cli import main
from bot.config import OrganisationConfig, SlackConfig
from bot.pipeline.ingest import store_raw
from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime
from bot.service import poll_once
from bot.store import suppressions
from bot.store.db import Store, make_engine
from bot.store.models import Message, OutboxItem
from tests.config_files import IMAP_PASSWORD_ENV, imap_section
from tests.conftest import POSTGRES_URL, make_config
from tests.servers.dovecot import Dovecot

T0 = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # the night the UK clocks go back

OPT_OUT = (b"From: Alice <alice@example.org>\r\nTo: support@caplus.org.uk\r\n"
           b"Subject: stop\r\nMessage-ID: <tf-1@example.org>\r\n"
           b"Date: Sun, 31 Oct 2027 00:10:00 +0000\r\n\r\n"
           b"Please remove me from your mailing list, no more marketing emails.\r\n")
ACCESS = (b"From: Bob <bob@example.org>\r\nTo: support@caplus.org.uk\r\n"
          b"Subject: my data\r\nMessage-ID: <tf-2@example.org>\r\n"
          b"Date: Sun, 31 Oct 2027 00:12:00 +0000\r\n\r\n"
          b"Under GDPR I request a copy of all personal data you hold about me "
          b"(subject access request).\r\n")


class Clock:
    """The runtime's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _runtime(url: str, clock: Clock, **sections: object) -> Runtime:
    rt = Runtime.open(make_config(url, **sections))
    rt.now = clock
    return rt


def _messages(rt: Runtime) -> list[Message]:
    with rt.store.sessions() as session:
        return list(session.scalars(select(Message).order_by(Message.id)))


def _store(rt: Runtime, *raws: bytes) -> list[int]:
    ids = [store_raw(rt.store, raw, source="file", received_at=rt.now()) for raw in raws]
    assert all(ids)
    return [i for i in ids if i is not None]


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


def test_a_missing_notice_makes_messages_wait_and_the_next_pass_after_the_fix_triages_them(
        database_url: str, clock: Clock, tmp_path: Path):
    broken = OrganisationConfig(notice_path=str(tmp_path / "missing-notice.txt"))
    rt = _runtime(database_url, clock, organisation=broken)
    try:
        _store(rt, OPT_OUT, ACCESS)
        assert poll_once(rt).triaged == 0
        failed = _messages(rt)
        assert [m.triage_state for m in failed] == ["failed", "failed"]
        assert {m.triage_error_class for m in failed} == {"SetupError"}
        assert all(m.triage_next_at is not None for m in failed)  # waiting, not set aside
        assert "organisation.notice_path" in (failed[0].triage_error or "")

        clock.now += timedelta(minutes=10)
        assert poll_once(rt).triaged == 0  # still broken: still waiting, never given up
        assert all(m.triage_next_at is not None for m in _messages(rt))

        rt.config = dataclasses.replace(rt.config, organisation=OrganisationConfig())
        clock.now += timedelta(minutes=10)
        assert poll_once(rt).triaged == 2
        done = _messages(rt)
        assert [m.triage_state for m in done] == ["done", "done"]
        assert all(m.case_id for m in done) and not any(m.triage_error for m in done)
        with rt.store.sessions() as session:
            assert suppressions.is_suppressed(session, "alice@example.org")
    finally:
        rt.close()


def _kill_own_backend_on_first_decision(monkeypatch: pytest.MonkeyPatch,
                                        times: int = 1) -> list[int]:
    """Between the claim and the commit, terminate this session's PostgreSQL backend from
    another connection, as an administrator or a failover would (on the first ``times``
    decisions)."""
    real = triage_module.apply_decision
    killed: list[int] = []

    def apply_then_lose_the_connection(session, *args, **kwargs):
        if len(killed) < times:
            pid = session.execute(text("select pg_backend_pid()")).scalar_one()
            admin = create_engine(POSTGRES_URL)
            with admin.begin() as conn:
                conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})
            admin.dispose()
            killed.append(pid)
        return real(session, *args, **kwargs)

    monkeypatch.setattr(triage_module, "apply_decision", apply_then_lose_the_connection)
    return killed


@pytest.mark.postgres
def test_a_terminated_postgresql_backend_leaves_the_opt_out_pending_and_the_next_pass_applies_it(
        postgres_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch):
    rt = _runtime(postgres_url, clock)
    try:
        _store(rt, OPT_OUT)
        # Twice: the batch's transaction, then the message's own one (the fallback).
        killed = _kill_own_backend_on_first_decision(monkeypatch, times=2)
        assert triage_pending(rt) == []
        assert len(killed) == 2
        [message] = _messages(rt)
        assert message.triage_state == "failed" and message.triage_next_at is not None
        assert (message.triage_error or "").startswith("transient: OperationalError")
        with rt.store.sessions() as session:
            assert not suppressions.is_suppressed(session, "alice@example.org")

        clock.now += timedelta(minutes=1)
        assert len(triage_pending(rt)) == 1
        [message] = _messages(rt)
        assert message.triage_state == "done" and message.case_id
        with rt.store.sessions() as session:
            assert suppressions.is_suppressed(session, "alice@example.org")
    finally:
        rt.close()


@pytest.mark.postgres
def test_a_backend_lost_during_a_batch_costs_nothing_the_messages_are_triaged_one_by_one(
        postgres_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch):
    rt = _runtime(postgres_url, clock)
    try:
        _store(rt, OPT_OUT)
        _store(rt, OPT_OUT.replace(b"alice", b"bob").replace(b"<tf-1@", b"<tf-9@"))
        killed = _kill_own_backend_on_first_decision(monkeypatch)
        assert len(triage_pending(rt)) == 2    # the same pass, after the batch was lost
        assert len(killed) == 1
        assert [m.triage_state for m in _messages(rt)] == ["done", "done"]
        with rt.store.sessions() as session:
            assert suppressions.is_suppressed(session, "alice@example.org")
            assert suppressions.is_suppressed(session, "bob@example.org")
    finally:
        rt.close()


@pytest.fixture
def impatient_sqlite(sqlite_url: str, clock: Clock) -> Iterator[Runtime]:
    """A runtime whose SQLite connections give up waiting for a lock after 0.2 s."""
    engine = make_engine(sqlite_url)
    event.listen(engine, "connect",
                 lambda conn, _record: conn.execute("PRAGMA busy_timeout=200"))
    store = Store(engine)
    from bot.store.db import upgrade
    upgrade(engine)
    rt = Runtime(make_config(sqlite_url), store, now=clock)
    yield rt
    rt.close()


def test_database_is_locked_beyond_the_busy_timeout_leaves_the_message_pending(
        impatient_sqlite: Runtime, sqlite_url: str, clock: Clock):
    rt = impatient_sqlite
    _store(rt, OPT_OUT)
    rt.model  # noqa: B018 - load before taking the lock, so the test waits for nothing else
    locked, release = threading.Event(), threading.Event()

    def hold_an_exclusive_lock() -> None:
        import sqlite3

        conn = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(30)
        conn.execute("ROLLBACK")
        conn.close()

    holder = threading.Thread(target=hold_an_exclusive_lock)
    holder.start()
    try:
        assert locked.wait(10)
        assert triage_pending(rt) == []
    finally:
        release.set()
        holder.join(10)
    [message] = _messages(rt)
    # Either the failure was recorded as temporary, or even that was refused: pending both ways.
    assert message.triage_state in ("new", "failed")
    assert message.triage_state == "new" or message.triage_next_at is not None

    clock.now += timedelta(minutes=1)
    assert len(triage_pending(rt)) == 1
    with rt.store.sessions() as session:
        assert suppressions.is_suppressed(session, "alice@example.org")


def test_a_message_failing_the_same_way_five_times_is_set_aside_with_a_warning_naming_only_its_id(
        database_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture):
    rt = _runtime(database_url, clock)
    try:
        [bad, good] = _store(rt, ACCESS, OPT_OUT)
        real = triage_module.apply_decision

        def fail_for_bob(session, runtime, message, *args, **kwargs):
            if message.id == bad:
                raise KeyError("bob@example.org")  # an exception whose text is personal data
            return real(session, runtime, message, *args, **kwargs)

        monkeypatch.setattr(triage_module, "apply_decision", fail_for_bob)
        caplog.set_level(logging.INFO, logger="bot.pipeline.triage")
        for _ in range(5):
            triage_pending(rt)
            clock.now += timedelta(hours=1)
        by_id = {m.id: m for m in _messages(rt)}
        assert by_id[good].triage_state == "done"
        assert by_id[bad].triage_state == "failed" and by_id[bad].triage_next_at is None
        assert by_id[bad].triage_attempts == 5
        set_aside = [r for r in caplog.records if "set aside" in r.getMessage()]
        assert len(set_aside) == 1 and set_aside[0].levelno == logging.WARNING
        assert f"Message {bad} " in set_aside[0].getMessage()
        assert "KeyError" in set_aside[0].getMessage()
        assert not any("bob@" in r.getMessage() for r in caplog.records)

        clock.now += timedelta(days=1)
        triage_pending(rt)  # set aside: no more automatic attempts
        assert _messages(rt)[0].triage_attempts == 5
    finally:
        rt.close()


def _write_config(tmp_path: Path, dovecot: Dovecot, notice: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "triage.sqlite3"}"\n'
                    + imap_section(dovecot) + textwrap.dedent(f"""
        [organisation]
        notice_path = "{notice}"
        [http]
        enabled = false
    """))
    return path


@pytest.mark.dovecot
def test_poll_with_an_unusable_notice_exits_1_and_messages_retry_triages_both_after_the_fix(
        tmp_path: Path, dovecot: Dovecot, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch):
    from replies.notice import EXAMPLE_NOTICE_PATH

    monkeypatch.setenv(IMAP_PASSWORD_ENV, dovecot.password)
    notice = tmp_path / "notice.txt"
    notice.write_text("Our privacy notice is being rewritten.\n")  # no numbered sections
    config = str(_write_config(tmp_path, dovecot, notice))
    dovecot.append(OPT_OUT)
    dovecot.append(ACCESS)

    assert main(["--config", config, "poll", "--once"]) == 1
    out = capsys.readouterr().out
    assert "fetched 2, triaged 0" in out
    assert "2 message(s) failed triage" in out and "privacy-triage status" in out

    assert main(["--config", config, "status"]) == 0
    status = capsys.readouterr().out
    assert "Failed triage: 2 message(s)" in status and "SetupError" in status

    notice.write_text(Path(EXAMPLE_NOTICE_PATH).read_text(encoding="utf-8"))
    assert main(["--config", config, "messages", "retry", "--failed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all("triaged (case " in line for line in lines)

    assert main(["--config", config, "poll", "--once"]) == 0
    assert "failed triage" not in capsys.readouterr().out
    assert main(["--config", config, "status", "--json"]) == 0
    import json
    report = json.loads(capsys.readouterr().out)
    assert report["failed_messages"] == [] and report["backlog"] == 0
    assert [m["folder"] for m in report["mailboxes"]] == ["INBOX"]
    assert report["cases_due"] == []  # the access request is due in a month, not this week


def test_messages_retry_says_when_a_message_fails_again_or_does_not_exist(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: Clock):
    config = tmp_path / "config.toml"
    notice = tmp_path / "notice.txt"
    notice.write_text("Our privacy notice is being rewritten.\n")  # no numbered sections
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "t.sqlite3"}"\n'
                      f'[organisation]\nnotice_path = "{notice}"\n'
                      "[http]\nenabled = false\n")
    rt = _runtime(f"sqlite:///{tmp_path / 't.sqlite3'}", clock)
    try:
        [message_id] = _store(rt, ACCESS)
    finally:
        rt.close()
    code = main(["--config", str(config), "messages", "retry", str(message_id), "999"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].startswith(f"message {message_id}: failed again with SetupError")
    assert "retried automatically" in out[0]
    assert out[1] == "message 999: no such message"


def test_a_chat_message_set_aside_is_still_answered_once(database_url: str, clock: Clock,
                                                          monkeypatch: pytest.MonkeyPatch):
    """The person asked in Slack: they hear it reached us even though triage gave up on it."""
    rt = _runtime(database_url, clock, slack=SlackConfig(
        enabled=True, mode="socket", review_channel="C0CASES01", bot_token="xoxb-test",
        app_token="xapp-test"))
    try:
        raw = (b"From: Carol <carol@example.com>\r\nTo: support@caplus.org.uk\r\n"
               b"Subject: Slack message\r\nMessage-ID: <slack-1@example.com>\r\n\r\n"
               b"What do you hold about me?\r\n")
        stored = store_raw(rt.store, raw, source="slack", received_at=clock.now,
                           slack_user="U0CAROL01", slack_channel="D0CAROL01",
                           slack_ts="1796000000.000100")

        def broken(*_args, **_kwargs):
            raise KeyError("carol")

        monkeypatch.setattr(triage_module, "apply_decision", broken)
        for _ in range(7):   # set aside at the fifth; later passes leave it alone
            triage_pending(rt)
            clock.now += timedelta(hours=1)
        with rt.store.sessions() as session:
            answers = [i.payload for i in session.scalars(select(OutboxItem))
                       if i.payload.get("type") == CHAT_ANSWER]
        assert answers == [{"type": CHAT_ANSWER, "message_id": stored, "case_id": None,
                            "state": None, "joined": False}]
    finally:
        rt.close()
