"""The case clock: which requests have a statutory time limit, and how pauses move it.

One pure module, so the pipeline (a reply from the requester restarts a stopped clock) and the
staff actions (verifying identity restarts it, approving a reply that asks for evidence stops
it, reclassifying may start it) count the same way. The days themselves are counted by
:mod:`replies.deadlines`; here is what a case's stored fields mean for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from replies.deadlines import Pause, due_date, receipt_date

# Labels whose statutory clock starts at receipt: access (Art. 15), rectification and erasure
# (Art. 16, 17); UK GDPR Art. 12(3) lets these be extended. An opt-out needs no deadline: it is
# applied at once or on approval.
TIMED_LABELS = ("access_request", "correction")

#: A case's stored pauses: ``[[start, end|null], ...]`` as ISO dates (the ``pauses`` column).
StoredPauses = Sequence[Sequence[str | None]]


def is_timed(labels: Iterable[str]) -> bool:
    """Whether any of ``labels`` (a case's label and the intents present) runs a clock."""
    return any(label in TIMED_LABELS for label in labels)


def opening_due_date(labels: Iterable[str], received_at: datetime) -> date | None:
    """The due date of a case opened for ``labels`` on a message received at ``received_at``,
    or None when none of them has a time limit."""
    return due_date(receipt_date(received_at)) if is_timed(labels) else None


def pauses_of(raw: StoredPauses) -> list[Pause]:
    """The case's stored pauses (``[[start, end|null], ...]`` ISO dates) as values."""
    return [Pause(date.fromisoformat(str(s)), date.fromisoformat(str(e)) if e else None)
            for s, e in raw]


def pauses_to_json(pauses: Sequence[Pause]) -> list[list[str | None]]:
    return [[p.start.isoformat(), p.end.isoformat() if p.end else None] for p in pauses]


def stop_clock(raw: StoredPauses, now: datetime) -> list[list[str | None]]:
    """The stored pauses with a new open one from today: we wait for the requester."""
    return [*map(list, raw), [receipt_date(now).isoformat(), None]]


@dataclass(frozen=True)
class ClockRestart:
    pauses: list[Pause]
    due: date | None


def restart_clock(pauses: Sequence[Pause], received: date, today: date, extended: bool,
                  timed: bool) -> ClockRestart:
    """Close an open pause today (identity evidence arrived) and recompute the due date."""
    closed = [Pause(p.start, p.end if p.end is not None else max(today, p.start))
              for p in pauses]
    if not timed:
        return ClockRestart(closed, None)
    return ClockRestart(closed, due_date(received, months=3 if extended else 1, pauses=closed))


def restart_case_clock(present: Sequence[str], raw: StoredPauses, received_at: datetime,
                       now: datetime, extended: bool) -> ClockRestart:
    """Restart a case's stopped clock on the day ``now`` falls on (the requester answered, or
    their identity was verified): its stored fields in, the new pauses and due date out."""
    return restart_clock(pauses_of(raw), receipt_date(received_at), receipt_date(now), extended,
                         is_timed(present))
