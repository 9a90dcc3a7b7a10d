"""Cards for mail the edge could not read: the quarantine line and the fallback card."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.slack.cards import CardData, as_dicts, case_card, minimal_card


def _data(**changes: object) -> CardData:
    base = {"case_id": 3, "version": 1, "state": "open", "label": "general_query",
            "confidence": 0.0, "intents": {}, "present": ["general_query"],
            "requester": "r@example.fr", "requester_name": "Renée", "subject": "café",
            "body": "", "received_at": datetime(2026, 3, 29, 1, 30, tzinfo=UTC)}
    return CardData(**{**base, **changes})  # type: ignore[arg-type]


def test_a_quarantined_message_card_says_plainly_that_a_person_must_read_it() -> None:
    data = _data(quarantined_message=42,
                 quarantine_reason="parsing failed: IndexError; a person must read the raw message")
    _text, blocks = case_card(data, "none", date(2026, 3, 29))
    shown = json.dumps(as_dicts(blocks))
    assert "A person must read this message" in shown
    assert "privacy-triage messages show 42" in shown
    assert "IndexError" in shown


def test_an_ordinary_card_has_no_quarantine_line() -> None:
    _text, blocks = case_card(_data(), "none", date(2026, 3, 29))
    assert "A person must read" not in json.dumps(as_dicts(blocks))


def test_the_minimal_card_names_the_case_and_the_command_to_read_it() -> None:
    text, blocks = minimal_card(7, 42)
    assert text == "Could not render case 7; see `privacy-triage messages show 42`"
    assert "messages show 42" in json.dumps(as_dicts(blocks))
