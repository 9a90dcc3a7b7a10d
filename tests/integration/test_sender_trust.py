"""The issue's probes, end to end: stored mail → the real pipeline → aiosmtpd.

Forged and odd senders get no automatic act; confirmations carry none of the sender's words;
automatic mail is bounded per address and overall; a robot answering every mail with
"unsubscribe" (and no RFC 3834 headers) cannot start a loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import AutomaticMailConfig
from bot.pipeline.ingest import store_raw
from bot.runtime import Runtime
from bot.service import poll_once
from bot.store import automail, suppressions
from bot.store.models import AuditEvent, Case, utcnow
from tests.conftest import TEST_MX, make_config
from tests.servers.smtp import SmtpServer

STOP = "Hello, please take me off your mailing list. I don't want any more marketing emails."


def mail(sender: str = "alice@example.org", *, auth: str | None = "dmarc=pass",
         extra: str = "", subject: str = "Please stop", body: str = STOP, n: int = 1,
         from_header: str | None = None) -> bytes:
    """An opt-out as our MX hands it over: its verdict on top, then its Received line."""
    domain = sender.rpartition("@")[2]
    lines = []
    if auth is not None:
        lines.append(f"Authentication-Results: {TEST_MX}; {auth} header.from={domain}")
    lines += [f"Received: from sender.example by {TEST_MX}; Mon, 23 Nov 2026 09:00:00 +0000",
              f"From: {from_header or sender}", "To: support@caplus.org.uk",
              f"Subject: {subject}", f"Message-ID: <probe-{n}.{sender}>",
              "Date: Mon, 23 Nov 2026 09:00:00 +0000"]
    if extra:
        lines.append(extra)
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()


@pytest.fixture
def smtp_runtime(sqlite_url: str, smtp_server: SmtpServer) -> Iterator[Runtime]:
    runtime = Runtime.open(make_config(sqlite_url, smtp=smtp_server))
    yield runtime
    runtime.close()


def run(rt: Runtime, *raws: bytes) -> None:
    for raw in raws:
        store_raw(rt.store, raw, source="file", own_addresses=rt.config.own_addresses)
    while poll_once(rt).triaged:
        pass


def state(rt: Runtime, address: str) -> tuple[bool, list[str]]:
    with rt.store.sessions() as session:
        return (suppressions.is_suppressed(session, address),
                [c.state for c in session.scalars(select(Case).order_by(Case.id))])


@pytest.mark.parametrize("raw, why", [
    (mail("victim@bank.example", auth="dmarc=fail"), "dmarc=fail"),
    (mail("victim@bank.example", auth="spf=fail smtp.mailfrom=bank.example;"), "spf=fail"),
    (mail("victim@bank.example", from_header="victim@bank.example, other@bank.example"),
     "several From addresses"),
    (mail("victim@bank.example", extra="Sender: attacker@evil.example"),
     "Sender attacker@evil.example differs"),
    (mail("victim@bank.example", extra="Reply-To: attacker@evil.example"),
     "Reply-To attacker@evil.example differs"),
    (mail("boss@caplus.org.uk"), "own domain"),
    (mail("victim@bank.example", subject="unsubscribe", body="unsubscribe",
          auth="dmarc=fail"), "dmarc=fail"),   # the mail-client path obeys the same rules
])
def test_a_forged_or_odd_sender_is_neither_suppressed_nor_mailed(smtp_runtime, smtp_server, raw,
                                                                 why):
    run(smtp_runtime, raw)
    address = "boss@caplus.org.uk" if "own domain" in why else "victim@bank.example"
    assert state(smtp_runtime, address) == (False, ["open"])
    with smtp_runtime.store.sessions() as session:
        case = session.scalars(select(Case)).one()
    assert any(why in reason for reason in case.review_reasons), case.review_reasons
    assert smtp_server.messages == []


def test_mail_without_any_verdict_is_suppressed_but_left_to_staff_and_not_mailed(
        smtp_runtime, smtp_server):
    run(smtp_runtime, mail("victim@bank.example", auth=None))
    assert state(smtp_runtime, "victim@bank.example") == (True, ["open"])
    with smtp_runtime.store.sessions() as session:
        case = session.scalars(select(Case)).one()
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert case.review_reasons[0].startswith("sender not verified")
    assert "confirmation.withheld" in actions and smtp_server.messages == []


def test_the_confirmation_repeats_nothing_the_sender_wrote(smtp_runtime, smtp_server):
    phish = mail("victim@bank.example", subject="Unsubscribe: evil.example/verify",
                 body="unsubscribe",
                 from_header='"Your account is locked. Verify now at '
                             'http://evil.example/login" <victim@bank.example>')
    run(smtp_runtime, phish)
    (confirmation,) = smtp_server.wait_for(1)
    assert confirmation["To"] == "victim@bank.example"
    assert confirmation["Subject"] == "Your request to stop marketing emails"
    text = confirmation.as_string()
    for words in ("evil.example", "locked", "Verify", "verify", "login"):
        assert words not in text
    assert "Hello," in confirmation.get_body(("plain",)).get_content()


def test_an_address_already_suppressed_is_not_confirmed_again(smtp_runtime, smtp_server):
    run(smtp_runtime, mail(n=1))
    run(smtp_runtime, mail(n=2))
    assert len(smtp_server.wait_for(1)) == 1
    assert state(smtp_runtime, "alice@example.org") == (True, ["auto_resolved", "auto_resolved"])
    with smtp_runtime.store.sessions() as session:
        reasons = [e.details.get("reason") for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "confirmation.withheld"))]
    assert reasons == ["already suppressed: confirmed before"]


@pytest.mark.slow  # hundreds of messages through triage
def test_a_flood_from_one_sender_gets_one_confirmation(smtp_runtime, smtp_server):
    run(smtp_runtime, *(mail(n=i) for i in range(200)))
    assert len(smtp_server.wait_for(1)) == 1
    with smtp_runtime.store.sessions() as session:
        assert len(session.scalars(select(Case)).all()) == 200
        assert automail.withheld_count(session) == 199


@pytest.mark.slow  # hundreds of messages through triage and SMTP
def test_a_flood_from_distinct_senders_is_bounded_per_hour(sqlite_url, smtp_server):
    config = make_config(sqlite_url, smtp=smtp_server)
    config = dataclasses.replace(config, automatic_mail=AutomaticMailConfig(per_hour=50))
    with Runtime.open(config) as rt:
        run(rt, *(mail(f"person{i}@example.org", n=i) for i in range(200)))
        with rt.store.sessions() as session:
            assert len(suppressions.active(session)) == 200    # every opt-out applied
            assert automail.withheld_count(session) == 150
        assert len(smtp_server.wait_for(50)) == 50
        # An hour later, by the runtime clock, confirmations flow again.
        rt.now = lambda: utcnow() + timedelta(hours=1, minutes=1)
        run(rt, mail("late@example.org", n=999))
        assert len(smtp_server.wait_for(51)) == 51


def test_one_address_gets_one_confirmation_per_day_even_after_an_undo(smtp_runtime, smtp_server):
    run(smtp_runtime, mail(n=1))
    with smtp_runtime.store.transaction() as session:
        suppressions.lift(session, "alice@example.org", by="staff:U1")
    run(smtp_runtime, mail(n=2))
    assert len(smtp_server.wait_for(1)) == 1                 # within 24 h: withheld
    with smtp_runtime.store.transaction() as session:
        suppressions.lift(session, "alice@example.org", by="staff:U1")
    smtp_runtime.now = lambda: utcnow() + timedelta(hours=25)
    run(smtp_runtime, mail(n=3))
    assert len(smtp_server.wait_for(2)) == 2


@pytest.mark.parametrize("keeps_threading", [True, False])
def test_a_responder_that_answers_everything_with_unsubscribe_does_not_loop(
        smtp_runtime, smtp_server, keeps_threading):
    """A robot without RFC 3834 headers answers each of our mails with "unsubscribe"."""
    run(smtp_runtime, mail("robot@example.net", n=0))
    answered = 0
    for round_ in range(1, 6):
        sent = smtp_server.messages
        for ours in sent[answered:]:
            extra = (f"In-Reply-To: {ours['Message-ID']}\r\nReferences: {ours['Message-ID']}"
                     if keeps_threading else "")
            run(smtp_runtime, mail("robot@example.net", n=round_, subject=f"Re: {ours['Subject']}",
                         body="unsubscribe", extra=extra))
        answered = len(sent)
    assert len(smtp_server.messages) == 1
