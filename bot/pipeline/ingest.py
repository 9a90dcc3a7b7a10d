"""Ingest: turn raw bytes into a stored message row, exactly once.

Parsing happens here (it is pure and fast) because the deduplication key needs the Message-ID
and the body; a message that cannot be parsed, or is over the size limit, is stored anyway with
its raw bytes and a ``quarantine_reason``, so nothing is ever dropped.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from typing import Any

from sqlalchemy.orm import Session

from bot.errors import MessageParseError
from bot.mail.charset import clean_optional, clean_text
from bot.mail.headers import BOUNDED_POLICY, first_address, normalise_message_id, subject
from bot.mail.imap import FetchedMessage
from bot.mail.parse import MAX_ADDRESS_CHARS, MAX_NAME_CHARS, to_message
from bot.store import mailbox as mailbox_store
from bot.store import messages as message_store
from bot.store.db import Store
from bot.store.models import Message, utcnow

logger = logging.getLogger(__name__)

HEADER_BYTES = 64 * 1024


@dataclass(frozen=True)
class IngestResult:
    stored: list[int]       # new message row ids
    duplicates: int
    last_uid: int = 0


def message_fields(raw: bytes, *, own_addresses: Iterable[str] = (),
                   max_bytes: int | None = None) -> dict[str, Any]:
    """Parse ``raw`` into the columns of a :class:`~bot.store.models.Message` (pure).

    Oversize and unparseable messages keep their raw bytes and get a ``quarantine_reason``; what
    can still be read from their headers is filled in so staff can see who wrote.
    """
    size = len(raw)
    if max_bytes is not None and size > max_bytes:
        return _headers_only(raw, f"oversize: {size} bytes > limit {max_bytes}")
    try:
        parsed = to_message(raw, own_addresses=own_addresses)
    except MessageParseError as exc:
        return _headers_only(raw, f"unparseable: {exc.reason}")
    fields: dict[str, Any] = {
        "message_id": parsed.message_id,
        "sender": parsed.sender_address,
        "sender_name": parsed.sender_name,
        "subject": parsed.subject,
        "in_reply_to": parsed.in_reply_to,
        "references": list(parsed.references),
        "body_text": parsed.body_text,
        "reply_text": parsed.reply_text,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in parsed.attachments
        ],
        "machine_reasons": list(parsed.machine_reasons),
        "is_unsubscribe_mail": parsed.is_unsubscribe_mail,
        "defects": list(parsed.defects),
        "quarantine_reason": None,
    }
    date = parsed.date.isoformat() if parsed.date else ""
    fields["dedup_key"] = _digest(parsed.message_id or "", date, parsed.sender_address or "",
                                  parsed.subject, parsed.body_hash)
    return fields


def _headers_only(raw: bytes, reason: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"quarantine_reason": reason, "dedup_key": _digest(raw),
                              "subject": "", "message_id": None, "sender": None}
    try:
        headers = BytesHeaderParser(policy=BOUNDED_POLICY).parsebytes(raw[:HEADER_BYTES])
        name, sender = first_address(headers, ("From", "Sender"))
        fields["subject"] = clean_text(subject(headers))
        fields["message_id"] = clean_optional(
            normalise_message_id(str(headers.get("Message-ID") or "") or None))
        fields["sender_name"] = (clean_optional(name) or "")[:MAX_NAME_CHARS] or None
        sender = clean_optional(sender)
        fields["sender"] = sender if sender and len(sender) <= MAX_ADDRESS_CHARS else None
    except Exception as exc:  # noqa: BLE001 - headers of a broken message may break anything
        logger.warning("Could not read headers of a quarantined message: %s",
                       type(exc).__name__)
    return fields


def failure_reason(stage: str, exc: BaseException) -> str:
    """The ``quarantine_reason`` for an unexpected error: the class and the stage, no text.

    The exception's message is left out on purpose: it may quote the message's own text.
    """
    return f"{stage} failed: {type(exc).__name__}; a person must read the raw message"


def fields_or_quarantined(raw: bytes, own: tuple[str, ...], max_bytes: int | None
                          ) -> dict[str, Any]:
    """:func:`message_fields`, or the quarantined headers-only fields when parsing raises
    unexpectedly: what ingest stores, and what ``--dry-run`` judges."""
    try:
        return message_fields(raw, own_addresses=own, max_bytes=max_bytes)
    except Exception as exc:
        logger.exception("Parsing a message failed; storing it raw and quarantined")
        return _headers_only(raw, failure_reason("parsing", exc))


def _insert(session: Session, raw: bytes, fields: dict[str, Any], **where: Any
            ) -> Message | None:
    """Insert one message in its own savepoint; on an unexpected error store it raw, flagged.

    Only the bare row (raw bytes, a reason, the bytes' digest) is tried the second time; if even
    that fails the database itself is in trouble and the error goes up (the batch is retried).
    """
    try:
        with session.begin_nested():
            return message_store.insert_once(session, **{**fields, **where, "raw": raw})
    except Exception as exc:
        logger.exception("Storing a message failed; storing it raw and quarantined")
        bare = {"quarantine_reason": failure_reason("storing", exc), "dedup_key": _digest(raw),
                "subject": "", "message_id": None, "sender": None}
        with session.begin_nested():
            return message_store.insert_once(session, **{**bare, **where, "raw": raw})


def _insert_all(session: Session, rows: list[tuple[FetchedMessage, dict[str, Any]]]
                ) -> list[int | None]:
    """Insert the batch in one statement; if that fails, message by message (:func:`_insert`).

    The one statement is the fast path (a backlog is thousands of messages); the fallback keeps
    today's guarantees when something in the batch is wrong: a copy another worker stored
    meanwhile is a duplicate, and a row the database refuses is stored raw and quarantined
    without costing the rest of the batch.
    """
    if not rows:
        return []
    try:
        with session.begin_nested():
            return message_store.insert_many(
                session, [{**fields, "raw": fetched.raw} for fetched, fields in rows])
    except Exception as exc:  # noqa: BLE001 - retried one by one, where each error is handled
        logger.info("Storing a batch of %d messages in one statement failed (%s); storing "
                    "them one by one", len(rows), type(exc).__name__)
    ids: list[int | None] = []
    for fetched, fields in rows:
        row = _insert(session, fetched.raw, fields)
        ids.append(row.id if row is not None else None)
    return ids


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def store_imap_batch(store: Store, account: str, folder: str, uidvalidity: int,
                     batch: Sequence[FetchedMessage], *, own_addresses: Iterable[str] = (),
                     max_bytes: int | None = None, up_to_uid: int = 0,
                     backfill: bool = False, answer_backfill: bool = False,
                     now: datetime | None = None) -> IngestResult:
    """Store a batch of fetched messages and advance the folder's last UID, in one transaction.

    The progress row is locked first and re-read, so a second worker that fetched the same
    UIDs stores nothing twice. ``up_to_uid`` moves progress past UIDs that were searched but had
    gone by the time of the fetch (expunged by another client). ``now`` (the runtime's clock)
    dates a message the server sent without an INTERNALDATE.

    With ``backfill`` the messages are older mail below the stored progress (``privacy-triage
    backfill``): progress is left alone, and they are stored with source "backfill", which
    triage treats like mail but never answers automatically (``answer_backfill`` stores them
    as ordinary IMAP mail instead, confirmations and all).
    """
    own = tuple(own_addresses)
    prepared = [(m, fields_or_quarantined(m.raw, own, max_bytes)) for m in batch]
    stored: list[int] = []
    duplicates = 0
    mailbox_key = f"{account}/{folder}"
    with store.transaction() as session:
        progress = mailbox_store.lock_progress(session, account, folder, uidvalidity)
        rows: list[tuple[FetchedMessage, dict[str, Any]]] = []
        for fetched, fields in prepared:
            if fetched.uid <= progress.last_uid and not backfill:
                duplicates += 1
                continue
            rows.append((fetched, {
                **fields,
                "source": "backfill" if backfill and not answer_backfill else "imap",
                "mailbox": mailbox_key, "uidvalidity": uidvalidity, "uid": fetched.uid,
                "size": fetched.size or len(fetched.raw),
                "received_at": fetched.internal_date or now or utcnow()}))
        for row_id in _insert_all(session, rows):
            if row_id is None:
                duplicates += 1
            else:
                stored.append(row_id)
        if not backfill:
            newest = max([up_to_uid, *(m.uid for m in batch)])
            progress.last_uid = max(progress.last_uid, newest)
        last = progress.last_uid
    return IngestResult(stored, duplicates, last)


def store_raw(store: Store, raw: bytes, *, source: str, own_addresses: Iterable[str] = (),
              max_bytes: int | None = None, received_at: datetime | None = None,
              **extra: Any) -> int | None:
    """Store one message that did not come over IMAP (a file, a Slack message); None if a copy."""
    fields = fields_or_quarantined(raw, tuple(own_addresses), max_bytes)
    where = {"source": source, "size": len(raw), "received_at": received_at or utcnow(), **extra}
    with store.transaction() as session:
        row = _insert(session, raw, fields, **where)
        return row.id if row else None
