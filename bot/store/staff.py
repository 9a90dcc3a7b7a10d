"""Queries behind staff actions: the compare-and-set on a case's version, and lookups for Slack.

Every staff action starts with :func:`bump_version`: ``UPDATE cases SET version = version + 1
WHERE id = ? AND version = ?``. Exactly one of two concurrent clicks on the same card changes the
row; the other sees zero rows changed and must do nothing (like the outbox claim in
``sendalerts``-style workers).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.store.models import OPEN_STATES, AuditEvent, Case, Draft, Message, OutboxItem, utcnow


def bump_version(session: Session, case_id: int, version: int,
                 now: datetime | None = None) -> Case | None:
    """Claim a case for one change; None when its version is no longer ``version``.
    ``now`` is the caller's clock (``Runtime.now``)."""
    result = session.execute(
        update(Case).where(Case.id == case_id, Case.version == version)
        .values(version=Case.version + 1, updated_at=now or utcnow())
    )
    if result.rowcount != 1:
        return None
    return session.get(Case, case_id, populate_existing=True)


def first_message(session: Session, case_id: int) -> Message | None:
    """The message that opened the case (inbound, oldest)."""
    return session.scalars(select(Message).where(Message.case_id == case_id,
                                                 Message.outbound.is_(False))
                           .order_by(Message.id).limit(1)).first()


def latest_message(session: Session, case_id: int) -> Message | None:
    return session.scalars(select(Message).where(Message.case_id == case_id,
                                                 Message.outbound.is_(False))
                           .order_by(Message.id.desc()).limit(1)).first()


def set_card(session: Session, case_id: int, channel: str, ts: str) -> None:
    """Remember where a case's card lives (not a staff change: the version stays)."""
    session.execute(update(Case).where(Case.id == case_id)
                    .values(slack_channel=channel, slack_ts=ts))


def open_cases_due_by(session: Session, day: date) -> Sequence[Case]:
    return session.scalars(select(Case).where(Case.state.in_(OPEN_STATES),
                                              Case.due_date.is_not(None), Case.due_date <= day)
                           .order_by(Case.due_date, Case.id)).all()


def open_cases_assigned_to(session: Session, user: str) -> Sequence[Case]:
    return session.scalars(select(Case).where(Case.state.in_(OPEN_STATES),
                                              Case.assigned_to == user)
                           .order_by(Case.due_date, Case.id)).all()


def count_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(Case.state, func.count()).group_by(Case.state)).all()
    return {state: n for state, n in rows}


def cases_for_address(session: Session, address: str) -> Sequence[Case]:
    return session.scalars(select(Case).where(func.lower(Case.requester) == address.lower())
                           .order_by(Case.id.desc()).limit(20)).all()


def auto_resolved_since(session: Session, since: datetime) -> Sequence[Case]:
    return session.scalars(select(Case).where(Case.state == "auto_resolved",
                                              Case.created_at >= since)
                           .order_by(Case.id)).all()


def outbox_item(session: Session, key: str) -> OutboxItem | None:
    return session.scalar(select(OutboxItem).where(OutboxItem.idempotency_key == key))


def message_by_slack_ts(session: Session, channel: str, ts: str) -> Message | None:
    return session.scalars(select(Message).where(Message.slack_channel == channel,
                                                 Message.slack_ts == ts).limit(1)).first()


def draft_version(session: Session, case_id: int, version: int) -> Draft | None:
    return session.scalar(select(Draft).where(Draft.case_id == case_id, Draft.version == version))


def approver(session: Session, case_id: int) -> str | None:
    """Who approved the case's reply most recently (an audit actor), if anyone."""
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case_id, AuditEvent.action == "case.approved")
        .order_by(AuditEvent.id.desc()).limit(1)).first()
    return event.actor if event else None


def last_staff_event(session: Session, case_id: int) -> AuditEvent | None:
    return session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case_id, AuditEvent.actor.like("slack:%"))
        .order_by(AuditEvent.id.desc()).limit(1)).first()


def inbound_count(session: Session, case_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Message).where(
        Message.case_id == case_id, Message.outbound.is_(False))) or 0


def card_channel(session: Session, case_id: int) -> str | None:
    return session.scalar(select(Case.slack_channel).where(Case.id == case_id))


def last_queued(session: Session, key_prefix: str) -> datetime | None:
    """When the newest outbox row whose key starts with ``key_prefix`` was queued."""
    return session.scalar(select(func.max(OutboxItem.created_at))
                          .where(OutboxItem.idempotency_key.like(key_prefix + "%")))
