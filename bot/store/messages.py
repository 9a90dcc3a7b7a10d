"""Stored messages: insert once (deduplicated), find the next to triage, find thread parents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import OPEN_STATES, Case, Message


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


def pending_triage(session: Session, limit: int = 100) -> Sequence[Message]:
    """Messages stored but not yet triaged, oldest first."""
    return session.scalars(
        select(Message).where(Message.triage_state == "new").order_by(Message.id).limit(limit)
    ).all()


def claim_for_triage(session: Session, message_id: int) -> bool:
    """Mark a message as triaged; True only for the one worker whose update changed the row.

    Runs in the same transaction as the triage results, so a crash undoes both.
    """
    result = session.execute(
        update(Message).where(Message.id == message_id, Message.triage_state == "new")
        .values(triage_state="done")
    )
    return result.rowcount == 1


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


def list_messages(session: Session, limit: int | None = None) -> Sequence[Message]:
    query = select(Message).where(Message.outbound.is_(False)).order_by(Message.id)
    if limit:
        query = query.limit(limit)
    return session.scalars(query).all()
