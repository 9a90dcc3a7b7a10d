"""Stored messages: insert once (deduplicated), the triage queue and its failures, threads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.db import chunks, rows_matched, table_of
from bot.store.models import OPEN_STATES, TRIAGE_PENDING, Case, Message, TriageState, utcnow


def insert_once(session: Session, **fields: Any) -> Message | None:
    """Insert a message unless one with the same ``dedup_key`` (or IMAP UID) exists.

    Returns the new row, or None for a duplicate. A savepoint makes a concurrent insert by
    another worker (PostgreSQL) a duplicate rather than a failed transaction.
    """
    existing = session.scalar(select(Message.id).where(Message.dedup_key == fields["dedup_key"]))
    if existing is not None:
        return None
    message = Message(**fields)
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message


def known_dedup_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` are stored already (``--dry-run`` says such a message is skipped)."""
    found: set[str] = set()
    for chunk in chunks(list(dict.fromkeys(keys))):
        found.update(session.scalars(select(Message.dedup_key).where(
            Message.dedup_key.in_(chunk))))
    return found


def insert_many(session: Session, rows: Sequence[dict[str, Any]]) -> list[int | None]:
    """Insert a batch of messages in one statement; the new ids in order, None for a copy.

    Copies are recognised by ``dedup_key``, against the table and within the batch itself, so
    the statement meets no unique key of its own making. Why one statement: an ORM insert per
    message cost more than parsing it. A concurrent insert by another worker (or a UID stored
    already) still raises IntegrityError: the caller runs this in a savepoint and then falls
    back to :func:`insert_once` per message.
    """
    keys = [row["dedup_key"] for row in rows]
    existing = known_dedup_keys(session, keys)
    fresh: list[dict[str, Any]] = []
    positions: list[int] = []
    for position, row in enumerate(rows):
        if row["dedup_key"] in existing:
            continue
        existing.add(row["dedup_key"])
        fresh.append(row)
        positions.append(position)
    ids: list[int | None] = [None] * len(rows)
    if fresh:
        new_ids = session.scalars(
            insert(Message).returning(Message.id, sort_by_parameter_order=True), fresh).all()
        for position, new_id in zip(positions, new_ids, strict=True):
            ids[position] = new_id
    return ids


def _due(now: datetime) -> ColumnElement[bool]:
    """New, or failed with a retry that is due (a set-aside message has no next attempt)."""
    return or_(Message.triage_state == TriageState.NEW,
               and_(Message.triage_state == TriageState.FAILED, Message.triage_next_at <= now))


def pending_triage(session: Session, limit: int = 100, now: datetime | None = None,
                   only: Sequence[int] | None = None) -> Sequence[Message]:
    """Messages waiting for triage, oldest first: new ones and failed ones whose retry is due.

    ``only`` restricts the query to those message IDs.
    """
    query = select(Message).where(_due(now or utcnow()))
    if only is not None:
        query = query.where(Message.id.in_(list(only)))
    return session.scalars(query.order_by(Message.id).limit(limit)).all()


def _lease_free(now: datetime, worker: str) -> ColumnElement[bool]:
    """Nobody holds the message, its holder's lease ran out (the holder died), or the holder is
    ``worker`` itself (a pass that could not commit, or record its failures, takes its own
    claims again next time instead of waiting for its lease)."""
    return or_(Message.claimed_until.is_(None), Message.claimed_until <= now,
               Message.claimed_by == worker)


def claim_batch(session: Session, worker: str, now: datetime, lease: timedelta,
                limit: int = 100, only: Sequence[int] | None = None) -> Sequence[Message]:
    """Claim up to ``limit`` messages due for triage for ``worker``, oldest first.

    A claim is a lease: ``claimed_by`` and ``claimed_until = now + lease``, committed with the
    caller's transaction, so the worker can classify outside any transaction while other
    workers take other messages. On PostgreSQL the candidates are read ``FOR UPDATE SKIP
    LOCKED``, so workers claiming at the same moment split the backlog instead of queueing on
    each other's rows; on SQLite the caller's ``BEGIN IMMEDIATE`` already serialises claims.
    Messages held by another worker's live lease are left alone; one whose lease ran out is
    claimed again.
    """
    query = select(Message.id).where(_due(now), _lease_free(now, worker))
    if only is not None:
        query = query.where(Message.id.in_(list(only)))
    query = query.order_by(Message.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        return []
    session.execute(update(Message).where(Message.id.in_(ids))
                    .values(claimed_by=worker, claimed_until=now + lease)
                    .execution_options(synchronize_session=False))
    return session.scalars(select(Message).where(Message.id.in_(ids))
                           .order_by(Message.id)
                           .execution_options(populate_existing=True)).all()


def claim_for_triage(session: Session, message_id: int, now: datetime | None = None,
                     worker: str | None = None) -> bool:
    """Mark a message as triaged; True only for the one worker whose update changed the row.

    Runs in the same transaction as the triage results, so a crash undoes both. A retried
    message's failure is cleared with it. With ``worker`` the message must still be held by
    that worker (see :func:`claim_batch`): if its lease ran out and another worker claimed it,
    this one leaves it to them.
    """
    conditions = [Message.id == message_id, _due(now or utcnow())]
    if worker is not None:
        conditions.append(Message.claimed_by == worker)
    result = session.execute(update(table_of(Message)).where(*conditions).values(**_TRIAGED))
    return rows_matched(result) == 1


#: What marking a message triaged writes: done, its failure history cleared, the lease ended.
_TRIAGED: dict[str, Any] = {
    "triage_state": TriageState.DONE, "triage_error": None, "triage_error_class": None,
    "triage_next_at": None, "triage_failed_at": None, "triage_attempts": 0,
    "claimed_until": None}


def still_claimed(session: Session, message_ids: Sequence[int], now: datetime,
                  worker: str) -> set[int]:
    """Which of ``message_ids`` are still due and held by ``worker``, locked until the caller's
    transaction ends (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` holds the
    whole file).

    The batch form of :func:`claim_for_triage`'s condition, checked once for a triage batch:
    no other worker can take a locked row over, so the check still holds when
    :func:`mark_triaged` writes the result at the end of the batch.
    """
    found: set[int] = set()
    for chunk in chunks(list(dict.fromkeys(message_ids))):
        query = select(Message.id).where(Message.id.in_(chunk), _due(now),
                                         Message.claimed_by == worker)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        found.update(session.scalars(query))
    return found


def mark_triaged(session: Session, message_ids: Sequence[int], now: datetime,
                 worker: str) -> int:
    """Mark messages checked by :func:`still_claimed` as triaged, in one statement per 500;
    returns how many rows changed (all of them, unless the lock was not held)."""
    changed = 0
    for chunk in chunks(list(dict.fromkeys(message_ids))):
        changed += rows_matched(session.execute(
            update(table_of(Message))
            .where(Message.id.in_(chunk), _due(now),
                   Message.claimed_by == worker)
            .values(**_TRIAGED)))
    return changed


def release_claims(session: Session, worker: str, message_ids: Sequence[int]) -> int:
    """Give back claims ``worker`` still holds on untriaged messages; returns how many."""
    if not message_ids:
        return 0
    return rows_matched(session.execute(
        update(Message).where(Message.id.in_(list(message_ids)), Message.claimed_by == worker,
                              Message.triage_state.in_(TRIAGE_PENDING))
        .values(claimed_until=None).execution_options(synchronize_session=False)))


def earlier_failure(session: Session,
                    message_id: int) -> tuple[int, str | None, datetime | None] | None:
    """(failures in a row, exception class, first failure) of an untriaged message, else None."""
    row = session.execute(
        select(Message.triage_attempts, Message.triage_error_class, Message.triage_failed_at)
        .where(Message.id == message_id, Message.triage_state.in_(TRIAGE_PENDING))
    ).one_or_none()
    return None if row is None else (row[0] or 0, row[1], row[2])


def record_triage_failure(session: Session, message_id: int, *, attempts: int,
                          next_at: datetime | None, failed_at: datetime, error_class: str,
                          error: str, worker: str | None = None) -> bool:
    """Write a failed attempt on a message that is still untriaged; False if it was triaged.

    ``next_at`` None sets the message aside: only ``messages retry`` tries it again. The claim
    is released (the retry time, not a lease, says when it is tried again); with ``worker``,
    only while that worker still holds it.
    """
    conditions = [Message.id == message_id, Message.triage_state.in_(TRIAGE_PENDING)]
    if worker is not None:
        conditions.append(Message.claimed_by == worker)
    result = session.execute(
        update(Message)
        .where(*conditions)
        .values(triage_state=TriageState.FAILED, triage_error=error[:2000],
                triage_error_class=error_class, claimed_until=None,
                triage_attempts=attempts, triage_next_at=next_at, triage_failed_at=failed_at)
        .execution_options(synchronize_session=False)
    )
    return rows_matched(result) == 1


def failed_triage(session: Session) -> Sequence[Message]:
    """Every message whose triage has failed and not since succeeded, oldest first."""
    return session.scalars(
        select(Message).where(Message.triage_state == TriageState.FAILED)
        .order_by(Message.id)).all()


def failed_before(session: Session, before: datetime) -> Sequence[Message]:
    """Failed messages that first failed before ``before`` (the ones a person must be told of)."""
    return session.scalars(
        select(Message).where(Message.triage_state == TriageState.FAILED,
                              Message.triage_failed_at < before).order_by(Message.id)).all()


def make_due_again(session: Session, message_ids: Sequence[int], now: datetime) -> list[int]:
    """Make failed messages due at ``now`` (a person asked to retry); returns those changed.

    The failure history is kept, so a message that fails again the same way is set aside again
    rather than retried five more times.
    """
    ids = list(session.scalars(select(Message.id).where(
        Message.id.in_(list(message_ids)), Message.triage_state == TriageState.FAILED)))
    if ids:
        session.execute(update(Message).where(Message.id.in_(ids))
                        .values(triage_next_at=now)
                        .execution_options(synchronize_session=False))
    return ids


def untriaged_count(session: Session) -> int:
    """How many messages are stored and not yet triaged (new or failed): the backlog."""
    return session.scalar(select(func.count(Message.id)).where(
        Message.triage_state.in_(TRIAGE_PENDING))) or 0


def open_case_for_thread(session: Session, message_ids: Sequence[str]) -> Case | None:
    """The open case that a reply's In-Reply-To/References point at, if any."""
    ids = [m for m in message_ids if m]
    if not ids:
        return None
    return session.scalars(
        select(Case).join(Message, Message.case_id == Case.id)
        .where(Message.message_id.in_(ids), Case.state.in_(OPEN_STATES))
        .order_by(Case.id.desc()).limit(1)
    ).first()


def requester_slack_user(session: Session, case_id: int) -> str | None:
    """The Slack member who wrote a case's first message (None for a case begun by email)."""
    return session.scalar(
        select(Message.slack_user)
        .where(Message.case_id == case_id, Message.outbound.is_(False))
        .order_by(Message.id).limit(1))


def list_messages(session: Session, limit: int | None = None, *,
                  outbound: bool = False) -> Sequence[Message]:
    """Stored messages, oldest first: those we received, and ours too when ``outbound``."""
    query = select(Message).order_by(Message.id)
    if not outbound:
        query = query.where(Message.outbound.is_(False))
    if limit:
        query = query.limit(limit)
    return session.scalars(query).all()


def messages_by_id(session: Session, message_ids: Sequence[int]) -> Sequence[Message]:
    return session.scalars(select(Message).where(Message.id.in_(list(message_ids)))).all()
