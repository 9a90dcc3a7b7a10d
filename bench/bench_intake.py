"""Intake benchmarks against a real Dovecot: backlog rate and IDLE push latency.

Prints, from one run:
  * the raw rate of fetching N messages with imapclient alone (the baseline),
  * the rate of the pipeline's ingest (fetch + parse + commit) and ingest + triage,
  * their ratio to the baseline (target >= 0.5),
  * p50/p95 latency from APPEND to committed row with IDLE (target p95 <= 1.0 s),
  * p50/p95 latency from APPEND of an opt-out to its suppression committed, with the whole
    service (`Service`, as `privacy-triage run` starts it) watching with IDLE (target <= 1 s).

Usage: .venv/bin/python -m bench.bench_intake [--messages 5000] [--latency-samples 50]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from imapclient import IMAPClient

from bench.mailgen import generate
from bot.pipeline.triage import triage_pending
from bot.pipeline.watch import Watcher
from bot.runtime import Runtime
from tests.conftest import make_config
from tests.servers.dovecot import Dovecot, dovecot_available


def raw_fetch_rate(dovecot: Dovecot, batch: int) -> tuple[int, float]:
    """Baseline: imapclient alone, SEARCH then FETCH BODY.PEEK[] in batches, nothing else."""
    start = time.perf_counter()
    client = IMAPClient(dovecot.host, port=dovecot.port, ssl=False)
    client.login(dovecot.user, dovecot.password)
    client.select_folder("INBOX", readonly=True)
    uids = client.search("ALL")
    total = 0
    for i in range(0, len(uids), batch):
        for data in client.fetch(uids[i:i + batch], ["RFC822.SIZE", "BODY.PEEK[]"]).values():
            total += len(data[b"BODY[]"])
    client.logout()
    return len(uids), time.perf_counter() - start


def backlog(dovecot: Dovecot, tmp: Path, count: int) -> None:
    print(f"Appending {count} messages to Dovecot ...", flush=True)
    dovecot.append_many(generate(count))
    batch = 200
    n, raw_s = raw_fetch_rate(dovecot, batch)
    raw_rate = n / raw_s
    rt = Runtime.open(make_config(f"sqlite:///{tmp / 'bench.sqlite3'}", dovecot))
    rt.config = _with_batch(rt.config, batch)
    _ = rt.model, rt.drafter  # load once, outside the timing, as a running service has
    start = time.perf_counter()
    stored = Watcher(rt).poll_once()
    ingest_s = time.perf_counter() - start
    triaged = 0
    while outcomes := triage_pending(rt, limit=500):
        triaged += len(outcomes)
    total_s = time.perf_counter() - start
    rt.close()
    assert stored == n == count, (stored, n, count)
    print(f"\nBacklog of {n} messages ({batch} per fetch)")
    print(f"  baseline imapclient fetch only : {raw_rate:8.0f} msg/s ({raw_s:.2f} s)")
    print(f"  ingest (fetch+parse+commit)    : {n / ingest_s:8.0f} msg/s ({ingest_s:.2f} s)"
          f"  ratio {n / ingest_s / raw_rate:.2f}")
    print(f"  ingest + triage (classify, act): {n / total_s:8.0f} msg/s ({total_s:.2f} s)"
          f"  ratio {n / total_s / raw_rate:.2f}  (target >= 0.5)")
    print(f"  triaged {triaged}")


def _with_batch(config, batch):
    return dataclasses.replace(config, imap=dataclasses.replace(config.imap, fetch_batch=batch))


def push_latency(dovecot: Dovecot, tmp: Path, samples: int) -> None:
    rt = Runtime.open(make_config(f"sqlite:///{tmp / 'latency.sqlite3'}", dovecot))
    rt.config = dataclasses.replace(rt.config, imap=dataclasses.replace(
        rt.config.imap, poll_interval_s=300, idle_renew_s=300))
    committed = threading.Event()
    watcher = Watcher(rt, on_stored=lambda _n: committed.set())
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    time.sleep(1.0)
    latencies = []
    with dovecot.client() as client:
        for i, raw in enumerate(generate(samples, seed=99)):
            committed.clear()
            time.sleep(0.05)
            start = time.perf_counter()
            client.append("INBOX", raw)
            if not committed.wait(10):
                print(f"  sample {i}: not committed within 10 s", file=sys.stderr)
                continue
            latencies.append(time.perf_counter() - start)
    stop.set()
    watcher.interrupt()
    thread.join(10)
    rt.close()
    print(f"\nPush latency, APPEND -> committed, IDLE, {len(latencies)}/{samples} samples")
    print(f"  {_percentiles(latencies)}  (target p95 <= 1000 ms)")


def _percentiles(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (f"p50 {statistics.median(ordered) * 1000:.0f} ms   p95 {p95 * 1000:.0f} ms   "
            f"max {ordered[-1] * 1000:.0f} ms")


def opt_out_latency(dovecot: Dovecot, tmp: Path, samples: int) -> None:
    from sqlalchemy import select

    from bot.service import Service
    from bot.store.models import Suppression

    config = make_config(f"sqlite:///{tmp / 'optout.sqlite3'}", dovecot)
    config = dataclasses.replace(
        config, imap=dataclasses.replace(config.imap, poll_interval_s=300, idle_renew_s=300),
        http=dataclasses.replace(config.http, enabled=False))
    rt = Runtime.open(config)
    _ = rt.model, rt.drafter
    service = Service(rt)
    service.start()
    time.sleep(1.0)
    latencies = []
    with dovecot.client() as client:
        for i in range(samples):
            address = f"optout{i}@example.org"
            raw = (f"From: <{address}>\r\nTo: support@caplus.org.uk\r\n"
                   f"Subject: unsubscribe\r\nMessage-ID: <oo-{i}@example.org>\r\n\r\n"
                   "Please take me off your mailing list and stop emailing me.\r\n").encode()
            start = time.perf_counter()
            client.append("INBOX", raw)
            deadline = start + 10
            while time.perf_counter() < deadline:
                with rt.store.sessions() as session:
                    if session.scalar(select(Suppression.id).where(
                            Suppression.address == address)) is not None:
                        latencies.append(time.perf_counter() - start)
                        break
                time.sleep(0.005)
            else:
                print(f"  opt-out {i}: not applied within 10 s", file=sys.stderr)
    service.shutdown()
    rt.close()
    if not latencies:
        print("\nOpt-out latency: no opt-out was applied automatically")
        return
    print(f"\nOpt-out latency, APPEND -> suppression committed, service with IDLE, "
          f"{len(latencies)}/{samples} samples")
    print(f"  {_percentiles(latencies)}  (target <= 1000 ms)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--latency-samples", type=int, default=50)
    args = parser.parse_args()
    reason = dovecot_available()
    if reason:
        print(f"skipped: {reason}")
        return 0
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        with Dovecot() as dovecot:
            backlog(dovecot, tmp, args.messages)
        with Dovecot() as dovecot:
            push_latency(dovecot, tmp, args.latency_samples)
        with Dovecot() as dovecot:
            opt_out_latency(dovecot, tmp, args.latency_samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
