"""Backlog benchmarks: how fast a 10,000-message backlog clears, against the raw fetch rate
measured in the same run.

Prints, from one run:
  * the baseline: imapclient alone fetching the backlog from a real Dovecot (SEARCH, FETCH
    BODY.PEEK[] in batches, nothing else);
  * SQLite, one process: ingest (fetch + parse + one bulk insert per batch) and ingest + triage
    (claim, classify, decide, act and draft, one transaction per batch), in msg/s and as a
    ratio to the baseline; target >= 1,500 msg/s for ingest + triage;
  * PostgreSQL, the same backlog stored once per run, triaged by 1 and then by 2 worker
    PROCESSES on one schema (``bench.backlog_worker``), throughput and the 2:1 ratio (target
    >= 1.7); each worker's CPU seconds are printed too, because on a shared machine the wall
    clock also measures everybody else's work;
  * the machine's load average at the start and at the end, to read the figures by.

Usage: .venv/bin/python -m bench.bench_backlog [--messages 10000] [--pg-messages 4000]
       [--skip-postgres] [--slack]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from bench.bench_intake import raw_fetch_rate
from bench.mailgen import generate
from bot.mail.imap import FetchedMessage
from bot.pipeline.ingest import store_imap_batch
from bot.pipeline.triage import triage_pending
from bot.pipeline.watch import Watcher
from bot.runtime import Runtime
from bot.store.db import Store
from bot.store.models import Message, TriageState
from classifier.language import detect_language
from tests.conftest import POSTGRES_URL, make_config, postgres_reason
from tests.servers.dovecot import Dovecot, dovecot_available

ROOT = Path(__file__).resolve().parents[1]
BATCH = 200


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def sqlite_backlog(dovecot: Dovecot, tmp: Path, count: int, slack: bool = False) -> float:
    """Returns the baseline raw fetch rate (msg/s). ``slack``: Slack on, as a deployment that
    routes cases to staff has it, so every case also queues its card in the outbox."""
    print(f"Appending {count} messages to Dovecot ...", flush=True)
    dovecot.append_many(generate(count))
    n, raw_s = raw_fetch_rate(dovecot, BATCH)
    raw_rate = n / raw_s
    rt = Runtime.open(make_config(f"sqlite:///{tmp / 'backlog.sqlite3'}", dovecot))
    rt.config = dataclasses.replace(rt.config, imap=dataclasses.replace(
        rt.config.imap, fetch_batch=BATCH))
    if slack:
        rt.config = dataclasses.replace(rt.config, slack=dataclasses.replace(
            rt.config.slack, enabled=True, review_channel="C-bench"))
    _ = rt.model, rt.drafter  # loaded once, outside the timing, as a running service has them
    detect_language("a warm-up sentence so that the language model is loaded before timing")
    start, cpu = time.perf_counter(), time.process_time()
    stored = Watcher(rt).poll_once()
    ingest_s, ingest_cpu = time.perf_counter() - start, time.process_time() - cpu
    triaged = 0
    while outcomes := triage_pending(rt, limit=BATCH):
        triaged += len(outcomes)
    total_s, total_cpu = time.perf_counter() - start, time.process_time() - cpu
    rt.close()
    if stored != n or triaged != n:
        raise SystemExit(f"stored {stored}, triaged {triaged} of {n}")
    print(f"\nSQLite, one process, backlog of {n} messages ({BATCH} per fetch and per batch"
          f"{'; Slack on: a card queued per case' if slack else ''})")
    print(f"  baseline imapclient fetch only : {raw_rate:8.0f} msg/s ({raw_s:.2f} s)")
    print(f"  ingest (fetch+parse+commit)    : {n / ingest_s:8.0f} msg/s ({ingest_s:.2f} s, "
          f"{n / ingest_cpu:.0f} msg/CPU-s)  ratio {n / ingest_s / raw_rate:.3f}")
    print(f"  ingest + triage (claim, act)   : {n / total_s:8.0f} msg/s ({total_s:.2f} s, "
          f"{n / total_cpu:.0f} msg/CPU-s)  ratio {n / total_s / raw_rate:.3f}  "
          "(target >= 1500 msg/s)")
    return raw_rate


def _fresh_schema() -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in POSTGRES_URL else "?"
    return schema, f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"


def _drop_schema(schema: str) -> None:
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _fill(url: str, count: int) -> None:
    store = Store.open(url)
    raws = generate(count, seed=11)
    fetched = [FetchedMessage(i + 1, len(r), r) for i, r in enumerate(raws)]
    for i in range(0, count, BATCH):
        store_imap_batch(store, "bench", "INBOX", 1, fetched[i:i + BATCH])
    store.close()


def _workers(url: str, processes: int) -> tuple[float, list[tuple[int, float, float]]]:
    """Start ``processes`` workers, wait until each is ready, start them together; returns the
    wall time until the last finished and each one's (count, wall s, CPU s)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "bench.backlog_worker", url, str(BATCH)],
                              cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True) for _ in range(processes)]
    try:
        for proc in procs:
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                raise SystemExit("a worker did not start")
        start = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            assert proc.stdout is not None
            _, count, wall, cpu = proc.stdout.readline().split()
            results.append((int(count), float(wall), float(cpu)))
        elapsed = time.perf_counter() - start
    finally:
        for proc in procs:
            proc.wait(60)
    return elapsed, results


def postgres_backlog(count: int, raw_rate: float | None) -> None:
    reason = postgres_reason()
    if reason:
        print(f"\nPostgreSQL: skipped ({reason})")
        return
    print(f"\nPostgreSQL, backlog of {count} messages stored, then triaged by worker processes")
    rates = {}
    for processes in (1, 2):
        schema, url = _fresh_schema()
        try:
            _fill(url, count)
            elapsed, results = _workers(url, processes)
            engine = create_engine(url)
            with engine.connect() as conn:
                done = conn.scalar(select(func.count(Message.id))
                                   .where(Message.triage_state == TriageState.DONE))
            engine.dispose()
        finally:
            _drop_schema(schema)
        if done != count or sum(r[0] for r in results) != count:
            raise SystemExit(f"{processes} workers: {done} done, {results}")
        rates[processes] = count / elapsed
        per = ", ".join(f"{c} msgs in {w:.2f} s ({cpu:.2f} CPU-s)" for c, w, cpu in results)
        ratio = f"  ratio to raw fetch {rates[processes] / raw_rate:.3f}" if raw_rate else ""
        print(f"  {processes} worker process{'es' if processes > 1 else '  '}: "
              f"{rates[processes]:8.0f} msg/s ({elapsed:.2f} s){ratio}   [{per}]")
    print(f"  2 workers / 1 worker           : {rates[2] / rates[1]:8.2f}x  (target >= 1.7)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--pg-messages", type=int, default=10_000)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--slack", action="store_true",
                        help="SQLite run with Slack on (each case queues a card)")
    args = parser.parse_args()
    print(_load())
    raw_rate = None
    if not args.skip_sqlite:
        reason = dovecot_available()
        if reason:
            print(f"SQLite backlog: skipped ({reason})")
        else:
            with tempfile.TemporaryDirectory() as d, Dovecot() as dovecot:
                raw_rate = sqlite_backlog(dovecot, Path(d), args.messages, args.slack)
    if not args.skip_postgres:
        postgres_backlog(args.pg_messages, raw_rate)
    print(f"\n{_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
