"""What to do with one triaged message: a pure function of facts, prediction and policy.

No I/O here, so every branch is a table row in ``tests/unit/pipeline/test_decide.py``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from classifier import Prediction
from classifier.policy import OptOutDecision


class Action(enum.StrEnum):
    AUTO_OPT_OUT = "auto_opt_out"   # suppress now, resolve the case, confirm if allowed
    OPEN_CASE = "open_case"         # a case for staff, with a draft
    JOIN_CASE = "join_case"         # a follow-up in an open case's thread
    IGNORE = "ignore"               # machine mail that needs nobody: stored, flagged, no case


@dataclass(frozen=True)
class MessageFacts:
    """What triage knows about a message apart from its classification."""

    sender: str | None
    machine_reasons: tuple[str, ...] = ()
    is_unsubscribe_mail: bool = False
    quarantine_reason: str | None = None
    thread_case_id: int | None = None
    # Imported by `privacy-triage backfill`: old mail gets no automatic email, ever.
    backfilled: bool = False

    @property
    def is_machine_mail(self) -> bool:
        return bool(self.machine_reasons)


@dataclass(frozen=True)
class Decision:
    action: Action
    label: str
    intents: tuple[str, ...]
    reasons: tuple[str, ...]
    # Loop protection: machine mail never gets an automatic email, whatever else happens.
    send_confirmation: bool = False
    case_id: int | None = None      # the case a follow-up joins


def decide(facts: MessageFacts, prediction: Prediction | None,
           opt_out: OptOutDecision | None) -> Decision:
    """Choose the action for one message.

    Steps, in order of precedence:
      1. A reply in an open case's thread joins that case (staff see it in the card's thread).
      2. Quarantined mail (unparseable or oversize) goes to staff: a person must look at it.
      3. A simple opt-out, as the classifier's policy judged it, is applied at once; the
         confirmation is sent unless the message is machine mail.
      4. Other machine mail (auto-replies, bounces, bulk) is kept and flagged, with no case.
      5. Everything else becomes a case for staff, with the policy's reasons.
    """
    if facts.thread_case_id is not None:
        label = prediction.label if prediction else "general_query"
        return Decision(Action.JOIN_CASE, label, _present(prediction),
                        (f"follow-up in the thread of case {facts.thread_case_id}",),
                        case_id=facts.thread_case_id)
    if facts.quarantine_reason or prediction is None:
        reason = facts.quarantine_reason or "no classification"
        return Decision(Action.OPEN_CASE, "general_query", (),
                        (f"needs a person: {reason}",))
    if opt_out is not None and opt_out.auto_apply:
        return Decision(Action.AUTO_OPT_OUT, "opt_out", ("opt_out",), opt_out.reasons,
                        send_confirmation=not (facts.is_machine_mail or facts.backfilled))
    if facts.is_machine_mail and not facts.is_unsubscribe_mail:
        return Decision(Action.IGNORE, prediction.label, _present(prediction),
                        tuple(f"machine mail: {r}" for r in facts.machine_reasons))
    if "opt_out" in _present(prediction) and opt_out is not None:
        reasons = opt_out.reasons   # why this opt-out could not be applied by itself
    else:
        reasons = (f"only opt-outs are automatic; this is {prediction.label}",)
    if facts.is_machine_mail:
        reasons = (*reasons, "machine mail: no automatic reply")
    return Decision(Action.OPEN_CASE, prediction.label, _present(prediction), reasons)


def _present(prediction: Prediction | None) -> tuple[str, ...]:
    return tuple(prediction.present) if prediction else ()
