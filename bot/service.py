"""Assembling the running service: which steps run, in which threads, delivering where.

``poll_once`` is the whole chain once, in the foreground (cron-friendly, and what tests drive).
``run`` is the same chain continuously, in supervised threads (see :class:`Service`): the IMAP
watcher wakes triage the moment mail is committed, triage wakes delivery the moment its actions
are committed, and each delivery channel has its own thread, so triage never waits on a relay.
Every thread stops on the same event (SIGTERM/SIGINT in the CLI).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from bot.deliver.dispatcher import Channel, DeliveryReport, deliver_due
from bot.deliver.email import EmailChannel
from bot.pipeline.triage import triage_pending
from bot.pipeline.watch import Watcher
from bot.runtime import Runtime
from bot.supervise import Supervisor, ThreadHealth

logger = logging.getLogger(__name__)

WORKER_TICK_S = 2.0  # triage and delivery look again this often even when nobody wakes them
SCHEDULED_EVERY_S = 60.0  # the triage thread looks at the clock's posts this often
DELIVERY_BATCH = 100


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
    queue_scheduled_posts(rt)  # cron-only set-ups get reminders too
    triaged, delivery = triage_and_deliver(rt, delivery_channels(rt))
    return PollReport(fetched, triaged, delivery)


def queue_scheduled_posts(rt: Runtime) -> None:
    """Queue what the clock asks for (Slack's daily reminder and digest), once per day each.

    The one place that decides it: ``poll_once`` calls it for cron-only set-ups, and the
    service's triage thread about once a minute. The rows are keyed by date, so both, or many
    processes, queue each post once.
    """
    if rt.config.slack.enabled:
        from bot.slack.jobs import queue_daily_posts  # only with Slack configured

        queue_daily_posts(rt)


def log_startup_warnings(rt: Runtime) -> None:
    """Say once, at start-up, what the configuration leaves unprotected."""
    from bot.mail.auth import trust_warning

    warning = trust_warning(rt.config.imap.trusted_authserv_ids)
    if warning and rt.config.imap.enabled:
        logger.warning(warning)


class Service:
    """The long-running process behind ``privacy-triage run``.

    Threads, each under the :class:`~bot.supervise.Supervisor` (restarted with backoff when it
    fails, reported by ``/readyz``):

    - ``imap-watcher`` stores new mail and wakes ``triage``;
    - ``triage`` classifies and acts (suppressions are committed here) and wakes delivery;
      about once a minute it also queues the daily Slack posts (:func:`queue_scheduled_posts`);
    - ``deliver-email`` and ``deliver-slack``, one per channel, drain the outbox, so a relay
      that hangs delays only its own channel and never a suppression;
    - ``http`` and ``slack`` serve the front ends where configured;
    - ``retention`` purges what ``[retention]`` says is due, once a day (``bot.purge_job``).
    """

    def __init__(self, rt: Runtime, supervisor_options: dict[str, float] | None = None) -> None:
        self.rt = rt
        self.stop = threading.Event()
        self.wake = threading.Event()  # new mail stored: triage now
        self.delivery_wake: dict[str, threading.Event] = {}
        self.supervisor = Supervisor(self.stop, **(supervisor_options or {}))
        self.watcher: Watcher | None = None

    @property
    def threads(self) -> list[threading.Thread]:
        return self.supervisor.threads

    def health(self) -> list[ThreadHealth]:
        """Each supervised thread's health (the HTTP front end shows it)."""
        return self.supervisor.status()

    def start(self) -> None:
        """Start every thread; a port already in use stops start-up first (ConfigError)."""
        rt = self.rt
        log_startup_warnings(rt)
        # Ports are taken before any thread starts, so a mistake stops `run` with nothing begun.
        bound = []
        if rt.config.http.enabled:
            from bot.web.server import listen, serve  # the HTTP front end is optional

            bound.append(listen(rt, self.health))
        if rt.config.slack.enabled:
            from bot.slack.runner import check_http_port, run_slack_app

            check_http_port(rt.config)
        if rt.config.imap.enabled:
            self.watcher = Watcher(rt, on_stored=lambda _n: self.wake.set())
            self.supervisor.start("imap-watcher", partial(self._watch, self.watcher))
        self.supervisor.start("triage", self._triage)
        for kind, channel in delivery_channels(rt).items():
            wake = self.delivery_wake[kind] = threading.Event()
            self.supervisor.start(f"deliver-{kind}", partial(self._deliver, kind, channel, wake))
        if rt.config.http.enabled:
            def _serve(_beat: Callable[[], None]) -> None:
                # The first run serves the socket bound above; a restart binds anew.
                serve(rt, self.stop, bound.pop() if bound else None, self.health)

            self.supervisor.start("http", _serve)
        if rt.config.slack.enabled:
            self.supervisor.start("slack", lambda _beat: run_slack_app(rt, self.stop))
        self._start_scheduled_jobs()

    def _start_scheduled_jobs(self) -> None:
        """Jobs that run by the clock, each its own supervised thread (``retention``: the
        daily purge of :mod:`bot.purge_job`, at ``[retention] daily_purge_hour``)."""
        if self.rt.config.retention.daily_purge:
            from bot.purge_job import run_daily_purge

            self.supervisor.start("retention", partial(run_daily_purge, self.rt, self.stop))

    def _watch(self, watcher: Watcher, beat: Callable[[], None]) -> None:
        watcher.on_healthy = beat
        self.wake.set()  # after a restart, triage whatever the last run stored
        watcher.run(self.stop)

    def _triage(self, beat: Callable[[], None]) -> None:
        next_scheduled = time.monotonic()
        while not self.stop.is_set():
            self.wake.clear()  # before the pass, so mail stored during it wakes the next one
            while not self.stop.is_set() and triage_pending(self.rt):
                self._wake_delivery()  # that batch is committed: its outbox rows are due
            if time.monotonic() >= next_scheduled:
                next_scheduled = time.monotonic() + SCHEDULED_EVERY_S
                self._queue_scheduled()
            self._wake_delivery()  # retries and rows queued by staff in Slack, too
            beat()
            self.wake.wait(WORKER_TICK_S)

    def _queue_scheduled(self) -> None:
        try:
            queue_scheduled_posts(self.rt)
        except Exception:  # a missed minute is retried next minute; triage must go on
            logger.exception("Queueing the daily Slack posts failed")

    def _deliver(self, kind: str, channel: Channel, wake: threading.Event,
                 beat: Callable[[], None]) -> None:
        while not self.stop.is_set():
            wake.clear()
            report = deliver_due(self.rt, {kind: channel}, limit=DELIVERY_BATCH)
            if report.sent or report.failed:
                # Their follow-ups are queued now, e.g. the Slack note that a reply went out.
                self._wake_delivery(but=kind)
            beat()
            if report.sent + report.retried + report.failed < DELIVERY_BATCH:
                wake.wait(WORKER_TICK_S)

    def _wake_delivery(self, but: str | None = None) -> None:
        for kind, event in self.delivery_wake.items():
            if kind != but:
                event.set()

    def shutdown(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.wake.set()
        self._wake_delivery()
        if self.watcher is not None:
            self.watcher.interrupt()
        self.supervisor.join(timeout)
