"""The card that tells staff a message could not be triaged, so a request cannot sit unseen.

Built from plain data (pure, no Slack, no database). It names the message by its ID and says
nothing of its sender or text: the card is an alarm, and a person reads the message itself with
the command it gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.slack.text import escape


@dataclass(frozen=True)
class FailedMessage:
    message_id: int
    received_at: datetime
    failed_at: datetime
    error_class: str
    set_aside: bool  # False: still retried automatically (database or configuration trouble)


def _utc(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC"


def triage_failure_card(item: FailedMessage) -> tuple[str, list[Block]]:
    """The alert card for one message whose triage has failed for over an hour."""
    text = f"Message {item.message_id} could not be triaged: a person must read it"
    state = ("It has been set aside and is not retried by itself." if item.set_aside
             else "It is still retried automatically, and has kept failing.")
    body = (f"*Message {item.message_id}*, received {_utc(item.received_at)}, has failed "
            f"triage since {_utc(item.failed_at)} with `{escape(item.error_class)}`. {state}\n"
            "*A person must read it:* it may hold a request with a legal deadline.")
    commands = (f"See it: `privacy-triage messages show {item.message_id}` · after fixing the "
                f"cause: `privacy-triage messages retry {item.message_id}` · all failures: "
                "`privacy-triage status`")
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=f"Message {item.message_id} needs a person")),
        SectionBlock(text=MarkdownTextObject(text=body)),
        ContextBlock(elements=[MarkdownTextObject(text=commands)]),
    ]
    return text, blocks
