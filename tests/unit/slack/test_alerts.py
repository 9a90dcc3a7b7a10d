"""The triage-failure alert card: names the message, the class and the commands, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.slack.alerts import FailedMessage, triage_failure_card


def test_the_card_says_a_person_must_read_it_and_how_to_see_it():
    item = FailedMessage(42, datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
                         datetime(2027, 10, 31, 1, 31, tzinfo=UTC), "SetupError", set_aside=False)
    text, blocks = triage_failure_card(item)
    shown = text + str([b.to_dict() for b in blocks])
    assert "a person must read it" in text
    assert "2027-10-31 01:30 UTC" in shown and "`SetupError`" in shown
    assert "privacy-triage messages show 42" in shown
    assert "privacy-triage messages retry 42" in shown
    assert "still retried automatically" in shown


def test_a_set_aside_message_is_said_to_be_no_longer_retried():
    item = FailedMessage(7, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC),
                         "KeyError<b>", set_aside=True)
    _, blocks = triage_failure_card(item)
    shown = str([b.to_dict() for b in blocks])
    assert "not retried by itself" in shown
    assert "<b>" not in shown  # the class name is escaped like any other text
