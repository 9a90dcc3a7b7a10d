"""Cases for staff-action tests, written straight into the store (no classifier involved)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.pipeline.ingest import store_raw
from bot.runtime import Runtime
from bot.store import cases
from bot.store.models import Case, CaseState, Message

RECEIVED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def open_case(rt: Runtime, *, label: str = "access_request", present: list[str] | None = None,
              sender: str = "alice@example.org", text: str = "Please send me my data.",
              state: str = CaseState.OPEN, channel: str = "email", **extra: object) -> int:
    """Store a message from ``sender`` and an open case with one model draft; returns its id."""
    raw = (f"From: Alice Example <{sender}>\r\nTo: support@caplus.org.uk\r\n"
           f"Subject: My request\r\nMessage-ID: <{label}-{sender}-{text[:10]!r}@example.org>\r\n"
           f"Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n{text}\r\n").encode()
    message_id = store_raw(rt.store, raw, source="file", received_at=RECEIVED, **extra)
    with rt.store.transaction() as session:
        message = session.get(Message, message_id)
        message.triage_state = "done"
        case = Case(state=state, label=label, present=present or [label], confidence=0.6,
                    intents={label: 0.6}, channel=channel, requester=sender,
                    requester_name="Alice Example", subject="My request", received_at=RECEIVED,
                    due_date=datetime(2026, 12, 23).date() if label == "access_request" else None,
                    review_reasons=["low confidence"])
        session.add(case)
        session.flush()
        message.case_id = case.id
        cases.add_draft(session, case, subject="Re: My request", text="Dear Alice,\n\nDraft.\n",
                        html="<p>Dear Alice,</p><p>Draft.</p>", author="model")
        return case.id
