"""How long the mail edge takes on crafted heavy headers, each against a plain baseline.

The message (tests/mail_mutations.py ``parameter_heavy_multipart``: 800 parts, 200 Content-Type
parameters each) takes the unbounded stdlib parser tens of seconds; the edge keeps a bounded
number of parameters and parts, so it should cost a small multiple of parsing the same 800
parts with plain headers. The baseline is measured in the same run, on the same machine, so the
ratio means something on a loaded or slow machine where a wall-clock limit would not (this was
a unit test with a 5 s limit, flaky under load).

The same holds for a 30,000-address ``To:`` header and a megabyte of encoded words in the
Subject (both bounded at the edge), each against the same bytes in a body: two more unit tests
that had a 5 s wall limit.

Prints CPU seconds (best of several runs) for each case and its baseline, and the ratio.
Target: every ratio <= 10.

Usage: .venv/bin/python -m bench.bench_mail_bounds
"""

from __future__ import annotations

import time

from bot.mail.parse import to_message
from tests.mail_mutations import (
    huge_recipient_list,
    megabyte_of_encoded_words_in_subject,
    parameter_heavy_multipart,
)

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


CASES = (
    ("800 parts x 200 parameters", parameter_heavy_multipart(),
     "800 parts, plain headers", parameter_heavy_multipart(parameters=0)),
    ("To: of 30,000 addresses", huge_recipient_list(),
     "the same bytes in the body", huge_recipient_list(in_body=True)),
    ("1 MB of encoded words in Subject", megabyte_of_encoded_words_in_subject(),
     "the same bytes in the body", megabyte_of_encoded_words_in_subject(in_body=True)),
)


def main() -> int:
    worst = 0.0
    for name, raw, baseline_name, baseline in CASES:
        heavy = best_cpu_seconds(raw)
        plain = best_cpu_seconds(baseline)
        ratio = heavy / plain if plain > 0 else float("inf")
        worst = max(worst, ratio)
        print(f"{heavy:7.3f} s CPU  {name}")
        print(f"{plain:7.3f} s CPU  {baseline_name} (baseline, same run)")
        print(f"ratio: {ratio:.1f} (target <= {TARGET_RATIO:g})")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
