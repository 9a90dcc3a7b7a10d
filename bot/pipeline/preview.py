"""``--dry-run``: what triage would do with each message, changing nothing anywhere.

A dry run parses, classifies and decides exactly as triage does (the same
:func:`~bot.pipeline.triage.judge` and :func:`~bot.pipeline.decide.decide`, described by the same
:func:`~bot.pipeline.decide.what_happens` that triage logs), but the parsed messages are never
added to a session, nothing is committed, the mailbox is opened read-only (EXAMINE) and nothing
is delivered. Each message is judged against the database as it is now: a reply to another
message of the same dry run does not find that message's case, because it was never opened.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.config import ImapConfig
from bot.mail.imap import Mailbox
from bot.pipeline.act import confirmation_withheld
from bot.pipeline.decide import Action, what_happens
from bot.pipeline.ingest import fields_or_quarantined
from bot.pipeline.triage import judge
from bot.pipeline.watch import first_contact_uid
from bot.runtime import Runtime
from bot.store import mailbox as mailbox_store
from bot.store import messages as message_store
from bot.store import suppressions
from bot.store.models import Message
from classifier import Prediction
from classifier.addresses import mask, normalise

#: At most this many stored, untriaged messages are shown (the count says if there are more).
STORED_LIMIT = 1000


@dataclass(frozen=True)
class Candidate:
    """A message a dry run looks at but does not store."""

    where: str            # "file PATH" or "UID 17": how the operator finds it
    raw: bytes
    received_at: datetime
    source: str           # what Message.source would be: "file", "imap" or "backfill"


@dataclass(frozen=True)
class Preview:
    """What would happen to one message; the sender is masked (``j***@example.org``)."""

    where: str
    sender: str
    label: str | None
    confidence: float | None
    action: str

    def line(self) -> str:
        judged = (f"{self.label} {self.confidence:.2f}" if self.label is not None
                  and self.confidence is not None else "-")
        return f"{self.where} · {self.sender} · {judged} · would {self.action}"


@dataclass
class _Run:
    """What earlier messages of the same dry run would already have done."""

    keys: set[str] = dataclasses.field(default_factory=set)
    suppressed: set[str] = dataclasses.field(default_factory=set)


def preview_candidates(rt: Runtime, session: Session, candidates: Sequence[Candidate]
                       ) -> list[Preview]:
    """Judge messages that are not stored: duplicates are skipped as ingest would skip them."""
    own, max_bytes = rt.config.own_addresses, rt.config.imap.max_message_bytes
    parsed = [(c, fields_or_quarantined(c.raw, own, max_bytes)) for c in candidates]
    known = message_store.known_dedup_keys(session, [f["dedup_key"] for _, f in parsed])
    run = _Run()
    slots: list[Preview | None] = []   # None: judged below, with the others, in one batch
    fresh: list[tuple[str, Message]] = []
    for candidate, fields in parsed:
        key = fields["dedup_key"]
        if key in known or key in run.keys:
            why = "already stored" if key in known else "a copy of an earlier one here"
            slots.append(Preview(candidate.where, _masked(fields.get("sender")), None, None,
                                 f"skip duplicate ({why})"))
            continue
        run.keys.add(key)
        message = _unstored(candidate, fields)
        fresh.append((candidate.where, message))
        slots.append(None)
    judged = iter(_judge_all(rt, session, fresh, run))
    return [slot if slot is not None else next(judged) for slot in slots]


def preview_stored(rt: Runtime, session: Session, limit: int = STORED_LIMIT
                   ) -> tuple[list[Preview], int]:
    """Judge stored messages waiting for triage (new, or failed with a retry due now).

    Returns the previews and how many are waiting in all (more than shown past ``limit``).
    """
    waiting = message_store.pending_triage(session, limit, rt.now())
    previews = _judge_all(rt, session, [(f"message {m.id}", m) for m in waiting], _Run())
    total = message_store.untriaged_count(session) if len(waiting) >= limit else len(waiting)
    return previews, total


def _judge_all(rt: Runtime, session: Session, messages: Sequence[tuple[str, Message]],
               run: _Run) -> list[Preview]:
    readable = [m for _, m in messages if not m.quarantine_reason]
    predictions: dict[int, Prediction] = {}
    if readable:
        results = rt.model.predict([m.reply_text or m.body_text for m in readable],
                                   [m.subject for m in readable])
        predictions = {id(m): p for m, p in zip(readable, results, strict=True)}
    out = []
    for where, message in messages:
        prediction = predictions.get(id(message))
        facts, decision = judge(rt, session, message, prediction)
        withheld = None
        suppresses = decision.action in (Action.AUTO_OPT_OUT, Action.SUPPRESS_AND_OPEN)
        address = normalise(message.sender) or ""
        if decision.action is Action.AUTO_OPT_OUT and decision.send_confirmation:
            newly = (address not in run.suppressed
                     and not suppressions.is_suppressed(session, message.sender or ""))
            withheld = confirmation_withheld(session, rt, message.sender, newly)
        if suppresses and address:
            run.suppressed.add(address)
        action = what_happens(decision, quarantined=bool(facts.quarantine_reason),
                              confirmation_withheld=withheld)
        out.append(Preview(where, _masked(message.sender),
                           decision.label if prediction is not None else None,
                           prediction.confidence if prediction is not None else None, action))
    return out


def _unstored(candidate: Candidate, fields: dict[str, Any]) -> Message:
    """A Message row that is never added to a session: triage's input, built as ingest would."""
    values = {"body_text": "", "reply_text": "", "machine_reasons": [], "references": [],
              "is_unsubscribe_mail": False, "in_reply_to": None, **fields}
    return Message(**values, raw=candidate.raw, source=candidate.source, size=len(candidate.raw),
                   received_at=candidate.received_at)


def _masked(sender: str | None) -> str:
    return mask(sender) if sender else "(no sender)"


@dataclass(frozen=True)
class MailboxPreview:
    candidates: list[Candidate]
    note: str   # where intake stands in the folder, for the operator


def render(previews: Sequence[Preview]) -> list[str]:
    """One line per message, then what was left alone (for the command to print)."""
    return [p.line() for p in previews]


def all_mailbox_candidates(rt: Runtime, *, since: date | None = None, backfilled: bool = True
                           ) -> MailboxPreview:
    """:func:`mailbox_candidates` of every configured mailbox (``[[imap]]``), in order; with
    more than one, each line and note says which mailbox (by number, never its address)."""
    boxes = rt.config.mailboxes
    candidates: list[Candidate] = []
    notes: list[str] = []
    for n, imap in enumerate(boxes, start=1):
        found = mailbox_candidates(rt, since=since, backfilled=backfilled, imap=imap)
        prefix = f"mailbox {n} " if len(boxes) > 1 else ""
        notes.append(prefix + found.note)
        candidates += [dataclasses.replace(c, where=prefix + c.where) for c in found.candidates]
    return MailboxPreview(candidates, "\n".join(notes))


def mailbox_candidates(rt: Runtime, *, since: date | None = None, backfilled: bool = True,
                       imap: ImapConfig | None = None) -> MailboxPreview:
    """The messages ``poll`` (``since`` None) or ``backfill --since`` would take, read-only.

    The folder is EXAMINEd, never SELECTed for writing: no flag changes, nothing moved, and
    intake's progress in the database is read, not recorded (not even on first contact).
    ``imap`` is the mailbox (the first by default).
    """
    cfg = dataclasses.replace(imap if imap is not None else rt.config.imap, processed_folder="")
    with Mailbox(cfg) as mailbox:   # connects; read-only without a processed folder
        uidvalidity = mailbox.selected_uidvalidity
        with rt.store.sessions() as session:
            seen = mailbox_store.has_progress(session, mailbox.account, cfg.folder)
            last = mailbox_store.last_uid(session, mailbox.account, cfg.folder, uidvalidity)
        if since is None:
            if seen:
                note = f"folder {cfg.folder}: intake has taken mail up to UID {last}"
            else:
                last = first_contact_uid(mailbox, cfg.start)
                note = (f"folder {cfg.folder}: first contact (start = {cfg.start!r}); intake "
                        f"would take mail after UID {last} and leave the rest for backfill")
            uids = mailbox.uids_after(last)
            source = "imap"
        else:
            uids = [uid for uid in mailbox.uids_since(since) if uid <= last]
            note = (f"folder {cfg.folder}: {len(uids)} message(s) since {since} up to UID "
                    f"{last}, where intake took over")
            source = "backfill" if backfilled else "imap"
        fetched = list(mailbox.fetch(uids))
    return MailboxPreview([Candidate(f"UID {m.uid}", m.raw, m.internal_date or rt.now(), source)
                           for m in fetched], note)
