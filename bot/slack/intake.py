"""Chat intake: a direct message to the bot (or a post in the intake channel) triaged like mail.

The Slack message becomes a small RFC 822 message (From: the person's Slack profile email, a
Message-ID made from the channel and ``ts`` so Slack's redeliveries are stored once) and goes
through the same ingest → triage → act chain as mail. A reply in the thread of an earlier request
carries In-Reply-To, so it joins that request's case.
"""

from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.pipeline.ingest import store_raw
from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime
from bot.store import staff as staff_store
from bot.store.models import Case, CaseState, Message, TriageState

logger = logging.getLogger(__name__)

MAX_TEXT = 20_000
TRIAGE_WAIT_S = 10.0


@dataclass(frozen=True)
class SlackAuthor:
    user_id: str
    email: str | None
    name: str


def slack_message_id(team: str, channel: str, ts: str) -> str:
    return f"slack.{team}.{channel}.{ts}@slack.invalid"


def to_rfc822(author: SlackAuthor, text: str, *, team: str, channel: str, ts: str,
              support_address: str, in_reply_to: str | None = None) -> bytes:
    """Synthesise the message (pure). Slack's own ``&amp;`` escapes are undone first."""
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
    """What the bot says in the thread after triage (pure)."""
    if joined:
        return "Thanks, we have added this to your request; a member of staff will reply here."
    if state == CaseState.AUTO_RESOLVED and email:
        return f"Done: you will get no more marketing email at {email}."
    return "Thanks, a member of staff will reply here."


def take_message(rt: Runtime, client: WebClient, event: dict[str, Any], team: str) -> str | None:
    """Store, triage and answer one chat message; returns the answer (None for a repeat).

    Steps:
      1. Find who wrote (users.info) and whether the message is in the thread of a request.
      2. Store it as a message with ``source="slack"``; a redelivered event is a duplicate.
      3. Triage everything pending (the same function the worker runs).
      4. Answer in the message's thread with what happened.
    """
    channel, ts = event["channel"], event["ts"]
    author = lookup_author(client, event["user"])
    parent_id = None
    if event.get("thread_ts") and event["thread_ts"] != ts:
        with rt.store.sessions() as session:
            parent = staff_store.message_by_slack_ts(session, channel, event["thread_ts"])
            parent_id = parent.message_id if parent is not None else None
    raw = to_rfc822(author, event.get("text") or "", team=team, channel=channel, ts=ts,
                    support_address=rt.config.organisation.support_address,
                    in_reply_to=parent_id)
    stored = store_raw(rt.store, raw, source="slack", own_addresses=rt.config.own_addresses,
                       received_at=datetime.fromtimestamp(float(ts), UTC),
                       slack_user=author.user_id, slack_channel=channel, slack_ts=ts)
    if stored is None:
        return None
    state, joined, case_id = _triaged(rt, stored)
    answer = answer_for(state, joined, author.email)
    client.chat_postMessage(channel=channel, thread_ts=event.get("thread_ts") or ts,
                            text=answer)
    logger.info("Slack message %s/%s triaged: case %s", channel, ts, case_id)
    return answer


def _triaged(rt: Runtime, message_id: int) -> tuple[str | None, bool, int | None]:
    """Triage, then read what happened: (case state, joined an earlier case, case id).

    The service's worker may have claimed the message first; its transaction then holds the
    result, so wait for it to commit rather than answer before knowing.
    """
    deadline = time.monotonic() + TRIAGE_WAIT_S
    while True:
        triage_pending(rt)
        with rt.store.sessions() as session:
            message = session.get(Message, message_id)
            if message is not None and (message.triage_state != TriageState.NEW
                                        or time.monotonic() > deadline):
                case = session.get(Case, message.case_id) if message.case_id else None
                if case is None:
                    return None, False, None
                joined = staff_store.inbound_count(session, case.id) > 1
                return case.state, joined, case.id
        time.sleep(0.1)
