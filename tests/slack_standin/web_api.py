"""The Web API methods the stand-in serves, as plain functions of (arguments, token) -> response.

No sockets here: :class:`WebApi` answers one already-parsed call with an HTTP status and the JSON
body Slack would send (``{"ok": false, "error": ...}`` with HTTP 200 for API errors). The server
module does the HTTP; fault injection happens there, before a call reaches this module.

Errors follow the method pages on docs.slack.dev: ``invalid_blocks`` for a bad message,
``msg_too_long`` for message text over 40,000 characters, and for ``views.*`` Slack's
``invalid_arguments`` (a bad view or trigger_id), each with ``response_metadata.messages``
pointing at the offending field.
"""

from __future__ import annotations

import base64
import copy
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import limits
from .payloads import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, trigger_issued_at
from .records import MessageStore

Response = tuple[int, dict[str, Any]]

METHODS = (
    "auth.test",
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "views.open",
    "views.update",
    "views.publish",
    "users.info",
    "conversations.members",
    "apps.connections.open",
)
APP_TOKEN_METHODS = ("apps.connections.open",)
TRIGGER_TTL = 3.0  # seconds; Slack's trigger_ids expire after three seconds


@dataclass(frozen=True)
class SlackUser:
    """A workspace member as users.info reports them."""

    id: str
    email: str
    name: str = ""
    real_name: str = ""
    is_bot: bool = False
    deleted: bool = False

    def to_json(self) -> dict[str, Any]:
        name = self.name or self.email.split("@")[0]
        real_name = self.real_name or name
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": name,
            "deleted": self.deleted,
            "real_name": real_name,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "is_admin": False,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "profile": {
                "real_name": real_name,
                "display_name": name,
                "email": self.email,
                "team": TEAM_ID,
            },
        }


def _error(error: str, *messages: str) -> Response:
    body: dict[str, Any] = {"ok": False, "error": error}
    if messages:
        body["response_metadata"] = {"messages": list(messages)}
    return 200, body


def _ok(**fields: Any) -> Response:
    return 200, {"ok": True, **fields}


class WebApi:
    """Slack's Web API for the methods in :data:`METHODS`.

    Args:
        bot_tokens: tokens accepted for every method but apps.connections.open.
        app_tokens: tokens accepted for apps.connections.open only.
        store: where posted messages live.
        open_connection: returns a fresh Socket Mode URL (with a one-time ticket).
        trigger_ttl: seconds a trigger_id stays usable.
    """

    def __init__(
        self,
        *,
        bot_tokens: set[str],
        app_tokens: set[str],
        store: MessageStore,
        open_connection: Callable[[], str],
        trigger_ttl: float = TRIGGER_TTL,
    ) -> None:
        self.bot_tokens = bot_tokens
        self.app_tokens = app_tokens
        self.store = store
        self.trigger_ttl = trigger_ttl
        self._open_connection = open_connection
        self._lock = threading.Lock()
        self._users: dict[str, SlackUser] = {}
        self._members: dict[str, list[str]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home: dict[str, dict[str, Any]] = {}
        self._used_triggers: set[str] = set()
        self.add_user(SlackUser(BOT_USER_ID, "privacy-triage@bots.invalid", "privacy-triage",
                                is_bot=True))

    # -- configuration -------------------------------------------------------------------

    def add_user(self, user: SlackUser) -> None:
        with self._lock:
            self._users[user.id] = user

    def set_members(self, channel: str, members: list[str]) -> None:
        with self._lock:
            self._members[channel] = list(members)

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self._views.get(view_id))

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self._home.get(user_id))

    # -- dispatch ------------------------------------------------------------------------

    def handle(self, method: str, args: dict[str, Any], token: str | None) -> Response:
        """Answer one call.

        Args:
            method: e.g. ``"chat.postMessage"``.
            args: the call's arguments, JSON fields already decoded.
            token: from ``Authorization: Bearer`` or the ``token`` argument.
        """
        if method not in METHODS:
            return _error("unknown_method")
        if not token:
            return _error("not_authed")
        wanted, other = (
            (self.app_tokens, self.bot_tokens)
            if method in APP_TOKEN_METHODS
            else (self.bot_tokens, self.app_tokens)
        )
        if token not in wanted:
            return _error("not_allowed_token_type" if token in other else "invalid_auth")
        handler = getattr(self, "_" + method.replace(".", "_"))
        return handler(args)

    # -- methods -------------------------------------------------------------------------

    def _auth_test(self, args: dict[str, Any]) -> Response:
        return _ok(
            url=f"https://{TEAM_DOMAIN}.slack.com/",
            team="CA Plus",
            user="privacy-triage",
            team_id=TEAM_ID,
            user_id=BOT_USER_ID,
            bot_id=BOT_ID,
            is_enterprise_install=False,
        )

    def _apps_connections_open(self, args: dict[str, Any]) -> Response:
        return _ok(url=self._open_connection())

    def _message_problem(self, args: dict[str, Any], *, update: bool = False) -> Response | None:
        """Return Slack's error for a bad message body, or None when it is acceptable."""
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            return _error("invalid_blocks_format")
        text = args.get("text")
        if not update and not text and not blocks and not args.get("attachments"):
            return _error("no_text")
        if blocks is not None:
            problems = limits.message_blocks_errors(blocks)
            if problems:
                return _error("invalid_blocks", *problems)
        if isinstance(text, str) and len(text) > limits.MAX_MESSAGE_TEXT:
            return _error("msg_too_long")
        return None

    def _resolve_channel(self, channel: Any) -> str | None:
        """Map a channel argument to a conversation id, as Slack does for a user id (a DM)."""
        if not isinstance(channel, str) or not channel:
            return None
        if channel[0] in "UW":
            return "D" + channel[1:]
        if channel[0] in "CGD":
            return channel
        return None

    def _chat_postMessage(self, args: dict[str, Any]) -> Response:
        channel = self._resolve_channel(args.get("channel"))
        if channel is None:
            return _error("channel_not_found")
        problem = self._message_problem(args)
        if problem:
            return problem
        ts = self.store.next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": args.get("text") or "",
            "ts": ts,
        }
        if args.get("blocks") is not None:
            message["blocks"] = args["blocks"]
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        if args.get("metadata") is not None:
            message["metadata"] = args["metadata"]
        self.store.add(channel, message)
        return _ok(channel=channel, ts=ts, message=message)

    def _chat_update(self, args: dict[str, Any]) -> Response:
        channel = self._resolve_channel(args.get("channel"))
        if channel is None:
            return _error("channel_not_found")
        problem = self._message_problem(args, update=True)
        if problem:
            return problem
        changes: dict[str, Any] = {"edited": {"user": BOT_USER_ID, "ts": self.store.next_ts()}}
        for name in ("text", "blocks", "metadata"):
            if args.get(name) is not None:
                changes[name] = args[name]
        updated = self.store.update(channel, str(args.get("ts", "")), changes)
        if updated is None:
            return _error("message_not_found")
        return _ok(channel=channel, ts=updated["ts"], text=updated.get("text", ""),
                   message=updated)

    def _chat_postEphemeral(self, args: dict[str, Any]) -> Response:
        channel = self._resolve_channel(args.get("channel"))
        if channel is None:
            return _error("channel_not_found")
        user = args.get("user")
        if not isinstance(user, str) or not user:
            return _error("user_not_found")
        with self._lock:
            members = self._members.get(channel)
        if members is not None and user not in members:
            return _error("user_not_in_channel")
        problem = self._message_problem(args)
        if problem:
            return problem
        ts = self.store.next_ts()
        self.store.add_ephemeral({
            "channel": channel,
            "user": user,
            "text": args.get("text") or "",
            "blocks": args.get("blocks"),
            "thread_ts": args.get("thread_ts"),
            "ts": ts,
        })
        return _ok(message_ts=ts)

    def _check_trigger(self, trigger_id: Any) -> Response | None:
        if not isinstance(trigger_id, str) or not trigger_id:
            return _error("invalid_arguments",
                          "[ERROR] missing required field: trigger_id [json-pointer:/trigger_id]")
        issued = trigger_issued_at(trigger_id)
        if issued is None:
            return _error("invalid_arguments",
                          "[ERROR] invalid `trigger_id` [json-pointer:/trigger_id]")
        with self._lock:
            if trigger_id in self._used_triggers:
                return _error("exchanged_trigger_id")
        if time.time() - issued > self.trigger_ttl:
            return _error("expired_trigger_id")
        return None

    def _stored_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        vid = view_id or f"V{secrets.token_hex(5).upper()}"
        stored = copy.deepcopy(view)
        stored.update({
            "id": vid,
            "team_id": TEAM_ID,
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "root_view_id": vid,
            "previous_view_id": None,
            "app_id": APP_ID,
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        })
        return stored

    def _views_open(self, args: dict[str, Any]) -> Response:
        problem = self._check_trigger(args.get("trigger_id"))
        if problem:
            return problem
        problems = limits.view_errors(args.get("view"))
        if problems:
            return _error("invalid_arguments", *problems)
        stored = self._stored_view(args["view"])
        with self._lock:
            self._used_triggers.add(args["trigger_id"])
            self._views[stored["id"]] = stored
        return _ok(view=stored)

    def _views_update(self, args: dict[str, Any]) -> Response:
        view_id, external_id = args.get("view_id"), args.get("external_id")
        if not view_id and not external_id:
            return _error("invalid_arguments",
                          "[ERROR] missing required field: view_id [json-pointer:/view_id]")
        problems = limits.view_errors(args.get("view"))
        if problems:
            return _error("invalid_arguments", *problems)
        with self._lock:
            current = self._views.get(view_id) if view_id else next(
                (v for v in self._views.values() if v.get("external_id") == external_id), None
            )
            if current is None:
                return _error("not_found")
            if args.get("hash") and args["hash"] != current["hash"]:
                return _error("hash_conflict")
            stored = self._stored_view(args["view"], current["id"])
            self._views[stored["id"]] = stored
        return _ok(view=stored)

    def _views_publish(self, args: dict[str, Any]) -> Response:
        user_id = args.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            return _error("invalid_arguments",
                          "[ERROR] missing required field: user_id [json-pointer:/user_id]")
        view = args.get("view")
        if isinstance(view, dict) and view.get("type") != "home":
            return _error("invalid_arguments", "[ERROR] must be home [json-pointer:/view/type]")
        problems = limits.view_errors(view)
        if problems:
            return _error("invalid_arguments", *problems)
        stored = self._stored_view(view)
        with self._lock:
            self._home[user_id] = stored
            self._views[stored["id"]] = stored
        return _ok(view=stored)

    def _users_info(self, args: dict[str, Any]) -> Response:
        with self._lock:
            user = self._users.get(str(args.get("user", "")))
        if user is None:
            return _error("user_not_found")
        return _ok(user=user.to_json())

    def _conversations_members(self, args: dict[str, Any]) -> Response:
        with self._lock:
            members = self._members.get(str(args.get("channel", "")))
        if members is None:
            return _error("channel_not_found")
        try:
            limit = int(args.get("limit") or 100)
            cursor = str(args.get("cursor") or "")
            start = int(base64.b64decode(cursor).decode().split(":")[1]) if cursor else 0
        except (ValueError, IndexError, UnicodeDecodeError):
            return _error("invalid_cursor")
        page = members[start:start + limit]
        end = start + len(page)
        next_cursor = (base64.b64encode(f"user:{end}".encode()).decode()
                       if end < len(members) else "")
        return _ok(members=page, response_metadata={"next_cursor": next_cursor})
