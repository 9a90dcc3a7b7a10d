"""Assembling the running service: which steps run, in which threads, delivering where.

``poll_once`` is the whole chain once, in the foreground (cron-friendly, and what tests drive).
``run`` is the same chain continuously: an IMAP watcher thread that wakes a worker thread the
moment mail is committed, the worker triaging and delivering, plus the HTTP and Slack front
ends where configured. Every thread stops on the same event (SIGTERM/SIGINT in the CLI).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from bot.deliver.dispatcher import Channel, DeliveryReport, deliver_due
from bot.deliver.email import EmailChannel
from bot.pipeline.runtime import Runtime
from bot.pipeline.triage import triage_pending
from bot.pipeline.watch import Watcher

logger = logging.getLogger(__name__)

WORKER_TICK_S = 2.0


@dataclass(frozen=True)
class PollReport:
    fetched: int
    triaged: int
    delivery: DeliveryReport


def delivery_channels(rt: Runtime) -> dict[str, Channel]:
    """The outbox channels this configuration can deliver through.

    A channel that is not configured is left out, so its items wait in the outbox (visible in
    ``cases list``) instead of burning retries.
    """
    channels: dict[str, Channel] = {}
    if rt.config.smtp.enabled:
        channels["email"] = EmailChannel(rt)
    if rt.config.slack.enabled:
        from bot.slack.delivery import SlackChannel  # only with Slack configured

        channels["slack"] = SlackChannel(rt)
    return channels


def triage_and_deliver(rt: Runtime, channels: dict[str, Channel]) -> tuple[int, DeliveryReport]:
    """Triage everything stored, then deliver everything due."""
    triaged = 0
    while outcomes := triage_pending(rt):
        triaged += len(outcomes)
    return triaged, deliver_due(rt, channels)


def poll_once(rt: Runtime) -> PollReport:
    """Fetch everything new, triage, act, deliver what is due, and return."""
    fetched = Watcher(rt).poll_once() if rt.config.imap.enabled else 0
    if rt.config.slack.enabled:
        from bot.slack.jobs import queue_daily_posts  # cron-only set-ups get reminders too

        queue_daily_posts(rt)
    triaged, delivery = triage_and_deliver(rt, delivery_channels(rt))
    return PollReport(fetched, triaged, delivery)


def log_startup_warnings(rt: Runtime) -> None:
    """Say once, at start-up, what the configuration leaves unprotected."""
    from bot.mail.auth import trust_warning

    warning = trust_warning(rt.config.imap.trusted_authserv_ids)
    if warning and rt.config.imap.enabled:
        logger.warning(warning)


class Service:
    """The long-running process behind ``privacy-triage run``."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.threads: list[threading.Thread] = []
        self.watcher: Watcher | None = None

    def start(self) -> None:
        rt = self.rt
        log_startup_warnings(rt)
        if rt.config.imap.enabled:
            self.watcher = Watcher(rt, on_stored=lambda _n: self.wake.set())
            self._spawn("imap-watcher", self.watcher.run, self.stop)
        self._spawn("worker", self._work)
        if rt.config.http.enabled:
            from bot.web.server import listen, serve  # the HTTP front end is optional

            # Bound here, before any thread starts: a port in use stops start-up (ConfigError).
            self._spawn("http", serve, rt, self.stop, listen(rt))
        if rt.config.slack.enabled:
            from bot.slack.runner import check_http_port, run_slack_app

            check_http_port(rt.config)
            self._spawn("slack", run_slack_app, rt, self.stop)

    def _spawn(self, name: str, target: Callable[..., object], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _work(self) -> None:
        channels = delivery_channels(self.rt)
        while not self.stop.is_set():
            self.wake.clear()  # before the pass, so mail stored during it wakes the next one
            try:
                triage_and_deliver(self.rt, channels)
            except Exception:
                logger.exception("Worker pass failed; retrying")
            self.wake.wait(WORKER_TICK_S)

    def shutdown(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.wake.set()
        if self.watcher is not None:
            self.watcher.interrupt()
        for thread in self.threads:
            thread.join(timeout)
