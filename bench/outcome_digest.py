"""A SHA-256 over everything triage of a generated backlog leaves in the database.

Why: a speed change must not change what the service does. This stores and triages ``count``
messages from :func:`bench.mailgen.generate` (fixed seed) on a fresh SQLite file with a fixed
clock, then hashes the outcomes triage returned and every row of the tables it writes (cases,
drafts, audit events, suppressions, classifications, messages, outbox), in primary-key order.
Run it before and after an optimisation: the digests must be equal.

It runs twice: as the backlog bench's mail is (no sender can be verified, so every opt-out stays
open for a person) and "verified": every other message stamped by the trusted MX, senders
repeating (one in 97), Slack and SMTP configured, so confirmations, limits, already-suppressed
senders and Slack rows in the outbox are hashed too.

Two things are not the code's decision and are normalised: the runtime's random worker name
(it appears in claim columns) becomes ``<worker>``, and a timestamp taken from the wall clock
(a column default, not the injected clock) becomes ``<wall>``; every other datetime, a
deadline for example, is hashed as it is.

Usage: PYTHONPATH=. .venv/bin/python -m bench.outcome_digest [--messages 1000] [--seed 11]
       [--dump FILE]   (writes the normalised rows as FILE.plain.txt and FILE.verified.txt,
       to diff two runs)
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import re
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.mailgen import generate
from bot.config import Config
from bot.mail.imap import FetchedMessage
from bot.pipeline.ingest import store_imap_batch
from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime
from bot.store.models import Base
from tests.conftest import make_config, verified

CLOCK = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BATCH = 200


def _value(value: Any, worker: str, wall: tuple[datetime, datetime]) -> str:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        if wall[0] <= aware <= wall[1]:
            return "<wall>"
        return aware.isoformat()
    if isinstance(value, bytes):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    return repr(value).replace(worker, "<worker>")


def _verified_mail(raws: list[bytes]) -> list[bytes]:
    """Every other message authenticated by the trusted MX; senders repeat one in 97."""
    out = []
    for i, raw in enumerate(raws):
        text = _SENDER.sub(lambda m: f".{int(m.group(1)) % 97}@", raw.decode())
        out.append((verified(text) if i % 2 == 0 else text).encode())
    return out


_SENDER = re.compile(r"\.(\d+)@(?=example\.org)")


def _verified_config(url: str) -> Config:
    config = make_config(url)
    return dataclasses.replace(
        config,
        slack=dataclasses.replace(config.slack, enabled=True, review_channel="C1"),
        smtp=dataclasses.replace(
            config.smtp, host="127.0.0.1", from_address="support@caplus.org.uk"
        ),
    )


def run(count: int, seed: int, dump: Path | None = None, *, variant: str = "plain") -> str:
    wall_start = datetime.now(UTC) - timedelta(seconds=1)
    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite:///{Path(d) / 'digest.sqlite3'}"
        rt = Runtime.open(_verified_config(url) if variant == "verified" else make_config(url))
        rt.now = lambda: CLOCK
        raws = generate(count, seed=seed)
        if variant == "verified":
            raws = _verified_mail(raws)
        fetched = [FetchedMessage(i + 1, len(r), r) for i, r in enumerate(raws)]
        for i in range(0, count, BATCH):
            store_imap_batch(rt.store, "bench", "INBOX", 1, fetched[i : i + BATCH], now=CLOCK)
        outcomes = []
        while batch := triage_pending(rt, limit=BATCH):
            outcomes.extend(batch)
        wall = (wall_start, datetime.now(UTC) + timedelta(seconds=1))
        lines = [_value(dataclasses.asdict(o), rt.worker_id, wall) for o in outcomes]
        with rt.store.sessions() as session:
            for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
                columns = list(table.columns)
                key = [c for c in columns if c.primary_key]
                rows = session.execute(select(*columns).order_by(*key)).all()
                lines.append(f"== {table.name} ({len(rows)} rows)")
                names = [c.name for c in columns]
                lines.extend(
                    " | ".join(
                        f"{n}={_value(v, rt.worker_id, wall)}"
                        for n, v in zip(names, row, strict=True)
                    )
                    for row in rows
                )
        rt.close()
    text = "\n".join(lines) + "\n"
    if dump is not None:
        dump.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    for variant in ("plain", "verified"):
        dump = args.dump.with_suffix(f".{variant}.txt") if args.dump else None
        print(
            f"outcome digest, {variant:8} ({args.messages} messages, seed {args.seed}): "
            f"{run(args.messages, args.seed, dump, variant=variant)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
