"""``[slack] redaction``: every block of every card and thread post honours it."""

from __future__ import annotations

import json

import pytest

from bot.mail.parse import to_message
from bot.redact import mask_addresses, mask_url
from bot.slack.cards import (
    as_dicts,
    case_card,
    follow_up_message,
    opt_out_digest,
    opt_out_notice,
    sent_reply_message,
)
from tests.slack_standin import message_blocks_errors
from tests.unit.slack.test_cards import TODAY, _data

PRIVATE = ("Alice", "Example", "alice@example.org", "My data", "12 Acacia Avenue", "07700 900123",
           "Re: My data")


def _personal():
    return _data(requester_name="Alice Example", subject="My data",
                 body="I live at 12 Acacia Avenue, phone 07700 900123.",
                 draft_subject="Re: My data",
                 draft_text="Dear Alice Example,\n\nYou wrote from 12 Acacia Avenue.\n",
                 review_reasons=["Reply-To differs: alice@example.org vs a@b.example"],
                 delivery_failure="550 <alice@example.org>: no such user",
                 notes=["sent to alice@example.org"])


def _everything(data) -> str:
    shown = []
    text, blocks = case_card(data, "full", TODAY)
    shown += [text, json.dumps(as_dicts(blocks))]
    text, blocks = opt_out_notice(data, "full")
    shown += [text, json.dumps(as_dicts(blocks))]
    text, blocks = opt_out_digest([data], "full", TODAY)
    shown += [text, json.dumps(as_dicts(blocks))]
    shown.append(follow_up_message(data.body, data.received_at, "full"))
    shown.append(sent_reply_message("slack:U1", 1, data.draft_text, None, "full"))
    shown.append(sent_reply_message("slack:U1", 1, data.draft_text, data.delivery_failure, "full"))
    return "\n".join(shown)


@pytest.mark.parametrize("private", PRIVATE)
def test_full_redaction_hides_name_address_subject_body_and_draft_everywhere(private):
    assert private not in _everything(_personal())


def test_full_redaction_still_says_what_happened_and_keeps_the_buttons():
    _, blocks = case_card(_personal(), "full", TODAY)
    shown = json.dumps(as_dicts(blocks))
    assert "Drafted reply" in shown and "Edit draft" in shown and "case_approve" in shown
    assert message_blocks_errors(as_dicts(blocks)) == []
    assert "Reply v1 sent" in sent_reply_message("slack:U1", 1, "Dear Alice", None, "full")


def test_partial_redaction_masks_addresses_quoted_by_system_texts():
    _, blocks = case_card(_personal(), "partial", TODAY)
    shown = json.dumps(as_dicts(blocks))
    assert "alice@example.org" not in shown and "a***@example.org" in shown
    assert "alice@example.org" not in sent_reply_message("slack:U1", 1, "x",
                                                         "550 alice@example.org", "partial")


@pytest.mark.parametrize("redaction", ["none", "partial"])
def test_a_50000_character_display_name_keeps_the_senders_address_on_the_card(redaction):
    raw = ('From: "' + "A" * 50_001 + '" <victim@example.org>\r\nTo: support@x.org\r\n'
           "Subject: hi\r\nMessage-ID: <a@b>\r\n\r\nunsubscribe\r\n").encode()
    parsed = to_message(raw)
    assert parsed.sender_address == "victim@example.org"
    assert len(parsed.sender_name) <= 500
    _, blocks = case_card(_data(requester=parsed.sender_address,
                                requester_name=parsed.sender_name), redaction, TODAY)
    shown = json.dumps(as_dicts(blocks))
    assert ("victim@example.org" if redaction == "none" else "v***@example.org") in shown
    assert message_blocks_errors(as_dicts(blocks)) == []


def test_masking_helpers():
    assert mask_addresses("550 <jo.x@example.org>: no") == "550 <j***@example.org>: no"
    assert mask_url("postgresql://u:pw1@h/db") == "postgresql://u:***@h/db"
    assert mask_url("bad url://u:pw2@h") .count("pw2") == 0
