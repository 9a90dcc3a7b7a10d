"""Chat intake: a direct message to the bot (or a post in the intake channel) triaged like mail.

The Slack message becomes a small RFC 822 message (From: the person's Slack profile email, a
Message-ID made from the channel and ``ts`` so Slack's redeliveries are stored once) and goes
through the same ingest → triage → act chain as mail. A reply in the thread of an earlier request
carries In-Reply-To, so it joins that request's case.

Ack, then work: Bolt acknowledges the event before the listener runs, and the listener only
stores the message (:func:`take_message`) and hands it on (see ``bot/slack/chat.py``). Triage's
act queues the answer in the message's thread as an outbox row
(``bot.cases.outgoing.queue_chat_answer``), in the same transaction as what it reports; the
Slack outbox channel words it with :func:`answer_for` and posts it where :func:`answer_target`
says. Nothing here waits for triage or sleeps.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.pipeline.ingest import store_raw
from bot.runtime import Runtime
from bot.store import staff as staff_store
from bot.store.models import CaseState, Message

logger = logging.getLogger(__name__)

MAX_TEXT = 20_000
#: The synthesised message's header naming the Slack thread the message was posted in (its
#: ``thread_ts``), so the answer goes to that thread even when the thread's first message is
#: not one we stored.
THREAD_HEADER = "X-Slack-Thread"


@dataclass(frozen=True)
class SlackAuthor:
    user_id: str
    email: str | None
    name: str


def slack_message_id(team: str, channel: str, ts: str) -> str:
    return f"slack.{team}.{channel}.{ts}@slack.invalid"


def to_rfc822(author: SlackAuthor, text: str, *, team: str, channel: str, ts: str,
              support_address: str, in_reply_to: str | None = None,
              thread_ts: str | None = None) -> bytes:
    """Synthesise the message (pure). Slack's own ``&amp;`` escapes are undone first.

    ``thread_ts`` is the thread the message was posted in, if it was posted in one.
    """
    msg = EmailMessage(policy=SMTP)
    if author.email:
        msg["From"] = formataddr((author.name, author.email))
    msg["To"] = support_address
    msg["Subject"] = f"Slack message from {author.name or author.user_id}"
    msg["Date"] = format_datetime(datetime.fromtimestamp(float(ts), UTC))
    msg["Message-ID"] = f"<{slack_message_id(team, channel, ts)}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    msg["X-Slack-User"] = author.user_id
    if thread_ts and thread_ts != ts:
        msg[THREAD_HEADER] = thread_ts
    msg.set_content(html.unescape(text)[:MAX_TEXT] or "(empty message)")
    return msg.as_bytes()


def lookup_author(client: WebClient, user_id: str) -> SlackAuthor:
    """The person's email and name from users.info (needs ``users:read.email``)."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        logger.warning("users.info for %s failed: %s", user_id, exc.response.get("error"))
        return SlackAuthor(user_id, None, "")
    profile = user.get("profile", {})
    return SlackAuthor(user_id, (profile.get("email") or "").strip().lower() or None,
                       profile.get("real_name") or user.get("real_name") or user.get("name", ""))


def answer_for(state: str | None, joined: bool, email: str | None) -> str:
    """What the bot says in the thread after triage (pure).

    ``state`` is the case's state as triage left it (None: no case), ``joined`` whether the
    message joined an earlier case, ``email`` the sender's address (the one an opt-out covers).
    """
    if joined:
        return "Thanks, we have added this to your request; a member of staff will reply here."
    if state == CaseState.AUTO_RESOLVED and email:
        return f"Done: you will get no more marketing email at {email}."
    return "Thanks, a member of staff will reply here."


def thread_of(raw: bytes, ts: str) -> str:
    """The ``thread_ts`` to answer a stored chat message under (pure): the thread it was posted
    in (:data:`THREAD_HEADER`), else the message itself (``ts``), which so starts a thread."""
    if raw:
        thread = BytesHeaderParser().parsebytes(raw).get(THREAD_HEADER)
        if thread:
            return str(thread).strip()
    return ts


def answer_target(message: Message) -> tuple[str, str] | None:
    """Where the answer to a stored chat message goes, (channel, thread_ts); None if nowhere."""
    if not message.slack_channel or not message.slack_ts:
        return None
    return message.slack_channel, thread_of(message.raw or b"", message.slack_ts)


def take_message(rt: Runtime, client: WebClient, event: dict[str, Any], team: str) -> int | None:
    """Store one chat message; returns the new message's row id (None for a repeat).

    Steps, both quick (no triage, no post; Bolt acknowledged the event before this ran):
      1. Find who wrote (users.info) and whether the message is in the thread of a request.
      2. Store it as a message with ``source="slack"``; a redelivered event is a duplicate.

    The caller then hands the message to triage (``bot/slack/chat.py``), whose act queues the
    answer.
    """
    channel, ts = event["channel"], event["ts"]
    author = lookup_author(client, event["user"])
    thread_ts = event.get("thread_ts")
    parent_id = None
    if thread_ts and thread_ts != ts:
        with rt.store.sessions() as session:
            parent = staff_store.message_by_slack_ts(session, channel, thread_ts)
            parent_id = parent.message_id if parent is not None else None
    raw = to_rfc822(author, event.get("text") or "", team=team, channel=channel, ts=ts,
                    support_address=rt.config.organisation.support_address,
                    in_reply_to=parent_id, thread_ts=thread_ts)
    stored = store_raw(rt.store, raw, source="slack", own_addresses=rt.config.own_addresses,
                       received_at=datetime.fromtimestamp(float(ts), UTC),
                       slack_user=author.user_id, slack_channel=channel, slack_ts=ts)
    if stored is None:
        logger.info("Slack message %s/%s is a repeat, stored before", channel, ts)
        return None
    logger.info("Slack message %s/%s stored as message %s", channel, ts, stored)
    return stored
