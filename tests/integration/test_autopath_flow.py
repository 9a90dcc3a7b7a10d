"""The mails issue 9 lists, end to end: Dovecot in, triage on SQLite, nothing sent by mistake."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from bot.service import poll_once
from bot.staff import actions
from bot.store import suppressions
from bot.store.models import AuditEvent, Case, Draft
from tests.conftest import make_config, verified
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.dovecot

STAFF = "slack:U0STAFF"


def mail(sender: str, subject: str, body: str, extra: str = "", mid: str = "m1") -> str:
    return (f"From: {sender}\r\nTo: support@caplus.org.uk\r\nSubject: {subject}\r\n"
            f"Message-ID: <{mid}@example.org>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
            f"{extra}\r\n{body}\r\n")


@pytest.fixture
def runtime(sqlite_url: str, dovecot: Dovecot, smtp_server: SmtpServer):
    config = make_config(sqlite_url, dovecot, smtp_server)
    config = dataclasses.replace(config, organisation=dataclasses.replace(
        config.organisation, mailer_message_id_domains=["news.caplus.org.uk"]))
    rt = Runtime.open(config)
    yield rt
    rt.close()


def _only_case(rt: Runtime) -> Case:
    with rt.store.sessions() as session:
        return session.scalars(select(Case)).one()


def _suppressed(rt: Runtime, address: str) -> bool:
    with rt.store.sessions() as session:
        return suppressions.is_suppressed(session, address)


def test_a_published_list_removal_is_suppressed_but_reaches_staff_as_an_erasure(
        runtime: Runtime, dovecot: Dovecot, smtp_server: SmtpServer):
    dovecot.append(mail("Dana <dana@example.net>", "Members list",
                        "Please remove me from the list. I never agreed to publish my "
                        "information on your website."))
    poll_once(runtime)
    case = _only_case(runtime)
    assert case.state == "open" and "correction" in case.present and case.due_date is not None
    assert "suppression already applied" in case.review_reasons
    assert _suppressed(runtime, "dana@example.net")
    assert smtp_server.messages == []
    with runtime.store.sessions() as session:
        draft = session.scalars(select(Draft)).one()
    assert "deleted" in draft.text and "must keep" in draft.text
    assert "copy" not in draft.text.lower()          # nobody asked for a copy

    result = actions.mark_erased(runtime, case.id, case.version, STAFF)
    assert result.ok, result.message
    with runtime.store.sessions() as session:
        assert session.get(Case, case.id).state == "resolved"
        assert "case.erased" in [e.action for e in session.scalars(select(AuditEvent))]


@pytest.mark.parametrize("body", ["Do not unsubscribe me, I love these emails.",
                                  "Please don't remove me from the list."])
def test_a_negated_request_is_never_automatic(runtime: Runtime, dovecot: Dovecot,
                                              smtp_server: SmtpServer, body: str):
    dovecot.append(mail("Erin <erin@example.net>", "Newsletter", body))
    poll_once(runtime)
    assert _only_case(runtime).state == "open"
    assert not _suppressed(runtime, "erin@example.net")
    assert smtp_server.messages == []


def test_an_out_of_office_without_headers_is_not_an_opt_out(runtime: Runtime, dovecot: Dovecot,
                                                             smtp_server: SmtpServer):
    dovecot.append(mail("Frank <frank@example.net>", "Out of Office: CA Plus December newsletter",
                        "I am out of the office until 4 January with limited access to email. "
                        "To unsubscribe from my out-of-office, contact my colleague."))
    poll_once(runtime)
    assert not _suppressed(runtime, "frank@example.net")
    assert smtp_server.messages == []


def test_a_forward_from_our_own_domain_suppresses_the_member_on_approval(
        runtime: Runtime, dovecot: Dovecot, smtp_server: SmtpServer):
    dovecot.append(mail("Gill Staff <gill@caplus.org.uk>", "Fwd: please remove me",
                        "FYI, see below.\r\n\r\n---------- Forwarded message ---------\r\n"
                        "From: Hana Member <hana@example.net>\r\nDate: Sun, 22 Nov 2026\r\n"
                        "Subject: please remove me\r\n\r\nPlease remove me from your mailing "
                        "list."))
    poll_once(runtime)
    case = _only_case(runtime)
    assert case.state == "open"
    assert not _suppressed(runtime, "gill@caplus.org.uk")
    assert not _suppressed(runtime, "hana@example.net")
    if "opt_out" not in case.present:   # the model may read the forward as another label
        actions.reclassify(runtime, case.id, case.version, STAFF, "opt_out")
        case = _only_case(runtime)
    assert actions.approve(runtime, case.id, case.version, STAFF).ok
    assert _suppressed(runtime, "hana@example.net")
    assert not _suppressed(runtime, "gill@caplus.org.uk")


def test_stop_in_reply_to_our_newsletter_is_applied_and_closed(runtime: Runtime,
                                                                dovecot: Dovecot,
                                                                smtp_server: SmtpServer):
    # Stamped by our MX: only a verified sender's opt-out is closed with no person.
    dovecot.append(verified(mail("Ivy <ivy@example.net>", "Re: CA Plus November update",
                        "STOP. Remove me.\r\n\r\nOn Mon, 2 Nov 2026 at 10:00, CA Plus "
                        "<news@caplus.org.uk> wrote:\r\n> Our November update: new courses.\r\n"
                        "> Unsubscribe: https://caplus.org.uk/unsubscribe?t=abc",
                        extra="In-Reply-To: <nov-2026.123@news.caplus.org.uk>\r\n"),
                            "example.net"))
    poll_once(runtime)
    case = _only_case(runtime)
    assert (case.state, case.label) == ("auto_resolved", "opt_out")
    assert _suppressed(runtime, "ivy@example.net")


def test_a_german_erasure_letter_gets_a_german_erasure_draft(runtime: Runtime, dovecot: Dovecot,
                                                             smtp_server: SmtpServer):
    dovecot.append(mail("Jonas <jonas@example.de>", "Löschung meiner Daten",
                        "Sehr geehrte Damen und Herren, hiermit verlange ich gemäß Art. 17 DSGVO "
                        "die Löschung aller meiner personenbezogenen Daten und meines Kontos."))
    poll_once(runtime)
    case = _only_case(runtime)
    assert case.state == "open" and not _suppressed(runtime, "jonas@example.de")
    with runtime.store.sessions() as session:
        draft = session.scalars(select(Draft)).one()
    assert "Löschung" in draft.text and "richtigen Angaben" not in draft.text
