"""The database schema: the single source of truth for every step of the pipeline.

Each table is written by exactly one step (ingest writes ``messages`` and ``mailbox_state``; triage
and staff actions write ``cases``, ``classifications``, ``drafts``, ``suppressions`` and
``outbox``; delivery updates ``outbox``), and every step is recognisable afterwards by a unique
key, which is what makes the chain safe to repeat after a crash.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and gives them back aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class CaseState(enum.StrEnum):
    OPEN = "open"                      # waiting for staff
    AWAITING_REQUESTER = "awaiting_requester"  # we asked for ID or details; clock paused
    AUTO_RESOLVED = "auto_resolved"    # a simple opt-out, done with no human
    RESOLVED = "resolved"              # staff approved and the reply was queued
    REJECTED = "rejected"              # staff rejected, with a reason
    IGNORED = "ignored"                # machine mail or unparseable mail that needs no reply


OPEN_STATES = (CaseState.OPEN, CaseState.AWAITING_REQUESTER)


class TriageState(enum.StrEnum):
    """Where a stored message is in triage (``messages.triage_state``)."""

    NEW = "new"                        # stored by intake, not yet triaged
    DONE = "done"                      # triaged; its outcome is recorded
    FAILED = "failed"                  # triage raised; retried at triage_next_at, or set aside


#: The states a triage pass may claim a message from.
TRIAGE_PENDING = (TriageState.NEW, TriageState.FAILED)


class OutboxState(enum.StrEnum):
    """Where an outbox row is; the allowed moves between them are in :mod:`bot.store.outbox`."""

    PENDING = "pending"    # waiting for its next attempt (``next_attempt_at``)
    SENDING = "sending"    # claimed by a dispatcher, until its lease runs out
    SENT = "sent"          # delivered (or done directly by a Slack listener)
    FAILED = "failed"      # given up; staff may queue it again (``outbox retry``)


class MailboxState(Base):
    """Where intake has got to in one IMAP folder: (folder, UIDVALIDITY, last UID)."""

    __tablename__ = "mailbox_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(320))
    folder: Mapped[str] = mapped_column(String(500))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("account", "folder", name="uq_mailbox_state_folder"),)


class Message(Base):
    """One message exactly as it arrived (raw bytes kept), plus what parsing found."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))            # imap | file | slack
    mailbox: Mapped[str | None] = mapped_column(String(820))   # account/folder for IMAP
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    dedup_key: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    sender: Mapped[str | None] = mapped_column(String(320), index=True)
    sender_name: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(Text, default="")
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[list[Any]] = mapped_column(default=list)
    body_text: Mapped[str] = mapped_column(Text, default="")
    reply_text: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    machine_reasons: Mapped[list[Any]] = mapped_column(default=list)
    is_unsubscribe_mail: Mapped[bool] = mapped_column(default=False)
    defects: Mapped[list[Any]] = mapped_column(default=list)
    quarantine_reason: Mapped[str | None] = mapped_column(Text)  # unparseable / oversize
    triage_state: Mapped[str] = mapped_column(String(20), default=TriageState.NEW, index=True)
    triage_error: Mapped[str | None] = mapped_column(Text)
    # The triage-failure lifecycle (bot/pipeline/triage_policy.py): failures in a row of
    # the same class, when to try again (NULL while not failed, or once set aside for a
    # person), when the message first failed, and the exception class (never personal data).
    triage_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    triage_next_at: Mapped[datetime | None] = mapped_column()
    triage_failed_at: Mapped[datetime | None] = mapped_column()
    triage_error_class: Mapped[str | None] = mapped_column(String(100))
    # The triage claim (bot/store/messages.py, claim_batch): the worker holding the message
    # while it classifies and acts, and when that lease ends; after it a claim by a worker
    # that died is free again. Kept on a triaged message: it names the worker that did it.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column()
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    slack_user: Mapped[str | None] = mapped_column(String(50))
    slack_channel: Mapped[str | None] = mapped_column(String(50))
    slack_ts: Mapped[str | None] = mapped_column(String(50))
    outbound: Mapped[bool] = mapped_column(default=False)  # a reply we sent, kept for the thread
    redacted_at: Mapped[datetime | None] = mapped_column()  # content removed by retention

    case: Mapped[Case | None] = relationship(back_populates="messages")

    __table_args__ = (
        UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_messages_imap_uid"),
    )

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.machine_reasons:
            flags.append("machine")
        if self.is_unsubscribe_mail:
            flags.append("unsubscribe")
        if self.quarantine_reason:
            flags.append("oversize" if self.quarantine_reason.startswith("oversize")
                         else "quarantined")
        if self.defects:
            flags.append("malformed")
        if self.triage_error:
            flags.append("triage-error")
        if self.redacted_at:
            flags.append("redacted")
        return flags


class Case(Base):
    """One request thread from one person, with its state, deadline and Slack card."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(30), default=CaseState.OPEN, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    label: Mapped[str] = mapped_column(String(30))
    intents: Mapped[dict[str, Any]] = mapped_column(default=dict)   # label -> probability
    present: Mapped[list[Any]] = mapped_column(default=list)        # labels detected, top first
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    channel: Mapped[str] = mapped_column(String(20), default="email")
    requester: Mapped[str | None] = mapped_column(String(320), index=True)
    requester_name: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(default=False)
    pauses: Mapped[list[Any]] = mapped_column(default=list)   # [[start, end|null], ...] ISO dates
    identity_verified: Mapped[bool] = mapped_column(default=False)
    review_reasons: Mapped[list[Any]] = mapped_column(default=list)
    assigned_to: Mapped[str | None] = mapped_column(String(50))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    delivery_failure: Mapped[str | None] = mapped_column(Text)
    slack_channel: Mapped[str | None] = mapped_column(String(50))
    slack_ts: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    redacted_at: Mapped[datetime | None] = mapped_column()  # name and subject removed

    messages: Mapped[list[Message]] = relationship(back_populates="case",
                                                   order_by="Message.id")
    drafts: Mapped[list[Draft]] = relationship(back_populates="case", order_by="Draft.version")


class Classification(Base):
    """A label given to a message, by the model or by a member of staff (training data)."""

    __tablename__ = "classifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    label: Mapped[str] = mapped_column(String(30))
    confidence: Mapped[float] = mapped_column(Float)
    intents: Mapped[dict[str, Any]] = mapped_column(default=dict)
    model_version: Mapped[str] = mapped_column(String(100))
    by: Mapped[str] = mapped_column(String(100))   # "model" or "staff:<slack user id>"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Draft(Base):
    """A version of the reply staff will approve; a new row for every edit or re-draft."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="drafts")

    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_drafts_case_version"),)


class Suppression(Base):
    """An address the organisation's mailer must never mail again.

    Never removed by retention. Staff can lift one (undo), which sets ``removed_at``; adding the
    address again clears it, so the row keeps the address's history in the audit trail.
    """

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(30))   # email | slack | one-click | cli | staff
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    removed_at: Mapped[datetime | None] = mapped_column()
    removed_by: Mapped[str | None] = mapped_column(String(100))


class OutboxItem(Base):
    """An email or Slack post to deliver: written in the same transaction as the decision."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))        # email | slack
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(20), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(100))  # the dispatcher in 'sending'
    # The item this one waits for (a thread post waits for its card): not due until it is sent.
    waits_for: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)


class AuditEvent(Base):
    """Who did what, when, to which case. Append-only: nothing updates or deletes these rows."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
