"""Backfill: import mail that arrived before intake started, without answering it.

With ``[imap] start = "now"`` (the default) the first connection to a mailbox records where intake
begins, so years of history are not triaged and answered on day one. An operator who wants that
history imports it here: it is stored, triaged and carded like any mail (opt-outs are still
suppressed), but no automatic email goes out unless ``answer`` is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.config import ImapConfig
from bot.mail.imap import Mailbox
from bot.pipeline.ingest import store_imap_batch
from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime
from bot.store import mailbox as mailbox_store


@dataclass(frozen=True)
class BackfillReport:
    found: int        # messages on the server since the date, up to where intake took over
    stored: int       # new in the database (the rest were there already)
    triaged: int


def backfill(rt: Runtime, since: date, *, answer: bool = False,
             progress: Callable[[int], object] = lambda _n: None,
             imap: ImapConfig | None = None) -> BackfillReport:
    """Store and triage every message since ``since`` that intake has not taken yet.

    Args:
        rt: the runtime.
        since: the first day (server INTERNALDATE) to import.
        answer: send automatic confirmations too, as for new mail.
        progress: called with the number of messages handled after each batch.
        imap: the mailbox (one of ``rt.config.mailboxes``); the first by default.
    """
    cfg = imap if imap is not None else rt.config.imap
    stored = 0
    with Mailbox(cfg) as mailbox:   # connects
        uidvalidity = mailbox.selected_uidvalidity
        with rt.store.sessions() as session:
            taken_up_to = mailbox_store.last_uid(session, mailbox.account, cfg.folder,
                                                 uidvalidity)
        # Mail above the stored progress is the watcher's; importing it here would race it.
        uids = [uid for uid in mailbox.uids_since(since) if uid <= taken_up_to]
        batch_size = max(1, cfg.fetch_batch)
        for start in range(0, len(uids), batch_size):
            batch = list(mailbox.fetch(uids[start:start + batch_size]))
            result = store_imap_batch(
                rt.store, mailbox.account, cfg.folder, uidvalidity, batch,
                own_addresses=rt.config.own_addresses, max_bytes=cfg.max_message_bytes,
                backfill=True, answer_backfill=answer)
            stored += len(result.stored)
            progress(len(batch))
    triaged = 0
    while outcomes := triage_pending(rt):
        triaged += len(outcomes)
    return BackfillReport(len(uids), stored, triaged)
