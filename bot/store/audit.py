"""The audit trail: append-only records of every automatic and staff action.

There is deliberately no update or delete function here; the migration adds database triggers
that refuse both. Details never include message bodies.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store import deferred
from bot.store.models import AuditEvent, utcnow

#: The actor of everything the service does by itself (as opposed to ``slack:<user>``).
SYSTEM = "system"


def record(session: Session, actor: str, action: str, case_id: int | None = None,
           **details: Any) -> AuditEvent:
    """Append one event to the current transaction and return it (a caller may set ``at``).

    Outside a triage batch only: in one, the event would be inserted at the batch's end and
    this object never; use :func:`note` there.
    """
    event = AuditEvent(actor=actor, action=action, case_id=case_id, details=details,
                       at=utcnow())
    session.add(event)
    return event


def note(session: Session, actor: str, action: str, case_id: int | None = None,
         **details: Any) -> None:
    """Append one event to the current transaction; in a triage batch, to the batch's
    deferred rows (:mod:`bot.store.deferred`), without building an ORM object for it."""
    deferred.add(session, AuditEvent, {"actor": actor, "action": action, "case_id": case_id,
                                       "details": details, "at": utcnow()})


def events(session: Session, since: datetime | None = None,
           case_id: int | None = None) -> Iterator[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if case_id is not None:
        query = query.where(AuditEvent.case_id == case_id)
    yield from session.scalars(query)


def last_at(session: Session, action: str) -> datetime | None:
    """When the newest event of ``action`` happened (the daily purge asks when it last ran)."""
    return session.scalar(select(func.max(AuditEvent.at)).where(AuditEvent.action == action))
