"""A message failing triage for over an hour is shown once in Slack, so it cannot sit unseen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import bot.pipeline.triage as triage_module
from bot.pipeline.ingest import store_raw
from bot.runtime import Runtime
from bot.service import poll_once
from tests.scenario.slack_helpers import CASES
from tests.slack_standin import SlackStandIn

ACCESS = (b"From: Bob <bob@example.org>\r\nTo: support@caplus.org.uk\r\n"
          b"Subject: my data\r\nMessage-ID: <alert-1@example.org>\r\n\r\n"
          b"Please send me a copy of all personal data you hold about me.\r\n")


def test_a_message_failing_for_over_an_hour_gets_one_alert_card_naming_only_its_id(
        slack_runtime: Runtime, slack_standin: SlackStandIn, monkeypatch: pytest.MonkeyPatch):
    clock = [datetime(2027, 3, 28, 0, 30, tzinfo=UTC)]
    slack_runtime.now = lambda: clock[0]
    message_id = store_raw(slack_runtime.store, ACCESS, source="file", received_at=clock[0])

    def broken(*_args, **_kwargs):
        raise LookupError("bob@example.org")

    monkeypatch.setattr(triage_module, "apply_decision", broken)
    poll_once(slack_runtime)
    clock[0] += timedelta(minutes=59)
    poll_once(slack_runtime)
    assert slack_standin.messages(CASES) == []  # not yet an hour

    clock[0] += timedelta(minutes=2)
    poll_once(slack_runtime)
    poll_once(slack_runtime)
    [card] = slack_standin.messages(CASES)
    shown = str(card)
    assert f"Message {message_id}" in shown and "a person must read it" in shown.lower()
    assert "LookupError" in shown and f"privacy-triage messages show {message_id}" in shown
    assert "2027-03-28 00:30 UTC" in shown  # when it was received
    assert "bob" not in shown.lower()
