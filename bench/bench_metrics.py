"""What a ``/metrics`` scrape and a ``/readyz`` check cost on a database with a real backlog.

Both count from the database on every request (docs/operations.md), so their cost grows with
the tables. This fills a SQLite file with 20,000 messages, 10,000 cases and 20,000 outbox rows
(bulk inserts, no triage), then times, best of several runs:

- the baseline: one ``SELECT count(*) FROM messages`` round trip in a fresh session;
- a whole ``/metrics`` answer (every query, rendered), through the Flask test client;
- a whole ``/readyz`` answer (reads, and the write probe that is rolled back).

Prints milliseconds and each ratio to the baseline. No target is set in issue 10; a scrape every
15 s that takes tens of milliseconds is a negligible load.

Usage: .venv/bin/python -m bench.bench_metrics [--messages N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bot.config import Config, DatabaseConfig, HttpConfig
from bot.runtime import Runtime
from bot.store.db import Store
from bot.store.models import Case, Message, OutboxItem
from bot.web.app import create_app

RUNS = 7
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def fill(store: Store, messages: int) -> None:
    cases = messages // 2
    labels = ("opt_out", "correction", "access_request", "general_query")
    states = ("open", "auto_resolved", "resolved", "awaiting_requester")
    with store.transaction() as session:
        session.execute(insert(Case), [
            {"state": states[i % 4], "label": labels[i % 4], "received_at": NOW,
             "due_date": (NOW + timedelta(days=30 - i % 60)).date(), "created_at": NOW,
             "updated_at": NOW} for i in range(cases)])
        session.execute(insert(Message), [
            {"source": "imap", "dedup_key": f"k{i}", "raw": b"x" * 200, "size": 200,
             "received_at": NOW, "triage_state": "done" if i % 10 else "new",
             "case_id": 1 + i % cases, "quarantine_reason": "unparseable" if i % 97 == 0
             else None} for i in range(messages)])
        session.execute(insert(OutboxItem), [
            {"kind": ("email", "slack")[i % 2], "idempotency_key": f"o{i}",
             "state": ("sent", "sent", "sent", "pending", "failed")[i % 5],
             "case_id": 1 + i % cases, "next_attempt_at": NOW, "created_at": NOW}
            for i in range(messages)])


def best_ms(call: Callable[[], object], runs: int = RUNS) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        config = Config(database=DatabaseConfig(url), http=HttpConfig(api_token="t"))
        rt = Runtime(config, Store.open(url), now=lambda: NOW)
        fill(rt.store, args.messages)
        client = create_app(rt).test_client()

        def baseline() -> None:
            with rt.store.sessions() as session:
                session.scalar(select(func.count(Message.id)))

        def scrape() -> None:
            assert client.get("/metrics").status_code == 200

        def ready() -> None:
            client.get("/readyz")

        base, metrics, readiness = best_ms(baseline), best_ms(scrape), best_ms(ready)
        size = len(client.get("/metrics").get_data())
        rt.close()
    print(f"database: SQLite, {args.messages} messages, {args.messages // 2} cases, "
          f"{args.messages} outbox rows")
    print(f"baseline  SELECT count(*) FROM messages : {base:8.2f} ms")
    print(f"/metrics  whole answer ({size} bytes)    : {metrics:8.2f} ms  "
          f"(ratio {metrics / base:.1f})")
    print(f"/readyz   whole answer with write probe : {readiness:8.2f} ms  "
          f"(ratio {readiness / base:.1f})")


if __name__ == "__main__":
    main()
