"""Act: carry out a triage decision in the caller's transaction.

Everything one decision causes (suppression, case, classification, draft, audit event, outbox
rows) is written together, so a crash leaves either all of it or none of it. Outbox keys are
derived from the message and the case, so repeating a step finds the row already there.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.mail.outbound import our_message_id
from bot.mail.sender import is_domain_literal
from bot.pipeline.decide import Action, Decision
from bot.pipeline.drafts import confirmation_for_case, draft_for_case
from bot.pipeline.limits import MailCounts, confirmation_verdict
from bot.runtime import Runtime
from bot.staff import rules
from bot.store import audit, automail, cases, outbox, suppressions
from bot.store.models import Case, CaseState, Message, OutboxItem
from classifier import Prediction
from classifier.explain import draft_intents
from classifier.labels import Label
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
        case Action.SUPPRESS_AND_OPEN:
            outcome = _open_case(session, rt, message, decision, prediction,
                                 opt_out_applied=True)
            assert message.sender, "the policy never suppresses without a sender"
            _, newly = suppressions.suppress(session, message.sender, reason="opt-out request",
                                             source="email" if message.source != "slack"
                                             else "slack", case_id=outcome.case_id)
            audit.record(session, SYSTEM, "opt_out.applied", outcome.case_id,
                         message=message.id, already_suppressed=not newly, case_open=True,
                         reasons=list(decision.reasons))
            return outcome
    raise ValueError(f"unknown action {decision.action!r}")


def _new_case(session: Session, message: Message, decision: Decision,
              prediction: Prediction | None, state: CaseState, channel: str,
              now: datetime) -> Case:
    # An erasure read as an opt-out or a question is still an erasure: it joins the case's
    # intents, so the deadline, the draft and the card's "Mark erased" button follow.
    present, _ = draft_intents(tuple(decision.intents or (decision.label,)),
                               message.reply_text or message.body_text or "")
    case = Case(created_at=now,
        state=state, label=decision.label, intents=dict(prediction.intents) if prediction else {},
        present=list(present),
        confidence=prediction.confidence if prediction else 0.0, channel=channel,
        requester=message.sender, requester_name=message.sender_name, subject=message.subject,
        received_at=message.received_at,
        review_reasons=[*decision.reasons, *(f"why: {w}" for w in decision.why)])
    if decision.label in TIMED_LABELS or any(i in TIMED_LABELS for i in present):
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
    # An unverified sender's opt-out is applied (harmless) but a person closes the case.
    state = CaseState.OPEN if decision.keep_open else CaseState.AUTO_RESOLVED
    case = _new_case(session, message, decision, prediction, state, channel, now=rt.now())
    _, newly = suppressions.suppress(session, message.sender, reason="opt-out request",
                                     source=channel, case_id=case.id, now=rt.now())
    audit.record(session, SYSTEM, "opt_out.applied", case.id, message=message.id,
                 already_suppressed=not newly, reasons=list(decision.reasons))
    if decision.send_confirmation and message.source != "slack":
        withheld = _confirmation_withheld(session, rt, case, newly)
        if withheld is None:
            draft = confirmation_for_case(rt, case)
            item = queue_email(session, rt, case, message, draft,
                               key=f"{automail.CONFIRMATION_KEY_PREFIX}{message.dedup_key}",
                               auto_submitted="auto-replied")
            if item is not None:
                item.created_at = rt.now()   # the limits count by the runtime clock
        else:
            audit.record(session, SYSTEM, "confirmation.withheld", case.id, reason=withheld)
            logger.info("Confirmation for case %s withheld: %s", case.id, withheld)
    elif not decision.send_confirmation:
        reason = ("imported by backfill: no automatic mail" if message.source == "backfill"
                  else "sender not verified" if decision.keep_open
                  else "loop protection: machine mail or a reply to our own mail")
        audit.record(session, SYSTEM, "confirmation.withheld", case.id, reason=reason)
    if decision.keep_open:
        draft = draft_for_case(rt, session, case, message, intents=(Label.OPT_OUT,),
                               opt_out_applied=True)
        cases.add_draft(session, case, subject=draft.subject, text=draft.text, html=draft.html,
                        author="model")
        queue_slack(session, rt, "case_card", case, key=f"slack-card:{case.id}")
    else:
        queue_slack(session, rt, "opt_out_notice", case, key=f"slack-notice:{case.id}")
    return Outcome(decision.action, case.id)


def _confirmation_withheld(session: Session, rt: Runtime, case: Case, newly: bool) -> str | None:
    """Why no confirmation may go to the case's requester now, or None when one may."""
    if not newly:
        return "already suppressed: confirmed before"
    if is_domain_literal(case.requester):
        return "the address is at an IP literal"
    limits = rt.config.automatic_mail
    to_address, last_hour = automail.confirmation_counts(
        session, case.requester or "", rt.now(), timedelta(hours=limits.per_address_hours))
    verdict = confirmation_verdict(MailCounts(to_address, last_hour), limits)
    return None if verdict.allowed else verdict.reason


def _open_case(session: Session, rt: Runtime, message: Message, decision: Decision,
               prediction: Prediction | None, *, opt_out_applied: bool = False) -> Outcome:
    channel = message.source if message.source == "slack" else "email"
    case = _new_case(session, message, decision, prediction, CaseState.OPEN, channel,
                     now=rt.now())
    intents = decision.intents or (decision.label,)
    draft = draft_for_case(rt, session, case, message, intents=intents,
                           opt_out_applied=opt_out_applied)
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
                *, key: str, auto_submitted: str | None = None,
                then: Sequence[outbox.FollowUp] = ()) -> OutboxItem | None:
    """Queue an email to the case's requester (never to an address taken from a message body).

    ``then`` are queued once the email is sent or has failed (e.g. the note under the card).
    Returns the new outbox row, or None when nothing was queued (no address, or a repeat).
    """
    if not case.requester:
        audit.record(session, SYSTEM, "email.not_queued", case.id, reason="no sender address")
        return None
    parent = message.message_id if message is not None else None
    references = list(message.references or []) if message is not None else []
    payload = {
        "to": case.requester, "subject": draft.subject, "text": draft.text, "html": draft.html,
        "message_id": our_message_id(case.id, key, rt.mail_domain),
        "in_reply_to": parent, "references": references,
        "auto_submitted": auto_submitted,
    }
    return outbox.enqueue(session, "email", key, payload, case.id, now=rt.now(), then=then)


def slack_post(rt: Runtime, kind: str, case: Case, *, key: str,
               **extra: object) -> outbox.FollowUp | None:
    """The Slack post to queue, now or after another item; None when Slack is not to see it."""
    if not rt.config.slack.enabled:
        return None
    if kind == "opt_out_notice" and rt.config.slack.opt_out_notices == "none":
        return None
    return outbox.FollowUp("slack", key, {"type": kind, "case_id": case.id, **extra})


def queue_slack(session: Session, rt: Runtime, kind: str, case: Case, *, key: str,
                **extra: object) -> None:
    """Queue a Slack post; the card is rendered at delivery time from the case as it is then."""
    post = slack_post(rt, kind, case, key=key, **extra)
    if post is not None:
        outbox.enqueue(session, post.kind, post.key, post.payload, case.id, now=rt.now())
