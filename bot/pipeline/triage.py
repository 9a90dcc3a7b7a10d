"""Triage: claim a batch of stored messages, classify it, decide and act in one transaction.

A worker first claims a batch with a lease (``claimed_by``, ``claimed_until``; ``FOR UPDATE
SKIP LOCKED`` on PostgreSQL) and commits the claim, so classification, CPU work on data already
read, runs outside any transaction while other workers take other messages. The decisions and
everything they cause are then committed in one transaction per batch: run first without
savepoints, and only when a message raises, rolled back and run again with a savepoint per
message, so that message alone is set aside. Marking a message done requires the claim to
still be ours, so a message is acted on once even when a lease ran out. A message whose triage
raises is marked failed and skipped, so one bad message cannot stall the mailbox or
crash-loop the worker; a worker that dies holding claims delays them by at most ``[triage]
lease_s``. A failed message is not failed for good: :mod:`triage_policy` says when it is tried
again (a lost database connection or a bad configuration is retried until it works; a message
that keeps failing the same way is set aside, loudly), and the pending query picks it up once
that time has come.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot import telemetry
from bot.cases.outgoing import queue_chat_answer
from bot.cases.threads import same_writer
from bot.mail import auth, sender
from bot.mail.outbound import case_ids_in
from bot.pipeline.act import Outcome, apply_decision
from bot.pipeline.decide import Decision, MessageFacts, decide, what_happens
from bot.pipeline.triage_policy import (
    FailureKind,
    FailureRecord,
    RetryPlan,
    classify_failure,
    needs_alert,
    plan_retry,
)
from bot.runtime import Runtime
from bot.store import cases, deferred, outbox
from bot.store import messages as message_store
from bot.store.models import OPEN_STATES, Case, Message
from bot.store.monitoring import failure_alert_key
from classifier import Prediction, addresses
from classifier.policy import decide_opt_out
from classifier.signals import replies_to_mailing

logger = logging.getLogger(__name__)

ALERT_AFTER = timedelta(hours=1)  # a message failing this long is shown to a person in Slack


@dataclass(frozen=True)
class _Pending:
    id: int
    text: str
    subject: str
    quarantined: bool


def triage_pending(rt: Runtime, limit: int = 200) -> list[Outcome]:
    """Triage up to ``limit`` messages that are new or due for a retry; returns what was done.

    Messages that fail are recorded (see :func:`record_failure`) and left out of the result, so
    a caller looping "while anything was triaged" stops when only failures remain (or when
    every due message is held by another worker's claim).
    """
    now = rt.now()
    try:
        queue_failure_alerts(rt, now)
        pending = _claim(rt, limit, now)
    except Exception as exc:
        if classify_failure(exc) is not FailureKind.TRANSIENT:
            raise
        # The database is away or locked: every message stays pending for the next pass.
        logger.warning("Triage pass skipped: the database is unavailable (%s)",
                       type(exc).__name__)
        return []
    return _triage_batch(rt, pending, now)


def triage_messages(rt: Runtime, message_ids: Sequence[int]) -> list[Outcome]:
    """Triage these messages now if they are untriaged, whatever their retry time says.

    ``messages retry`` uses it after a person fixed the cause of a failure. A message another
    worker holds a live claim on is left to that worker.
    """
    now = rt.now()
    with rt.store.transaction() as session:
        message_store.make_due_again(session, message_ids, now)
    pending = _claim(rt, len(message_ids), now, only=message_ids)
    return _triage_batch(rt, pending, now)


def claim_owner(rt: Runtime) -> str:
    """The name this thread's triage claims carry: the runtime's worker and the thread.

    Why the thread: ``run`` triages from its triage thread and from Slack chat intake with one
    runtime; a worker takes its own claims back at once, so two threads sharing a name would
    take each other's batches and classify them twice.
    """
    return f"{rt.worker_id}/{threading.current_thread().name}"[:100]


def _claim(rt: Runtime, limit: int, now: datetime,
           only: Sequence[int] | None = None) -> list[_Pending]:
    """Claim a batch for this runtime (committed at once) and read what classifying needs."""
    lease = timedelta(seconds=rt.config.triage.lease_s)
    with rt.store.transaction() as session:
        return [_pending(m) for m in message_store.claim_batch(
            session, claim_owner(rt), now, lease, limit, only)]


def _pending(m: Message) -> _Pending:
    return _Pending(m.id, m.reply_text or m.body_text, m.subject, bool(m.quarantine_reason))


def _triage_batch(rt: Runtime, pending: list[_Pending], now: datetime) -> list[Outcome]:
    """Classify the claimed ``pending`` together, then decide and act on all of them in one
    transaction, each message in a savepoint of its own.

    A message whose triage raises rolls back only its savepoint and is recorded as failed once
    the batch is committed. If the batch transaction itself fails (the connection dropped,
    the commit was refused), nothing of it is kept and each message is tried again in a
    transaction of its own, as before batching, so one bad message never costs the others.
    """
    if not pending:
        return []
    readable = [p for p in pending if not p.quarantined]
    predictions: dict[int, Prediction] = {}
    failures = _FailureLog()
    if readable:
        try:
            results = rt.model.predict([p.text for p in readable], [p.subject for p in readable])
        except Exception as exc:  # noqa: BLE001 - every message waits; none is lost
            for item in readable:
                record_failure(rt, item.id, exc, now, failures)
            pending = [p for p in pending if p.quarantined]
        else:
            predictions = {p.id: result for p, result in zip(readable, results, strict=True)}
            _prefetch_notice(rt, readable)
    try:
        done, failed = _act_in_one_transaction(rt, pending, predictions, now)
    except Exception as lost:  # noqa: BLE001 - fall back to one transaction per message
        logger.warning("Triage batch of %d messages could not be committed (%s); triaging "
                       "them one by one", len(pending), type(lost).__name__)
        done, failed = _act_one_by_one(rt, pending, predictions, now)
    for message_id, error in failed:
        record_failure(rt, message_id, error, now, failures)
    for triaged in done:  # committed: now count and log them
        decision, outcome = triaged.decision, triaged.outcome
        if triaged.received_at is not None:
            telemetry.triage_decided(decision.label, triaged.received_at, rt.now())
        logger.info("Message %s triaged: %s, action %s, case %s: %s", triaged.message_id,
                    decision.label, decision.action, outcome.case_id, triaged.what,
                    extra={"message_id": triaged.message_id, "case_id": outcome.case_id,
                           "label": str(decision.label), "action": str(decision.action)})
    return [triaged.outcome for triaged in done]


@dataclass(frozen=True)
class _Triaged:
    """One message acted on in a batch: what the log line and the metrics say once committed."""

    message_id: int
    decision: Decision
    outcome: Outcome
    what: str
    received_at: datetime | None   # None for backfilled mail, which the latency leaves out


_Done = list[_Triaged]
_Failed = list[tuple[int, Exception]]


class _MessageFailed(Exception):
    """A message raised in a batch run without savepoints: the batch is run again with them."""


def _act_in_one_transaction(rt: Runtime, pending: list[_Pending],
                            predictions: dict[int, Prediction],
                            now: datetime) -> tuple[_Done, _Failed]:
    """Act on the batch in one transaction: first without a savepoint per message, and only if
    a message raised, all over again with them (:func:`_act_batch`).

    Why: a savepoint and its release per message were two statements and a flush each, about
    a tenth of a triaged message, for a failure that is rare. The guarantee stays: the first
    run's transaction is rolled back whole, and the second sets the failing message aside
    alone, with its savepoint, exactly as when every batch ran with savepoints.
    """
    try:
        return _act_batch(rt, pending, predictions, now, savepoints=False)
    except _MessageFailed as failed:
        logger.info("A message of a triage batch of %d failed (%s); acting on the batch again, "
                    "a savepoint per message", len(pending), type(failed.__cause__).__name__)
        return _act_batch(rt, pending, predictions, now, savepoints=True)


def _act_batch(rt: Runtime, pending: list[_Pending], predictions: dict[int, Prediction],
               now: datetime, *, savepoints: bool) -> tuple[_Done, _Failed]:
    """One transaction for the batch. With ``savepoints`` each message has its own and one
    that raises is rolled back alone and returned as failed; without, the first message that
    raises (or a failure of what the messages left to flush) raises :class:`_MessageFailed`,
    and the transaction is rolled back whole."""
    done: _Done = []
    failed: _Failed = []
    worker = claim_owner(rt)
    with rt.store.transaction() as session:
        ids = [p.id for p in pending]
        # One read for the whole batch; kept referenced so the identity map (weak) keeps them
        # and each message's session.get below needs no query of its own.
        loaded = message_store.messages_by_id(session, ids)
        cases.remember_first_messages(session, [m.sender for m in loaded])
        # The claims are checked (and locked) once for the batch and the messages marked
        # triaged together at its end: a message another worker took over is left to them.
        ours = message_store.still_claimed(session, ids, now, worker)
        # Audit events, classifications and first drafts are inserted together at the end.
        rows = deferred.install(session)
        for item in pending:
            if item.id not in ours:
                continue  # another worker triaged it, or took it over after our lease ran out
            mark = rows.mark()
            try:
                with _savepoint(session, savepoints):
                    result = _triage_in(session, rt, item.id, predictions.get(item.id), now,
                                        claimed=True)
            except Exception as exc:
                if classify_failure(exc) is FailureKind.TRANSIENT:
                    raise  # the transaction itself is in trouble, not this message
                if not savepoints:
                    raise _MessageFailed from exc
                rows.discard_since(mark, session)  # rolled back with the message's savepoint
                failed.append((item.id, exc))
                continue
            if result is not None:
                done.append(result)
        if not savepoints:
            _flush_or_fail(session)  # what the messages left pending is theirs to fail on
        deferred.uninstall(session)
        rows.write(session)
        triaged = [t.message_id for t in done]
        changed = message_store.mark_triaged(session, triaged, now, worker)
        if changed != len(triaged):  # cannot happen while the rows are locked: start again
            raise RuntimeError(f"{len(triaged) - changed} of {len(triaged)} claims were lost "
                               "during the batch")
        del loaded
    return done, failed


def _savepoint(session: Session, wanted: bool) -> AbstractContextManager[object]:
    return session.begin_nested() if wanted else nullcontext()


def _flush_or_fail(session: Session) -> None:
    """Flush the batch's pending changes; a failure not of the connection is a message's."""
    try:
        session.flush()
    except Exception as exc:
        if classify_failure(exc) is FailureKind.TRANSIENT:
            raise
        raise _MessageFailed from exc


def _act_one_by_one(rt: Runtime, pending: list[_Pending], predictions: dict[int, Prediction],
                    now: datetime) -> tuple[_Done, _Failed]:
    done: _Done = []
    failed: _Failed = []
    for item in pending:
        try:
            with rt.store.transaction() as session:
                result = _triage_in(session, rt, item.id, predictions.get(item.id), now)
        except Exception as exc:  # noqa: BLE001 - one message never stops the others
            failed.append((item.id, exc))
            continue
        if result is not None:
            done.append(result)
    return done, failed


def _prefetch_notice(rt: Runtime, readable: list[_Pending]) -> None:
    """Score the privacy notice for the whole batch at once (the drafts then look it up).

    A drafter that cannot be built is left to fail per message, where it is recorded as the
    configuration failure it is.
    """
    try:
        drafter = rt.drafter
    except Exception:  # noqa: BLE001 - recorded per message by the act step
        return
    drafter.prefetch_sections([f"{p.subject}\n{p.text}" for p in readable])


def _triage_in(session: Session, rt: Runtime, message_id: int, prediction: Prediction | None,
               now: datetime, *, claimed: bool = False) -> _Triaged | None:
    """Decide and act on one claimed message in ``session``; None if it is no longer ours.

    ``claimed``: the caller checked the claim already and marks the message triaged itself
    (:func:`_act_in_one_transaction`); otherwise it is marked here, in the same transaction.
    What was done is returned for the log line and the metrics, written once the batch is
    committed (a rolled-back batch must not count).
    """
    if not claimed and not message_store.claim_for_triage(session, message_id, now,
                                                          worker=claim_owner(rt)):
        return None  # another worker triaged it, or took it over after our lease ran out
    message = session.get_one(Message, message_id)  # the claim above found the row
    facts, decision = judge(rt, session, message, prediction)
    outcome = apply_decision(session, rt, message, decision, prediction)
    return _Triaged(message_id, decision, outcome,
                    what_happens(decision, quarantined=bool(facts.quarantine_reason)),
                    None if message.source == "backfill" else message.received_at)


def judge(rt: Runtime, session: Session, message: Message, prediction: Prediction | None
          ) -> tuple[MessageFacts, Decision]:
    """The facts about ``message`` and the decision for it, reading the database only.

    Shared by triage and by ``--dry-run`` (:mod:`bot.pipeline.preview`), which passes a message
    that was parsed but never stored: nothing here adds to or changes the session.
    """
    facts = MessageFacts(
        sender=message.sender,
        machine_reasons=tuple(message.machine_reasons or ()),
        is_unsubscribe_mail=bool(message.is_unsubscribe_mail),
        quarantine_reason=message.quarantine_reason,
        **_thread_facts(session, message),
        **sender_facts(rt, message),
        # at one of the organisation's domains: a forward from staff, never automatic
        from_own_domain=addresses.at_domains(message.sender, rt.config.own_domains),
        replies_to_mailing=replies_to_mailing(
            [message.in_reply_to, *(message.references or [])],
            tuple(rt.config.organisation.mailer_message_id_domains)),
        backfilled=message.source == "backfill",
    )
    opt_out = None
    if prediction is not None:
        threshold = rt.config.triage.opt_out_threshold or None
        opt_out = decide_opt_out(
            prediction, text=message.reply_text or message.body_text, sender=message.sender,
            is_machine_mail=facts.is_machine_mail,
            is_unsubscribe_mail=bool(message.is_unsubscribe_mail), threshold=threshold,
            subject=message.subject, replies_to_mailing=facts.replies_to_mailing,
            from_own_domain=facts.from_own_domain)
    return facts, decide(facts, prediction, opt_out)


class SenderFacts(TypedDict, total=False):
    """The sender-trust fields of :class:`MessageFacts` (Slack messages carry only the last)."""

    sender_blockers: tuple[str, ...]
    sender_unverified: str | None
    replies_to_our_mail: bool


def sender_facts(rt: Runtime, message: Message) -> SenderFacts:
    """The sender-trust fields of MessageFacts, read from the stored raw headers.

    Slack messages come from a signed-in workspace member: there is no mail header to doubt.
    """
    refs = [message.in_reply_to, *(message.references or [])]
    ours = bool(case_ids_in([r for r in refs if r]))
    if message.source == "slack" or not message.raw:
        return {"replies_to_our_mail": ours}
    fields = auth.header_fields(message.raw)
    headers = sender.sender_headers(fields)
    address = sender.from_address(headers) or message.sender
    verdict = auth.authenticate(fields, sender.domain_of(address),
                                rt.config.trusted_authserv_ids)
    blockers = list(sender.discrepancies(headers, rt.config.own_domains))
    unverified = None
    if verdict.failed:
        blockers.insert(0, f"sender not verified: {verdict.detail}")
    elif not verdict.verified:
        unverified = f"sender not verified: {verdict.detail}"
    return {"sender_blockers": tuple(blockers), "sender_unverified": unverified,
            "replies_to_our_mail": ours}


class ThreadFacts(TypedDict, total=False):
    """The thread fields of :class:`MessageFacts`."""

    thread_case_id: int
    foreign_thread_case_id: int


def _thread_facts(session: Session, message: Message) -> ThreadFacts:
    """The open case whose thread this message is in, as MessageFacts fields: joined only when
    the case's requester wrote it (bot.cases.threads), else named as another person's."""
    case = _thread_case(session, message)
    if case is None:
        return {}
    if same_writer(case.requester, message_store.requester_slack_user(session, case.id),
                   message.sender, message.slack_user):
        return {"thread_case_id": case.id}
    return {"foreign_thread_case_id": case.id}


def _thread_case(session: Session, message: Message) -> Case | None:
    """The open case this message replies to: by our own Message-ID, else by stored ids."""
    ids = [message.in_reply_to, *(message.references or [])]
    ids = [i for i in ids if i]
    if not ids:
        return None
    for case_id in case_ids_in(ids):
        case = session.get(Case, case_id)
        if case is not None and case.state in OPEN_STATES:
            return case
    return message_store.open_case_for_thread(session, ids)


class _FailureLog:
    """Logs a configuration failure once per pass rather than once per waiting message."""

    def __init__(self) -> None:
        self.configuration_logged = False


def record_failure(rt: Runtime, message_id: int, exc: Exception, now: datetime,
                   log: _FailureLog | None = None) -> RetryPlan | None:
    """Record a failed triage attempt and when to try again; None if it could not be recorded.

    Log lines name the message ID and the exception class, never the message's text or sender
    (an exception's own text may quote either, so it goes only to the database and to debug).
    """
    kind = classify_failure(exc)
    error_class = type(exc).__name__
    log = log or _FailureLog()
    logger.debug("Triage of message %s raised", message_id, exc_info=exc)
    try:
        with rt.store.transaction() as session:
            before = message_store.earlier_failure(session, message_id)
            if before is None:
                return None  # triaged meanwhile by another worker
            plan = plan_retry(kind, error_class, FailureRecord(*before), now)
            message_store.record_triage_failure(
                session, message_id, attempts=plan.attempts, next_at=plan.next_at,
                failed_at=plan.failed_at, error_class=error_class,
                error=f"{kind}: {error_class}: {_error_text(exc)}", worker=claim_owner(rt))
            if plan.set_aside:
                # A person asking in Slack is told it reached us (staff are alerted to the
                # set-aside message); if a retry triages it later, its answer is this one.
                message = session.get(Message, message_id)
                if message is not None:
                    queue_chat_answer(session, rt, message, None, joined=False)
    except Exception as second:  # noqa: BLE001 - e.g. the database is still away
        logger.warning("Triage of message %s failed (%s) and the failure could not be recorded "
                       "(%s); it stays pending and is tried again", message_id, error_class,
                       type(second).__name__)
        return None
    if plan.set_aside:
        logger.warning("Message %s set aside after failing triage %d times with %s: a person "
                       "must read it (privacy-triage status)", message_id, plan.attempts,
                       error_class)
    elif kind is FailureKind.CONFIGURATION:
        if not log.configuration_logged:
            # Our own text: it names the configuration key and file, not the message.
            logger.error("Triage cannot run until the configuration is fixed (%s); messages "
                         "wait and are retried", exc)
            log.configuration_logged = True
        logger.info("Message %s waits for the configuration (retry at %s)", message_id,
                    f"{plan.next_at:%H:%M:%S}")
    else:
        logger.warning("Triage of message %s failed with %s (%s, attempt %d); retry at %s",
                       message_id, error_class, kind, plan.attempts, f"{plan.next_at:%H:%M:%S}")
    return plan


def _error_text(exc: Exception) -> str:
    """The exception's own words, without SQLAlchemy's statement and parameters."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def queue_failure_alerts(rt: Runtime, now: datetime) -> list[int]:
    """Queue one Slack alert per message failing for over an hour; returns the message IDs.

    Keyed by message ID, so however many passes see the message, one card is posted.
    """
    if not rt.config.slack.enabled:
        return []
    with rt.store.sessions() as session:
        ids = [m.id for m in message_store.failed_before(session, now - ALERT_AFTER)
               if needs_alert(m.triage_failed_at, now, ALERT_AFTER)]
        if ids:
            queued = outbox.existing_keys(session, [_alert_key(i) for i in ids])
            ids = [i for i in ids if _alert_key(i) not in queued]
    if not ids:
        return []
    with rt.store.transaction() as session:
        queued_now = [i for i in ids if outbox.enqueue(
            session, "slack", _alert_key(i), {"type": "triage_failure", "message_id": i},
            not_before=now)]
    for message_id in queued_now:
        logger.warning("Message %s has failed triage for over an hour; alert queued for Slack",
                       message_id)
    return queued_now


def _alert_key(message_id: int) -> str:
    return failure_alert_key(message_id)  # readiness looks for the same key
