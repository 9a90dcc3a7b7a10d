"""How long the mail edge takes on a parameter-heavy multipart message, against a plain one.

The message (tests/mail_mutations.py ``parameter_heavy_multipart``: 800 parts, 200 Content-Type
parameters each) takes the unbounded stdlib parser tens of seconds; the edge keeps a bounded
number of parameters and parts, so it should cost a small multiple of parsing the same 800
parts with plain headers. The baseline is measured in the same run, on the same machine, so the
ratio means something on a loaded or slow machine where a wall-clock limit would not (this was
a unit test with a 5 s limit, flaky under load).

Prints CPU seconds (best of several runs) for both, and the ratio. Target: ratio <= 10.

Usage: .venv/bin/python -m bench.bench_mail_bounds
"""

from __future__ import annotations

import time

from bot.mail.parse import to_message
from tests.mail_mutations import parameter_heavy_multipart

RUNS = 3
TARGET_RATIO = 10.0


def best_cpu_seconds(raw: bytes, runs: int = RUNS) -> float:
    """The least CPU time of ``runs`` parses: the figure least disturbed by other processes."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        to_message(raw)
        best = min(best, time.process_time() - started)
    return best


def main() -> int:
    heavy = best_cpu_seconds(parameter_heavy_multipart())
    plain = best_cpu_seconds(parameter_heavy_multipart(parameters=0))
    ratio = heavy / plain if plain > 0 else float("inf")
    print(f"{heavy:7.3f} s CPU  800 parts x 200 parameters")
    print(f"{plain:7.3f} s CPU  800 parts, plain headers (baseline, same run)")
    print(f"ratio: {ratio:.1f} (target <= {TARGET_RATIO:g})")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
