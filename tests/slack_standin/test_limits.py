"""Block Kit limits: each limit accepts its maximum and refuses one character (or item) more."""

from __future__ import annotations

import pytest

from tests.slack_standin.limits import message_blocks_errors, view_errors


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def _button(text: str = "Go", value: str = "v", action_id: str = "go") -> dict:
    return {"type": "button", "text": _plain(text), "value": value, "action_id": action_id}


def _input(**element: object) -> dict:
    return {"type": "input", "label": _plain("Reply"),
            "element": {"type": "plain_text_input", "action_id": "body", **element}}


MESSAGE_LIMITS = [
    # (name, builder of the blocks for size n, the limit, the json-pointer of the error)
    ("section text", lambda n: [{"type": "section", "text": {"type": "mrkdwn", "text": "a" * n}}],
     3000, "/blocks/0/text/text"),
    ("header text", lambda n: [{"type": "header", "text": _plain("a" * n)}],
     150, "/blocks/0/text/text"),
    ("button text", lambda n: [{"type": "actions", "elements": [_button(text="a" * n)]}],
     75, "/blocks/0/elements/0/text/text"),
    ("button value", lambda n: [{"type": "actions", "elements": [_button(value="a" * n)]}],
     2000, "/blocks/0/elements/0/value"),
    ("action_id", lambda n: [{"type": "actions", "elements": [_button(action_id="a" * n)]}],
     255, "/blocks/0/elements/0/action_id"),
    ("block_id", lambda n: [{"type": "divider", "block_id": "a" * n}], 255, "/blocks/0/block_id"),
    ("blocks per message", lambda n: [{"type": "divider"}] * n, 50, "/blocks"),
    ("elements per actions block", lambda n: [{"type": "actions", "elements": [_button()] * n}],
     25, "/blocks/0/elements"),
    ("plain_text_input initial_value", lambda n: [_input(initial_value="a" * n)],
     3000, "/blocks/0/element/initial_value"),
]


@pytest.mark.parametrize(("name", "build", "limit", "pointer"), MESSAGE_LIMITS,
                         ids=[m[0] for m in MESSAGE_LIMITS])
def test_message_limits_accept_the_maximum_and_refuse_one_more(name, build, limit, pointer):
    assert message_blocks_errors(build(limit)) == []
    errors = message_blocks_errors(build(limit + 1))
    assert len(errors) == 1
    assert errors[0].startswith("[ERROR] ") and errors[0].endswith(f"[json-pointer:{pointer}]")


def test_initial_value_may_not_exceed_the_inputs_own_max_length():
    assert message_blocks_errors([_input(max_length=10, initial_value="a" * 10)]) == []
    assert message_blocks_errors([_input(max_length=10, initial_value="a" * 11)])
    assert message_blocks_errors([_input(max_length=3001)])


def test_empty_text_unknown_blocks_and_bad_styles_are_refused():
    assert message_blocks_errors([{"type": "section", "text": {"type": "mrkdwn", "text": ""}}])
    assert message_blocks_errors([{"type": "carousel"}])
    assert message_blocks_errors([{"type": "actions", "elements": [
        {**_button(), "style": "green"}]}])
    assert message_blocks_errors([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}])
    assert message_blocks_errors("[]")


def _modal(title: str = "Edit draft", blocks: list | None = None, **extra: object) -> dict:
    return {"type": "modal", "title": _plain(title), "blocks": blocks or [], **extra}


def test_modal_title_is_at_most_24_characters():
    assert view_errors(_modal("a" * 24)) == []
    assert view_errors(_modal("a" * 25)) == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]


def test_a_view_holds_at_most_100_blocks():
    assert view_errors(_modal(blocks=[{"type": "divider"}] * 100)) == []
    assert view_errors(_modal(blocks=[{"type": "divider"}] * 101))
    assert view_errors({"type": "home", "blocks": [{"type": "divider"}] * 101})


def test_a_modal_with_an_input_needs_a_submit_button():
    assert view_errors(_modal(blocks=[_input()]))
    assert view_errors(_modal(blocks=[_input()], submit=_plain("Save"))) == []
    assert view_errors(_modal(submit=_plain("a" * 25)))
    assert view_errors(_modal(private_metadata="a" * 3001))
