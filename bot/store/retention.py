"""Retention (data minimisation): what ``purge`` may remove, and removing it.

Closed cases keep their content for ``[retention] closed_case_days``, audit events for
``audit_years``. Content is *redacted*, not rows deleted: a message keeps its id, dates, labels
and flags (so counts and threads still add up) but loses its raw bytes, text, subject and the
sender's name; a case loses the name and subject; drafts of the case are deleted; delivered
outbox items lose their payload. The suppression list is never touched: it is what stops mail.

Nothing of an open case is purged, and nothing about a person with an open access request:
what we hold about them is what they asked to see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from bot.store.db import chunks
from bot.store.models import (
    OPEN_STATES,
    AuditEvent,
    Case,
    Draft,
    Message,
    OutboxItem,
    OutboxState,
    TriageState,
)
from classifier.labels import Label

#: Outbox states after which the payload is no longer needed to deliver anything.
_DONE_OUTBOX = (OutboxState.SENT, OutboxState.FAILED)


@dataclass(frozen=True)
class PurgePlan:
    """The ids ``purge`` would change; computed first so ``--dry-run`` shows exactly this."""

    content_before: datetime
    audit_before: datetime
    message_ids: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)
    draft_ids: list[int] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)
    audit_ids: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.message_ids or self.case_ids or self.draft_ids or self.outbox_ids
                    or self.audit_ids)

    def counts(self) -> dict[str, int]:
        return {"messages": len(self.message_ids), "cases": len(self.case_ids),
                "drafts": len(self.draft_ids), "outbox": len(self.outbox_ids),
                "audit_events": len(self.audit_ids)}


#: ``pg_advisory_xact_lock(PURGE_LOCK)``: the two-key form, whose key space no single-key lock
#: (such as a mailbox watcher's) shares.
PURGE_LOCK = (0x70726976, 1)  # "priv", 1


def lock_for_purge(session: Session) -> None:
    """Serialise purges across processes until the caller's transaction ends.

    SQLite needs nothing: every transaction here begins IMMEDIATE, so it holds the one write
    lock already. PostgreSQL takes a transaction-level advisory lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                        {"a": PURGE_LOCK[0], "b": PURGE_LOCK[1]})


def cutoffs(now: datetime, closed_case_days: int, audit_years: int) -> tuple[datetime, datetime]:
    """(content older than this goes, audit events older than this go); a year is 365 days."""
    return now - timedelta(days=closed_case_days), now - timedelta(days=365 * audit_years)


def plan_purge(session: Session, now: datetime, *, closed_case_days: int,
               audit_years: int) -> PurgePlan:
    """Work out what is due for removal at ``now`` without changing anything."""
    content_before, audit_before = cutoffs(now, closed_case_days, audit_years)
    protected = _people_with_open_access_requests(session)
    cases = [c for c in session.scalars(
        select(Case).where(Case.state.not_in(OPEN_STATES), Case.updated_at < content_before,
                           Case.redacted_at.is_(None)))
        if c.requester not in protected]
    case_ids = [c.id for c in cases]
    open_case_ids = set(session.scalars(select(Case.id).where(Case.state.in_(OPEN_STATES))))
    closed_ids = set(case_ids)
    messages = session.scalars(
        select(Message).where(Message.redacted_at.is_(None), Message.received_at < content_before,
                              Message.triage_state == TriageState.DONE))
    message_ids = [m.id for m in messages
                   if m.sender not in protected and m.case_id not in open_case_ids
                   and (m.case_id is None or m.case_id in closed_ids)]
    draft_ids = list(session.scalars(select(Draft.id).where(Draft.case_id.in_(case_ids)))) \
        if case_ids else []
    outbox_ids = list(session.scalars(select(OutboxItem.id).where(
        OutboxItem.case_id.in_(case_ids), OutboxItem.state.in_(_DONE_OUTBOX)))) if case_ids else []
    audit_ids = list(session.scalars(select(AuditEvent.id).where(AuditEvent.at < audit_before)
                                     .order_by(AuditEvent.id)))
    return PurgePlan(content_before, audit_before, sorted(message_ids), case_ids, draft_ids,
                     outbox_ids, audit_ids)


def _people_with_open_access_requests(session: Session) -> set[str]:
    rows = session.execute(select(Case.requester, Case.label, Case.present)
                           .where(Case.state.in_(OPEN_STATES))).all()
    return {requester for requester, label, present in rows
            if requester and (label == Label.ACCESS_REQUEST
                              or Label.ACCESS_REQUEST in (present or []))}


def apply_purge(session: Session, plan: PurgePlan, now: datetime) -> None:
    """Carry out ``plan`` in the caller's transaction."""
    for ids in chunks(plan.message_ids):
        session.execute(update(Message).where(Message.id.in_(ids)).values(
            raw=b"", body_text="", reply_text="", subject="", sender_name=None, attachments=[],
            redacted_at=now))
    for ids in chunks(plan.case_ids):
        session.execute(update(Case).where(Case.id.in_(ids)).values(
            requester_name=None, subject="", outcome_note=None, redacted_at=now))
    for ids in chunks(plan.draft_ids):
        session.execute(delete(Draft).where(Draft.id.in_(ids)))
    for ids in chunks(plan.outbox_ids):
        session.execute(update(OutboxItem).where(OutboxItem.id.in_(ids)).values(
            payload={"redacted": True}))
    if plan.audit_ids:
        _delete_old_audit_events(session, plan.audit_ids)


def _delete_old_audit_events(session: Session, ids: Sequence[int]) -> None:
    """Delete audit events past their retention, lifting the append-only guard for this only.

    The triggers of migration 0002 refuse every DELETE; they are dropped (SQLite) or disabled
    (PostgreSQL) inside this transaction and restored before it commits, so no other writer ever
    sees the table unguarded.
    """
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
    else:
        session.execute(text("DROP TRIGGER audit_events_no_delete"))
    for chunk in chunks(ids):
        session.execute(delete(AuditEvent).where(AuditEvent.id.in_(chunk)))
    if postgresql:
        session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))
    else:
        session.execute(text(
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN "
            "SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END"))


