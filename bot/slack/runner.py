"""Running the Slack app inside ``privacy-triage run``: Socket Mode, or HTTP on its own port.

Socket Mode (the default) needs no public URL: slack_sdk's builtin ``SocketModeClient`` (through
Bolt's ``SocketModeHandler``) opens the websocket that ``apps.connections.open`` hands out and
reconnects by itself after a ``disconnect`` message or a dropped connection. HTTP mode serves
Bolt's WSGI adapter with waitress on ``[slack] http_host``/``http_port``; Bolt checks
each request's signature and refuses a timestamp more than five minutes old.

The daily reminder and digest are queued by the service's triage thread (``bot/service.py``),
not here: they are outbox rows delivered through the Web API, so they do not need the socket.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import Config
from bot.errors import ConfigError
from bot.runtime import Runtime
from bot.slack.app import SlackApp
from bot.slack.client import make_web_client
from bot.slack.signed import MAX_BODY_BYTES, SignedOnly

if TYPE_CHECKING:
    from waitress.server import BaseWSGIServer, MultiSocketServer

logger = logging.getLogger(__name__)

# How often the Socket Mode client checks its connection (and so how soon it notices a silent
# drop and reconnects); Bolt's default.
SOCKET_PING_S = 10.0


def http_server(slack_app: SlackApp, host: str, port: int,
                signing_secret: str) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for Bolt's WSGI adapter; Slack posts everything to ``/slack/events``.

    The adapter sits behind :class:`~bot.slack.signed.SignedOnly`, so nothing unsigned is parsed,
    and waitress has the same limits as the public front end (a larger body: Slack's payloads).
    """
    from waitress import create_server

    from bot.web.server import LIMITS

    limits = {**LIMITS, "max_request_body_size": MAX_BODY_BYTES}
    return create_server(SignedOnly(SlackRequestHandler(slack_app.app), signing_secret),
                         host=host, port=port, threads=4, **limits)


def check_http_port(config: Config) -> None:
    """In HTTP mode, stop start-up naming ``slack.http_port`` when it cannot be bound.

    The endpoint is bound again by :func:`run_slack_app` in its own thread; checking here first
    turns a port in use into a clear start-up error instead of a Slack thread that died.
    """
    cfg = config.slack
    if cfg.mode != "http" or cfg.http_port == 0:
        return
    try:
        infos = socket.getaddrinfo(cfg.http_host, cfg.http_port, type=socket.SOCK_STREAM)
        for family, kind, proto, _name, address in infos[:1]:
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
                probe.bind(address)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {cfg.http_host}:{cfg.http_port} "
                          f"({exc.strerror or exc}); free the port or choose another",
                          path=config.path, key="slack.http_port") from None


def run_slack_app(rt: Runtime, stop: threading.Event,
                  on_ready: Callable[[object], None] | None = None,
                  wake: Callable[[], None] | None = None) -> None:
    """Serve Slack until ``stop`` is set.

    Args:
        rt: the runtime (``rt.config.slack`` says socket or http).
        stop: set by the service on SIGTERM; this function returns soon after.
        on_ready: called with the Socket Mode handler or the HTTP server once serving (tests).
        wake: wakes this process's triage worker when a chat message is stored; None where no
            worker runs here, and the app triages chat messages itself (``bot/slack/chat.py``).
    """
    cfg = rt.config.slack
    client = make_web_client(cfg)
    slack_app = SlackApp(rt, client, wake=wake)
    if cfg.mode == "http":
        host, port = cfg.http_host, cfg.http_port
        server = http_server(slack_app, host, port, cfg.signing_secret or "")
        thread = threading.Thread(target=server.run, name="slack-http", daemon=True)
        thread.start()
        logger.info("Slack HTTP endpoint on %s:%s/slack/events", host, server.effective_port)
        closer: Callable[[], None] = server.close
        ready: object = server
    else:
        handler = SocketModeHandler(slack_app.app, app_token=cfg.app_token,
                                    ping_interval=SOCKET_PING_S)
        handler.connect()
        logger.info("Slack Socket Mode connected")
        closer, ready = handler.close, handler
    if on_ready is not None:
        on_ready(ready)
    try:
        stop.wait()
    finally:
        if cfg.mode == "socket":
            handler.client.auto_reconnect_enabled = False
        try:
            closer()
        finally:
            slack_app.close()
        logger.info("Slack app stopped")
