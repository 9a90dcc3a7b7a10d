"""Is the service ready? One pure verdict from plain facts, shared by ``/readyz`` and ``status``.

``/readyz`` (for a load balancer or a monitor) and ``privacy-triage status`` (for a person) must
never disagree, so both gather the facts and hand them to :func:`assess`; only the rendering
differs. The checks:

- ``database``: it answers *and* a write reaches a table (a read-only or broken SQLite file, or a
  PostgreSQL standby, answers ``SELECT 1`` and still cannot store a single opt-out);
- ``threads``: every supervised thread of this process is up (not known outside ``run``);
- ``imap``: every configured mailbox was fetched within N × its poll interval
  (``[health] fetch_within_polls``); a mailbox never fetched is not ready;
- ``outbox``: no item has been due for longer than ``[health] outbox_stuck_after_s``;
- ``failed_messages``: no message whose triage failed needs a person without one being told
  (its Slack alert delivered).

Details are written for a person and name nothing outside the service: no host names, no paths,
no error texts (those stay in the log).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.supervise import ThreadHealth


class Verdict(StrEnum):
    OK = "ok"
    FAILING = "failing"
    SKIPPED = "skipped"   # not applicable here (IMAP off; no threads outside `run`)


@dataclass(frozen=True)
class Check:
    name: str
    verdict: Verdict
    detail: str

    @property
    def passed(self) -> bool:
        return self.verdict is not Verdict.FAILING


@dataclass(frozen=True)
class Facts:
    """What :func:`assess` needs, gathered by the caller (all times aware, UTC)."""

    now: datetime
    database_reachable: bool
    database_writable: bool
    # None: this process runs no supervised threads (``status``, a bare web server).
    threads: Sequence[ThreadHealth] | None
    # Configured mailboxes → when each was last fetched (None: never). Empty: IMAP is off.
    last_fetch: Mapping[str, datetime | None]
    fetch_within: timedelta
    oldest_due_unsent: datetime | None
    outbox_stuck_after: timedelta
    failed_unseen: Sequence[int]


def assess(facts: Facts) -> list[Check]:
    """Every check, in a fixed order."""
    return [_database(facts), _threads(facts.threads), _imap(facts), _outbox(facts),
            _failed(facts.failed_unseen)]


def is_ready(checks: Sequence[Check]) -> bool:
    return all(c.passed for c in checks)


def _database(facts: Facts) -> Check:
    if not facts.database_reachable:
        return Check("database", Verdict.FAILING, "does not answer")
    if not facts.database_writable:
        return Check("database", Verdict.FAILING, "answers but cannot be written")
    return Check("database", Verdict.OK, "answers and can be written")


def _threads(threads: Sequence[ThreadHealth] | None) -> Check:
    if threads is None:
        return Check("threads", Verdict.SKIPPED, "no supervised threads in this process")
    down = [t.name for t in threads if not t.healthy]
    if down:
        return Check("threads", Verdict.FAILING, f"down: {', '.join(down)}")
    return Check("threads", Verdict.OK, f"{len(threads)} up")


def _imap(facts: Facts) -> Check:
    if not facts.last_fetch:
        return Check("imap", Verdict.SKIPPED, "IMAP is not configured")
    limit = _span(facts.fetch_within)
    stale = []
    for mailbox, at in facts.last_fetch.items():
        if at is None:
            stale.append(f"{mailbox} never fetched")
        elif facts.now - at > facts.fetch_within:
            stale.append(f"{mailbox} last fetched {_span(facts.now - at)} ago")
    if stale:
        return Check("imap", Verdict.FAILING, f"{'; '.join(stale)} (limit {limit})")
    newest_gap = max(facts.now - at for at in facts.last_fetch.values() if at is not None)
    return Check("imap", Verdict.OK, f"fetched within {_span(max(newest_gap, timedelta()))} "
                                     f"(limit {limit})")


def _outbox(facts: Facts) -> Check:
    if facts.oldest_due_unsent is None:
        return Check("outbox", Verdict.OK, "nothing due")
    waiting = facts.now - facts.oldest_due_unsent
    if waiting > facts.outbox_stuck_after:
        return Check("outbox", Verdict.FAILING,
                     f"an item has been due for {_span(waiting)} "
                     f"(limit {_span(facts.outbox_stuck_after)})")
    return Check("outbox", Verdict.OK,
                 f"oldest due item waiting {_span(max(waiting, timedelta()))}")


def _failed(ids: Sequence[int]) -> Check:
    if ids:
        shown = ", ".join(str(i) for i in ids[:10]) + (" …" if len(ids) > 10 else "")
        return Check("failed_messages", Verdict.FAILING,
                     f"{len(ids)} failed message(s) nobody has been shown: {shown}")
    return Check("failed_messages", Verdict.OK, "none waiting for a person unseen")


def _span(delta: timedelta) -> str:
    """A short human duration: 45 s, 540 s, 12 min, 3 h 5 min, 2 d 4 h."""
    seconds = int(delta.total_seconds())
    if seconds < 600:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def as_json(checks: Sequence[Check]) -> dict[str, object]:
    """The body of ``/readyz`` and the ``readiness`` part of ``status --json``."""
    return {"ready": is_ready(checks),
            "checks": {c.name: {"status": str(c.verdict), "detail": c.detail} for c in checks}}


def render(checks: Sequence[Check]) -> list[str]:
    """Lines for a person: one per check."""
    mark = {Verdict.OK: "ok  ", Verdict.FAILING: "FAIL", Verdict.SKIPPED: "--  "}
    head = "Ready: yes" if is_ready(checks) else "Ready: NO"
    return [head, *(f"  {mark[c.verdict]} {c.name}: {c.detail}" for c in checks)]
