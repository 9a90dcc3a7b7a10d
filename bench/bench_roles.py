"""Several `run` processes on PostgreSQL: opt-out latency across processes, and take-over time.

Prints, from one run against a real Dovecot and PostgreSQL (a schema of its own, dropped after):
  * opt-out latency, APPEND -> suppression committed, with one `run --role all` process
    (the baseline, measured in the same run);
  * the same with the watcher and the worker in separate processes (`--role watcher` and
    `--role worker`, woken by LISTEN/NOTIFY): p50/p95 and the ratio to the baseline
    (target p95 <= 1.0 s over >= 50 samples);
  * take-over after `kill -9` of the watcher holder, over several rounds: kill -> the standby
    holds the lock, and kill -> a message appended just before the kill is committed.

Usage: .venv/bin/python -m bench.bench_roles [--samples 50] [--rounds 5]
(PostgreSQL from $PRIVACY_TRIAGE_TEST_POSTGRES or postgresql+psycopg://postgres@127.0.0.1/test)
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from bot.store.db import Store
from bot.store.models import Message, Suppression
from tests.config_files import imap_password_env, imap_section
from tests.conftest import POSTGRES_URL, TEST_MX, postgres_reason, verified
from tests.servers.dovecot import Dovecot, dovecot_available

ROOT = Path(__file__).resolve().parents[1]


def opt_out(tag: str) -> tuple[str, bytes]:
    address = f"optout-{tag}@example.org"
    return address, verified(
        f"From: <{address}>\r\nTo: support@caplus.org.uk\r\nSubject: unsubscribe\r\n"
        f"Message-ID: <{tag}@example.org>\r\n\r\n"
        "Please take me off your mailing list and stop emailing me.\r\n").encode()


@contextmanager
def schema() -> Iterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


class Fleet:
    def __init__(self, tmp: Path, url: str, dovecot: Dovecot) -> None:
        self.config = tmp / "config.toml"
        self.config.write_text(
            f'[database]\nurl = "{url}"\n'
            + imap_section(dovecot, poll_interval_s=300, idle_renew_s=300,
                           trusted_authserv_ids=[TEST_MX])
            + "[http]\nenabled = false\n")
        self.env = {**os.environ, **imap_password_env(dovecot), "PYTHONPATH": str(ROOT)}
        self.tmp = tmp
        self.processes: dict[int, subprocess.Popen[bytes]] = {}

    def start(self, role: str) -> subprocess.Popen[bytes]:
        with (self.tmp / f"run-{len(self.processes)}-{role}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "--config", str(self.config), "run",
                 "--role", role], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[process.pid] = process
        return process

    def stop(self) -> None:
        for p in self.processes.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.processes.values():
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        self.processes.clear()


def sessions_named(store: Store, like: str, granted_lock: bool) -> list[int]:
    query = ("SELECT a.application_name FROM pg_stat_activity a WHERE a.application_name "
             "LIKE :like")
    if granted_lock:
        query = ("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a "
                 "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                 "AND a.application_name LIKE :like")
    with store.engine.connect() as conn:
        names = conn.execute(text(query), {"like": like}).scalars().all()
    return [int(n.rpartition("=")[2]) for n in names]


def wait(check: Callable[[], object], timeout: float, what: str, interval: float = 0.005) -> float:
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
    return time.perf_counter() - start


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    return (statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)],
            ordered[-1])


def fmt(values: list[float]) -> str:
    p50, p95, top = percentiles(values)
    return f"p50 {p50 * 1000:.0f} ms   p95 {p95 * 1000:.0f} ms   max {top * 1000:.0f} ms"


def ready(store: Store, fleet: Fleet, listeners: int) -> None:
    """Until a watcher leads and ``listeners`` worker processes LISTEN (a warm-up opt-out goes
    through, so the model is loaded before timing starts)."""
    wait(lambda: [p for p in sessions_named(store, "privacy-triage watcher pid=%", True)
                  if p in fleet.processes], 90, "a watcher to lead", 0.1)
    wait(lambda: len([p for p in sessions_named(store, "privacy-triage listener pid=%", False)
                      if p in fleet.processes]) >= listeners, 90, "the listeners", 0.1)


def latency(store: Store, dovecot: Dovecot, samples: int, tag: str) -> list[float]:
    found: list[float] = []
    with dovecot.client() as client:
        for i in range(-1, samples):  # -1: the warm-up (model load), not counted
            address, raw = opt_out(f"{tag}-{i}")
            start = time.perf_counter()
            client.append("INBOX", raw)

            def applied(address: str = address) -> bool:
                with store.sessions() as session:
                    return session.scalar(select(Suppression.id).where(
                        Suppression.address == address)) is not None

            wait(applied, 60 if i < 0 else 10, f"opt-out {i} ({tag})")
            if i >= 0:
                found.append(time.perf_counter() - start)
    return found


def takeover(store: Store, dovecot: Dovecot, fleet: Fleet, rounds: int) -> None:
    lock_s: list[float] = []
    stored_s: list[float] = []
    for r in range(rounds):
        holders = [p for p in sessions_named(store, "privacy-triage watcher pid=%", True)
                   if p in fleet.processes]
        holder = holders[0]
        standbys = [p for p in sessions_named(store, "privacy-triage watcher pid=%", False)
                    if p in fleet.processes and p != holder]
        if not standbys:
            replacement = fleet.start("watcher")
            wait(lambda p=replacement.pid: p in sessions_named(
                store, "privacy-triage watcher pid=%", False), 90, "a standby", 0.1)
        _, raw = opt_out(f"takeover-{r}")
        with store.sessions() as session:
            before = session.scalar(select(func.count(Message.id))) or 0
        dovecot.append(raw)
        fleet.processes[holder].send_signal(signal.SIGKILL)
        killed = time.perf_counter()
        fleet.processes.pop(holder).wait(10)

        def new_holder() -> bool:
            return any(p in fleet.processes
                       for p in sessions_named(store, "privacy-triage watcher pid=%", True))

        wait(new_holder, 30, "a new holder", 0.02)
        lock_s.append(time.perf_counter() - killed)

        def committed(before: int = before) -> bool:
            with store.sessions() as session:
                return (session.scalar(select(func.count(Message.id))) or 0) > before

        wait(committed, 30, "the message appended before the kill", 0.02)
        stored_s.append(time.perf_counter() - killed)
        # The killed process comes back as the next standby.
        replacement = fleet.start("watcher")
        wait(lambda p=replacement.pid: p in sessions_named(
            store, "privacy-triage watcher pid=%", False), 90, "the restarted standby", 0.1)
    print(f"\nTake-over after kill -9 of the watcher holder, {rounds} rounds")
    print(f"  kill -> standby holds the lock:           {fmt(lock_s)}")
    print(f"  kill -> mail appended before it committed: {fmt(stored_s)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for reason in (dovecot_available(), postgres_reason()):
        if reason:
            print(f"skipped: {reason}")
            return 0
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as d, Dovecot() as dovecot:
        for name, roles in (("one process (--role all)", ["all"]),
                            ("watcher and worker in two processes", ["watcher", "worker"])):
            with schema() as url:
                Store.open(url).close()  # `db upgrade`
                store = Store.open(url, migrate=False)
                tmp = Path(d) / name.split()[0]
                tmp.mkdir()
                mailbox = dovecot.account(f"bench-{uuid.uuid4().hex[:8]}@caplus.org.uk")
                fleet = Fleet(tmp, url, mailbox)
                try:
                    for role in roles:
                        fleet.start(role)
                    ready(store, fleet, listeners=1)
                    results[name] = latency(store, mailbox, args.samples, name.split()[0])
                    if len(roles) > 1 and args.rounds:
                        takeover(store, mailbox, fleet, args.rounds)
                finally:
                    fleet.stop()
                    store.close()
    base, split = (results[k] for k in results)
    print(f"\nOpt-out latency, APPEND -> suppression committed, {args.samples} samples each")
    for name, values in results.items():
        print(f"  {name:<38} {fmt(values)}")
    ratio = percentiles(split)[1] / percentiles(base)[1]
    print(f"  p95 ratio two processes / one: {ratio:.2f}  (target: p95 <= 1000 ms across "
          f"processes; {'met' if percentiles(split)[1] <= 1.0 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
