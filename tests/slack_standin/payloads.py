"""Builders for the JSON Slack sends to an app, shaped like Slack's real payloads.

Each builder returns the ``payload`` of a Socket Mode envelope (the same JSON Slack would POST to
an HTTP endpoint): ``block_actions`` and ``view_submission`` for the ``interactive`` envelope
type, an ``event_callback`` for ``events_api`` and the slash command fields for
``slash_commands``. Field names follow docs.slack.dev (interaction payloads, Events API, slash
commands) so that slack-bolt parses them exactly as it parses Slack's.

Trigger ids carry the time they were issued (``<issued_ms>.<seq>.<hex>``, the same three-part
shape as Slack's ``12345.98765.abcd2358fdea``), so the stand-in can make them expire after three
seconds without having to know which builder produced them.
"""

from __future__ import annotations

import itertools
import secrets
import time
import uuid
from typing import Any

TEAM_ID = "T0CAPLUS1"
TEAM_DOMAIN = "caplus"
APP_ID = "A0PRIVTRI1"
BOT_USER_ID = "U0BOTPRIV1"
BOT_ID = "B0BOTPRIV1"
VERIFICATION_TOKEN = "standin-verification-token"

_trigger_seq = itertools.count(1)


def new_trigger_id(now: float | None = None) -> str:
    """Issue a trigger id stamped with its issue time.

    Args:
        now: issue time (Unix seconds); pass an old time to get an already-expired trigger.
    """
    issued = time.time() if now is None else now
    return f"{int(issued * 1000)}.{next(_trigger_seq)}.{secrets.token_hex(16)}"


def trigger_issued_at(trigger_id: str) -> float | None:
    """Return when ``trigger_id`` was issued, or None when it is not one of ours."""
    parts = trigger_id.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]) / 1000


def new_ts(now: float | None = None) -> str:
    """Return a Slack-style message timestamp (``"1700000000.123456"``)."""
    moment = time.time() if now is None else now
    return f"{moment:.6f}"


def _user(user_id: str, user_name: str | None) -> dict[str, Any]:
    name = user_name or user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}


def _team() -> dict[str, str]:
    return {"id": TEAM_ID, "domain": TEAM_DOMAIN}


def _response_url(kind: str) -> str:
    return f"https://hooks.slack.com/{kind}/{TEAM_ID}/{secrets.token_hex(6)}/{secrets.token_hex(12)}"


def block_actions_payload(
    user_id: str,
    action_id: str,
    value: str,
    message_ts: str,
    channel: str,
    trigger_id: str | None = None,
    *,
    block_id: str = "actions",
    message: dict[str, Any] | None = None,
    user_name: str | None = None,
    button_text: str = "Button",
) -> dict[str, Any]:
    """Build the ``block_actions`` payload Slack sends when someone clicks a button in a message.

    Args:
        user_id: who clicked.
        action_id: the button's ``action_id``.
        value: the button's ``value``.
        message_ts: ``ts`` of the message holding the button.
        channel: the channel id of that message.
        trigger_id: defaults to a fresh one (valid for three seconds).
        block_id: the ``block_id`` of the actions block.
        message: the message as Slack shows it (e.g. ``SlackStandIn.message(channel, ts)``);
            a minimal one is made up when omitted.
        user_name: the clicker's user name; derived from ``user_id`` when omitted.
        button_text: the label of the clicked button.
    """
    now = time.time()
    shown = message or {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
        "ts": message_ts,
        "text": "",
        "blocks": [],
    }
    return {
        "type": "block_actions",
        "user": _user(user_id, user_name),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or new_trigger_id(now),
        "team": _team(),
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": channel.lower()},
        "message": shown,
        "state": {"values": {}},
        "response_url": _response_url("actions"),
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": button_text, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": new_ts(now),
            }
        ],
    }


def view_submission_payload(
    user_id: str,
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    *,
    private_metadata: str = "",
    view_id: str | None = None,
    trigger_id: str | None = None,
    title: str = "Review",
    user_name: str | None = None,
) -> dict[str, Any]:
    """Build the ``view_submission`` payload Slack sends when someone submits a modal.

    Args:
        user_id: who submitted.
        callback_id: the modal's ``callback_id``.
        values: ``view.state.values`` exactly as Slack nests it:
            ``{block_id: {action_id: {"type": "plain_text_input", "value": "..."}}}``
            (see :func:`text_input_values` for the common case).
        private_metadata: the modal's ``private_metadata``.
        view_id: the view id (e.g. from the ``views.open`` response); made up when omitted.
        trigger_id: defaults to a fresh one.
        title: the modal's title text.
        user_name: the submitter's user name.
    """
    vid = view_id or f"V{secrets.token_hex(5).upper()}"
    return {
        "type": "view_submission",
        "team": _team(),
        "user": _user(user_id, user_name),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": {
            "id": vid,
            "team_id": TEAM_ID,
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": {"type": "plain_text", "text": title, "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
            "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
            "previous_view_id": None,
            "root_view_id": vid,
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def text_input_values(inputs: dict[str, dict[str, str]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Shape ``{block_id: {action_id: text}}`` as the ``state.values`` of plain-text inputs."""
    return {
        block_id: {
            action_id: {"type": "plain_text_input", "value": text}
            for action_id, text in actions.items()
        }
        for block_id, actions in inputs.items()
    }


def message_event(
    user: str,
    channel: str,
    text: str,
    channel_type: str = "im",
    ts: str | None = None,
    *,
    thread_ts: str | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """Build the Events API ``event_callback`` for a ``message`` event (a DM to the bot by default).

    Args:
        user: the author's user id.
        channel: the channel id (``D...`` for a DM).
        text: the message text.
        channel_type: ``"im"``, ``"channel"``, ``"group"`` or ``"mpim"``.
        ts: the message ``ts``; defaults to now.
        thread_ts: set for a reply in a thread.
        event_id: defaults to a fresh ``Ev...`` id (Slack keeps it across retries).
    """
    now = time.time()
    message_ts = ts or new_ts(now)
    event: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": message_ts,
        "team": TEAM_ID,
        "client_msg_id": str(uuid.uuid4()),
        "blocks": [
            {
                "type": "rich_text",
                "block_id": secrets.token_hex(3),
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                ],
            }
        ],
        "channel": channel,
        "event_ts": message_ts,
        "channel_type": channel_type,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "context_team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
        "event_time": int(now),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_hex(20)}",
    }


def slash_command_payload(
    user_id: str,
    command: str,
    text: str,
    channel: str,
    trigger_id: str | None = None,
    *,
    user_name: str | None = None,
    channel_name: str | None = None,
) -> dict[str, str]:
    """Build the fields Slack sends for a slash command (all values are strings, as on the wire).

    Args:
        user_id: who typed the command.
        command: e.g. ``"/privacy"``.
        text: everything after the command.
        channel: the channel id it was typed in.
        trigger_id: defaults to a fresh one.
        user_name: the user's name.
        channel_name: the channel's name.
    """
    if not command.startswith("/"):
        raise ValueError("a slash command starts with '/'")
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel,
        "channel_name": channel_name or channel.lower(),
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": _response_url("commands"),
        "trigger_id": trigger_id or new_trigger_id(),
    }
