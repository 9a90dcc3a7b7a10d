"""The outbox dispatcher: claim what is due, deliver it, mark it, back off on failure.

Delivery guarantee (docs/outbox.md): an item is claimed in one transaction, delivered, and
marked sent in the next. A crash between delivering and marking is the only way to deliver
twice; the item is then re-delivered after its lease runs out with the *same* Message-ID (email)
or idempotency key, so the duplicate is recognisable. We chose this at-least-once rule because a
lost opt-out confirmation or staff reply is worse than a rare, detectable duplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.errors import DeliveryError, OutboxTransitionError
from bot.runtime import Runtime
from bot.store import audit
from bot.store import outbox as outbox_store
from bot.store.models import Case, OutboxItem

logger = logging.getLogger(__name__)

# A channel takes the item and returns facts to keep (e.g. Slack's ts); raises DeliveryError.
Channel = Callable[[OutboxItem], Mapping[str, Any]]


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int, base_s: float, max_s: float) -> timedelta:
    """Exponential backoff after ``attempts`` failures: base, 2·base, 4·base, … capped."""
    return timedelta(seconds=min(max_s, base_s * 2 ** max(0, attempts - 1)))


def deliver_due(rt: Runtime, channels: Mapping[str, Channel], limit: int = 100) -> DeliveryReport:
    """Deliver every due outbox item of the kinds in ``channels``, once each (``limit`` in all).

    Marking an item sent or failed may queue its follow-ups (the note under a card that follows
    an email), due at once: after such a mark the pass looks again for items it has not seen, so
    ``poll --once`` delivers the email and its note together.
    """
    lease = timedelta(seconds=rt.config.outbox.lease_s)
    sent = retried = failed = 0
    seen: set[int] = set()
    while len(seen) < limit:
        with rt.store.transaction() as session:
            due = outbox_store.due_ids(session, rt.now(), lease, list(channels),
                                       len(seen) + limit)
        candidates = [i for i in due if i not in seen][:limit - len(seen)]
        seen.update(candidates)
        report = _deliver_each(rt, channels, candidates, lease)
        sent, retried, failed = (sent + report.sent, retried + report.retried,
                                 failed + report.failed)
        if not report.sent + report.failed:
            break  # nothing marked, so nothing new follows
    return DeliveryReport(sent, retried, failed)


def deliver_items(rt: Runtime, channels: Mapping[str, Channel],
                  item_ids: list[int]) -> DeliveryReport:
    """Deliver these outbox items now if they are due and nobody else has claimed them.

    The same claim, delivery and marking as :func:`deliver_due`, for a caller that knows which
    rows it means (the Slack app answering a chat message where no worker runs); a row another
    dispatcher got first is skipped.
    """
    return _deliver_each(rt, channels, item_ids, timedelta(seconds=rt.config.outbox.lease_s))


def _deliver_each(rt: Runtime, channels: Mapping[str, Channel], candidates: list[int],
                  lease: timedelta) -> DeliveryReport:
    cfg = rt.config.outbox
    sent = retried = failed = 0
    for item_id in candidates:
        with rt.store.transaction() as session:
            item = outbox_store.claim(session, item_id, rt.now(), lease, by=rt.worker_id)
            if item is None:
                continue
            session.expunge(item)
        try:
            result = channels[item.kind](item)
        except DeliveryError as exc:
            gave_up = exc.permanent or item.attempts >= cfg.max_attempts
            _record_failure(rt, item, exc, gave_up)
            failed += gave_up
            retried += not gave_up
            continue
        except Exception as exc:
            # Mark the row before anything else so a bug cannot make it a crash loop.
            logger.exception("Outbox item %s: unexpected error", item.id)
            _record_failure(rt, item, DeliveryError(f"{type(exc).__name__}: {exc}"),
                            item.attempts >= cfg.max_attempts)
            retried += 1
            continue
        sent += _record_sent(rt, item, result)
    return DeliveryReport(sent, retried, failed)


def _record_sent(rt: Runtime, item: OutboxItem, result: Mapping[str, Any]) -> bool:
    try:
        with rt.store.transaction() as session:
            outbox_store.mark_sent(session, item.id, rt.now(), dict(result), by=rt.worker_id)
            audit.record(session, "system", f"{item.kind}.sent", item.case_id,
                         outbox=item.id, key=item.idempotency_key)
        logger.info("Outbox item %s sent (%s, case %s)", item.id, item.kind, item.case_id,
                    extra={"outbox_id": item.id, "case_id": item.case_id, "channel": item.kind})
    except OutboxTransitionError as exc:
        # Our lease ran out and another dispatcher delivered and marked it: a known duplicate.
        logger.warning("Outbox item %s delivered, but not ours to mark any more: %s", item.id, exc)
        return False
    return True


def _record_failure(rt: Runtime, item: OutboxItem, exc: DeliveryError, gave_up: bool) -> None:
    cfg = rt.config.outbox
    error = str(exc)[:2000]
    try:
        with rt.store.transaction() as session:
            if gave_up:
                row = outbox_store.mark_failed(session, item.id, error, rt.now(), by=rt.worker_id)
                if row.case_id is not None:
                    case = session.get(Case, row.case_id)
                    if case is not None:
                        case.delivery_failure = f"{item.kind} delivery failed: {exc}"[:2000]
                audit.record(session, "system", f"{item.kind}.failed", item.case_id,
                             outbox=item.id, error=str(exc)[:500], attempts=row.attempts)
                logger.error("Outbox item %s failed for good: %s", item.id, exc,
                             extra={"outbox_id": item.id, "case_id": item.case_id,
                                    "channel": item.kind})
            else:
                row = outbox_store.mark_retry(
                    session, item.id, error,
                    rt.now() + backoff(item.attempts, cfg.backoff_base_s, cfg.backoff_max_s),
                    by=rt.worker_id)
                logger.warning("Outbox item %s: %s; retry at %s", item.id, exc,
                               row.next_attempt_at,
                               extra={"outbox_id": item.id, "case_id": item.case_id,
                                      "channel": item.kind})
    except OutboxTransitionError as exc2:
        logger.warning("Outbox item %s failed, but is not ours to mark any more: %s", item.id,
                       exc2)
