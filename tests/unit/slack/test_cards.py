"""Case cards: what staff see, inert outside text, Block Kit limits, buttons by state."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime

import pytest

from bot.slack.cards import (
    FOLLOW_UP_SUPPRESSED,
    CardData,
    action_value,
    as_dicts,
    case_card,
    follow_up_message,
    opt_out_digest,
    opt_out_notice,
    parse_action_value,
)
from tests.slack_standin import message_blocks_errors

TODAY = date(2026, 11, 24)
EVIL = "Hi <!channel> and <!here>, log in at <http://evil.example|your bank> & <@U0BOSS>"


def _data(**changes) -> CardData:
    base = CardData(
        case_id=7, version=3, state="open", label="access_request", confidence=0.87,
        intents={"access_request": 0.87, "opt_out": 0.31, "general_query": 0.05},
        present=["access_request", "opt_out"], requester="alice@example.org",
        requester_name="Alice Example", subject="My data", body="Please send me my data.",
        received_at=datetime(2026, 11, 23, 9, tzinfo=UTC), due_date=date(2026, 12, 23),
        review_reasons=["several intents: access_request, opt_out"], draft_version=1,
        draft_author="model", draft_subject="Re: My data", draft_text="Dear Alice,\n\nThanks.\n")
    return dataclasses.replace(base, **changes)


def _dump(blocks) -> str:
    return json.dumps(as_dicts(blocks))


def _action_ids(blocks) -> list[str]:
    return [e["action_id"] for b in as_dicts(blocks) if b["type"] == "actions"
            for e in b["elements"]]


def test_an_open_card_shows_class_intents_sender_due_reasons_and_draft():
    text, blocks = case_card(_data(), "partial", TODAY)
    shown = _dump(blocks)
    assert text == "Case 7 · Access request: My data"
    assert "Access request (87%)" in shown
    assert "access_request 87%" in shown and "opt_out 31%" in shown
    assert "a***@example.org" in shown and "alice@example.org" not in shown
    assert "2026-12-23 (in 29 day(s))" in shown
    assert "several intents" in shown and "Dear Alice" in shown
    assert message_blocks_errors(as_dicts(blocks)) == []


def test_buttons_carry_case_and_version_and_match_the_case():
    _, blocks = case_card(_data(), "none", TODAY)
    assert _action_ids(blocks) == ["case_approve", "case_edit", "case_reclassify",
                                   "case_assign", "case_reject", "case_extend", "case_verify"]
    values = {e.get("value") for b in as_dicts(blocks) if b["type"] == "actions"
              for e in b["elements"]} - {None}
    assert values == {"7:3"}
    _, blocks = case_card(_data(present=["general_query"], label="general_query"), "none", TODAY)
    assert "case_extend" not in _action_ids(blocks)
    assert "case_verify" not in _action_ids(blocks)


def test_a_closed_card_has_no_buttons_and_says_who_did_what():
    _, blocks = case_card(_data(state="rejected", outcome_note="Spam <!channel>",
                                last_actor="slack:U0ALICE01"), "none", TODAY)
    shown = _dump(blocks)
    assert _action_ids(blocks) == []
    assert "Rejected* by <@U0ALICE01>" in shown
    assert "Spam &lt;!channel&gt;" in shown


def test_mail_text_is_shown_inert_everywhere():
    data = _data(subject=EVIL, body=EVIL, requester_name=EVIL, draft_text=EVIL,
                 draft_subject=EVIL, review_reasons=[EVIL])
    text, blocks = case_card(data, "none", TODAY)
    for shown in (text, _dump(blocks)):
        assert "<!channel>" not in shown and "<!here>" not in shown
        assert "<http://evil" not in shown and "<@U0BOSS>" not in shown
    assert "&lt;http://evil.example|your bank&gt;" in _dump(blocks)


def test_a_huge_draft_is_truncated_with_a_note_within_block_kit_limits():
    draft = ("A long paragraph about your data. " * 80 + "\n") * 40   # ~109k chars
    _, blocks = case_card(_data(draft_text=draft, body="x" * 50_000, subject="s" * 5000,
                                requester_name="<" * 500), "none", TODAY)
    dicts = as_dicts(blocks)
    assert message_blocks_errors(dicts) == []
    assert len(dicts) <= 50
    assert "more characters not shown here" in _dump(blocks)


def test_overdue_and_paused_deadlines_are_said_plainly():
    _, blocks = case_card(_data(due_date=date(2026, 11, 20)), "none", TODAY)
    assert "overdue by 4 day(s)" in _dump(blocks)
    _, blocks = case_card(_data(paused_since=date(2026, 11, 22)), "none", TODAY)
    assert "clock stopped since 2026-11-22" in _dump(blocks)


def test_full_redaction_hides_sender_subject_and_excerpt():
    text, blocks = case_card(_data(), "full", TODAY)
    shown = _dump(blocks) + text
    assert "alice" not in shown.lower().replace("dear alice", "")
    assert "My data" not in text and "Please send me my data" not in shown


def test_opt_out_notice_has_undo_until_undone():
    _, blocks = opt_out_notice(_data(state="auto_resolved"), "partial")
    assert _action_ids(blocks) == ["notice_undo"]
    _, blocks = opt_out_notice(_data(state="auto_resolved", outcome_note="opt-out undone by x",
                                     last_actor="slack:U0BOB0001"), "partial")
    assert _action_ids(blocks) == [] and "Undone by <@U0BOB0001>" in _dump(blocks)


def test_a_digest_lists_each_opt_out_with_its_own_undo():
    items = [_data(case_id=i, state="auto_resolved") for i in range(1, 31)]
    _, blocks = opt_out_digest(items, "partial", TODAY)
    dicts = as_dicts(blocks)
    assert message_blocks_errors(dicts) == []
    undo = [b["accessory"]["value"] for b in dicts if "accessory" in b]
    assert undo[:2] == ["1:3", "2:3"] and len(undo) == 24
    assert "and 6 more" in _dump(blocks)


def test_action_values_round_trip():
    assert parse_action_value(action_value(12, 4)) == (12, 4)


def test_a_forged_or_odd_sender_is_shown_plainly_apart_from_other_reasons():
    data = _data(review_reasons=[
        "sender not verified: dmarc=fail (mx.google.com)",
        "odd sender: Reply-To attacker@evil.example differs from From alice@example.org",
        "opt_out probability 1.000 >= 0.900"])
    _, blocks = case_card(data, "none", TODAY)
    dumped = _dump(blocks)
    assert ":warning: *Sender check:*" in dumped
    assert "sender not verified: dmarc=fail (mx.google.com)" in dumped
    assert "Reply-To attacker@evil.example differs from From alice@example.org" in dumped
    assert "*Why not automatic:* opt_out probability" in dumped
    assert message_blocks_errors(as_dicts(blocks)) == []


def test_sender_check_addresses_follow_the_redaction_setting():
    data = _data(review_reasons=[("odd sender: Sender attacker@evil.example differs from From "
                                 "alice@example.org")])
    assert "attacker@evil.example" not in _dump(case_card(data, "partial", TODAY)[1])
    assert "(hidden)" in _dump(case_card(data, "full", TODAY)[1])


@pytest.mark.parametrize("redaction", ["none", "partial", "full"])
def test_a_follow_up_whose_opt_out_was_applied_says_so_at_every_redaction(redaction):
    when = datetime(2027, 1, 4, 9, 30, tzinfo=UTC)
    applied = follow_up_message("Also unsubscribe me.", when, redaction, suppressed=True)
    plain = follow_up_message("Any news?", when, redaction)
    assert applied.endswith(FOLLOW_UP_SUPPRESSED)
    assert FOLLOW_UP_SUPPRESSED not in plain
