"""An existing mailbox on day one: ``[imap] start`` decides what intake takes, ``backfill`` the
rest."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.pipeline.backfill import backfill
from bot.pipeline.watch import starting_last_uid
from bot.runtime import Runtime
from bot.service import poll_once
from bot.store import suppressions
from bot.store.models import AuditEvent, Message
from tests.conftest import make_config, verified
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.dovecot


def opt_out(n: int, sent: datetime) -> bytes:
    return verified(f"From: Person {n} <p{n}@example.org>\r\nTo: support@caplus.org.uk\r\n"
            f"Subject: Unsubscribe\r\nMessage-ID: <old-{n}@example.org>\r\n"
            f"Date: {sent:%a, %d %b %Y %H:%M:%S +0000}\r\n\r\n"
            "Please take me off your mailing list, I want no more marketing emails.\r\n").encode()


def deliver(dovecot: Dovecot, n: int, arrived: datetime) -> None:
    with dovecot.client() as client:
        client.append("INBOX", opt_out(n, arrived), msg_time=arrived)


@pytest.mark.parametrize(("start", "uidnext", "since", "expected"), [
    ("all", 8, None, 0),
    ("now", 8, None, 7),
    ("now", 1, None, 0),                 # an empty folder
    ("2026-01-01", 8, [5, 6, 7], 4),
    ("2026-01-01", 8, [], 7),            # nothing that recent: like "now"
    ("now", None, None, 0),              # no UIDNEXT and no mail
])
def test_where_intake_starts_in_a_folder_it_has_never_seen(start, uidnext, since, expected):
    assert starting_last_uid(start, uidnext, since, []) == expected


def test_by_default_old_mail_is_left_and_backfill_imports_it_without_mailing_anyone(
        database_url: str, dovecot: Dovecot, smtp_server: SmtpServer) -> None:
    deliver(dovecot, 1, datetime(2023, 5, 2, 9, 0, tzinfo=UTC))
    deliver(dovecot, 2, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    config = make_config(database_url, dovecot, smtp_server)
    config = dataclasses.replace(config, imap=dataclasses.replace(config.imap, start="now"))
    with Runtime.open(config) as rt:
        report = poll_once(rt)
        assert (report.fetched, report.triaged) == (0, 0)
        deliver(dovecot, 3, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))   # new mail is taken
        assert poll_once(rt).fetched == 1
        assert [m["To"] for m in smtp_server.wait_for(1)] == ["p3@example.org"]

        result = backfill(rt, date(2025, 1, 1))
        assert (result.found, result.stored, result.triaged) == (2, 1, 1)   # uid 3 was taken
        assert backfill(rt, date(2025, 1, 1)).stored == 0           # idempotent
        poll_once(rt)
        with rt.store.sessions() as session:
            assert suppressions.is_suppressed(session, "p2@example.org")      # still applied
            assert not suppressions.is_suppressed(session, "p1@example.org")  # before --since
            sources = dict(session.execute(select(Message.sender, Message.source)).all())
            withheld = session.scalars(select(AuditEvent.details).where(
                AuditEvent.action == "confirmation.withheld")).all()
    assert sources == {"p3@example.org": "imap", "p2@example.org": "backfill"}
    assert [d["reason"] for d in withheld] == ["imported by backfill: no automatic mail"]
    assert len(smtp_server.handler.envelopes) == 1       # nobody from the past was mailed


def test_a_start_date_takes_mail_from_that_day_on(database_url: str, dovecot: Dovecot) -> None:
    deliver(dovecot, 1, datetime(2026, 5, 2, 9, 0, tzinfo=UTC))
    deliver(dovecot, 2, datetime(2026, 9, 2, 9, 0, tzinfo=UTC))
    config = make_config(database_url, dovecot)
    config = dataclasses.replace(config, imap=dataclasses.replace(config.imap, start="2026-08-01"))
    with Runtime.open(config) as rt:
        assert poll_once(rt).fetched == 1
        with rt.store.sessions() as session:
            assert session.scalars(select(Message.sender)).all() == ["p2@example.org"]
