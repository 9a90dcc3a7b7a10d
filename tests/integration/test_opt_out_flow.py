"""End to end on real servers: Dovecot in, the pipeline, aiosmtpd out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from bot.service import poll_once
from bot.store import suppressions
from bot.store.models import AuditEvent, Case, Draft, OutboxItem
from tests.clock import TestClock
from tests.conftest import make_config, verified
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.dovecot

OPT_OUT = verified(
    "From: Alice Example <alice@example.org>\r\nTo: support@caplus.org.uk\r\n"
    "Subject: Please stop\r\nMessage-ID: <optout-1@example.org>\r\n"
    "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n"
    "Hello, please take me off your mailing list. I don't want any more marketing emails.\r\n"
    "Thanks, Alice\r\n"
)


@pytest.fixture
def runtime(database_url: str, dovecot: Dovecot, smtp_server: SmtpServer, clock: TestClock):
    rt = Runtime.open(make_config(database_url, dovecot, smtp_server))
    rt.now = clock
    yield rt
    rt.close()


def test_an_opt_out_is_applied_and_confirmed_exactly_once(runtime: Runtime, dovecot: Dovecot,
                                                           smtp_server: SmtpServer):
    dovecot.append(OPT_OUT)
    report = poll_once(runtime)
    assert (report.fetched, report.triaged, report.delivery.sent) == (1, 1, 1)

    with runtime.store.sessions() as session:
        assert suppressions.is_suppressed(session, "ALICE@example.org")
        case = session.scalars(select(Case)).one()
        assert (case.state, case.label) == ("auto_resolved", "opt_out")
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert actions[:1] == ["opt_out.applied"] and "email.sent" in actions

    (confirmation,) = smtp_server.wait_for(1)
    assert confirmation["To"] == "alice@example.org"
    assert confirmation["Auto-Submitted"] == "auto-replied"
    assert confirmation["In-Reply-To"] == "<optout-1@example.org>"
    assert confirmation["Message-ID"].startswith(f"<case-{case.id}.")
    assert smtp_server.handler.envelopes[0][1] == ["alice@example.org"]

    # A repeated poll and a restarted process send nothing more.
    assert poll_once(runtime).delivery.sent == 0
    again = Runtime.open(runtime.config)
    assert poll_once(again).delivery.sent == 0
    again.close()
    assert len(smtp_server.messages) == 1


def test_smtp_down_is_retried_later_and_nothing_is_lost(runtime: Runtime, dovecot: Dovecot,
                                                        smtp_server: SmtpServer,
                                                        clock: TestClock):
    smtp_server.stop()
    dovecot.append(OPT_OUT, received_at=clock())
    report = poll_once(runtime)
    assert (report.delivery.sent, report.delivery.retried) == (0, 1)
    with runtime.store.sessions() as session:
        item = session.scalars(select(OutboxItem)).one()
        assert item.state == "pending" and "SMTP" in (item.last_error or "")
        assert suppressions.is_suppressed(session, "alice@example.org")  # not waiting on mail

    smtp_server.start()
    assert poll_once(runtime).delivery.sent == 0  # backoff: not yet due
    clock.advance(minutes=5)
    assert poll_once(runtime).delivery.sent == 1
    assert len(smtp_server.wait_for(1)) == 1


def test_a_permanent_refusal_is_shown_on_the_case(runtime: Runtime, dovecot: Dovecot,
                                                  smtp_server: SmtpServer):
    smtp_server.handler.reject_with = "550 5.1.1 mailbox unavailable"
    dovecot.append(OPT_OUT)
    report = poll_once(runtime)
    assert report.delivery.failed == 1
    with runtime.store.sessions() as session:
        case = session.scalars(select(Case)).one()
        assert "550" in (case.delivery_failure or "")
        assert session.scalars(select(OutboxItem)).one().state == "failed"


def test_an_auto_submitted_unsubscribe_is_suppressed_without_a_confirmation(
        runtime: Runtime, dovecot: Dovecot, smtp_server: SmtpServer):
    dovecot.append(
        "From: bob@example.net\r\nTo: support@caplus.org.uk\r\nSubject: unsubscribe\r\n"
        "Message-ID: <unsub-1@example.net>\r\nAuto-Submitted: auto-generated\r\n\r\n"
        "unsubscribe\r\n")
    poll_once(runtime)
    with runtime.store.sessions() as session:
        assert suppressions.is_suppressed(session, "bob@example.net")
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert "confirmation.withheld" in actions
    assert smtp_server.messages == []


def test_a_two_intent_message_is_suppressed_at_once_but_kept_open_and_the_draft_covers_both(
        runtime: Runtime, dovecot: Dovecot, smtp_server: SmtpServer):
    dovecot.append(
        "From: Carol <carol@example.com>\r\nTo: support@caplus.org.uk\r\n"
        "Subject: two things\r\nMessage-ID: <two-1@example.com>\r\n\r\n"
        "Please stop sending me marketing emails. Also, I would like a copy of all the personal "
        "data you hold about me.\r\n")
    poll_once(runtime)
    with runtime.store.sessions() as session:
        # Suppressing is cheap and undoable: done at once; the access request waits for staff.
        assert suppressions.is_suppressed(session, "carol@example.com")
        # Dated by the runtime's clock, as the opt-out that closes its case is.
        (row,) = suppressions.active(session)
        assert row.created_at == runtime.now()
        case = session.scalars(select(Case)).one()
        assert case.state == "open"
        assert case.due_date is not None
        draft = session.scalars(select(Draft)).one()
    assert {"opt_out", "access_request"} <= set(case.present)
    text = draft.text.lower()
    assert "marketing" in text and "copy" in text
    assert smtp_server.messages == []  # nothing leaves without staff approval


def test_an_out_of_office_gets_no_reply_and_no_case(runtime: Runtime, dovecot: Dovecot,
                                                    smtp_server: SmtpServer):
    dovecot.append(
        "From: dan@example.org\r\nTo: support@caplus.org.uk\r\n"
        "Subject: Automatic reply: newsletter\r\nMessage-ID: <ooo-1@example.org>\r\n"
        "Auto-Submitted: auto-replied\r\n\r\nI am out of the office until Monday.\r\n")
    poll_once(runtime)
    with runtime.store.sessions() as session:
        assert session.scalars(select(Case)).all() == []
    assert smtp_server.messages == []


def test_a_reply_to_our_confirmation_joins_its_case_thread(database_url: str, dovecot: Dovecot,
                                                           smtp_server: SmtpServer):
    config = make_config(database_url, dovecot, smtp_server)
    rt = Runtime.open(config)
    dovecot.append(
        "From: Erin <erin@example.org>\r\nTo: support@caplus.org.uk\r\nSubject: my data\r\n"
        "Message-ID: <sar-1@example.org>\r\n\r\n"
        "Please send me a copy of the personal data you hold about me.\r\n")
    poll_once(rt)
    with rt.store.sessions() as session:
        case = session.scalars(select(Case)).one()
    dovecot.append(
        "From: Erin <erin@example.org>\r\nTo: support@caplus.org.uk\r\nSubject: Re: my data\r\n"
        "Message-ID: <sar-2@example.org>\r\nIn-Reply-To: <sar-1@example.org>\r\n"
        "References: <sar-1@example.org>\r\n\r\nAlso, my date of birth is 1 May 1980.\r\n")
    poll_once(rt)
    with rt.store.sessions() as session:
        assert [c.id for c in session.scalars(select(Case))] == [case.id]
        case = session.get(Case, case.id)
        assert [m.message_id for m in case.messages] == ["sar-1@example.org",
                                                         "sar-2@example.org"]
    rt.close()
