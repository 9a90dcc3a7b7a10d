"""``demo``: the whole pipeline over a sample inbox the project ships, on a fresh SQLite file.

Nothing needs configuring: no IMAP, no SMTP, no Slack. Confirmation emails and replies are
queued in the outbox and listed, not sent.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import textwrap
from pathlib import Path

from bot.commands.triage_files import ingest_files
from bot.config import Config, DatabaseConfig, ImapConfig
from bot.runtime import Runtime
from bot.service import delivery_channels, triage_and_deliver
from bot.store import cases as case_store
from bot.store import messages, outbox, suppressions
from bot.store.models import Case

SAMPLE_INBOX = Path(__file__).resolve().parents[1] / "demo" / "inbox"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="run the pipeline over a shipped sample inbox")
    parser.add_argument("--database", metavar="FILE",
                        help="SQLite file to create (default: a new temporary file)")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    db_file = Path(args.database) if args.database else (
        Path(tempfile.mkdtemp(prefix="privacy-triage-demo-")) / "demo.sqlite3")
    # The sample inbox's first message carries the verdict of the organisation's own MX (as
    # mail does in production once [imap] trusted_authserv_ids names it); the last carries none,
    # so the demo shows both a verified opt-out closed by itself and an unverified one left open.
    config = dataclasses.replace(
        Config(), database=DatabaseConfig(url=f"sqlite:///{db_file}"),
        imap=ImapConfig(trusted_authserv_ids=["mx.caplus.org.uk"]))
    with Runtime.open(config) as rt:
        stored, duplicates = ingest_files(rt, [SAMPLE_INBOX])
        triaged, _ = triage_and_deliver(rt, delivery_channels(rt))
        print(f"Demo database: {db_file}")
        print(f"Stored {stored} sample messages ({duplicates} already there), triaged {triaged}.\n")
        print(report(rt))
    return 0


def report(rt: Runtime) -> str:
    """A readable account of what the pipeline did with each stored message."""
    lines: list[str] = []
    with rt.store.sessions() as session:
        for message in messages.list_messages(session, outbound=True):
            lines.append(f"#{message.id} from {message.sender or '(unknown)'}: "
                         f"{message.subject or '(no subject)'}")
            case = session.get(Case, message.case_id) if message.case_id else None
            if case is None:
                reason = "; ".join(message.machine_reasons) or message.triage_error or "no case"
                lines.append(f"    -> no case ({reason})")
                continue
            intents = ", ".join(f"{k} {v:.2f}" for k, v in sorted(
                case.intents.items(), key=lambda kv: -kv[1]) if v >= 0.05)
            lines.append(f"    -> case {case.id}: {case.state}, {case.label} "
                         f"({case.confidence:.2f}; {intents})")
            if case.due_date:
                lines.append(f"       due {case.due_date:%A %d %B %Y}")
            why = "why automatic" if case.state == "auto_resolved" else "why staff"
            for reason in case.review_reasons:
                # "why: ..." reasons are the cues that drove the decision (see the card).
                cue = reason.removeprefix("why: ")
                lines.append(f"       cues: {cue}" if cue != reason else f"       {why}: {reason}")
            draft = case_store.latest_draft(session, case.id)
            if draft is not None:
                excerpt = textwrap.shorten(draft.text, 160, placeholder=" …")
                lines.append(f"       draft v{draft.version}: {excerpt}")
        lines.append("")
        listed = suppressions.active(session)
        lines.append(f"Suppression list ({len(listed)}): "
                     + (", ".join(s.address for s in listed) or "empty"))
        queued = outbox.list_items(session)
        lines.append(f"Outbox ({len(queued)} waiting; configure [smtp] to send):")
        for item in queued:
            to = item.payload.get("to", item.payload.get("type", ""))
            subject = item.payload.get("subject", "")
            lines.append(f"    {item.kind} to {to}: {subject} [{item.state}]")
    return "\n".join(lines)
