"""Stored messages: insert once (deduplicated), the triage queue and its failures, threads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.db import rows_matched
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
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), 500):
        found.update(session.scalars(select(Message.dedup_key).where(
            Message.dedup_key.in_(unique[start:start + 500]))))
    return found


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


def claim_for_triage(session: Session, message_id: int, now: datetime | None = None) -> bool:
    """Mark a message as triaged; True only for the one worker whose update changed the row.

    Runs in the same transaction as the triage results, so a crash undoes both. A retried
    message's failure is cleared with it.
    """
    result = session.execute(
        update(Message).where(Message.id == message_id, _due(now or utcnow()))
        .values(triage_state=TriageState.DONE, triage_error=None, triage_error_class=None,
                triage_next_at=None, triage_failed_at=None, triage_attempts=0)
        .execution_options(synchronize_session=False)
    )
    return rows_matched(result) == 1


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
                          error: str) -> bool:
    """Write a failed attempt on a message that is still untriaged; False if it was triaged.

    ``next_at`` None sets the message aside: only ``messages retry`` tries it again.
    """
    result = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.triage_state.in_(TRIAGE_PENDING))
        .values(triage_state=TriageState.FAILED, triage_error=error[:2000],
                triage_error_class=error_class,
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
