"""The whole chain under faults: kill -9 of `run`, the database dropped, locked, or full.

Each test shows that nothing is lost and nothing is done twice that should not be, and that the
process comes back by itself. Marked slow; the full-size kill run is bench/bench_kill.py.
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from bot.config import AutomaticMailConfig
from tests.conftest import POSTGRES_URL, make_config
from tests.integration.chain import (
    chain_counts,
    fast_idle,
    opt_out,
    running_service,
    seconds_until,
    suppressed,
    wait_until,
)
from tests.integration.kill_rounds import run_rounds
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from tests.slack_standin.server import SlackStandIn

pytestmark = [pytest.mark.slow, pytest.mark.dovecot]


def test_kill_9_of_run_at_random_points_loses_nothing_and_repeats_nothing_but_a_duplicate_send(
        database_url: str, dovecot: Dovecot, smtp_server: SmtpServer,
        slack_standin: SlackStandIn, tmp_path: Path):
    rounds = 3
    report = run_rounds(tmp_path, database_url, dovecot, smtp_server, slack_standin,
                        messages=90, rounds=rounds, kill_window_s=(0.0, 3.0), seed=3)
    print("\n" + "\n".join(report.lines()))
    final, kinds = report.final, report.kinds
    assert final["messages"] == final["distinct_message_ids"] == 90  # stored once each
    assert final["triage_done"] == 90 and final["triage_failed"] == 0
    assert final["suppressions"] == final["opt_outs_applied"] == kinds["opt_out"]
    assert final["opt_outs_applied_twice"] == 0
    assert final["confirmations_queued"] == kinds["opt_out"]  # none for the auto-replies
    assert final["confirmations_distinct"] == kinds["opt_out"]  # every one sent after recovery
    # At least once: a kill between the relay's 250 and our commit re-sends one message, with
    # the same Message-ID. Each kill can catch at most one send in flight.
    assert final["confirmations_duplicated"] <= rounds
    assert final["cases_carded"] == final["cases_to_card"] >= kinds["request"]
    assert final["cases_carded_twice"] <= rounds
    assert final["outbox_failed"] == 0


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MB tmpfs, so the SQLite file can really run out of space (needs mount rights)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                          check=False, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_stops_intake_loudly_once_and_intake_resumes_by_itself_when_freed(
        small_disk: Path, dovecot: Dovecot, smtp_server: SmtpServer,
        caplog: pytest.LogCaptureFixture):
    config = fast_idle(make_config(f"sqlite:///{small_disk / 'triage.sqlite3'}", dovecot,
                                   smtp=smtp_server))
    with caplog.at_level(logging.INFO), running_service(config) as service:
        store = service.rt.store
        dovecot.append(opt_out(0, "before"))
        wait_until(lambda: suppressed(store, "person0.before@example.org"), 30, "first opt-out")
        filler = fill(small_disk)
        caplog.clear()
        dovecot.append_many([opt_out(i, "full") for i in range(1, 11)])
        wait_until(lambda: not health(service)["imap-watcher"], 20, "the watcher marked down")
        # Several restarts with backoff while the disk stays full.
        watcher = wait_until(lambda: (w := next(h for h in service.health()
                                                if h.name == "imap-watcher")).restarts >= 2 and w,
                             20, "two restarts of the watcher")
        assert not watcher.healthy
        errors = [r for r in caplog.records
                  if r.levelno >= logging.ERROR and "imap-watcher" in r.getMessage()]
        assert len(errors) == 1, [r.getMessage() for r in errors]  # once, not per retry
        assert "full" in errors[0].getMessage()
        filler.unlink()
        took = seconds_until(lambda: all(suppressed(store, f"person{i}.full@example.org")
                                      for i in range(1, 11)), 30, "intake after freeing")
        print(f"\nrecovered {took:.1f} s after the disk was freed")
        smtp_server.wait_for(11, timeout=30)
        wait_until(lambda: all(health(service).values()), 15, "health green again")
        assert chain_counts(store)["messages"] == 11
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == len(set(ids)) == 11


def health(service) -> dict[str, bool]:
    return {h.name: h.healthy for h in service.health()}


@pytest.mark.postgres
def test_postgresql_connections_dropped_mid_run_lose_no_opt_out_and_the_service_recovers(
        postgres_url: str, dovecot: Dovecot, smtp_server: SmtpServer,
        caplog: pytest.LogCaptureFixture):
    from sqlalchemy import create_engine, text

    name = f"d2fault{uuid.uuid4().hex[:8]}"
    url = f"{postgres_url}&application_name={name}"
    total = 150
    # 150 confirmations in a minute: above the default hourly bound on automatic mail.
    config = fast_idle(make_config(url, dovecot, smtp=smtp_server,
                                   automatic_mail=AutomaticMailConfig(per_hour=1000)))
    admin = create_engine(POSTGRES_URL)
    terminated = 0
    with caplog.at_level(logging.INFO), running_service(config) as service:
        store = service.rt.store
        for chunk in range(5):
            dovecot.append_many([opt_out(i, "pg") for i in range(chunk * 30, chunk * 30 + 30)])
            time.sleep(0.3)
            with admin.begin() as conn:  # only this test's own backends
                terminated += len(conn.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name"), {"name": name}).all())
        took = seconds_until(lambda: all(suppressed(store, f"person{i}.pg@example.org")
                                      for i in range(total)), 60, "every opt-out applied")
        smtp_server.wait_for(total, timeout=60)
        wait_until(lambda: all(health(service).values()), 20, "health green again")
        counts = chain_counts(store)
    admin.dispose()
    print(f"\n{terminated} backends terminated; all {total} applied {took:.1f} s after the last; "
          f"{counts}")
    assert terminated > 0
    assert counts["messages"] == total and counts["triage_failed"] == 0
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(set(ids)) == total


def test_sqlite_locked_beyond_the_busy_timeout_is_logged_once_and_intake_resumes_after(
        sqlite_url: str, dovecot: Dovecot, smtp_server: SmtpServer,
        caplog: pytest.LogCaptureFixture):
    config = fast_idle(make_config(sqlite_url, dovecot, smtp=smtp_server))
    with caplog.at_level(logging.INFO), running_service(config) as service:
        store = service.rt.store
        dovecot.append(opt_out(0, "unlocked"))
        wait_until(lambda: suppressed(store, "person0.unlocked@example.org"), 30, "first")
        holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
        try:
            dovecot.append_many([opt_out(i, "locked") for i in range(1, 6)])
            # The busy timeout is 30 s: past it the watcher fails, and is restarted.
            wait_until(lambda: not health(service)["imap-watcher"], 45, "the watcher down")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        wait_until(lambda: all(suppressed(store, f"person{i}.locked@example.org")
                               for i in range(1, 6)), 45, "intake after the lock")
        smtp_server.wait_for(6, timeout=30)
        wait_until(lambda: all(health(service).values()), 15, "health green again")
    errors = [r.getMessage() for r in caplog.records
              if r.levelno >= logging.ERROR and "imap-watcher" in r.getMessage()]
    assert len(errors) == 1 and "database is locked" in errors[0]
    assert any("imap-watcher is working again" in r.getMessage() for r in caplog.records)
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == len(set(ids)) == 6
