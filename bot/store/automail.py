"""Counting automatic mail (opt-out confirmations) in the outbox, by the caller's clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import AuditEvent, Case, OutboxItem

#: Outbox keys of automatic confirmations start with this (see bot.pipeline.act).
CONFIRMATION_KEY_PREFIX = "confirm:"


def confirmations_since(session: Session, since: datetime, address: str | None = None) -> int:
    """Confirmations queued at or after ``since``, to ``address`` only when given."""
    query = (select(func.count(OutboxItem.id))
             .where(OutboxItem.kind == "email")
             .where(OutboxItem.idempotency_key.like(CONFIRMATION_KEY_PREFIX + "%"))
             .where(OutboxItem.created_at >= since))
    if address is not None:
        query = (query.join(Case, Case.id == OutboxItem.case_id)
                 .where(func.lower(Case.requester) == address.strip().lower()))
    return int(session.scalar(query) or 0)


def confirmation_counts(session: Session, address: str, now: datetime,
                        window: timedelta) -> tuple[int, int]:
    """(to ``address`` within ``window``, to anybody within the last hour) before ``now``."""
    return (confirmations_since(session, now - window, address),
            confirmations_since(session, now - timedelta(hours=1)))


def withheld_count(session: Session, since: datetime | None = None) -> int:
    """How many confirmations were withheld (by any rule) since ``since``."""
    query = select(func.count(AuditEvent.id)).where(AuditEvent.action == "confirmation.withheld")
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return int(session.scalar(query) or 0)
