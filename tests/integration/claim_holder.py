"""A triage worker that dies holding its claims: run by tests/integration/test_claims.py.

``python -m tests.integration.claim_holder URL ISO_NOW LIMIT`` runs the real
:func:`~bot.pipeline.triage.triage_pending` with the clock stopped at ``ISO_NOW`` and a model
that never answers, so the process is caught after claiming its batch (committed) and before
acting on it. It prints its worker name once the claim is made and waits to be killed.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import NoReturn

from bot.pipeline.triage import claim_owner, triage_pending
from bot.runtime import Runtime
from tests.conftest import make_config


class _HangingModel:
    """Stands in for the classifier: says it was reached, then never returns."""

    def __init__(self, worker: str) -> None:
        self.worker = worker

    def predict(self, texts: Sequence[str], subjects: Sequence[str]) -> NoReturn:
        print(f"claimed {len(texts)} as {self.worker}", flush=True)
        threading.Event().wait()
        raise SystemExit(1)


def main(url: str, now: str, limit: str) -> int:
    rt = Runtime.open(make_config(url))
    at = datetime.fromisoformat(now)
    rt.now = lambda: at
    rt.__dict__["model"] = _HangingModel(claim_owner(rt))  # replaces the cached_property
    triage_pending(rt, limit=int(limit))
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
