"""Several `run` processes on one PostgreSQL schema against one Dovecot mailbox.

Real processes (``python -m bot.cli run --role ...``), a real mailbox, real PostgreSQL and an
aiosmtpd relay that counts what it receives: every message is triaged once and every
confirmation is sent once, whichever process watches; ``kill -9`` of the watcher holder hands
the mailbox to another process within seconds and loses or repeats nothing. On SQLite a second
watcher is refused.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.store.db import Store
from bot.store.models import Case, MailboxState, Message, OutboxItem
from tests.config_files import imap_password_env, imap_section, smtp_section
from tests.conftest import TEST_MX, verified
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
START_S = 90  # a timeout, not the expected time: several interpreters importing scikit-learn
# (about 4 s of CPU each) at once on a shared 2-core box took up to 40 s here


def opt_out(i: int) -> bytes:
    return verified(f"From: <person{i}@example.org>\r\nTo: support@caplus.org.uk\r\n"
                    f"Subject: stop\r\nMessage-ID: <proc-{i}@example.org>\r\n\r\n"
                    "Please take me off your mailing list, no more marketing emails.\r\n"
                    ).encode()


def write_config(tmp_path: Path, database_url: str, dovecot: Dovecot | list[Dovecot],
                 smtp: SmtpServer) -> Path:
    """One mailbox as ``[imap]``, or several as ``[[imap]]`` tables."""
    boxes = dovecot if isinstance(dovecot, list) else [dovecot]
    path = tmp_path / "config.toml"
    path.write_text(
        f"[database]\nurl = \"{database_url}\"\n"
        + "".join(imap_section(box, array=isinstance(dovecot, list), poll_interval_s=60,
                               fetch_batch=4, trusted_authserv_ids=[TEST_MX]) for box in boxes)
        + smtp_section(smtp.host, smtp.port)
        + textwrap.dedent("""
            [outbox]
            lease_s = 5
            [http]
            enabled = false
        """))
    return path


@dataclass
class Fleet:
    """The test's `run` processes; each writes its log to a file (a full pipe would block)."""

    config: Path
    env: dict[str, str]
    logs: Path
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, role: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"run-{len(self.processes)}-{role}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "--config", str(self.config), "-v", "run",
             "--role", role], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.processes[process.pid] = process
        return process

    def output(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.logs.glob("run-*.log")))

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@pytest.fixture
def fleet(tmp_path: Path, postgres_url: str, dovecot: Dovecot,
          smtp_server: SmtpServer) -> Iterator[Fleet]:
    logs = tmp_path / "logs"
    logs.mkdir()
    env = {**os.environ, **imap_password_env(dovecot), "PYTHONPATH": str(ROOT)}
    group = Fleet(write_config(tmp_path, postgres_url, dovecot, smtp_server), env, logs)
    yield group
    group.stop()


def watcher_holders(store: Store, fleet: Fleet) -> list[int]:
    """The pids of our processes holding an advisory lock on their watcher connection (other
    tests' processes, on other schemas, hold theirs too: only ours count)."""
    with store.engine.connect() as conn:
        names = conn.execute(text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND a.application_name LIKE 'privacy-triage watcher pid=%'")).scalars().all()
    pids = [int(name.rpartition("=")[2]) for name in names]
    return [pid for pid in pids if pid in fleet.processes]


def wait_for_holder(store: Store, fleet: Fleet, not_pid: int | None = None,
                    timeout: float = START_S) -> int:
    def holder() -> int | None:
        for process in fleet.processes.values():
            if process.pid != not_pid and process.poll() is not None:
                raise AssertionError(f"a `run` process exited\n{fleet.output()}")
        found = [pid for pid in watcher_holders(store, fleet) if pid != not_pid]
        return found[0] if found else None

    try:
        return int(wait_until(holder, timeout, "a process to hold the watcher lock"))
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{fleet.output()}") from None


def wait_for_standby(store: Store, fleet: Fleet, pid: int) -> None:
    """Until ``pid`` has opened its watcher-lock session (it tries the lock every second)."""
    def standing_by() -> bool:
        if fleet.processes[pid].poll() is not None:
            raise AssertionError(f"a `run` process exited\n{fleet.output()}")
        with store.engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": f"privacy-triage watcher pid={pid}"}).scalar())

    try:
        wait_until(standing_by, START_S, "the second process to stand by")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{fleet.output()}") from None


def assert_each_triaged_and_confirmed_once(store: Store, smtp: SmtpServer, count: int,
                                           fleet: Fleet) -> None:
    expected = sorted(f"person{i}@example.org" for i in range(count))

    def all_sent(session: object) -> bool:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        states = session.scalars(select(OutboxItem.state)).all()
        return len(states) >= count and all(s == "sent" for s in states)

    try:
        wait_until(all_sent, 40, f"{count} confirmations sent", store=store, interval=0.1)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; relay got {len(smtp.messages)}\n{fleet.output()}") from None
    with store.sessions() as session:
        assert session.scalar(select(func.count(Message.id))) == count
        assert session.scalar(select(func.count(Case.id))) == count
        assert session.scalar(select(func.count(Message.id))
                              .where(Message.triage_state == "done")) == count
        assert session.scalar(select(func.count(OutboxItem.id))) == count
    assert sorted(m["To"] for m in smtp.messages) == expected  # once each, none twice


@pytest.mark.dovecot
def test_three_processes_watcher_and_worker_mixed_handle_each_message_once(
        postgres_url: str, dovecot: Dovecot, smtp_server: SmtpServer, fleet: Fleet):
    # Not migrated beforehand: the three start together and the first to lock migrates.
    roles = ["all", "watcher", "worker"]
    started = time.monotonic()
    for role in roles:
        fleet.start(role)
    store = Store.open(postgres_url, migrate=False)
    try:
        holder = wait_for_holder(store, fleet)
        assert len(watcher_holders(store, fleet)) == 1  # one watcher for the mailbox
        leading_s = time.monotonic() - started
        total = 24
        appended = time.monotonic()
        dovecot.append_many([opt_out(i) for i in range(total)])
        assert_each_triaged_and_confirmed_once(store, smtp_server, total, fleet)
        print(f"\nthree processes: a watcher leads {leading_s:.1f} s after start; {total} "
              f"opt-outs confirmed {time.monotonic() - appended:.1f} s after the APPEND")
        assert watcher_holders(store, fleet) == [holder]
    finally:
        store.close()


@pytest.mark.dovecot
def test_kill_9_of_the_watcher_holder_hands_the_mailbox_over_losing_and_repeating_nothing(
        postgres_url: str, dovecot: Dovecot, smtp_server: SmtpServer, fleet: Fleet):
    Store.open(postgres_url).close()  # `db upgrade` first, as the deploy docs say
    store = Store.open(postgres_url, migrate=False)
    try:
        first = fleet.start("watcher")
        assert wait_for_holder(store, fleet) == first.pid  # started alone, it leads
        standby = fleet.start("all")  # a standby watcher, and the worker
        wait_for_standby(store, fleet, standby.pid)
        before = 10
        dovecot.append_many([opt_out(i) for i in range(before)])
        wait_until(lambda s: s.scalar(select(func.count(Message.id))) == before, 30,
                   "the first batch stored", store=store)
        # More mail lands, then the holder dies without a word, perhaps mid-batch.
        total = 20
        dovecot.append_many([opt_out(i) for i in range(before, total)])
        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(10)
        successor = wait_for_holder(store, fleet, not_pid=first.pid, timeout=15)
        takeover_s = time.monotonic() - killed_at
        assert successor == standby.pid
        wait_until(lambda s: s.scalar(select(func.count(Message.id))) == total, 20,
                   "the second batch stored by the successor", store=store)
        stored_s = time.monotonic() - killed_at
        assert_each_triaged_and_confirmed_once(store, smtp_server, total, fleet)
        print(f"\ntake-over after kill -9: lock in {takeover_s:.2f} s, "
              f"all mail stored {stored_s:.2f} s after the kill")
        assert takeover_s < 5
    finally:
        store.close()


@pytest.mark.dovecot
def test_a_holder_whose_lock_session_is_terminated_stops_watching_and_another_takes_over(
        postgres_url: str, dovecot: Dovecot, smtp_server: SmtpServer, fleet: Fleet):
    Store.open(postgres_url).close()
    store = Store.open(postgres_url, migrate=False)
    try:
        first = fleet.start("all")
        assert wait_for_holder(store, fleet) == first.pid
        second = fleet.start("all")
        wait_for_standby(store, fleet, second.pid)
        with store.engine.connect() as conn:  # the network drops, or an administrator acts
            (cut,) = conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                {"name": f"privacy-triage watcher pid={first.pid}"}).scalars().all()
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": cut})
        cut_at = time.monotonic()

        def new_holder_session() -> bool:
            with store.engine.connect() as conn:
                backends = conn.execute(text(
                    "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name "
                    "IN (:one, :two)"), {"one": f"privacy-triage watcher pid={first.pid}",
                                         "two": f"privacy-triage watcher pid={second.pid}"}
                ).scalars().all()
            return len(backends) == 1 and cut not in backends

        # Either process may take the lock next (the first tries again within a second); the
        # point is that one does, on a new session, only one, and mail still flows.
        wait_until(new_holder_session, 15, "a new lock session")
        took = time.monotonic() - cut_at
        who = "the old holder, anew" if watcher_holders(store, fleet) == [first.pid] else "standby"
        print(f"\nnew lock session ({who}) {took:.2f} s after the old one was cut")
        first_log = next(fleet.logs.glob("run-0-*.log"))
        wait_until(lambda: "the watcher lock is lost; stopping watching" in first_log.read_text(),
                   10, "the old holder to notice and stop watching")
        total = 6
        dovecot.append_many([opt_out(i) for i in range(total)])
        assert_each_triaged_and_confirmed_once(store, smtp_server, total, fleet)
        assert len(watcher_holders(store, fleet)) == 1
        assert first.poll() is None and second.poll() is None  # nobody crashed
    finally:
        store.close()


@pytest.mark.dovecot
def test_two_processes_watch_three_mailboxes_each_by_one_watcher(
        tmp_path: Path, postgres_url: str, dovecot: Dovecot, smtp_server: SmtpServer,
        fleet: Fleet):
    mailboxes = [dovecot, *(dovecot.account(f"{name}-{uuid.uuid4().hex[:6]}@caplus.org.uk")
                            for name in ("privacy", "dpo"))]
    fleet.config = write_config(tmp_path, postgres_url, mailboxes, smtp_server)
    Store.open(postgres_url).close()
    store = Store.open(postgres_url, migrate=False)
    try:
        for _ in range(2):
            fleet.start("all")
        wait_until(lambda: len(watcher_holders(store, fleet)) == 3, START_S,
                   "a watcher for each of the three mailboxes")
        per_mailbox = 3
        for m, box in enumerate(mailboxes):
            box.append_many([opt_out(m * per_mailbox + i) for i in range(per_mailbox)])
        assert_each_triaged_and_confirmed_once(store, smtp_server, 3 * per_mailbox, fleet)
        with store.sessions() as session:
            assert session.scalar(select(func.count(MailboxState.id))) == 3
            assert len(set(session.scalars(select(Message.mailbox)).all())) == 3
        assert len(watcher_holders(store, fleet)) == 3  # still one per mailbox
    finally:
        store.close()


@pytest.mark.dovecot
def test_sqlite_refuses_a_second_watcher_on_the_same_file(tmp_path: Path, dovecot: Dovecot,
                                                          smtp_server: SmtpServer):
    database = tmp_path / "triage.sqlite3"
    config = write_config(tmp_path, f"sqlite:///{database}", dovecot, smtp_server)
    env = {**os.environ, **imap_password_env(dovecot), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot.cli", "--config", str(config), "run"]
    log = (tmp_path / "first.log").open("wb")
    first = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    try:
        lock_file = Path(f"{database}.watcher.lock")
        wait_until(lambda: lock_file.exists() and lock_file.read_text() == str(first.pid)
                   or first.poll() is not None, START_S, "the first watcher's lock")
        assert first.poll() is None, (tmp_path / "first.log").read_text()
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert f"(pid {first.pid}) is already watching" in second.stderr
        assert str(lock_file) in second.stderr and "--role worker" in second.stderr
        assert first.poll() is None  # the first goes on untroubled
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(30)
    assert first.returncode == 0
