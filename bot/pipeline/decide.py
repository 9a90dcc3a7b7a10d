"""What to do with one triaged message: a pure function of facts, prediction and policy.

No I/O here, so every branch is a table row in ``tests/unit/pipeline/test_decide.py``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from bot.cases.threads import foreign_thread_reason
from classifier import Prediction
from classifier.labels import Label
from classifier.policy import OptOutDecision


class Action(enum.StrEnum):
    AUTO_OPT_OUT = "auto_opt_out"   # suppress now, resolve the case, confirm if allowed
    SUPPRESS_AND_OPEN = "suppress_and_open"  # suppress now, but a person must read the rest
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
    thread_case_id: int | None = None   # the open case whose requester this reply continues
    # A reply in the thread of an open case that someone else requested (bot.cases.threads):
    # not joined; the message is decided on its own and staff are told which thread it is in.
    foreign_thread_case_id: int | None = None
    # Sender trust (bot.mail.auth, bot.mail.sender). Blockers (a failed authentication, an odd
    # sender) forbid any automatic act; ``sender_unverified`` (nothing proves the From domain)
    # still allows the harmless suppression but not closing the case or a confirmation.
    sender_blockers: tuple[str, ...] = ()
    sender_unverified: str | None = None
    replies_to_our_mail: bool = False   # In-Reply-To/References name one of our Message-IDs
    from_own_domain: bool = False     # sent from one of the organisation's own domains
    replies_to_mailing: bool = False  # In-Reply-To/References name our mailer's Message-ID
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
    # AUTO_OPT_OUT only: suppress, but leave the case open for staff, for these reasons.
    keep_open: tuple[str, ...] = ()
    why: tuple[str, ...] = ()       # phrases and cues that drove the decision (for the card)
    forwarded_for: str | None = None  # a forward from our domain: whose request it is
    # JOIN_CASE only: the follow-up carries the writer's own opt-out, applied at once (the
    # case stays with staff, who see it in the card's thread).
    suppress_sender: bool = False


def decide(facts: MessageFacts, prediction: Prediction | None,
           opt_out: OptOutDecision | None) -> Decision:
    """Choose the action for one message.

    Steps, in order of precedence:
      1. A reply in an open case's thread, from that case's requester, joins the case (staff
         see it in the card's thread); an opt-out in it is applied at once all the same (when
         in doubt, suppress), unless the sender is forged or odd. A reply in another person's
         thread is decided as a message of its own, and its reasons say whose thread it is in.
      2. Quarantined mail (unparseable or oversize) goes to staff: a person must look at it.
      3. A simple opt-out, as the classifier's policy judged it, is applied at once; the
         confirmation is sent unless the message is machine mail. Not when the sender is
         forged or odd (a case for staff, nothing applied); when the sender is merely
         unverified the suppression stands but the case stays open and nothing is mailed, and
         a reply to our own mail is never confirmed again. An opt-out beside anything a person
         must read (erasure, access, a complaint, legal wording...) is suppressed at once too,
         but the case stays open for staff; no confirmation goes out by itself.
      4. Other machine mail (auto-replies, bounces, bulk) is kept and flagged, with no case.
      5. Everything else becomes a case for staff, with the policy's reasons.
    """
    decision = _decide(facts, prediction, opt_out)
    if facts.foreign_thread_case_id is not None and decision.action is not Action.JOIN_CASE:
        note = foreign_thread_reason(facts.foreign_thread_case_id)
        decision = replace(decision, reasons=(*decision.reasons, note))
    return decision


def _decide(facts: MessageFacts, prediction: Prediction | None,
            opt_out: OptOutDecision | None) -> Decision:
    if facts.thread_case_id is not None:
        label = prediction.label if prediction else Label.GENERAL_QUERY
        suppress = bool(opt_out is not None and opt_out.auto_apply and facts.sender
                        and not facts.sender_blockers)
        reasons = (f"follow-up in the thread of case {facts.thread_case_id}",
                   *(("opt-out in the follow-up: suppression already applied",)
                     if suppress else ()))
        return Decision(Action.JOIN_CASE, label, _present(prediction), reasons,
                        case_id=facts.thread_case_id, suppress_sender=suppress,
                        why=opt_out.why if suppress and opt_out is not None else ())
    if facts.quarantine_reason or prediction is None:
        reason = facts.quarantine_reason or "no classification"
        return Decision(Action.OPEN_CASE, Label.GENERAL_QUERY, (),
                        (f"needs a person: {reason}",))
    why = opt_out.why if opt_out is not None else ()
    if opt_out is not None and opt_out.auto_apply and facts.sender_blockers:
        # A forged or odd sender: nothing automatic at all, not even the suppression.
        label = Label.OPT_OUT if opt_out.closes else prediction.label
        return Decision(Action.OPEN_CASE, label, _present(prediction) or (Label.OPT_OUT,),
                        (*facts.sender_blockers, *opt_out.reasons), why=why,
                        forwarded_for=opt_out.forwarded_for)
    if opt_out is not None and opt_out.closes:
        keep_open = (facts.sender_unverified,) if facts.sender_unverified else ()
        confirm = not (facts.is_machine_mail or facts.backfilled or keep_open
                       or facts.replies_to_our_mail)
        return Decision(Action.AUTO_OPT_OUT, Label.OPT_OUT, (Label.OPT_OUT,),
                        (*keep_open, *opt_out.reasons), send_confirmation=confirm,
                        keep_open=keep_open, why=why)
    if opt_out is not None and opt_out.auto_apply:
        label = Label.OPT_OUT if opt_out.short_reply else prediction.label
        intents = tuple(dict.fromkeys((*_present(prediction), Label.OPT_OUT)))
        if opt_out.short_reply:
            intents = (Label.OPT_OUT, *(i for i in intents if i != Label.OPT_OUT))
        unverified = (facts.sender_unverified,) if facts.sender_unverified else ()
        return Decision(Action.SUPPRESS_AND_OPEN, label, intents,
                        (*unverified, *opt_out.holds, "suppression already applied"), why=why)
    if facts.is_machine_mail and not facts.is_unsubscribe_mail:
        return Decision(Action.IGNORE, prediction.label, _present(prediction),
                        tuple(f"machine mail: {r}" for r in facts.machine_reasons), why=why)
    if Label.OPT_OUT in _present(prediction) and opt_out is not None:
        reasons = opt_out.reasons   # why this opt-out could not be applied by itself
    else:
        reasons = (f"only opt-outs are automatic; this is {prediction.label}",)
    if facts.is_machine_mail:
        reasons = (*reasons, "machine mail: no automatic reply")
    forwarded = opt_out.forwarded_for if opt_out is not None else None
    if facts.from_own_domain and opt_out is not None:
        # Kept whatever the label: staff approval suppresses the forwarded person by it.
        own = tuple(r for r in opt_out.reasons if r.startswith("sent from our own domain"))
        reasons = (*reasons, *(r for r in own if r not in reasons))
    # Staff see a forged or odd sender on every case, not only on opt-outs.
    return Decision(Action.OPEN_CASE, prediction.label, _present(prediction),
                    (*facts.sender_blockers, *reasons), why=why, forwarded_for=forwarded)


def _present(prediction: Prediction | None) -> tuple[str, ...]:
    return tuple(prediction.present) if prediction else ()


def what_happens(decision: Decision, *, quarantined: bool = False,
                 confirmation_withheld: str | None = None) -> str:
    """The decision in a few words for an operator: the log line of each triaged message and
    the per-message line of ``--dry-run`` (so both say the same thing the same way).

    Fixed phrases and case numbers only, never the reasons: those may quote the sender.

    Args:
        decision: what :func:`decide` chose.
        quarantined: the message could not be read (unparseable or oversize).
        confirmation_withheld: why the confirmation a decision asks for would not go out
            (the limits of :mod:`bot.pipeline.limits`, already suppressed), when known.
    """
    match decision.action:
        case Action.JOIN_CASE:
            return f"join case {decision.case_id}"
        case Action.IGNORE:
            return "ignore: machine mail, stored without a case"
        case Action.SUPPRESS_AND_OPEN:
            return "suppress + open case"
        case Action.AUTO_OPT_OUT if decision.keep_open:
            return "suppress + open case (sender not verified)"
        case Action.AUTO_OPT_OUT if not decision.send_confirmation:
            return "suppress + close case, no confirmation"
        case Action.AUTO_OPT_OUT if confirmation_withheld:
            return f"suppress + close case, confirmation withheld ({confirmation_withheld})"
        case Action.AUTO_OPT_OUT:
            return "suppress + close case, confirm by email"
        case Action.OPEN_CASE if quarantined:
            return "quarantine: open case for a person to read the raw message"
        case Action.OPEN_CASE:
            return "open case"
    raise ValueError(f"unknown action {decision.action!r}")
