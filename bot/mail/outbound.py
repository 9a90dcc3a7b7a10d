"""Outbound email as data: building the RFC 5322 message for an outbox item (pure).

Our Message-IDs carry the case number (``<case-42.<key>@domain>``) so a reply to anything we sent
threads back to its case even when the person's client drops References.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from bot.store.models import utcnow

_CASE_ID = re.compile(r"^case-(\d+)\.[0-9a-f]+@", re.IGNORECASE)


def header_text(value: str) -> str:
    """Text fit for a Subject or a display name: one line, no control or format characters.

    Drops C0/C1 controls, line and paragraph separators and every format character (Unicode
    category Cf), which includes the bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069)
    that make "moc.live" display as "evil.com", and zero-width characters.
    """
    kept = "".join(" " if ch in "\t\r\n" else ch for ch in value
                   if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") or ch in "\t\r\n")
    return " ".join(kept.split())


def our_message_id(case_id: int | None, idempotency_key: str, domain: str) -> str:
    """A stable Message-ID for one outbox item: the same key always gives the same id."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]
    return f"case-{case_id or 0}.{digest}@{domain}"


def case_ids_in(message_ids: Iterable[str]) -> list[int]:
    """Case numbers named by our own Message-IDs among ``message_ids`` (normalised, no <>)."""
    found = []
    for mid in message_ids:
        match = _CASE_ID.match(mid or "")
        if match and int(match.group(1)) > 0:
            found.append(int(match.group(1)))
    return found


def build_email(payload: Mapping[str, Any], *, from_address: str, from_name: str) -> EmailMessage:
    """Turn an outbox email payload into a message ready for SMTP.

    Payload keys: ``to``, ``subject``, ``text``, optional ``html``, ``message_id`` (no <>),
    ``in_reply_to``, ``references`` (list), ``auto_submitted`` (e.g. ``auto-replied``).
    """
    msg = EmailMessage()
    msg["From"] = formataddr((header_text(from_name), from_address))
    msg["To"] = payload["to"]
    msg["Subject"] = header_text(payload["subject"])
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = f"<{payload['message_id']}>"
    if payload.get("in_reply_to"):
        msg["In-Reply-To"] = f"<{payload['in_reply_to']}>"
        refs = [r for r in payload.get("references", []) if r]
        if payload["in_reply_to"] not in refs:
            refs.append(payload["in_reply_to"])
        msg["References"] = " ".join(f"<{r}>" for r in refs)
    if payload.get("auto_submitted"):
        # RFC 3834: tells other robots not to answer us, and Exchange not to send its own.
        msg["Auto-Submitted"] = payload["auto_submitted"]
        msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(payload["text"])
    if payload.get("html"):
        msg.add_alternative(payload["html"], subtype="html")
    return msg
