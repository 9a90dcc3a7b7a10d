"""The edit and reject modals, and reading what people typed into them (pure).

A plain-text input holds at most 3000 characters, so a long draft is spread over several inputs
(``part_0``, ``part_1``, ...). Up to :data:`MAX_PARTS` inputs are shown; anything beyond stays
as it is and is appended again on submit, which the modal says in a note, so editing the start
of a very long reply never cuts its end.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.slack.text import chunks, escape, shorten

INPUT_LIMIT = 3000
MAX_PARTS = 12
EDIT_CALLBACK = "edit_draft"
REJECT_CALLBACK = "reject_case"


def loading_view(title: str) -> dict[str, Any]:
    """What the modal shows for the moment between the click and the draft being read."""
    return View(type="modal", title=PlainTextObject(text=shorten(title, 24)),
                blocks=[SectionBlock(text=MarkdownTextObject(text=":hourglass: Loading…"))]
                ).to_dict()


def message_view(title: str, text: str) -> dict[str, Any]:
    return View(type="modal", title=PlainTextObject(text=shorten(title, 24)),
                close=PlainTextObject(text="Close"),
                blocks=[SectionBlock(text=MarkdownTextObject(text=text))]).to_dict()


def edit_view(case_id: int, version: int, draft_version: int, subject: str,
              text: str) -> dict[str, Any]:
    """The edit modal, pre-filled with the draft."""
    pieces = chunks(text, INPUT_LIMIT)
    shown, kept = pieces[:MAX_PARTS], "".join(pieces[MAX_PARTS:])
    meta = {"case": case_id, "version": version, "draft": draft_version,
            "ends": [p.endswith("\n") for p in shown], "kept": len(kept)}
    blocks: list[Any] = [InputBlock(
        block_id="subject", label=PlainTextObject(text="Subject"),
        element=PlainTextInputElement(action_id="value", initial_value=subject[:250],
                                      max_length=250))]
    for i, piece in enumerate(shown):
        label = "Reply" if len(shown) == 1 else f"Reply, part {i + 1} of {len(shown)}"
        blocks.append(InputBlock(
            block_id=f"part_{i}", label=PlainTextObject(text=label), optional=i > 0,
            element=PlainTextInputElement(action_id="value", multiline=True,
                                          initial_value=piece, max_length=INPUT_LIMIT)))
    if kept:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=(
            f"The last {len(kept)} characters of this reply are too long for the editor; "
            "they are kept unchanged after the parts above."))]))
    return View(type="modal", callback_id=EDIT_CALLBACK,
                title=PlainTextObject(text=shorten(f"Edit reply, case {case_id}", 24)),
                submit=PlainTextObject(text="Save draft"), close=PlainTextObject(text="Cancel"),
                private_metadata=json.dumps(meta), blocks=blocks).to_dict()


@dataclass(frozen=True)
class EditSubmission:
    case_id: int
    version: int
    draft_version: int
    subject: str
    text: str          # the shown parts as edited; the caller appends the kept tail
    kept: int          # characters at the end of the stored draft that were not shown


def _value(values: Mapping[str, Any], block_id: str) -> str:
    return (values.get(block_id, {}).get("value", {}) or {}).get("value") or ""


def read_edit(view: Mapping[str, Any]) -> EditSubmission:
    """What was submitted in the edit modal; raises ValueError for a foreign view."""
    meta = json.loads(view.get("private_metadata") or "{}")
    values = view.get("state", {}).get("values", {})
    parts = []
    for i, ends in enumerate(meta.get("ends", [])):
        piece = _value(values, f"part_{i}")
        # Slack may trim a trailing newline from an input; the split point had one.
        if ends and piece and not piece.endswith("\n"):
            piece += "\n"
        parts.append(piece)
    return EditSubmission(int(meta["case"]), int(meta["version"]), int(meta["draft"]),
                          _value(values, "subject"), "".join(parts), int(meta.get("kept", 0)))


def reject_view(case_id: int, version: int) -> dict[str, Any]:
    return View(type="modal", callback_id=REJECT_CALLBACK,
                title=PlainTextObject(text=shorten(f"Reject case {case_id}", 24)),
                submit=PlainTextObject(text="Reject"), close=PlainTextObject(text="Cancel"),
                private_metadata=json.dumps({"case": case_id, "version": version}),
                blocks=[InputBlock(
                    block_id="reason", label=PlainTextObject(text="Why is this rejected?"),
                    hint=PlainTextObject(text="Recorded in the audit trail; not sent."),
                    element=PlainTextInputElement(action_id="value", multiline=True,
                                                  min_length=1, max_length=2000))]).to_dict()


def read_reject(view: Mapping[str, Any]) -> tuple[int, int, str]:
    meta = json.loads(view.get("private_metadata") or "{}")
    return int(meta["case"]), int(meta["version"]), _value(
        view.get("state", {}).get("values", {}), "reason")


def refusal_view(text: str) -> dict[str, Any]:
    return message_view("Not done", escape(text))
