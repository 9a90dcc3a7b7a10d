"""Triage: classify stored messages, decide, and act, one message per transaction.

Classification runs outside the transaction (it is CPU work on data already read); the claim,
the decision and everything it causes are then committed together. A message whose triage raises
is marked with the error in its own transaction and skipped, so one bad message cannot stall
the mailbox or crash-loop the worker.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.mail.outbound import case_ids_in
from bot.pipeline.act import Outcome, apply_decision
from bot.pipeline.decide import MessageFacts, decide
from bot.pipeline.runtime import Runtime
from bot.store import messages as message_store
from bot.store.models import OPEN_STATES, Case, Message
from classifier import Prediction
from classifier.policy import decide_opt_out

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Pending:
    id: int
    text: str
    subject: str
    quarantined: bool


def triage_pending(rt: Runtime, limit: int = 200) -> list[Outcome]:
    """Triage up to ``limit`` stored messages; returns what was done with each."""
    with rt.store.sessions() as session:
        pending = [
            _Pending(m.id, m.reply_text or m.body_text, m.subject, bool(m.quarantine_reason))
            for m in message_store.pending_triage(session, limit)
        ]
    if not pending:
        return []
    readable = [p for p in pending if not p.quarantined]
    predictions: dict[int, Prediction] = {}
    if readable:
        results = rt.model.predict([p.text for p in readable], [p.subject for p in readable])
        predictions = {p.id: result for p, result in zip(readable, results, strict=True)}
    outcomes = []
    for item in pending:
        try:
            outcome = _triage_one(rt, item.id, predictions.get(item.id))
        except Exception as exc:
            logger.exception("Triage of message %s failed", item.id)
            _mark_failed(rt, item.id, exc)
            continue
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _triage_one(rt: Runtime, message_id: int, prediction: Prediction | None) -> Outcome | None:
    with rt.store.transaction() as session:
        if not message_store.claim_for_triage(session, message_id):
            return None  # another worker triaged it
        message = session.get(Message, message_id)
        assert message is not None
        facts = MessageFacts(
            sender=message.sender,
            machine_reasons=tuple(message.machine_reasons or ()),
            is_unsubscribe_mail=message.is_unsubscribe_mail,
            quarantine_reason=message.quarantine_reason,
            thread_case_id=_thread_case(session, message),
            backfilled=message.source == "backfill",
        )
        opt_out = None
        if prediction is not None:
            threshold = rt.config.triage.opt_out_threshold or None
            opt_out = decide_opt_out(
                prediction, text=message.reply_text or message.body_text, sender=message.sender,
                is_machine_mail=facts.is_machine_mail,
                is_unsubscribe_mail=message.is_unsubscribe_mail, threshold=threshold)
        decision = decide(facts, prediction, opt_out)
        outcome = apply_decision(session, rt, message, decision, prediction)
        logger.info("Message %s: %s (%s) case %s", message_id, decision.action, decision.label,
                    outcome.case_id)
        return outcome


def _thread_case(session: Session, message: Message) -> int | None:
    """The open case this message replies to: by our own Message-ID, else by stored ids."""
    ids = [message.in_reply_to, *(message.references or [])]
    ids = [i for i in ids if i]
    if not ids:
        return None
    for case_id in case_ids_in(ids):
        case = session.get(Case, case_id)
        if case is not None and case.state in OPEN_STATES:
            return case.id
    case = message_store.open_case_for_thread(session, ids)
    return case.id if case is not None else None


def _mark_failed(rt: Runtime, message_id: int, exc: Exception) -> None:
    with rt.store.transaction() as session:
        session.execute(update(Message).where(Message.id == message_id)
                        .values(triage_state="failed", triage_error=f"{type(exc).__name__}: {exc}"))
