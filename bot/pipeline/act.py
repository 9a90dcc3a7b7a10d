"""Act: carry out a triage decision in the caller's transaction.

Everything one decision causes (suppression, case, classification, draft, audit event, outbox
rows) is written together, so a crash leaves either all of it or none of it. Outbox keys are
derived from the message and the case, so repeating a step finds the row already there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.cases import clock
from bot.cases.drafts import confirmation_for_case, draft_for_case
from bot.cases.outgoing import queue_chat_answer, queue_email, queue_slack
from bot.mail.sender import is_domain_literal
from bot.pipeline.decide import Action, Decision
from bot.pipeline.limits import MailCounts, confirmation_verdict
from bot.runtime import Runtime
from bot.store import audit, automail, cases, suppressions
from bot.store.audit import SYSTEM
from bot.store.models import Case, CaseState, Message
from classifier import Prediction
from classifier.explain import draft_intents
from classifier.labels import Label

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class Outcome:
    action: Action
    case_id: int | None


def apply_decision(session: Session, rt: Runtime, message: Message, decision: Decision,
                   prediction: Prediction | None) -> Outcome:
    """Write everything ``decision`` causes for ``message``; returns what was done.

    A chat message (``source="slack"``) also gets its thread answer queued here, in the same
    transaction, so the person is told exactly what was committed, once.
    """
    outcome = _apply(session, rt, message, decision, prediction)
    if message.source == "slack":
        case = session.get(Case, outcome.case_id) if outcome.case_id is not None else None
        queue_chat_answer(session, rt, message, case,
                          joined=decision.action is Action.JOIN_CASE)
    return outcome


def _apply(session: Session, rt: Runtime, message: Message, decision: Decision,
           prediction: Prediction | None) -> Outcome:
    match decision.action:
        case Action.JOIN_CASE:
            return _join_case(session, rt, message, decision)
        case Action.IGNORE:
            audit.note(session, SYSTEM, "message.ignored", None, message=message.id,
                         reasons=list(decision.reasons))
            return Outcome(decision.action, None)
        case Action.AUTO_OPT_OUT:
            return _auto_opt_out(session, rt, message, decision, prediction)
        case Action.OPEN_CASE:
            return _open_case(session, rt, message, decision, prediction)
        case Action.SUPPRESS_AND_OPEN:
            outcome = _open_case(session, rt, message, decision, prediction,
                                 opt_out_applied=True)
            _suppress_sender(session, rt, message, outcome.case_id, decision, case_open=True)
            return outcome
    raise ValueError(f"unknown action {decision.action!r}")


def _new_case(session: Session, message: Message, decision: Decision,
              prediction: Prediction | None, state: CaseState, channel: str,
              now: datetime) -> Case:
    # An erasure read as an opt-out or a question is still an erasure: it joins the case's
    # intents, so the deadline, the draft and the card's "Mark erased" button follow.
    present, _ = draft_intents(tuple(decision.intents or (decision.label,)),
                               message.reply_text or message.body_text or "")
    case = cases.open_case_for(
        session, message, created_at=now,
        state=state, label=decision.label, intents=dict(prediction.intents) if prediction else {},
        present=list(present),
        confidence=prediction.confidence if prediction else 0.0, channel=channel,
        requester=message.sender, requester_name=message.sender_name, subject=message.subject,
        received_at=message.received_at,
        review_reasons=[*decision.reasons, *(f"why: {w}" for w in decision.why)],
        due_date=clock.opening_due_date((decision.label, *present), message.received_at))
    logger.debug("Case %s opened (%s, %s) for message %s", case.id, case.label, case.state,
                 message.id, extra={"case_id": case.id, "message_id": message.id})
    if prediction is not None:
        cases.add_classification(
            session, case.id, message.id, label=prediction.label,
            confidence=prediction.confidence, intents=dict(prediction.intents),
            model_version=prediction.model_version, by="model")
    return case


def _auto_opt_out(session: Session, rt: Runtime, message: Message, decision: Decision,
                  prediction: Prediction | None) -> Outcome:
    channel = _channel(message)
    # An unverified sender's opt-out is applied (harmless) but a person closes the case.
    state = CaseState.OPEN if decision.keep_open else CaseState.AUTO_RESOLVED
    case = _new_case(session, message, decision, prediction, state, channel, now=rt.now())
    newly = _suppress_sender(session, rt, message, case.id, decision)
    if decision.send_confirmation and message.source != "slack":
        withheld = confirmation_withheld(session, rt, case.requester, newly)
        if withheld is None:
            draft = confirmation_for_case(rt, case)
            # queued at the runtime clock's time, which the confirmation limits count by
            queue_email(session, rt, case, message, draft,
                        key=f"{automail.CONFIRMATION_KEY_PREFIX}{message.dedup_key}",
                        auto_submitted="auto-replied")
        else:
            audit.note(session, SYSTEM, "confirmation.withheld", case.id, reason=withheld)
            logger.info("Confirmation for case %s withheld: %s", case.id, withheld)
    elif not decision.send_confirmation:
        reason = ("imported by backfill: no automatic mail" if message.source == "backfill"
                  else "sender not verified" if decision.keep_open
                  else "loop protection: machine mail or a reply to our own mail")
        audit.note(session, SYSTEM, "confirmation.withheld", case.id, reason=reason)
    if decision.keep_open:
        draft = draft_for_case(rt, session, case, message, intents=(Label.OPT_OUT,),
                               opt_out_applied=True)
        cases.add_first_draft(session, case, subject=draft.subject, text=draft.text,
                              html=draft.html, author="model")
        queue_slack(session, rt, "case_card", case, key=f"slack-card:{case.id}")
    else:
        queue_slack(session, rt, "opt_out_notice", case, key=f"slack-notice:{case.id}")
    return Outcome(decision.action, case.id)


def _channel(message: Message) -> str:
    """Where the message came from, as cases and suppressions record it."""
    return message.source if message.source == "slack" else "email"


def _suppress_sender(session: Session, rt: Runtime, message: Message, case_id: int | None,
                     decision: Decision, **details: object) -> bool:
    """Suppress the sender of an opt-out, the one thing the service does by itself, and
    record it; ``details`` go into the audit event. Returns whether the address is newly
    suppressed (False when it already was).

    Both opt-out paths come here, the one that closes the case and the one that leaves it
    open for staff, so they suppress and record alike.
    """
    if not message.sender:
        raise ValueError("the policy never suppresses without a sender")
    _, newly = suppressions.suppress(session, message.sender, reason="opt-out request",
                                     source=_channel(message), case_id=case_id, now=rt.now())
    audit.note(session, SYSTEM, "opt_out.applied", case_id, message=message.id,
                 already_suppressed=not newly, **details, reasons=list(decision.reasons))
    logger.debug("Message %s: sender suppressed (%s)", message.id,
                 "new" if newly else "already suppressed",
                 extra={"message_id": message.id, "case_id": case_id})
    return newly


def confirmation_withheld(session: Session, rt: Runtime, requester: str | None,
                          newly: bool) -> str | None:
    """Why no confirmation may go to ``requester`` now, or None when one may (reads only;
    ``--dry-run`` asks it too). ``newly``: the suppression is new, not a repeat."""
    if not newly:
        return "already suppressed: confirmed before"
    if is_domain_literal(requester):
        return "the address is at an IP literal"
    limits = rt.config.automatic_mail
    to_address, last_hour = automail.confirmation_counts(
        session, requester or "", rt.now(), timedelta(hours=limits.per_address_hours))
    verdict = confirmation_verdict(MailCounts(to_address, last_hour), limits)
    return None if verdict.allowed else verdict.reason


def _open_case(session: Session, rt: Runtime, message: Message, decision: Decision,
               prediction: Prediction | None, *, opt_out_applied: bool = False) -> Outcome:
    case = _new_case(session, message, decision, prediction, CaseState.OPEN, _channel(message),
                     now=rt.now())
    intents = decision.intents or (decision.label,)
    draft = draft_for_case(rt, session, case, message, intents=intents,
                           opt_out_applied=opt_out_applied)
    cases.add_first_draft(session, case, subject=draft.subject, text=draft.text,
                          html=draft.html, author="model")
    audit.note(session, SYSTEM, "case.opened", case.id, message=message.id,
                 label=decision.label, intents=list(intents), reasons=list(decision.reasons))
    queue_slack(session, rt, "case_card", case, key=f"slack-card:{case.id}")
    return Outcome(decision.action, case.id)


def _join_case(session: Session, rt: Runtime, message: Message, decision: Decision) -> Outcome:
    case = session.get(Case, decision.case_id)
    if case is None:
        raise ValueError(f"a follow-up names case {decision.case_id}, which does not exist")
    message.case_id = case.id
    if case.state == CaseState.AWAITING_REQUESTER:
        # The requester answered: the stopped clock restarts on the day their reply arrived.
        restart = clock.restart_case_clock(case.present, case.pauses, case.received_at,
                                           message.received_at, case.extended)
        case.pauses = clock.pauses_to_json(restart.pauses)
        case.due_date = restart.due or case.due_date
        case.state = CaseState.OPEN
    case.version += 1
    audit.note(session, SYSTEM, "case.follow_up", case.id, message=message.id)
    if decision.suppress_sender:
        _suppress_sender(session, rt, message, case.id, decision, follow_up=True)
    queue_slack(session, rt, "thread_message", case, key=f"slack-thread:{message.id}",
                message_id=message.id, suppressed=decision.suppress_sender)
    return Outcome(decision.action, case.id)
