"""Pure decisions behind staff actions: may this action happen to this case, and what follows.

No database and no Slack here, so each rule is a table of cases in
``tests/unit/staff/test_rules.py``. The transactional code in :mod:`bot.staff.actions` reads the
case, asks these functions, and writes what they say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.cases.clock import is_timed
from bot.errors import Refusal
from bot.store.models import OPEN_STATES, CaseState
from replies.deadlines import ClockStoppedError, DeadlineError, Pause, extended_due_date
from replies.drafting import LABELS

MAX_REASON_CHARS = 2000
MAX_DRAFT_CHARS = 100_000


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
    if not is_timed(present):
        raise Refusal("only access requests and corrections have a time limit to extend")
    if extended:
        raise Refusal("the time limit has already been extended")
    try:
        return Extension(extended_due_date(received, today, 2, pauses))
    except ClockStoppedError:
        return Extension(None)
    except DeadlineError as exc:
        raise Refusal(str(exc)) from None


def after_approval(present: Sequence[str], asks_identity: bool,
                   asks_details: bool = False) -> CaseState:
    """The state a case moves to when staff approve its reply.

    A reply that asks an access requester for identity evidence, or a correction requester for
    the correct details, does not finish the case: it waits for them with the clock stopped
    (the ICO's "clarification" pause), and their answer re-opens it.
    """
    if asks_identity and "access_request" in present:
        return CaseState.AWAITING_REQUESTER
    if asks_details and "correction" in present:
        return CaseState.AWAITING_REQUESTER
    return CaseState.RESOLVED


def erasable(label: str, present: Sequence[str], sub_intent: str | None) -> None:
    """Only an erasure request can be marked erased; raise :class:`Refusal` otherwise."""
    if sub_intent != "erasure" and label != "correction" and "correction" not in present:
        raise Refusal("only an erasure request can be marked erased")


def applies_suppression(label: str, present: Sequence[str]) -> bool:
    """Approving an opt-out (alone or among other requests) suppresses the requester."""
    return label == "opt_out" or "opt_out" in present
