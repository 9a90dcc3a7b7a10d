"""``messages list|show|export-raw`` and ``cases list``: what is stored, as a table or JSON.

``messages show`` and ``export-raw`` let a person deal with a quarantined message without SQL.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from bot.commands import case_views, open_runtime
from bot.mail.charset import clean_text
from bot.mail.headers import BOUNDED_POLICY
from bot.pipeline.ingest import HEADER_BYTES
from bot.runtime import Runtime
from bot.store import messages as message_store
from bot.store.models import Case, Message, TriageState

_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for noun, handler in (("messages", handle_messages), ("cases", handle_cases)):
        parser = subparsers.add_parser(noun, help=f"show stored {noun}")
        actions = parser.add_subparsers(dest=f"{noun}_command", required=True, metavar="ACTION")
        listing = actions.add_parser("list", help=f"print every {noun[:-1]}")
        listing.add_argument("--json", action="store_true", help="one JSON array")
        listing.set_defaults(func=handler)
        if noun == "messages":
            register_retry(actions)
            _register_message_actions(actions)
        if noun == "cases":
            case_views.add_list_filters(listing)
            case_views.add_show(actions)


def _register_message_actions(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    show = actions.add_parser("show", help="one message: headers, flags, quarantine reason, text")
    show.add_argument("id", type=int, help="the message id (see 'messages list')")
    show.add_argument("--json", action="store_true", help="one JSON object")
    show.set_defaults(func=handle_message_show)
    export = actions.add_parser("export-raw", help="the exact bytes of one message as received")
    export.add_argument("id", type=int, help="the message id (see 'messages list')")
    export.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    export.set_defaults(func=handle_message_export_raw)


def message_row(m: Message) -> dict[str, Any]:
    return {"id": m.id, "received": m.received_at.isoformat(), "sender": m.sender,
            "subject": m.subject, "flags": m.flags, "case_id": m.case_id,
            "quarantine_reason": m.quarantine_reason, "source": m.source}


def case_row(c: Case) -> dict[str, Any]:
    return {"id": c.id, "state": c.state, "label": c.label, "confidence": round(c.confidence, 3),
            "sender": c.requester, "subject": c.subject, "received": c.received_at.isoformat(),
            "due": c.due_date.isoformat() if c.due_date else None,
            "assigned_to": c.assigned_to, "delivery_failure": c.delivery_failure}


def render_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain fixed-width table; long cells are cut so one row stays one line."""
    def cell(value: Any) -> str:
        text = ",".join(value) if isinstance(value, list) else ("" if value is None else str(value))
        if _ISO_TIME.match(text):
            text = text[:16].replace("T", " ")  # to the minute, UTC; --json keeps it all
        text = " ".join(text.split())
        return text if len(text) <= 40 else text[:39] + "…"

    table = [[c.upper() for c in columns]] + [[cell(r[c]) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                     for row in table)


def _print(rows: list[dict[str, Any]], columns: Sequence[str], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print(render_table(rows, columns))


def handle_messages(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt, rt.store.sessions() as session:
        rows = [message_row(m) for m in message_store.list_messages(session)]
    _print(rows, ("id", "received", "sender", "subject", "flags", "case_id"), args.json)
    return 0


def message_detail(m: Message) -> dict[str, Any]:
    """Everything a person needs to deal with one message, quarantined or not, without SQL."""
    return {**message_row(m), "sender_name": m.sender_name, "message_id": m.message_id,
            "in_reply_to": m.in_reply_to, "size": m.size, "triage_state": m.triage_state,
            "triage_error": m.triage_error, "defects": list(m.defects or []),
            "machine_reasons": list(m.machine_reasons or []),
            "attachments": list(m.attachments or []), "headers": raw_headers(m.raw),
            "body_text": m.body_text}


def raw_headers(raw: bytes) -> list[tuple[str, str]]:
    """The message's own header lines, decoded by the mail edge's rule (never raises)."""
    try:
        parsed = BytesHeaderParser(policy=BOUNDED_POLICY).parsebytes(raw[:HEADER_BYTES])
        return [(clean_text(k), clean_text(str(v))) for k, v in parsed.raw_items()]
    except Exception:  # noqa: BLE001 - a quarantined message may break the parser
        return []


def _message_or_error(rt: Runtime, message_id: int) -> Message | None:
    with rt.store.sessions() as session:
        message = session.get(Message, message_id)
        if message is not None:
            session.expunge(message)
    if message is None:
        print(f"no message with id {message_id}", file=sys.stderr)
    return message


def handle_message_show(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt:
        message = _message_or_error(rt, args.id)
        if message is None:
            return 1
        detail = message_detail(message)
    if args.json:
        print(json.dumps(detail, indent=2, ensure_ascii=False))
        return 0
    lines = [(f"Message {detail['id']} ({detail['source']}, {detail['size']} bytes, "
              f"received {detail['received']})")]
    if detail["quarantine_reason"]:
        lines.append(f"QUARANTINED: {detail['quarantine_reason']}")
        lines.append("A person must read this message: export it with "
                     f"'privacy-triage messages export-raw {detail['id']} --out FILE'.")
    lines.append("Flags: " + (", ".join(detail["flags"]) or "-"))
    lines.append(f"Triage: {detail['triage_state']}"
                 + (f" ({detail['triage_error']})" if detail["triage_error"] else "")
                 + (f", case {detail['case_id']}" if detail["case_id"] else ""))
    if detail["defects"]:
        lines.append("Defects: " + ", ".join(detail["defects"]))
    for attachment in detail["attachments"]:
        lines.append(f"Attachment: {attachment.get('filename') or '(no name)'} "
                     f"({attachment.get('content_type')}, {attachment.get('size')} bytes)")
    lines.append("")
    lines.extend(f"{name}: {value}" for name, value in detail["headers"])
    lines.append("")
    lines.append(detail["body_text"] or "(no decoded text)")
    print("\n".join(lines))
    return 0


def handle_message_export_raw(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt:
        message = _message_or_error(rt, args.id)
    if message is None:
        return 1
    if args.out:
        Path(args.out).write_bytes(message.raw)
        print(f"wrote {len(message.raw)} bytes to {args.out}", file=sys.stderr)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(message.raw)
        sys.stdout.buffer.flush()
    return 0


def handle_cases(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt, rt.store.sessions() as session:
        rows = [case_row(c) for c in case_views.filtered_cases(session, args)]
    _print(rows, ("id", "state", "label", "sender", "subject", "received", "due"), args.json)
    return 0


def register_retry(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``messages retry``: triage failed messages again now, after their cause is fixed."""
    retry = actions.add_parser("retry", help="triage failed messages again now and say how it went")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("ids", nargs="*", type=int, default=[], metavar="ID",
                       help="message IDs (see `privacy-triage status`)")
    which.add_argument("--failed", action="store_true", help="every failed message")
    retry.set_defaults(func=handle_retry)


def handle_retry(args: argparse.Namespace) -> int:
    """Retry the named (or all failed) messages; exit 1 if any of them is still failed."""
    from bot.pipeline.triage import triage_messages  # the model loads only for this command

    with open_runtime(args) as rt:
        with rt.store.sessions() as session:
            failed = [m.id for m in message_store.failed_triage(session)]
        ids = failed if args.failed else list(dict.fromkeys(args.ids))
        if not ids:
            print("no failed messages")
            return 0
        triage_messages(rt, ids)
        with rt.store.sessions() as session:
            rows = {m.id: m for m in message_store.messages_by_id(session, ids)}
    still_failed = 0
    for message_id in ids:
        line, failing = retry_outcome(message_id, rows.get(message_id))
        still_failed += failing
        print(line)
    return 1 if still_failed else 0


def retry_outcome(message_id: int, m: Message | None) -> tuple[str, bool]:
    """One line saying what became of a retried message, and whether it is still failed."""
    if m is None:
        return f"message {message_id}: no such message", True
    if m.triage_state == TriageState.DONE:
        case = f"case {m.case_id}" if m.case_id else "no case needed"
        return f"message {message_id}: triaged ({case})", False
    if m.triage_state == TriageState.FAILED:
        when = (f"retried automatically from {m.triage_next_at:%Y-%m-%d %H:%M} UTC"
                if m.triage_next_at else "set aside: a person must read it")
        return (f"message {message_id}: failed again with {m.triage_error_class} "
                f"({m.triage_attempts} in a row); {when}"), True
    return f"message {message_id}: not triaged ({m.triage_state})", True
