"""The edit and reject modals: long drafts survive a round trip, within Slack's limits."""

from __future__ import annotations

import json

from bot.slack import modals
from tests.slack_standin import view_errors


def _submitted(view: dict, edits: dict[str, str] | None = None, *, trim: bool = False) -> dict:
    """The view as Slack sends it back: inputs' values under state.values."""
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        value = block["element"].get("initial_value", "")
        value = (edits or {}).get(block["block_id"], value)
        if trim:
            value = value.rstrip("\n")
        values[block["block_id"]] = {"value": {"type": "plain_text_input", "value": value}}
    return {**view, "state": {"values": values}}


def test_a_short_draft_is_one_input_and_comes_back_unchanged():
    view = modals.edit_view(3, 5, 2, "Re: data", "Dear Ann,\n\nThanks.\n")
    assert view_errors(view) == []
    assert [b["block_id"] for b in view["blocks"]] == ["subject", "part_0"]
    got = modals.read_edit(_submitted(view, {"part_0": "Dear Ann,\n\nDone.\n"}))
    assert (got.case_id, got.version, got.draft_version) == (3, 5, 2)
    assert (got.subject, got.text, got.kept) == ("Re: data", "Dear Ann,\n\nDone.\n", 0)


def test_a_long_draft_is_spread_over_inputs_and_rejoins_even_if_slack_trims_newlines():
    text = "".join(f"Paragraph {i}: " + "words " * 60 + "\n" for i in range(40))  # ~15k
    view = modals.edit_view(1, 1, 1, "Re: x", text)
    assert view_errors(view) == []
    parts = [b for b in view["blocks"] if b["block_id"].startswith("part_")]
    assert len(parts) == 5  # ~15,000 characters at up to 3,000 each
    assert all(len(b["element"]["initial_value"]) <= 3000 for b in parts)
    assert modals.read_edit(_submitted(view, trim=True)).text == text


def test_a_draft_longer_than_the_editor_keeps_its_tail():
    text = "y" * (3000 * modals.MAX_PARTS + 1234)
    view = modals.edit_view(1, 1, 1, "Re: x", text)
    assert view_errors(view) == []
    assert "last 1234 characters" in json.dumps(view)
    got = modals.read_edit(_submitted(view))
    assert got.kept == 1234 and got.text + text[-got.kept:] == text


def test_the_reject_modal_requires_a_reason_and_carries_the_version():
    view = modals.reject_view(9, 4)
    assert view_errors(view) == []
    assert not view["blocks"][0].get("optional")  # Slack requires a non-optional input
    got = modals.read_reject(_submitted(view, {"reason": "Duplicate of case 8"}))
    assert got == (9, 4, "Duplicate of case 8")
    assert view_errors(modals.loading_view("Edit reply")) == []
