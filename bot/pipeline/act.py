"""Act: carry out a triage decision in the caller's transaction.

Everything one decision causes (suppression, case, classification, draft, audit event, outbox
rows) is written together, so a crash leaves either all of it or none of it. Outbox keys are
derived from the message and the case, so repeating a step finds the row already there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.mail.outbound import our_message_id
from bot.pipeline.decide import Action, Decision
from bot.pipeline.drafts import draft_for_case
from bot.pipeline.runtime import Runtime
from bot.staff import rules
from bot.store import audit, cases, outbox, suppressions
from bot.store.models import Case, CaseState, Message
from classifier import Prediction
from replies.deadlines import due_date, receipt_date
from replies.drafting import Draft

logger = logging.getLogger(__name__)

SYSTEM = "system"
# Labels whose statutory clock starts at receipt: access (Art. 15), rectification and erasure
# (Art. 16, 17). An opt-out needs no deadline: it is applied at once or on approval.
TIMED_LABELS = ("access_request", "correction")


@dataclass(frozen=True)
class Outcome:
    action: Action
    case_id: int | None


def apply_decision(session: Session, rt: Runtime, message: Message, decision: Decision,
                   prediction: Prediction | None) -> Outcome:
    """Write everything ``decision`` causes for ``message``; returns what was done."""
    match decision.action:
        case Action.JOIN_CASE:
            return _join_case(session, rt, message, decision)
        case Action.IGNORE:
            audit.record(session, SYSTEM, "message.ignored", None, message=message.id,
                         reasons=list(decision.reasons))
            return Outcome(decision.action, None)
        case Action.AUTO_OPT_OUT:
            return _auto_opt_out(session, rt, message, decision, prediction)
        case Action.OPEN_CASE:
            return _open_case(session, rt, message, decision, prediction)
    raise ValueError(f"unknown action {decision.action!r}")


def _new_case(session: Session, message: Message, decision: Decision,
              prediction: Prediction | None, state: CaseState, channel: str) -> Case:
    case = Case(
        state=state, label=decision.label, intents=dict(prediction.intents) if prediction else {},
        present=list(decision.intents or (decision.label,)),
        confidence=prediction.confidence if prediction else 0.0, channel=channel,
        requester=message.sender, requester_name=message.sender_name, subject=message.subject,
        received_at=message.received_at, review_reasons=list(decision.reasons))
    if decision.label in TIMED_LABELS or any(i in TIMED_LABELS for i in decision.intents):
        case.due_date = due_date(receipt_date(message.received_at))
    session.add(case)
    session.flush()
    message.case_id = case.id
    if prediction is not None:
        cases.add_classification(
            session, case.id, message.id, label=prediction.label,
            confidence=prediction.confidence, intents=dict(prediction.intents),
            model_version=prediction.model_version, by="model")
    return case


def _auto_opt_out(session: Session, rt: Runtime, message: Message, decision: Decision,
                  prediction: Prediction | None) -> Outcome:
    assert message.sender, "the policy never auto-applies without a sender"
    channel = message.source if message.source == "slack" else "email"
    case = _new_case(session, message, decision, prediction, CaseState.AUTO_RESOLVED, channel)
    _, newly = suppressions.suppress(session, message.sender, reason="opt-out request",
                                     source=channel, case_id=case.id)
    audit.record(session, SYSTEM, "opt_out.applied", case.id, message=message.id,
                 already_suppressed=not newly, reasons=list(decision.reasons))
    if decision.send_confirmation and message.source != "slack":
        draft = draft_for_case(rt, session, case, message, intents=("opt_out",),
                               opt_out_applied=True)
        queue_email(session, rt, case, message, draft, key=f"confirm:{message.dedup_key}",
                    auto_submitted="auto-replied")
    elif not decision.send_confirmation:
        reason = ("imported by backfill: no automatic mail" if message.source == "backfill"
                  else "loop protection: machine mail")
        audit.record(session, SYSTEM, "confirmation.withheld", case.id, reason=reason)
    queue_slack(session, rt, "opt_out_notice", case, key=f"slack-notice:{case.id}")
    return Outcome(decision.action, case.id)


def _open_case(session: Session, rt: Runtime, message: Message, decision: Decision,
               prediction: Prediction | None) -> Outcome:
    channel = message.source if message.source == "slack" else "email"
    case = _new_case(session, message, decision, prediction, CaseState.OPEN, channel)
    intents = decision.intents or (decision.label,)
    draft = draft_for_case(rt, session, case, message, intents=intents)
    cases.add_draft(session, case, subject=draft.subject, text=draft.text, html=draft.html,
                    author="model")
    audit.record(session, SYSTEM, "case.opened", case.id, message=message.id,
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
        timed = bool(set(case.present) & set(TIMED_LABELS))
        restart = rules.restart_clock(rules.pauses_of(case.pauses),
                                      receipt_date(case.received_at),
                                      receipt_date(message.received_at), case.extended, timed)
        case.pauses = rules.pauses_to_json(restart.pauses)
        case.due_date = restart.due or case.due_date
        case.state = CaseState.OPEN
    case.version += 1
    audit.record(session, SYSTEM, "case.follow_up", case.id, message=message.id)
    queue_slack(session, rt, "thread_message", case, key=f"slack-thread:{message.id}",
                message_id=message.id)
    return Outcome(decision.action, case.id)


def queue_email(session: Session, rt: Runtime, case: Case, message: Message | None, draft: Draft,
                *, key: str, auto_submitted: str | None = None) -> None:
    """Queue an email to the case's requester (never to an address taken from a message body)."""
    if not case.requester:
        audit.record(session, SYSTEM, "email.not_queued", case.id, reason="no sender address")
        return
    parent = message.message_id if message is not None else None
    references = list(message.references or []) if message is not None else []
    payload = {
        "to": case.requester, "subject": draft.subject, "text": draft.text, "html": draft.html,
        "message_id": our_message_id(case.id, key, rt.mail_domain),
        "in_reply_to": parent, "references": references,
        "auto_submitted": auto_submitted,
    }
    outbox.enqueue(session, "email", key, payload, case.id)


def queue_slack(session: Session, rt: Runtime, kind: str, case: Case, *, key: str,
                **extra: object) -> None:
    """Queue a Slack post; the card is rendered at delivery time from the case as it is then."""
    if not rt.config.slack.enabled:
        return
    if kind == "opt_out_notice" and rt.config.slack.opt_out_notices == "none":
        return
    outbox.enqueue(session, "slack", key, {"type": kind, "case_id": case.id, **extra}, case.id)
