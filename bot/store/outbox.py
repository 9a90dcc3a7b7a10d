"""The outbox: deliveries written with the decision, claimed and marked by the dispatcher.

Claims follow Healthchecks' ``sendalerts``: a conditional UPDATE that must change exactly one row,
so two dispatchers never send the same item. On PostgreSQL candidates are read with
``FOR UPDATE SKIP LOCKED`` so workers do not queue behind each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.db import rows_matched
from bot.store.models import OutboxItem, utcnow


def enqueue(session: Session, kind: str, key: str, payload: dict[str, Any],
            case_id: int | None = None, *, not_before: datetime | None = None,
            now: datetime | None = None) -> OutboxItem | None:
    """Queue a delivery unless one with the same idempotency key exists; None for a repeat.

    ``now`` is the caller's clock (``Runtime.now``): the dispatcher compares ``next_attempt_at``
    with that clock, so the row must be stamped by it, not by the wall clock.
    """
    if session.scalar(select(OutboxItem.id).where(OutboxItem.idempotency_key == key)) is not None:
        return None
    now = now or utcnow()
    item = OutboxItem(kind=kind, idempotency_key=key, payload=payload, case_id=case_id,
                      next_attempt_at=not_before or now, created_at=now)
    try:
        with session.begin_nested():
            session.add(item)
            session.flush()
    except IntegrityError:
        return None
    return item


def due_ids(session: Session, now: datetime, lease: timedelta, kinds: Sequence[str],
            limit: int = 50) -> list[int]:
    """Items ready to send: pending and due, or 'sending' whose claimant vanished (lease over)."""
    query = (
        select(OutboxItem.id)
        .where(OutboxItem.kind.in_(kinds))
        .where(or_(
            (OutboxItem.state == "pending") & (OutboxItem.next_attempt_at <= now),
            (OutboxItem.state == "sending") & (OutboxItem.claimed_at <= now - lease),
        ))
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def claim(session: Session, item_id: int, now: datetime, lease: timedelta) -> OutboxItem | None:
    """Take one item for sending; None when another dispatcher got there first."""
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item_id)
        .where(or_(
            (OutboxItem.state == "pending") & (OutboxItem.next_attempt_at <= now),
            (OutboxItem.state == "sending") & (OutboxItem.claimed_at <= now - lease),
        ))
        .values(state="sending", claimed_at=now, attempts=OutboxItem.attempts + 1)
    )
    if rows_matched(result) != 1:
        return None
    return session.get(OutboxItem, item_id, populate_existing=True)


def pending_count(session: Session) -> int:
    return len(session.scalars(select(OutboxItem.id).where(
        OutboxItem.state.in_(("pending", "sending")))).all())


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` are already queued (in any state)."""
    if not keys:
        return set()
    return set(session.scalars(select(OutboxItem.idempotency_key).where(
        OutboxItem.idempotency_key.in_(list(keys)))))


def counts_by_kind(session: Session) -> dict[str, dict[str, int]]:
    """``{kind: {state: count}}`` over the whole outbox, for ``status``."""
    rows = session.execute(select(OutboxItem.kind, OutboxItem.state, func.count(OutboxItem.id))
                           .group_by(OutboxItem.kind, OutboxItem.state))
    counts: dict[str, dict[str, int]] = {}
    for kind, state, count in rows:
        counts.setdefault(kind, {})[state] = count
    return counts


def list_items(session: Session, states: Sequence[str] | None = None) -> Sequence[OutboxItem]:
    """Outbox items, oldest first; only those in ``states`` when given."""
    query = select(OutboxItem).order_by(OutboxItem.id)
    if states:
        query = query.where(OutboxItem.state.in_(states))
    return session.scalars(query).all()


def requeue(session: Session, item_id: int, now: datetime) -> OutboxItem | None:
    """Make a failed or pending item due now, with a fresh run of attempts.

    A sent item is never requeued (that would deliver it twice), nor one being sent now.
    Returns the item, or None when it does not exist or is sent or in flight.
    """
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item_id, OutboxItem.state.in_(("pending", "failed")))
        .values(state="pending", attempts=0, next_attempt_at=now, claimed_at=None)
    )
    if rows_matched(result) != 1:
        return None
    return session.get(OutboxItem, item_id, populate_existing=True)
