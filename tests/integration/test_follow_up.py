"""A requester's reply to a case waiting for them re-opens it and restarts the stopped clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.pipeline.ingest import store_raw
from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime
from bot.store import suppressions
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


def _reply(sender: str, message_id: str, body: str) -> bytes:
    return (f"From: {sender}\r\nTo: support@caplus.org.uk\r\nSubject: Re: my data\r\n"
            f"Message-ID: <{message_id}>\r\nIn-Reply-To: <sar-1@example.org>\r\n"
            f"References: <sar-1@example.org>\r\n\r\n{body}\r\n").encode()


def test_someone_else_replying_in_the_thread_gets_a_case_of_their_own(database_url: str):
    """A person cc'd on the thread is not filed (or answered) as the requester."""
    rt = Runtime.open(make_config(database_url))
    store_raw(rt.store, REQUEST, source="file", received_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    store_raw(rt.store, _reply("Frank <frank@example.net>", "other-1@example.net",
                               "I saw this thread. Please tell me what data you hold on me too."),
              source="file", received_at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    store_raw(rt.store, _reply("Erin <ERIN@example.org>", "sar-3@example.org",
                               "Any news on my request?"),
              source="file", received_at=datetime(2026, 3, 4, 9, 0, tzinfo=UTC))
    triage_pending(rt)
    with rt.store.sessions() as session:
        cases = {c.requester: c for c in session.scalars(select(Case))}
        erins = [m.message_id for m in cases["erin@example.org"].messages]
        franks = cases["frank@example.net"]
        franks_messages = [m.message_id for m in franks.messages]
    assert erins == ["sar-1@example.org", "sar-3@example.org"]  # her own follow-up joined
    assert franks_messages == ["other-1@example.net"]
    erin_case = cases["erin@example.org"].id
    assert any(f"thread of case {erin_case}, which is another person's" in r
               for r in franks.review_reasons)
    rt.close()


def test_an_opt_out_in_a_follow_up_is_applied_at_once_and_the_case_stays_open(
        database_url: str):
    rt = Runtime.open(make_config(database_url))
    store_raw(rt.store, REQUEST, source="file", received_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    triage_pending(rt)
    store_raw(rt.store, _reply("Erin <erin@example.org>", "sar-4@example.org",
                               "Also, please unsubscribe me from your newsletter."),
              source="file", received_at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    triage_pending(rt)
    with rt.store.sessions() as session:
        case = session.scalars(select(Case)).one()
        state, thread = case.state, [m.message_id for m in case.messages]
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert thread == ["sar-1@example.org", "sar-4@example.org"]
    assert state == CaseState.OPEN            # the access request still needs a person
    assert actions == ["case.opened", "case.follow_up", "opt_out.applied"]
    with rt.store.sessions() as session:
        assert suppressions.is_suppressed(session, "erin@example.org")
    rt.close()
