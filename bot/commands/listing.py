"""``messages list`` and ``cases list``: what is stored, as a table or JSON."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from typing import Any

from bot.commands import case_views, open_runtime
from bot.store import messages as message_store
from bot.store.models import Case, Message

_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def register(subparsers: argparse._SubParsersAction) -> None:
    for noun, handler in (("messages", handle_messages), ("cases", handle_cases)):
        parser = subparsers.add_parser(noun, help=f"show stored {noun}")
        actions = parser.add_subparsers(dest=f"{noun}_command", required=True, metavar="ACTION")
        listing = actions.add_parser("list", help=f"print every {noun[:-1]}")
        listing.add_argument("--json", action="store_true", help="one JSON array")
        listing.set_defaults(func=handler)
        if noun == "cases":
            case_views.add_list_filters(listing)
            case_views.add_show(actions)


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


def handle_cases(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt, rt.store.sessions() as session:
        rows = [case_row(c) for c in case_views.filtered_cases(session, args)]
    _print(rows, ("id", "state", "label", "sender", "subject", "received", "due"), args.json)
    return 0
