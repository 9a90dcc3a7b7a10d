"""Queries behind ``/metrics``, ``/readyz`` and ``status``: counts and ages read at the moment.

The database is the truth: several processes share it, so a counter kept in one process's memory
would show only that process's share. Every figure here is computed by the database on demand,
in one short read (a scrape every 15 s costs a handful of indexed ``COUNT`` queries).

Nothing here returns personal data: counts, ages, ids and label names only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from bot.store import outbox
from bot.store.models import (
    OPEN_STATES,
    AuditEvent,
    Case,
    MailboxState,
    Message,
    OutboxItem,
    OutboxState,
    TriageState,
)

#: The outbox key of the Slack card that tells a person a message keeps failing triage.
FAILURE_ALERT_PREFIX = "slack-triage-failed:"
#: The audit action written each time triage suppresses a sender by itself.
AUTOMATIC_OPT_OUT_ACTION = "opt_out.applied"
# The throw-away row of the write probe: never committed, so never seen by anyone.
_PROBE_ACCOUNT = "(readiness probe, never committed)"


def failure_alert_key(message_id: int) -> str:
    """The idempotency key of a message's "failing triage" alert (one card per message)."""
    return f"{FAILURE_ALERT_PREFIX}{message_id}"


def write_probe(session: Session) -> None:
    """Write a row and roll it back: raises when the database answers but cannot be written.

    ``SELECT 1`` succeeds on a read-only or full SQLite file and on a PostgreSQL hot standby; an
    INSERT that reaches the table does not. The caller's session is rolled back afterwards, so
    nothing is ever committed (on PostgreSQL a sequence value is used up, nothing else).
    """
    try:
        session.execute(insert(MailboxState).values(
            account=_PROBE_ACCOUNT, folder="", uidvalidity=0, last_uid=0,
            updated_at=datetime(2000, 1, 1, tzinfo=UTC)))
        session.flush()
    finally:
        session.rollback()


@dataclass(frozen=True)
class MessageCounts:
    ingested_by_source: dict[str, int]
    quarantined: int
    triaged_by_label: dict[str, int]  # the case's label; "none" for a message left without one
    automatic_opt_outs: int


def message_counts(session: Session) -> MessageCounts:
    """Messages stored (inbound only), quarantined, triaged by label, automatic opt-outs.

    One pass over ``messages`` (grouped by source, quarantine, triage state and the case's
    label) rather than one query per figure: on a large table each pass is a scan.
    """
    label = func.coalesce(Case.label, "none")
    quarantined_flag = Message.quarantine_reason.is_not(None)
    rows = session.execute(
        select(Message.source, quarantined_flag, Message.triage_state, label,
               func.count(Message.id))
        .select_from(Message).outerjoin(Case, Message.case_id == Case.id)
        .where(Message.outbound.is_(False))
        .group_by(Message.source, quarantined_flag, Message.triage_state, label)).all()
    by_source: dict[str, int] = {}
    by_label: dict[str, int] = {}
    quarantined = 0
    for source, is_quarantined, state, case_label, count in rows:
        by_source[source] = by_source.get(source, 0) + count
        quarantined += count if is_quarantined else 0
        if state == TriageState.DONE:
            by_label[case_label] = by_label.get(case_label, 0) + count
    opt_outs = session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == AUTOMATIC_OPT_OUT_ACTION)) or 0
    return MessageCounts(by_source, quarantined, by_label, opt_outs)


def outbox_counts(session: Session) -> dict[tuple[str, str], int]:
    """``{(channel, state): count}`` over the whole outbox."""
    rows = session.execute(select(OutboxItem.kind, OutboxItem.state, func.count(OutboxItem.id))
                           .group_by(OutboxItem.kind, OutboxItem.state))
    return {(kind, state): count for kind, state, count in rows}


def oldest_unsent(session: Session) -> dict[str, datetime]:
    """Per channel, when the oldest item not yet sent (pending or sending) was queued."""
    rows = session.execute(
        select(OutboxItem.kind, func.min(OutboxItem.created_at))
        .where(OutboxItem.state.in_((OutboxState.PENDING, OutboxState.SENDING)))
        .group_by(OutboxItem.kind))
    return {kind: _aware(at) for kind, at in rows}


def oldest_due_unsent(session: Session, now: datetime) -> datetime | None:
    """Since when the longest-waiting due item has been due: pending with its attempt time
    passed, or being sent (counted from its last attempt time). None when nothing is due.

    An item backing off after a failure is not due until its next attempt, so a relay that is
    down for a known reason does not make this older; a dispatcher that stopped does. Nor is
    one waiting for another that is not sent yet (a thread post whose card is backing off).
    """
    at = session.scalar(select(func.min(OutboxItem.next_attempt_at)).where(
        or_(OutboxItem.state == OutboxState.SENDING,
            (OutboxItem.state == OutboxState.PENDING) & (OutboxItem.next_attempt_at <= now)
            & outbox.not_waiting())))
    return _aware(at) if at is not None else None


def case_counts(session: Session, today: date) -> tuple[dict[str, int], int]:
    """Open cases by state, and how many open cases are past their due date."""
    by_state = dict(session.execute(
        select(Case.state, func.count(Case.id)).where(Case.state.in_(OPEN_STATES))
        .group_by(Case.state)).all())
    overdue = session.scalar(select(func.count(Case.id)).where(
        Case.state.in_(OPEN_STATES), Case.due_date.is_not(None), Case.due_date < today)) or 0
    return by_state, overdue


def last_fetches(session: Session) -> dict[tuple[str, str], datetime]:
    """``{(account, folder): when intake last fetched from it}`` (the watcher touches the row)."""
    rows = session.execute(select(MailboxState.account, MailboxState.folder,
                                  MailboxState.updated_at))
    return {(account, folder): _aware(at) for account, folder, at in rows
            if account != _PROBE_ACCOUNT}


def record_fetch(session: Session, account: str, folder: str, at: datetime) -> None:
    """The watcher read the folder to its end at ``at`` (its progress row says so)."""
    session.execute(update(MailboxState).where(MailboxState.account == account,
                                               MailboxState.folder == folder)
                    .values(updated_at=at).execution_options(synchronize_session=False))


def failed_unseen(session: Session, told_before: datetime) -> list[int]:
    """Failed messages that need a person and no person has been shown: set aside (no retry
    planned) or failing since before ``told_before``, and whose Slack alert was not delivered.
    """
    ids: Sequence[int] = session.scalars(
        select(Message.id).where(
            Message.triage_state == TriageState.FAILED,
            or_(Message.triage_next_at.is_(None), Message.triage_failed_at < told_before))
        .order_by(Message.id)).all()
    if not ids:
        return []
    told = set(session.scalars(select(OutboxItem.idempotency_key).where(
        OutboxItem.idempotency_key.in_([failure_alert_key(i) for i in ids]),
        OutboxItem.state == OutboxState.SENT)))
    return [i for i in ids if failure_alert_key(i) not in told]


def _aware(value: datetime | str) -> datetime:
    # An aggregate (MIN) may bypass the column type on SQLite and come back naive or as text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
