"""Pure decisions behind staff actions: may this action happen to this case, and what follows.

No database and no Slack here, so each rule is a table of cases in
``tests/unit/staff/test_rules.py``. The transactional code in :mod:`bot.staff.actions` reads the
case, asks these functions, and writes what they say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.store.models import OPEN_STATES, CaseState
from classifier.labels import LABELS, Label
from replies.deadlines import ClockStoppedError, DeadlineError, Pause, due_date, extended_due_date

MAX_REASON_CHARS = 2000
MAX_DRAFT_CHARS = 100_000
# Labels with a statutory clock (UK GDPR Art. 12(3)): these may be extended.
TIMED_LABELS = ("access_request", "correction")


class Refusal(Exception):
    """A staff action that cannot happen; the message is shown to the person who tried."""


def actionable(state: str) -> None:
    """Raise :class:`Refusal` unless the case is still waiting for staff."""
    if state not in OPEN_STATES:
        raise Refusal(f"this case is already {CaseState(state).value.replace('_', ' ')}")


def check_reason(reason: str | None) -> str:
    """A rejection reason: required, trimmed, bounded."""
    text = (reason or "").strip()
    if not text:
        raise Refusal("a reason is required to reject a case")
    if len(text) > MAX_REASON_CHARS:
        raise Refusal(f"the reason is longer than {MAX_REASON_CHARS} characters")
    return text


def check_draft(subject: str, text: str) -> tuple[str, str]:
    """An edited draft: a one-line subject and a non-empty body."""
    subject = " ".join((subject or "").split())
    if not subject:
        raise Refusal("the reply needs a subject")
    if not (text or "").strip():
        raise Refusal("the reply is empty")
    if len(text) > MAX_DRAFT_CHARS:
        raise Refusal(f"the reply is longer than {MAX_DRAFT_CHARS} characters")
    return subject, text.rstrip() + "\n"


def check_label(label: str) -> str:
    if label not in LABELS:
        raise Refusal(f"unknown label {label!r}")
    return label


def pauses_of(raw: Sequence[Sequence[str | None]]) -> list[Pause]:
    """The case's stored pauses (``[[start, end|null], ...]`` ISO dates) as values."""
    return [Pause(date.fromisoformat(str(s)), date.fromisoformat(str(e)) if e else None)
            for s, e in raw]


def pauses_to_json(pauses: Sequence[Pause]) -> list[list[str | None]]:
    return [[p.start.isoformat(), p.end.isoformat() if p.end else None] for p in pauses]


@dataclass(frozen=True)
class Extension:
    due: date | None   # None while the clock is stopped (known once the requester replies)


def extension(present: Sequence[str], extended: bool, received: date, today: date,
              pauses: Sequence[Pause]) -> Extension:
    """Extend the time limit by two further months, if the law allows it now.

    Raises:
        Refusal: for a case without a time limit, one already extended, or after the first
            month has run out (the explanation comes from :mod:`replies.deadlines`).
    """
    if not set(present) & set(TIMED_LABELS):
        raise Refusal("only access requests and corrections have a time limit to extend")
    if extended:
        raise Refusal("the time limit has already been extended")
    try:
        return Extension(extended_due_date(received, today, 2, pauses))
    except ClockStoppedError:
        return Extension(None)
    except DeadlineError as exc:
        raise Refusal(str(exc)) from None


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


def after_approval(present: Sequence[str], asks_identity: bool,
                   asks_details: bool = False) -> CaseState:
    """The state a case moves to when staff approve its reply.

    A reply that asks an access requester for identity evidence, or a correction requester for
    the correct details, does not finish the case: it waits for them with the clock stopped
    (the ICO's "clarification" pause), and their answer re-opens it.
    """
    if asks_identity and Label.ACCESS_REQUEST in present:
        return CaseState.AWAITING_REQUESTER
    if asks_details and Label.CORRECTION in present:
        return CaseState.AWAITING_REQUESTER
    return CaseState.RESOLVED


def erasable(label: str, present: Sequence[str], sub_intent: str | None) -> None:
    """Only an erasure request can be marked erased; raise :class:`Refusal` otherwise."""
    if sub_intent != "erasure" and label != Label.CORRECTION and Label.CORRECTION not in present:
        raise Refusal("only an erasure request can be marked erased")


def applies_suppression(label: str, present: Sequence[str]) -> bool:
    """Approving an opt-out (alone or among other requests) suppresses the requester."""
    return label == Label.OPT_OUT or Label.OPT_OUT in present
