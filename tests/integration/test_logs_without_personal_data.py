"""No personal data in any log line, at any level, in either format: a message full of it goes
through the whole chain (IMAP intake → triage → automatic opt-out and a case → SMTP
confirmation and Slack cards) in ``run``'s threads at DEBUG, and none of it is logged."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from sqlalchemy import func, select

from bot.logs import configure
from bot.slack import client as slack_client
from bot.store.models import Case, OutboxItem
from tests.conftest import make_config, verified
from tests.integration.chain import count, fast_idle, running_service, suppressed, wait_until
from tests.scenario.slack_helpers import CASES, slack_config
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from tests.slack_standin import SlackStandIn

NAME = "Margaret Thistlewood"
ADDRESS = "margaret.thistlewood@example.org"
PERSONAL = ["Margaret", "Thistlewood", "margaret.thistlewood", "Larkspur Crescent", "WV3 9QR",
            "07700 900461", "Wolverhampton", "allotment", "marrows", "Bramblefield"]


def _mail(subject: str, body: str, tag: str) -> bytes:
    return verified(f"From: {NAME} <{ADDRESS}>\r\nTo: support@caplus.org.uk\r\n"
                    f"Subject: {subject}\r\nMessage-ID: <{tag}-bramblefield@example.org>\r\n"
                    "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n"
                    f"{body}\r\n\r\n{NAME}\r\n14 Larkspur Crescent, Wolverhampton WV3 9QR\r\n"
                    "Tel 07700 900461\r\n").encode()


OPT_OUT = _mail("Stop the Wolverhampton allotment newsletters",
                "Please remove me from your mailing list, no more marketing emails about "
                "marrows or the Bramblefield allotment.", "stop")
ACCESS = _mail("Wolverhampton allotment records",
               "Under the UK GDPR I request a copy of all personal data you hold about me, "
               "including my Bramblefield allotment application and notes about marrows.",
               "sar")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_whole_chain_logs_ids_and_no_personal_data(
        fmt: str, sqlite_url: str, dovecot: Dovecot, smtp_server: SmtpServer,
        slack_standin: SlackStandIn, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slack_client.PACER, "interval", 0.0)
    handler = configure(logging.DEBUG, fmt, sys.stderr)  # what `privacy-triage -vv run` does
    # aiosmtpd's own log is the test relay's, not the service's: it shows what it received.
    caplog.set_level(logging.WARNING, logger="mail.log")
    caplog.set_level(logging.DEBUG)  # last: the capturing handler's level is the last one set
    config = fast_idle(make_config(sqlite_url, dovecot, smtp=smtp_server,
                                   slack=slack_config(slack_standin)))
    try:
        with running_service(config) as service:
            store = service.rt.store
            dovecot.append(OPT_OUT)
            dovecot.append(ACCESS)
            wait_until(lambda: suppressed(store, ADDRESS), 20, "the opt-out's suppression")
            assert smtp_server.wait_for(1, timeout=20), "no confirmation was sent"
            wait_until(lambda: count(store, select(func.count(Case.id))) == 2, 20, "two cases")
            wait_until(lambda: count(store, select(func.count(OutboxItem.id))
                                     .where(OutboxItem.state != "sent")) == 0,
                       20, "every email and Slack post delivered")
        assert slack_standin.messages(CASES), "no Slack card was posted"
    finally:
        logging.getLogger().removeHandler(handler)
    stderr = capsys.readouterr().err
    logged = caplog.text + "\n" + stderr
    # The logs were there and useful: each step, by id.
    assert "triaged: opt_out, action auto_opt_out" in caplog.text
    assert "triaged: access_request" in caplog.text
    for step in ("Message 1 ingested", "Case 1 opened", "Message 1: sender suppressed",
                 "Relay accepted", "sent (email, case 1)", "sent (slack, case 2)"):
        assert step in stderr, step  # every step, at DEBUG, through our own handler
    if fmt == "json":
        events = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
        triaged = [e for e in events if "triaged" in e["event"]]
        assert len(triaged) == 2 and all("message_id" in e and "case_id" in e for e in triaged)
    leaked = [word for word in PERSONAL if word.lower() in logged.lower()]
    assert not leaked, f"personal data in the logs: {leaked}"
