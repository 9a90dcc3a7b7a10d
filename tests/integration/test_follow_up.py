"""A requester's reply to a case waiting for them re-opens it and restarts the stopped clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.pipeline.ingest import store_raw
from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime
from bot.store.models import AuditEvent, Case, CaseState
from tests.conftest import make_config

REQUEST = (b"From: Erin <erin@example.org>\r\nTo: support@caplus.org.uk\r\n"
           b"Subject: my data\r\nMessage-ID: <sar-1@example.org>\r\n\r\n"
           b"Please send me a copy of the personal data you hold about me.\r\n")
REPLY = (b"From: Erin <erin@example.org>\r\nTo: support@caplus.org.uk\r\n"
         b"Subject: Re: my data\r\nMessage-ID: <sar-2@example.org>\r\n"
         b"In-Reply-To: <sar-1@example.org>\r\n\r\nHere is a scan of my passport.\r\n")


def test_a_reply_reopens_a_waiting_case_and_moves_its_due_date(database_url: str):
    rt = Runtime.open(make_config(database_url))
    store_raw(rt.store, REQUEST, source="file",
              received_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    triage_pending(rt)
    with rt.store.transaction() as session:
        case = session.scalars(select(Case)).one()
        assert case.due_date == date(2026, 4, 2)
        # Staff approved a reply asking for ID on 9 March: the clock stopped that day.
        case.state = CaseState.AWAITING_REQUESTER
        case.pauses = [["2026-03-09", None]]
    store_raw(rt.store, REPLY, source="file",
              received_at=datetime(2026, 3, 16, 9, 0, tzinfo=UTC))
    triage_pending(rt)
    with rt.store.sessions() as session:
        case = session.scalars(select(Case)).one()
        thread = [m.message_id for m in case.messages]
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert case.state == CaseState.OPEN
    assert case.pauses == [["2026-03-09", "2026-03-16"]]
    assert case.due_date == date(2026, 4, 9)  # seven days later, a Thursday
    assert thread == ["sar-1@example.org", "sar-2@example.org"]
    assert actions == ["case.opened", "case.follow_up"]
    rt.close()
