"""Gathering the readiness facts of a running process (``/readyz``, ``status``).

The verdict itself is pure (:mod:`bot.readiness`); this module only asks the database and the
configuration, in one session, and never lets a failure escape: a database that does not answer
is a fact ("not reachable"), not an error page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.readiness import Check, Facts, assess
from bot.runtime import Runtime
from bot.store import monitoring
from bot.store.mailer import ping
from bot.supervise import ThreadHealth

logger = logging.getLogger(__name__)

# A failing message is shown to a person (a Slack card) after this long; until then it is being
# retried and needs nobody (pipeline/triage.py ALERT_AFTER says the same).
TOLD_AFTER = timedelta(hours=1)


def mailbox_names(rt: Runtime) -> list[tuple[str, str, str]]:
    """(account, folder, name shown) of each configured mailbox; the name is the folder only
    (numbered when ``[[imap]]`` lists several), because the account is a login and the checks
    are shown to anyone who can reach /readyz."""
    boxes = rt.config.mailboxes
    return [(imap.account, imap.folder,
             f"mailbox {n} {imap.folder}" if len(boxes) > 1 else imap.folder)
            for n, imap in enumerate(boxes, start=1)]


def gather(rt: Runtime, threads: Sequence[ThreadHealth] | None) -> Facts:
    now = rt.now()
    cfg = rt.config
    reachable = writable = False
    fetched: dict[tuple[str, str], datetime] = {}
    oldest_due = None
    unseen: list[int] = []
    try:
        with rt.store.sessions() as session:
            ping(session)
            reachable = True
            fetched = monitoring.last_fetches(session)
            oldest_due = monitoring.oldest_due_unsent(session, now)
            unseen = monitoring.failed_unseen(session, now - TOLD_AFTER)
    except Exception:  # any failure means "not ready"; the log has the traceback
        logger.warning("Readiness: the database did not answer", exc_info=True)
    if reachable:
        try:
            with rt.store.sessions() as session:
                monitoring.write_probe(session)
            writable = True
        except Exception:  # a refused write is the fact being checked
            logger.warning("Readiness: the database answers but refused a write", exc_info=True)
    return Facts(
        now=now, database_reachable=reachable, database_writable=writable, threads=threads,
        last_fetch={name: fetched.get((account, folder))
                    for account, folder, name in mailbox_names(rt)},
        # With several mailboxes, the most patient one's poll interval.
        fetch_within=timedelta(seconds=max((m.poll_interval_s for m in cfg.mailboxes),
                                           default=cfg.imap.poll_interval_s)
                               * cfg.health.fetch_within_polls),
        oldest_due_unsent=oldest_due,
        outbox_stuck_after=timedelta(seconds=cfg.health.outbox_stuck_after_s),
        failed_unseen=unseen)


def checks(rt: Runtime, threads: Sequence[ThreadHealth] | None) -> list[Check]:
    return assess(gather(rt, threads))
