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
from bot.pipeline.watch_lead import LeadingWatcher, mailbox_lock, one_pass, take_process_lock
from bot.roles import ALL, Part, parts_for
from bot.runtime import Runtime
from bot.store.leadership import (
    MAIL,
    OUTBOX,
    MailListener,
    Scope,
    SqliteWatcherLock,
    engine_scope,
    notify,
)
from bot.supervise import Supervisor, ThreadHealth

logger = logging.getLogger(__name__)

WORKER_TICK_S = 2.0  # triage and delivery look again this often even when nobody wakes them
LISTEN_TICK_S = 1.0  # the PostgreSQL listener checks the stop event this often
SCHEDULED_EVERY_S = 60.0  # the triage thread looks at the clock's posts this often
DELIVERY_BATCH = 100


@dataclass(frozen=True)
class PollReport:
    fetched: int
    triaged: int
    delivery: DeliveryReport
    #: Mailboxes not fetched because a running `run` process is their watcher.
    skipped_mailboxes: int = 0


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
    """Fetch everything new, triage, act, deliver what is due, and return.

    ``poll --once`` is a watcher too: a mailbox a running ``run`` process watches (it holds the
    mailbox's lock) is left to it rather than fetched twice.
    """
    fetched = skipped = 0
    for i, imap in enumerate(rt.config.mailboxes):
        watcher = Watcher(rt, imap=imap)
        with one_pass(rt.store, watcher.identity) as ours:
            if not ours:
                logger.warning("Mailbox %d is watched by a running `run` process; not fetched "
                               "here", i + 1)
                skipped += 1
                continue
            fetched += watcher.poll_once()
    queue_scheduled_posts(rt)  # cron-only set-ups get reminders too
    triaged, delivery = triage_and_deliver(rt, delivery_channels(rt))
    return PollReport(fetched, triaged, delivery, skipped)


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

    warning = trust_warning(rt.config.trusted_authserv_ids)
    if warning and rt.config.mailboxes:
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

    ``role`` (``run --role``, :mod:`bot.roles`) picks which of these a process starts (the
    daily purge goes with the worker part). With several processes (PostgreSQL): each mailbox's
    watcher thread (``imap-watcher``, then ``imap-watcher-2``...) watches only while it holds the
    mailbox's advisory lock, standing by otherwise (:mod:`bot.pipeline.watch_lead`); its commits
    ``NOTIFY`` the schema's channel and a worker's ``listen`` thread wakes triage on it, so the
    watcher and the worker may be different processes. On SQLite a watcher takes a file lock
    next to the database at start-up, and a second one is refused
    (:class:`~bot.store.leadership.AlreadyWatching`).
    """

    def __init__(self, rt: Runtime, supervisor_options: dict[str, float] | None = None,
                 role: str = ALL) -> None:
        self.rt = rt
        self.role = role
        self.stop = threading.Event()
        self.wake = threading.Event()  # new mail stored: triage now
        self.delivery_wake: dict[str, threading.Event] = {}
        self.supervisor = Supervisor(self.stop, **(supervisor_options or {}))
        self.leaders: list[LeadingWatcher] = []
        self._sqlite_lock: SqliteWatcherLock | None = None
        self._scope: Scope | None = None
        self._store_default_hook: Callable[[], None] | None = None

    @property
    def parts(self) -> frozenset[Part]:
        config = self.rt.config
        return parts_for(self.role, imap=bool(config.mailboxes), http=config.http.enabled,
                         slack=config.slack.enabled)

    @property
    def watcher(self) -> Watcher | None:
        """The first mailbox's watcher (None without the watcher part)."""
        return self.leaders[0].watcher if self.leaders else None

    @property
    def threads(self) -> list[threading.Thread]:
        return self.supervisor.threads

    def health(self) -> list[ThreadHealth]:
        """Each supervised thread's health (the HTTP front end shows it)."""
        return self.supervisor.status()

    def start(self) -> None:
        """Start every thread; a port already in use stops start-up first (ConfigError)."""
        rt = self.rt
        parts = self.parts
        log_startup_warnings(rt)
        self._store_default_hook = rt.store.on_outbox_commit
        rt.store.on_outbox_commit = self.announce_outbox
        # Ports and the SQLite watcher lock are taken before any thread starts, so a mistake
        # stops `run` with nothing begun.
        if Part.WATCHER in parts:
            self._sqlite_lock = take_process_lock(rt.store)  # refuses a second SQLite watcher
        bound = []
        if Part.WEB in parts:
            from bot.web.server import listen, serve  # the HTTP front end is optional

            bound.append(listen(rt, self.health))
        if Part.SLACK in parts:
            from bot.slack.runner import check_http_port, run_slack_app

            check_http_port(rt.config)
        if Part.WATCHER in parts:
            self._start_watchers()
        if Part.WORKER in parts:
            self._start_worker()
        if Part.WEB in parts:
            def _serve(_beat: Callable[[], None]) -> None:
                # The first run serves the socket bound above; a restart binds anew.
                serve(rt, self.stop, bound.pop() if bound else None, self.health)

            self.supervisor.start("http", _serve)
        if Part.SLACK in parts:
            # A stored chat message is announced like stored mail: this process's triage, or
            # (PostgreSQL, `run --role`) a worker elsewhere, triages it (bot/slack/chat.py).
            self.supervisor.start("slack", lambda _beat: run_slack_app(
                rt, self.stop, wake=self.announce_new_mail))
        if Part.WORKER in parts:
            self._start_scheduled_jobs()

    def _start_scheduled_jobs(self) -> None:
        """Jobs that run by the clock, each its own supervised thread (``retention``: the
        daily purge of :mod:`bot.purge_job`, at ``[retention] daily_purge_hour``)."""
        if self.rt.config.retention.daily_purge:
            from bot.purge_job import run_daily_purge

            self.supervisor.start("retention", partial(run_daily_purge, self.rt, self.stop))

    def _start_watchers(self) -> None:
        store = self.rt.store
        for i, imap in enumerate(self.rt.config.mailboxes):
            name = "imap-watcher" if i == 0 else f"imap-watcher-{i + 1}"
            watcher = Watcher(self.rt, on_stored=self._stored, imap=imap)
            leader = LeadingWatcher(watcher, mailbox_lock(store, watcher.identity), name)
            self.leaders.append(leader)
            self.supervisor.start(name, partial(self._watch, leader))

    def _start_worker(self) -> None:
        self.supervisor.start("triage", self._triage)
        for kind, channel in delivery_channels(self.rt).items():
            wake = self.delivery_wake[kind] = threading.Event()
            self.supervisor.start(f"deliver-{kind}", partial(self._deliver, kind, channel, wake))
        if self.rt.store.is_postgresql:
            self.supervisor.start("listen", self._listen)

    def _watch(self, leader: LeadingWatcher, beat: Callable[[], None]) -> None:
        leader.watcher.on_healthy = beat
        self.wake.set()  # after a restart, triage whatever the last run stored
        leader.run(self.stop, beat)

    def _stored(self, _count: int) -> None:
        self.announce_new_mail()

    def announce_new_mail(self) -> None:
        """New messages committed (mail, or a chat message): wake this process's triage, and on
        PostgreSQL every other process's (``NOTIFY``), wherever the worker part runs."""
        self.wake.set()
        self._notify_others(MAIL, "new mail")

    def announce_outbox(self) -> None:
        """Outbox work committed in this process (``Store.on_outbox_commit``): wake this
        process's delivery, and on PostgreSQL every other process's (``NOTIFY``), so a reply
        approved in a ``--role slack`` process goes out without waiting for a worker's poll."""
        self._wake_delivery()
        self._notify_others(OUTBOX, "queued outbox items")

    def _notify_others(self, topic: str, what: str) -> None:
        """``NOTIFY`` the workers of every process (PostgreSQL; SQLite has only this one)."""
        store = self.rt.store
        if not store.is_postgresql:
            return
        try:
            if self._scope is None:
                self._scope = engine_scope(store.engine)
            notify(store.engine, self._scope, topic)
        except Exception as exc:  # noqa: BLE001 - the workers' polling picks the work up
            logger.warning("Could not notify workers of %s (%s); they will find it at their "
                           "next poll", what, type(exc).__name__)

    def _listen(self, beat: Callable[[], None]) -> None:
        """PostgreSQL: wake triage when a watcher in any process commits new mail, and
        delivery when any process queues outbox work."""
        listener = MailListener(self.rt.store.engine, topics=(MAIL, OUTBOX))
        try:
            listener.open()
            self.wake.set()  # anything committed before we listened
            while not self.stop.is_set():
                topics = listener.wait_topics(LISTEN_TICK_S)
                if MAIL in topics:
                    self.wake.set()
                if OUTBOX in topics:
                    self._wake_delivery()
                beat()
        finally:
            listener.close()

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
        if self.rt.store.on_outbox_commit == self.announce_outbox:
            self.rt.store.on_outbox_commit = self._store_default_hook
        self.wake.set()
        self._wake_delivery()
        for leader in self.leaders:
            leader.interrupt()
        self.supervisor.join(timeout)
        if self._sqlite_lock is not None:
            self._sqlite_lock.release()
            self._sqlite_lock = None
