"""Serve the HTTP front end with waitress in the service's own process.

waitress runs its event loop in one thread and requests in a small pool. ``serve`` blocks until
the service's stop event is set, then closes the listening socket and any open connections from
inside the event loop (waitress's trigger runs the closing code in the loop thread, so no socket is
closed under the loop's feet), which ends the loop; then the request threads are shut down.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from waitress import create_server, wasyncore
from waitress.server import BaseWSGIServer

from bot.errors import ConfigError
from bot.runtime import Runtime
from bot.web.app import create_app
from bot.web.context import HealthReport

logger = logging.getLogger(__name__)

THREADS = 4
# waitress's defaults suit an intranet app, not a public endpoint: a 1 GB body, 256 KB of headers,
# 120 s before an idle or slow connection is dropped, and 100 connections. Ours accept a one-field
# form and a GET with a bearer token, so every limit can be small. waitress stops reading a body,
# chunked or not, as soon as it passes the limit, and answers 413.
LIMITS = {
    "max_request_body_size": 16 * 1024,
    "max_request_header_size": 16 * 1024,
    # A slow client (slowloris) holds a connection at most this long without sending a byte...
    "channel_timeout": 15,
    # ...and waitress looks for such connections this often.
    "cleanup_interval": 5,
    # Beyond this many open connections waitress stops accepting until some close, so a flood of
    # slow connections cannot exhaust file descriptors.
    "connection_limit": 200,
    # The Server header names the product, never a version.
    "ident": "privacy-triage",
}


@dataclass
class RunningServer:
    """A started waitress server: where it listens and how to stop it."""

    server: Any
    loop_map: dict[int, Any]
    thread: threading.Thread
    host: str
    port: int
    _closed: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def close(self, timeout: float = 10.0) -> None:
        """Stop accepting, drop open connections, wait for the loop and the workers to end."""
        if self._closed:
            return
        self._closed = True
        listener = next(o for o in self.loop_map.values() if isinstance(o, BaseWSGIServer))
        # close_all runs in the loop thread. It closes keep-alive connections too, which would
        # otherwise keep the loop alive until waitress's channel timeout (two minutes).
        listener.trigger.pull_trigger(lambda: wasyncore.close_all(self.loop_map))
        self.thread.join(timeout)
        if self.thread.is_alive():
            logger.warning("The HTTP server loop did not stop within %.0f s", timeout)
        self.server.task_dispatcher.shutdown(timeout=timeout)


def url_prefix(public_url: str) -> str:
    """The path part of ``[http] public_url`` ("/privacy" for https://example.org/privacy/).

    waitress serves the app under it (as SCRIPT_NAME), so the pages' own links and form point
    back through the reverse proxy whether or not the proxy strips the prefix.
    """
    return urlsplit(public_url).path.rstrip("/")


def start_server(rt: Runtime, host: str | None = None, port: int | None = None,
                 health: HealthReport | None = None) -> RunningServer:
    """Bind and start serving in a background thread; port 0 picks a free port.

    Args:
        rt: the runtime whose config and store the app uses.
        host, port: override ``[http] host`` and ``port`` (tests pass port 0).
        health: the service's per-thread health, shown by ``/healthz`` and ``/readyz``.

    Raises:
        OSError: when the address cannot be bound (in use, not permitted).
    """
    http = rt.config.http
    loop_map: dict[int, Any] = {}
    server = create_server(create_app(rt, health), map=loop_map, host=host or http.host,
                           port=http.port if port is None else port, threads=THREADS,
                           url_prefix=url_prefix(http.public_url),
                           clear_untrusted_proxy_headers=True, **LIMITS)
    # One listener gives a server; a host name with several addresses gives a MultiSocketServer.
    listening = getattr(server, "effective_listen", None) or [
        (server.effective_host, server.effective_port)]
    bound_host, bound_port = listening[0]
    thread = threading.Thread(target=server.run, name="http-loop", daemon=True)
    thread.start()
    logger.info("HTTP front end listening on %s", ", ".join(f"{h}:{p}" for h, p in listening))
    return RunningServer(server, loop_map, thread, str(bound_host), int(bound_port))


def listen(rt: Runtime, health: HealthReport | None = None) -> RunningServer:
    """Bind ``[http] host``/``port`` and start serving, or stop start-up naming the key.

    ``privacy-triage run`` calls this before it starts its threads: a port already in use is a
    configuration mistake to fix now, not a front end silently missing for days.
    """
    http = rt.config.http
    try:
        return start_server(rt, health=health)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {http.host}:{http.port} ({exc.strerror or exc}); "
                          "free the port, choose another, or set [http] enabled = false",
                          path=rt.config.path, key="http.port") from None


def serve(rt: Runtime, stop: threading.Event, running: RunningServer | None = None,
          health: HealthReport | None = None) -> None:
    """Serve until ``stop`` is set (the service's HTTP thread runs this).

    ``running`` is the server :func:`listen` already bound; without it (a restart by the
    supervisor) this binds now, and a port that cannot be bound is logged as an error and ends
    only this thread, which the supervisor retries with backoff.
    """
    http = rt.config.http
    if running is None:
        try:
            running = start_server(rt, health=health)
        except OSError as exc:
            logger.error("The HTTP front end cannot listen on %s:%s: %s", http.host, http.port,
                         exc)
            return
    try:
        stop.wait()
    finally:
        running.close()
        logger.info("HTTP front end stopped")
