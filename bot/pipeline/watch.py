"""The IMAP watcher: catch up on everything after the stored UID, then wait with IDLE.

Progress lives in the database, not in the server's flags, so the watcher can be killed at any
instant: on restart it resumes from the last committed UID, and deduplication absorbs the batch
that was fetched but not committed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date

from bot.config import ImapConfig
from bot.errors import MailboxError
from bot.mail.imap import Mailbox
from bot.pipeline.ingest import store_imap_batch
from bot.runtime import Runtime
from bot.store import mailbox as mailbox_store
from bot.store import monitoring
from bot.telemetry import imap_connected, imap_fetched

logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 60.0
CONNECT_ATTEMPTS = 3
# Length of the first, short IDLE after each catch-up (see Watcher._wait).
SETTLE_S = 1.0
# The database learns of a fetch that found nothing new at most this often (see _record_fetch).
RECORD_FETCH_EVERY_S = 5.0


def starting_last_uid(start: str, uidnext: int | None, since_uids: list[int] | None,
                      all_uids: list[int] | None = None) -> int:
    """The "last UID already taken" for a folder intake has never seen.

    Args:
        start: ``[imap] start``: "all", "now" or an ISO date.
        uidnext: the folder's UIDNEXT from SELECT (None if the server sent none).
        since_uids: for a date, the UIDs that arrived on or after it.
        all_uids: every UID, needed only when the server gave no UIDNEXT.
    """
    if start == "all":
        return 0
    newest = uidnext - 1 if uidnext is not None else max(all_uids or [0])
    if start == "now":
        return max(0, newest)
    return min(since_uids) - 1 if since_uids else max(0, newest)


def first_contact_uid(mailbox: Mailbox, start: str) -> int:
    """The last UID intake leaves alone in a folder it has never seen (asks the server; also
    what ``poll --dry-run`` reports without recording it)."""
    since = None if start in ("now", "all") else date.fromisoformat(start)
    return starting_last_uid(start, mailbox.uidnext,
                             mailbox.uids_since(since) if since else None,
                             mailbox.uids_after(0) if mailbox.uidnext is None else None)


class Watcher:
    """Moves new mail from one IMAP folder into the database.

    Args:
        rt: the runtime (config, store).
        on_stored: called with the number of new messages after each commit that stored any;
            the service uses it to wake the triage worker at once.
        imap: the mailbox to watch (one of ``rt.config.mailboxes``); the first by default.
    """

    def __init__(self, rt: Runtime, on_stored: Callable[[int], None] | None = None,
                 imap: ImapConfig | None = None) -> None:
        self.rt = rt
        self.imap = imap if imap is not None else rt.config.imap
        self.on_stored = on_stored or (lambda _n: None)
        # Called after each catch-up that worked; the service's supervisor counts it as health.
        self.on_healthy: Callable[[], None] = lambda: None
        #: Catch-ups that reached the end of the folder. Once it is 1 or more, the watcher is
        #: connected and any later mail reaches it (announced, by IDLE, or by the settle
        #: catch-up): a readiness event for whoever waits on the watcher (tests, a probe).
        self.catch_ups = 0
        self._current: Mailbox | None = None
        self._recorded_at: float | None = None  # monotonic time of the last recorded fetch

    @property
    def identity(self) -> str:
        """The mailbox and folder, as stored on messages (``account/folder``): what the watcher
        lock is keyed by, so two processes configured alike compete for the same lock."""
        return f"{Mailbox(self.imap).account}/{self.imap.folder}"

    def catch_up(self, mailbox: Mailbox) -> int:
        """Store every message after the stored last UID; returns how many were new."""
        cfg = self.imap
        uidvalidity = mailbox.selected_uidvalidity
        self._first_contact(mailbox)
        total = 0
        while True:
            with self.rt.store.sessions() as session:
                last = mailbox_store.last_uid(session, mailbox.account, cfg.folder, uidvalidity)
            uids = mailbox.uids_after(last)[: max(1, cfg.fetch_batch)]
            if not uids:
                self.catch_ups += 1
                self._record_fetch(mailbox.account)
                self.on_healthy()
                return total
            batch = list(mailbox.fetch(uids))
            result = store_imap_batch(
                self.rt.store, mailbox.account, cfg.folder, uidvalidity, batch,
                own_addresses=self.rt.config.own_addresses, max_bytes=cfg.max_message_bytes,
                up_to_uid=uids[-1], now=self.rt.now())
            # Only now, with the commit done, may the server copy be moved.
            mailbox.mark_processed([m.uid for m in batch])
            total += len(result.stored)
            for message_id in result.stored:
                logger.debug("Message %s ingested", message_id, extra={"message_id": message_id})
            if result.stored:
                self.on_stored(len(result.stored))

    def _record_fetch(self, account: str) -> None:
        """Say that the folder was read to its end: in this process's metrics, and (at most
        every few seconds, so a busy IDLE loop does not write once per message) in the
        database, where ``/readyz`` and ``status`` of any process read it."""
        cfg = self.imap
        now = self.rt.now()
        imap_fetched(cfg.folder, now)
        every = min(RECORD_FETCH_EVERY_S, cfg.poll_interval_s / 2)
        if self._recorded_at is not None and time.monotonic() - self._recorded_at < every:
            return
        with self.rt.store.transaction() as session:
            monitoring.record_fetch(session, account, cfg.folder, now)
        self._recorded_at = time.monotonic()

    def _first_contact(self, mailbox: Mailbox) -> None:
        """On the first connection to a folder, record where intake starts (``[imap] start``).

        Without this, pointing the service at an existing mailbox would triage its whole history
        and mail confirmations for opt-outs written years ago.
        """
        cfg = self.imap
        uidvalidity = mailbox.selected_uidvalidity
        with self.rt.store.sessions() as session:
            if mailbox_store.has_progress(session, mailbox.account, cfg.folder):
                return
        first = first_contact_uid(mailbox, cfg.start)
        with self.rt.store.transaction() as session:
            mailbox_store.start_progress(session, mailbox.account, cfg.folder, uidvalidity, first)
        if first:
            logger.info("First contact with folder %s (start = %s): mail up to UID %s is left "
                        "for `privacy-triage backfill --since DATE`", cfg.folder, cfg.start, first)

    def poll_once(self) -> int:
        """Connect, catch up, disconnect. Returns the number of new messages stored."""
        mailbox = Mailbox(self.imap)
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                mailbox.connect()
                break
            except MailboxError as exc:
                # A busy server refuses now and then ("[UNAVAILABLE]"); a cron run should not
                # fail for that, but a wrong password must still fail fast enough.
                if not exc.transient or attempt == CONNECT_ATTEMPTS - 1:
                    raise
                logger.warning("IMAP connect failed (%s); retrying", exc)
                time.sleep(0.5 * 2 ** attempt)
        try:
            return self.catch_up(mailbox)
        finally:
            mailbox.close()

    def run(self, stop: threading.Event) -> None:
        """Watch until ``stop`` is set: IDLE for push, a poll as backstop, reconnect on error.

        IDLE is re-issued at least every ``idle_renew_s`` (RFC 2177 servers may drop an IDLE
        after 30 minutes; we stay well under 10) and every wake-up is followed by a catch-up, so
        mail that arrived while disconnected or unannounced is never missed.

        Only mailbox errors are handled here; anything else (the database down, the disk full)
        ends this call, and the service's supervisor logs it once and restarts it with backoff.
        """
        cfg = self.imap
        wait_s = max(0.5, min(cfg.poll_interval_s, cfg.idle_renew_s, 600.0))
        failures = 0
        while not stop.is_set():
            mailbox = self._current = Mailbox(cfg)
            try:
                mailbox.connect()
                imap_connected(cfg.folder, True)
                self.catch_up(mailbox)
                failures = 0
                while not stop.is_set():
                    self._wait(mailbox, wait_s)
                    self.catch_up(mailbox)
            except MailboxError as exc:
                if stop.is_set():
                    break
                failures += 1
                delay = min(MAX_BACKOFF_S, 0.5 * 2 ** (failures - 1))
                logger.warning("IMAP: %s; reconnecting in %.1fs", exc, delay)
                stop.wait(delay)
            finally:
                imap_connected(cfg.folder, False)
                mailbox.close()

    def _wait(self, mailbox: Mailbox, wait_s: float) -> None:
        """Wait for news of new mail, closing the two gaps IDLE leaves open.

        1. Mail announced in the answer to our last SEARCH/FETCH is not announced again in IDLE.
        2. Mail that lands while IDLE is starting can miss the server's change notification
           (Dovecot then finds it only at its next periodic check, 30 s later by default). A
           short first IDLE followed by a catch-up picks such mail up within ``SETTLE_S``.
        """
        if mailbox.announced_changes():
            return
        if mailbox.wait_for_change(SETTLE_S):
            return
        self.catch_up(mailbox)
        if not mailbox.announced_changes():
            mailbox.wait_for_change(max(0.0, wait_s - SETTLE_S))

    def interrupt(self) -> None:
        """Wake :meth:`run` out of IDLE at once; call after setting its stop event."""
        if self._current is not None:
            self._current.interrupt()
