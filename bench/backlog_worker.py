"""One triage worker process for ``bench.bench_backlog`` (until ``run --role worker`` exists).

``python -m bench.backlog_worker URL``: opens the database, loads the model, drafter and
language model (as a running worker has them), prints ``ready``, waits for a line on stdin,
then triages until nothing is left that it may claim and prints ``done COUNT WALL_S CPU_S``.
"""

from __future__ import annotations

import sys
import time

from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime
from classifier.language import detect_language
from tests.conftest import make_config


def main(url: str, batch: int = 200) -> int:
    rt = Runtime.open(make_config(url))
    _ = rt.model, rt.drafter
    detect_language("a warm-up sentence so that the language model is loaded before timing")
    print("ready", flush=True)
    sys.stdin.readline()
    wall, cpu = time.perf_counter(), time.process_time()
    count = 0
    while outcomes := triage_pending(rt, limit=batch):
        count += len(outcomes)
    print(f"done {count} {time.perf_counter() - wall:.3f} {time.process_time() - cpu:.3f}",
          flush=True)
    rt.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], *(int(a) for a in sys.argv[2:3])))
