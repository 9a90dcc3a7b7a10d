"""The outbox: deliveries written with the decision, claimed and marked by the dispatcher.

Every change of an item's state is made here, by one of the :data:`TRANSITIONS`; a move its
current state does not allow raises :class:`~bot.errors.OutboxTransitionError` instead of
quietly rewriting a row someone else owns (``sent`` is final: moving it would deliver twice).

Claims follow Healthchecks' ``sendalerts``: a conditional UPDATE that must change exactly one row,
so two dispatchers never send the same item; the claim records who holds it (``claimed_by``)
and when (``claimed_at``: the lease is ``[outbox] lease_s`` from then). On PostgreSQL the row is
locked ``FOR UPDATE SKIP LOCKED`` first, so dispatchers do not queue behind each other's claims.

An item may name follow-ups (:class:`FollowUp`, kept in its payload under ``"then"``): they are
queued in the transaction that marks it sent or failed, so a post that is about an email (the
"reply sent" note under a card) exists only once there is something to say, however long the
email takes, instead of failing its own attempts while it waits.

An item may also *wait for* another one that is already queued (``waits_for``: a thread post
waits for its case's card). One rule, :func:`dependency`, decides from the parent's state:
while it is pending or sending the child is not due (:func:`claim` never takes it, so it uses
no attempts); once it is sent the child is due; when it failed for good the child is marked
failed naming the parent, in the parent's ``mark_failed`` or, if the parent had already failed,
when the child is queued. Both lock the parent row, so a child queued while its parent is being
marked failed is seen by one of the two. ``requeue`` retries a parent and its children together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Update, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.errors import OutboxTransitionError
from bot.store.db import OUTBOX_QUEUED, rows_matched
from bot.store.inserts import insert_unless_present
from bot.store.models import OutboxItem, OutboxState, utcnow

PENDING, SENDING, SENT, FAILED = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.SENT,
                                  OutboxState.FAILED)


@dataclass(frozen=True)
class Transition:
    """One allowed move: from any of ``sources`` to ``target``."""

    name: str
    sources: frozenset[OutboxState]
    target: OutboxState

    def check(self, current: str) -> None:
        """Raise unless an item in state ``current`` may make this move."""
        if current not in self.sources:
            raise OutboxTransitionError(
                f"outbox {self.name}: not allowed from {current!r} "
                f"(only from {', '.join(sorted(self.sources))})")


#: A dispatcher takes a due item; or takes over one whose claimant vanished (lease over).
CLAIM = Transition("claim", frozenset({PENDING, SENDING}), SENDING)
#: The claimant delivered it.
MARK_SENT = Transition("mark_sent", frozenset({SENDING}), SENT)
#: The claimant could not deliver it this time; it is due again after a backoff.
MARK_RETRY = Transition("mark_retry", frozenset({SENDING}), PENDING)
#: The claimant gave up (a permanent error, or its attempts ran out).
MARK_FAILED = Transition("mark_failed", frozenset({SENDING}), FAILED)
#: A Slack listener did the work itself before any dispatcher claimed the item.
SETTLE = Transition("settle", frozenset({PENDING}), SENT)
#: Staff give a failed (or still pending) item a fresh run of attempts; never a sent one.
REQUEUE = Transition("requeue", frozenset({PENDING, FAILED}), PENDING)

TRANSITIONS = (CLAIM, MARK_SENT, MARK_RETRY, MARK_FAILED, SETTLE, REQUEUE)


def allowed(current: str, target: str) -> bool:
    """Whether any transition moves an item from ``current`` to ``target``."""
    return any(current in t.sources and t.target == target for t in TRANSITIONS)


Dependency = Literal["wait", "due", "fail"]


def dependency(parent_state: str | None) -> Dependency:
    """What a child item may do while its parent is in ``parent_state`` (None: no parent).

    The one rule for items that wait for another: not due while the parent may still be
    delivered, due once it was, failed with it when it never will be.
    """
    if parent_state is None or parent_state == SENT:
        return "due"
    if parent_state == FAILED:
        return "fail"
    return "wait"


def parent_failed_reason(parent: OutboxItem) -> str:
    """The child's ``last_error`` when its parent failed: names the parent (no personal data)."""
    return (f"waits for outbox #{parent.id} ({parent.idempotency_key}), which failed: "
            f"{parent.last_error or 'no error recorded'}")


@dataclass(frozen=True)
class FollowUp:
    """An item to queue once another one is sent or has failed for good.

    ``waits_for``: idempotency keys of the item it must also wait for once queued (the first
    that exists; a case's card is ``slack-card:<id>`` or ``slack-notice:<id>``).
    """

    kind: str
    key: str
    payload: dict[str, Any]
    waits_for: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "key": self.key, "payload": self.payload}
        if self.waits_for:
            data["waits_for"] = list(self.waits_for)
        return data


def enqueue(session: Session, kind: str, key: str, payload: dict[str, Any],
            case_id: int | None = None, *, not_before: datetime | None = None,
            now: datetime | None = None, then: Iterable[FollowUp] = (),
            waits_for: Sequence[str] = ()) -> OutboxItem | None:
    """Queue a delivery unless one with the same idempotency key exists; None for a repeat.

    ``now`` is the caller's clock (``Runtime.now``): the dispatcher compares ``next_attempt_at``
    with that clock, so the row must be stamped by it, not by the wall clock. ``then`` are
    queued when this item is marked sent or failed; ``waits_for`` names (by key, the first that
    is queued) the item this one waits for (see the module's docstring). With none of those
    keys queued there is nothing to wait for and the item is due as usual.
    """
    # One INSERT ... ON CONFLICT DO NOTHING (bot.store.inserts), no select, savepoint or flush:
    # those cost more than anything else a triaged message did. Every item is inserted here
    # at once, so a key queued earlier in this transaction is already in the table.
    now = now or utcnow()
    follow_ups = [f.as_json() for f in then]
    if follow_ups:
        payload = {**payload, "then": follow_ups}
    parent = _parent(session, waits_for)
    values: dict[str, Any] = {
        "kind": kind, "idempotency_key": key, "payload": payload, "case_id": case_id,
        "state": PENDING, "next_attempt_at": not_before or now, "created_at": now,
        "waits_for": parent.id if parent is not None else None}
    if parent is not None and dependency(parent.state) == "fail":
        values["state"], values["last_error"] = FAILED, parent_failed_reason(parent)
    item = insert_unless_present(session, OutboxItem, values, unique="idempotency_key")
    if item is None:
        return None
    session.info[OUTBOX_QUEUED] = True
    return item


def _parent(session: Session, keys: Sequence[str]) -> OutboxItem | None:
    """The first queued item of ``keys``, locked: its ``mark_failed`` cannot run meanwhile."""
    for parent_key in keys:
        with session.no_autoflush:
            parent = session.scalar(select(OutboxItem)
                                    .where(OutboxItem.idempotency_key == parent_key)
                                    .with_for_update()
                                    .execution_options(populate_existing=True))
        if parent is not None:
            return parent
    return None


def not_waiting() -> ColumnElement[bool]:
    """SQL for :func:`dependency` being "due": the item waits for nothing, or for a sent one.

    Part of :func:`claim`'s condition, and of what monitoring counts as due (a note whose card
    is backing off is not overdue itself).
    """
    parent = aliased(OutboxItem)
    return or_(OutboxItem.waits_for.is_(None),
               exists().where(parent.id == OutboxItem.waits_for, parent.state == SENT))


def _claimable(now: datetime, lease: timedelta) -> ColumnElement[bool]:
    """The :data:`CLAIM` condition: pending and due, or 'sending' whose claimant vanished;
    and, for an item that waits for another, that one is sent (:func:`not_waiting`)."""
    return or_(
        (OutboxItem.state == PENDING) & (OutboxItem.next_attempt_at <= now),
        (OutboxItem.state == SENDING) & (OutboxItem.claimed_at <= now - lease),
    ) & not_waiting()


def due_ids(session: Session, now: datetime, lease: timedelta, kinds: Sequence[str],
            limit: int = 50) -> list[int]:
    """Items ready to send: pending and due, or 'sending' whose claimant vanished (lease over).

    Only candidates: :func:`claim` decides who takes each one.
    """
    query = (
        select(OutboxItem.id)
        .where(OutboxItem.kind.in_(kinds))
        .where(_claimable(now, lease))
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim(session: Session, item_id: int, now: datetime, lease: timedelta,
          by: str | None = None) -> OutboxItem | None:
    """Take one item for sending, for dispatcher ``by``; None when another one got there first.

    On PostgreSQL the row is first locked ``FOR UPDATE SKIP LOCKED``: a row another dispatcher
    is claiming at this moment is skipped at once instead of waited for. The conditional UPDATE
    then makes the claim (on SQLite it alone decides, under ``BEGIN IMMEDIATE``).
    """
    if session.get_bind().dialect.name == "postgresql":
        free = session.scalar(select(OutboxItem.id)
                              .where(OutboxItem.id == item_id, _claimable(now, lease))
                              .with_for_update(skip_locked=True))
        if free is None:
            return None
    changed = _rows_changed(
        session,
        update(OutboxItem)
        .where(OutboxItem.id == item_id, OutboxItem.state.in_(CLAIM.sources))
        .where(_claimable(now, lease))
        .values(state=CLAIM.target, claimed_at=now, claimed_by=by,
                attempts=OutboxItem.attempts + 1)
    )
    if changed != 1:
        return None
    return session.get(OutboxItem, item_id, populate_existing=True)


def _rows_changed(session: Session, statement: Update) -> int:
    """How many rows a conditional UPDATE changed: 1 means this caller made the move."""
    return rows_matched(session.execute(statement))


def _claimed(session: Session, item_id: int, transition: Transition,
             by: str | None = None) -> OutboxItem:
    """The row, if ``transition`` may move it and (with ``by``) ``by`` still holds the claim.

    A dispatcher whose lease ran out while it was sending finds the row claimed by another
    one: marking it would overwrite the other's attempt, so that raises too.
    """
    row = session.get(OutboxItem, item_id, populate_existing=True, with_for_update=True)
    if row is None:
        raise OutboxTransitionError(f"outbox {transition.name}: item {item_id} does not exist")
    transition.check(row.state)
    if by is not None and row.claimed_by is not None and row.claimed_by != by:
        raise OutboxTransitionError(
            f"outbox {transition.name}: item {item_id} is claimed by another dispatcher "
            "(our lease ran out)")
    return row


def mark_sent(session: Session, item_id: int, now: datetime,
              result: dict[str, Any], by: str | None = None) -> OutboxItem:
    """The claimant delivered the item: keep what the channel returned, queue its follow-ups."""
    row = _claimed(session, item_id, MARK_SENT, by)
    row.state, row.sent_at, row.last_error, row.result = MARK_SENT.target, now, None, result
    _queue_follow_ups(session, row, now)
    return row


def mark_retry(session: Session, item_id: int, error: str, next_attempt_at: datetime,
               by: str | None = None) -> OutboxItem:
    """The claimant failed this time; the item is due again at ``next_attempt_at``."""
    row = _claimed(session, item_id, MARK_RETRY, by)
    row.state, row.last_error, row.next_attempt_at = MARK_RETRY.target, error, next_attempt_at
    return row


def mark_failed(session: Session, item_id: int, error: str, now: datetime,
                by: str | None = None) -> OutboxItem:
    """The claimant gave up; follow-ups are queued now, to say so (they read this row's state)."""
    row = _claimed(session, item_id, MARK_FAILED, by)
    row.state, row.last_error = MARK_FAILED.target, error
    _queue_follow_ups(session, row, now)
    _fail_waiting(session, row)
    return row


def _queue_follow_ups(session: Session, row: OutboxItem, now: datetime) -> None:
    for follow_up in row.payload.get("then", []):
        enqueue(session, follow_up["kind"], follow_up["key"], follow_up["payload"], row.case_id,
                now=now, waits_for=follow_up.get("waits_for", ()))


def _fail_waiting(session: Session, parent: OutboxItem) -> None:
    """Mark failed the items waiting for ``parent``, which failed: they would never be due.

    Only pending ones: a child is never claimed before its parent is sent, and sent is final.
    """
    session.flush()
    session.execute(update(OutboxItem)
                    .where(OutboxItem.waits_for == parent.id, OutboxItem.state == PENDING)
                    .values(state=FAILED, last_error=parent_failed_reason(parent)))


def settle(session: Session, key: str, result: dict[str, Any], now: datetime) -> bool:
    """Mark a still-pending item as sent because its work was just done directly.

    Used when a Slack listener updates a card itself for instant feedback; if a dispatcher has
    claimed the row meanwhile, it is left alone (it will repeat an idempotent update). Only for
    items without follow-ups (a card update has none). Returns whether the row was changed.
    """
    return _rows_changed(
        session,
        update(OutboxItem)
        .where(OutboxItem.idempotency_key == key, OutboxItem.state.in_(SETTLE.sources))
        .values(state=SETTLE.target, sent_at=now, result=result, last_error=None)) == 1


def pending_count(session: Session) -> int:
    return len(session.scalars(select(OutboxItem.id).where(
        OutboxItem.state.in_((PENDING, SENDING)))).all())


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
    Items wait for each other as a group: requeuing a failed parent requeues the items that
    failed waiting for it, and requeuing such an item requeues its failed parent (and so its
    siblings) too, since it would otherwise fail again at once.
    Returns the item, or None when it does not exist or is sent or in flight.
    """
    item = _requeue_one(session, item_id, now)
    if item is None:
        return None
    session.info[OUTBOX_QUEUED] = True
    parent = session.get(OutboxItem, item.waits_for) if item.waits_for is not None else None
    if parent is not None and parent.state == FAILED:
        _requeue_one(session, parent.id, now)
        item = parent
    if item.state == PENDING:
        children = session.scalars(select(OutboxItem.id).where(
            OutboxItem.waits_for == item.id, OutboxItem.state == FAILED)).all()
        for child in children:
            _requeue_one(session, child, now)
    return session.get(OutboxItem, item_id, populate_existing=True)


def _requeue_one(session: Session, item_id: int, now: datetime) -> OutboxItem | None:
    changed = _rows_changed(
        session,
        update(OutboxItem)
        .where(OutboxItem.id == item_id, OutboxItem.state.in_(REQUEUE.sources))
        .values(state=REQUEUE.target, attempts=0, next_attempt_at=now, claimed_at=None,
                claimed_by=None)
    )
    if changed != 1:
        return None
    return session.get(OutboxItem, item_id, populate_existing=True)
