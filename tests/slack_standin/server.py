"""A wire-level stand-in for Slack's Web API and Socket Mode, on loopback, for tests.

One aiohttp application serves both ``POST /api/<method>`` (what slack_sdk's ``WebClient``
sends when given ``base_url=standin.base_url``) and the Socket Mode websocket at
``/link/?ticket=...`` (the URL ``apps.connections.open`` hands out). It runs on its own event
loop in a daemon thread, so synchronous tests and the real, synchronous slack_sdk clients can
talk to it while the test thread inspects what it recorded.

Socket Mode follows docs.slack.dev "Using Socket Mode": a ``hello`` on connect, envelopes with an
``envelope_id`` that the app must acknowledge within three seconds, Events API envelopes sent
again with ``retry_attempt`` + 1 when not acknowledged, and ``disconnect`` messages after which
the app must open a new connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import WSMsgType, web

from .payloads import APP_ID
from .records import Ack, Call, Journal, MessageStore
from .web_api import METHODS, SlackUser, WebApi

logger = logging.getLogger(__name__)

FAULT_KINDS = ("ratelimit", "server_error", "invalid_blocks", "expired_trigger_id")
ENVELOPE_TYPES = ("events_api", "interactive", "slash_commands")
ACK_TIMEOUT = 3.0  # Slack expects an ack within three seconds
SLACK_HOOKS = "https://hooks.slack.com/"  # where payloads' response_url points before sending
MAX_RETRIES = 3  # Slack retries an Events API delivery up to three times
_JSON_FIELDS = ("blocks", "attachments", "view", "metadata")


@dataclass
class _Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    attempt: int = 0
    first_sent: float | None = None
    last_sent: float | None = None
    acked: bool = False
    gave_up: bool = False

    def to_json(self) -> dict[str, Any]:
        message: dict[str, Any] = {
            "envelope_id": self.envelope_id,
            "payload": self.payload,
            "type": self.type,
            "accepts_response_payload": self.accepts_response_payload,
        }
        # Slack sends the retry fields with Events API envelopes only.
        if self.type == "events_api":
            message["retry_attempt"] = self.attempt
            message["retry_reason"] = "timeout" if self.attempt else ""
        return message


def _fault_response(kind: str) -> tuple[int, dict[str, str], dict[str, Any]]:
    if kind == "ratelimit":
        return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
    if kind == "server_error":
        return 500, {}, {"ok": False, "error": "internal_error"}
    return 200, {}, {"ok": False, "error": kind}


async def _parse_args(request: web.Request) -> dict[str, Any]:
    """Merge query string, form or JSON body into one dict, decoding JSON-encoded fields.

    slack_sdk sends most methods as JSON (chat.*, views.*) and the rest form-encoded, where
    ``blocks`` and ``view`` arrive as JSON strings, as they may from any other client.
    """
    args: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                args.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                args[key] = value if isinstance(value, str) else getattr(value, "filename", "")
    for key in _JSON_FIELDS:
        if isinstance(args.get(key), str):
            # Left as a string if it is not JSON: the method answers invalid_blocks_format /
            # invalid_arguments then.
            with contextlib.suppress(json.JSONDecodeError):
                args[key] = json.loads(args[key])
    return args


def _token(request: web.Request, args: dict[str, Any]) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth[len("Bearer "):].strip()
    token = args.get("token")
    return token if isinstance(token, str) else None


class SlackStandIn:
    """Slack's Web API and Socket Mode on ``127.0.0.1:<free port>``.

    Use as a context manager (or ``start()`` / ``stop()``)::

        with SlackStandIn() as slack:
            client = WebClient(token="xoxb-test", base_url=slack.base_url)

    Args:
        bot_token: the bot token (``xoxb-...``) accepted by Web API methods.
        app_token: the app-level token (``xapp-...``) accepted by apps.connections.open.
        users: workspace members for users.info.
        ack_timeout: seconds before an unacknowledged envelope counts as timed out.
        redeliver_types: envelope types sent again after a timeout (Slack retries Events API
            deliveries only; interactive payloads and slash commands just fail for the user).
        max_retries: redeliveries per envelope.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test",
        app_token: str = "xapp-test",
        users: list[SlackUser] | None = None,
        ack_timeout: float = ACK_TIMEOUT,
        redeliver_types: tuple[str, ...] = ("events_api",),
        max_retries: int = MAX_RETRIES,
    ) -> None:
        if not bot_token.startswith("xoxb-") or not app_token.startswith("xapp-"):
            raise ValueError("bot_token must start with xoxb- and app_token with xapp-")
        self.ack_timeout = ack_timeout
        self.redeliver_types = redeliver_types
        self.max_retries = max_retries
        self.journal = Journal()
        self.store = MessageStore()
        self.web = WebApi(
            bot_tokens={bot_token},
            app_tokens={app_token},
            store=self.store,
            open_connection=self._issue_ticket_url,
        )
        for user in users or []:
            self.web.add_user(user)
        self.connected = threading.Event()
        self.port = 0
        self._lock = threading.Lock()
        self._faults: dict[str, list[str]] = {}
        self._tickets: set[str] = set()
        self._envelopes: dict[str, _Envelope] = {}
        self._sockets: list[web.WebSocketResponse] = []  # touched on the loop thread only
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._monitor: asyncio.Task[None] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/``, for ``WebClient(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}/api/"

    def start(self) -> Self:
        """Start the server thread and return once it listens."""
        if self._thread is not None:
            raise RuntimeError("the Slack stand-in is already running")
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="slack-standin",
                                        daemon=True)
        self._thread.start()
        self._call_soon(self._serve(), timeout=10)
        logger.info("Slack stand-in listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Close every connection, stop the server and its thread."""
        if self._loop is None or self._thread is None:
            return
        try:
            self._call_soon(self._shutdown(), timeout=10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()
            self._loop = None
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _call_soon(self, coro: Any, timeout: float = 5) -> Any:
        if self._loop is None:
            coro.close()
            raise RuntimeError("the Slack stand-in is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link/", self._link)
        app.router.add_post("/hooks/{path:.*}", self._hook)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._monitor = asyncio.get_running_loop().create_task(self._watch_acks())

    async def _shutdown(self) -> None:
        if self._monitor is not None:
            self._monitor.cancel()
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"server shutdown")
        if self._runner is not None:
            await self._runner.cleanup()

    # -- configuration and inspection ----------------------------------------------------

    def add_user(self, user_id: str, email: str, *, name: str = "", real_name: str = "",
                 is_bot: bool = False, deleted: bool = False) -> None:
        """Make ``user_id`` known to users.info with ``profile.email`` = ``email``."""
        self.web.add_user(SlackUser(user_id, email, name, real_name, is_bot, deleted))

    def set_members(self, channel: str, members: list[str]) -> None:
        """Set who conversations.members lists for ``channel``."""
        self.web.set_members(channel, members)

    def fail_next(self, method: str, kind: str, count: int = 1) -> None:
        """Make the next ``count`` calls to ``method`` fail.

        Args:
            method: a Web API method, e.g. ``"chat.postMessage"``.
            kind: ``"ratelimit"`` (HTTP 429, ``Retry-After: 1``), ``"server_error"``
                (HTTP 500), ``"invalid_blocks"`` or ``"expired_trigger_id"`` (HTTP 200 with
                ``{"ok": false, "error": kind}``).
            count: how many calls in a row fail.
        """
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; served: {', '.join(METHODS)}")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        with self._lock:
            self._faults.setdefault(method, []).extend([kind] * count)

    def calls(self, method: str | None = None) -> list[Call]:
        """Every recorded Web API call (of ``method``), oldest first."""
        return self.journal.calls(method)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``method`` has been called ``count`` times; return those calls."""
        return self.journal.wait_for_calls(method, count, timeout)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The messages in ``channel`` as they are now (after any chat.update), oldest first."""
        return self.store.in_channel(channel)

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """One message as it is now, or None."""
        return self.store.get(channel, ts)

    def ephemeral_messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages sent with chat.postEphemeral (each names its ``user``)."""
        return self.store.ephemeral(channel)

    def view(self, view_id: str) -> dict[str, Any] | None:
        """A view opened, updated or published, as it is now."""
        return self.web.view(view_id)

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The Home tab last published for ``user_id``."""
        return self.web.home_view(user_id)

    # -- Web API -------------------------------------------------------------------------

    def _take_fault(self, method: str) -> str | None:
        with self._lock:
            queued = self._faults.get(method)
            return queued.pop(0) if queued else None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            args = await _parse_args(request)
        except (json.JSONDecodeError, UnicodeDecodeError):
            args = {}
            status, headers, body = 200, {}, {"ok": False, "error": "invalid_json"}
        else:
            fault = self._take_fault(method)
            if fault is not None:
                status, headers, body = _fault_response(fault)
            else:
                status, body = self.web.handle(method, args, _token(request, args))
                headers = {}
        self.journal.add_call(Call(method, args, dict(request.headers), time.monotonic(), status,
                                   body))
        logger.debug("Slack stand-in %s -> %s %s", method, status, body.get("error", "ok"))
        return web.json_response(body, status=status, headers=headers)

    # -- response_url --------------------------------------------------------------------

    async def _hook(self, request: web.Request) -> web.Response:
        """A post to an interaction's ``response_url`` (``respond()`` in Bolt), recorded as a
        call named ``response_url`` whose ``args`` are the JSON message and ``url`` the path."""
        try:
            message = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(status=400, text="invalid_payload")
        if not isinstance(message, dict):
            return web.Response(status=400, text="invalid_payload")
        url = f"http://127.0.0.1:{self.port}{request.path}"
        self.journal.add_call(Call("response_url", {**message, "url": url},
                                   dict(request.headers), time.monotonic(), 200, {"ok": True}))
        return web.Response(text="ok")

    def _response_url_of(self, envelope_id: str) -> str | None:
        with self._lock:
            return self._envelopes[envelope_id].payload.get("response_url")

    def responses(self, envelope_id: str) -> list[Call]:
        """The app's posts to ``envelope_id``'s ``response_url``, oldest first (``args`` is the
        message; ``time`` compares with :attr:`Ack.time`)."""
        url = self._response_url_of(envelope_id)
        return [c for c in self.journal.calls("response_url") if c.args["url"] == url]

    def wait_for_response(self, envelope_id: str, timeout: float = 5.0) -> Call:
        """Block until the app posts to ``envelope_id``'s ``response_url``; return the first."""
        url = self._response_url_of(envelope_id)

        def posted() -> Call | None:
            return next((c for c in self.journal.calls("response_url") if c.args["url"] == url),
                        None)

        return self.journal.wait(posted, timeout, f"for a response to envelope {envelope_id}")

    # -- Socket Mode ---------------------------------------------------------------------

    def _issue_ticket_url(self) -> str:
        ticket = str(uuid.uuid4())
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={APP_ID}"

    async def _link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        with self._lock:
            known = ticket in self._tickets
            self._tickets.discard(ticket)  # a ticket opens one connection only
        if not known:
            return web.Response(status=401, text="invalid or used ticket")
        ws = web.WebSocketResponse(timeout=1.0, compress=False)
        await ws.prepare(request)
        self._sockets.append(ws)
        try:
            await ws.send_json({
                "type": "hello",
                "num_connections": len(self._sockets),
                "debug_info": {
                    "host": "applink-standin",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": APP_ID},
            })
            self.journal.add_connection()
            self.connected.set()
            await self._deliver_waiting(ws)
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    self._on_client_message(frame.data)
        finally:
            self._sockets.remove(ws)
        return ws

    def _on_client_message(self, data: str) -> None:
        try:
            message = json.loads(data)
        except json.JSONDecodeError:
            logger.warning("Slack stand-in: non-JSON frame from the app")
            return
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        if not envelope_id:
            return
        now = time.monotonic()
        with self._lock:
            envelope = self._envelopes.get(envelope_id)
            if envelope is not None:
                envelope.acked = True
        first_sent = envelope.first_sent if envelope and envelope.first_sent else now
        self.journal.add_ack(Ack(envelope_id, message.get("payload"), now, now - first_sent,
                                 envelope is not None))

    async def _send(self, envelope: _Envelope, ws: web.WebSocketResponse) -> None:
        now = time.monotonic()
        with self._lock:
            envelope.first_sent = envelope.first_sent or now
            envelope.last_sent = now
        await ws.send_json(envelope.to_json())

    async def _deliver_waiting(self, ws: web.WebSocketResponse) -> None:
        with self._lock:
            waiting = [e for e in self._envelopes.values() if e.last_sent is None]
        for envelope in waiting:
            await self._send(envelope, ws)

    async def _deliver(self, envelope: _Envelope) -> None:
        live = [ws for ws in self._sockets if not ws.closed]
        if live:
            await self._send(envelope, live[-1])

    async def _watch_acks(self) -> None:
        """Resend Events API envelopes that were not acknowledged in time, as Slack does."""
        while True:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            with self._lock:
                overdue = [
                    e for e in self._envelopes.values()
                    if not e.acked and not e.gave_up and e.last_sent is not None
                    and now - e.last_sent >= self.ack_timeout
                ]
                for envelope in overdue:
                    if (envelope.type in self.redeliver_types
                            and envelope.attempt < self.max_retries):
                        envelope.attempt += 1
                        envelope.last_sent = None  # due again
                    else:
                        envelope.gave_up = True
            for envelope in overdue:
                if not envelope.gave_up:
                    await self._deliver(envelope)

    def send_envelope(
        self, type: str, payload: dict[str, Any], *, accepts_response_payload: bool = False
    ) -> str:
        """Push an envelope to the connected app (or to the next app that connects).

        Args:
            type: ``"events_api"``, ``"interactive"`` or ``"slash_commands"``.
            payload: e.g. from :func:`~tests.slack_standin.payloads.message_event`.
            accepts_response_payload: whether the app may answer in its ack.

        Returns:
            The ``envelope_id`` the app must acknowledge.
        """
        if type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {type!r}; one of {', '.join(ENVELOPE_TYPES)}")
        if str(payload.get("response_url", "")).startswith(SLACK_HOOKS):
            # Answers to the response_url come here, like the Web API calls.
            payload = {**payload, "response_url": payload["response_url"].replace(
                SLACK_HOOKS, f"http://127.0.0.1:{self.port}/hooks/", 1)}
        envelope = _Envelope(str(uuid.uuid4()), type, payload, accepts_response_payload)
        with self._lock:
            self._envelopes[envelope.envelope_id] = envelope
        self._call_soon(self._deliver(envelope))
        return envelope.envelope_id

    def acks(self, envelope_id: str | None = None) -> list[Ack]:
        """Acknowledgements received (for ``envelope_id``), oldest first."""
        return self.journal.acks(envelope_id)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:
        """Block until the app acknowledges ``envelope_id``; return the first ack."""
        return self.journal.wait_for_ack(envelope_id, timeout)

    def gave_up(self, envelope_id: str) -> bool:
        """Whether the ack deadline passed and the stand-in will not send ``envelope_id`` again
        (its last retry, or a type Slack does not redeliver): the readiness event for tests that
        check that nothing more happens."""
        with self._lock:
            return self._envelopes[envelope_id].gave_up

    def deliveries(self, envelope_id: str) -> int:
        """How many times ``envelope_id`` has been sent (1 + redeliveries so far)."""
        with self._lock:
            envelope = self._envelopes[envelope_id]
            if envelope.first_sent is None:
                return 0
            return envelope.attempt + (1 if envelope.last_sent is not None else 0)

    def wait_for_connection(self, count: int = 1, timeout: float = 5.0) -> int:
        """Block until ``count`` Socket Mode connections have been opened in total."""
        return self.journal.wait_for_connections(count, timeout)

    @property
    def open_connections(self) -> int:
        """Socket Mode connections open right now."""
        return self._call_soon(self._count_open())

    async def _count_open(self) -> int:
        return sum(1 for ws in self._sockets if not ws.closed)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Send ``{"type": "disconnect", "reason": reason}`` on every connection, then close it.

        The app must call apps.connections.open again and reconnect.
        """
        self._call_soon(self._disconnect(reason))

    def drop_connections(self) -> None:
        """Close every Socket Mode connection without a ``disconnect`` message first.

        Like a network drop or a server restart. It also lets a test shut the builtin
        ``SocketModeClient`` down at once: with ``auto_reconnect_enabled = False`` set first, its
        ``close()`` otherwise waits out a three-second socket read.
        """
        self._call_soon(self._drop())

    async def _drop(self) -> None:
        for ws in [ws for ws in self._sockets if not ws.closed]:
            await ws.close(code=1001, message=b"going away")

    async def _disconnect(self, reason: str) -> None:
        for ws in [ws for ws in self._sockets if not ws.closed]:
            await ws.send_json({
                "type": "disconnect",
                "reason": reason,
                "debug_info": {"host": "applink-standin"},
            })
            await ws.close(code=1000, message=reason.encode())
