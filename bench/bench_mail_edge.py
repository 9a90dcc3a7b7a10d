"""CPU time and peak memory of parsing each pathological message (tests/mail_mutations.py).

Target: each message at most ~1 s of CPU from raw bytes to stored columns. Prints one line per
message: CPU seconds for ``message_fields`` (parse + reply split), peak traced memory, and
whether the result came out quarantined.

Usage: .venv/bin/python -m bench.bench_mail_edge
"""

from __future__ import annotations

import time
import tracemalloc

from bot.pipeline.ingest import message_fields
from tests.mail_mutations import PATHOLOGICAL


def main() -> int:
    worst = 0.0
    for name, raw in PATHOLOGICAL.items():
        started = time.process_time()
        fields = message_fields(raw, max_bytes=25 * 1024 * 1024)
        cpu = time.process_time() - started
        tracemalloc.start()  # a second run: tracing slows the code it measures
        message_fields(raw, max_bytes=25 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        worst = max(worst, cpu)
        state = "quarantined" if fields["quarantine_reason"] else "parsed"
        print(f"{cpu:7.3f} s  {peak / 1e6:7.1f} MB  {len(raw):>8} B  {state:11}  {name}")
    print(f"worst: {worst:.3f} s CPU (target <= 1 s)")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
