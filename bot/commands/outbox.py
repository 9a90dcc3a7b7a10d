"""``outbox list`` and ``outbox retry``: what is waiting to be delivered, and a second chance.

An item that failed for good (after ``max_attempts`` or a permanent refusal) stays failed until a
person has fixed the cause (a relay's address, a Slack token) and retries it here.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands import open_runtime
from bot.commands.listing import _print
from bot.store import audit
from bot.store import outbox as outbox_store
from bot.store.models import OutboxItem, OutboxState

ACTOR = "cli"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("outbox", help="emails and Slack posts waiting or failed")
    actions = parser.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="print outbox items (default: all)")
    which = listing.add_mutually_exclusive_group()
    which.add_argument("--pending", action="store_true", help="only items not yet delivered")
    which.add_argument("--failed", action="store_true", help="only items that failed for good")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    listing.set_defaults(func=handle_list)
    retry = actions.add_parser("retry", help="deliver failed items again, starting now")
    retry.add_argument("ids", nargs="+", type=int, metavar="ID")
    retry.set_defaults(func=handle_retry)


def item_row(item: OutboxItem) -> dict[str, Any]:
    """What a person needs to see of an item: never the payload's text (personal data)."""
    return {"id": item.id, "kind": item.kind, "type": item.payload.get("type", item.kind),
            "state": item.state, "case_id": item.case_id, "attempts": item.attempts,
            "next_attempt": (item.next_attempt_at.isoformat()
                             if item.state == OutboxState.PENDING else None),
            "created": item.created_at.isoformat(),
            "sent": item.sent_at.isoformat() if item.sent_at else None,
            "waits_for": item.waits_for, "last_error": item.last_error}


def handle_list(args: argparse.Namespace) -> int:
    states = ((OutboxState.PENDING, OutboxState.SENDING) if args.pending
              else (OutboxState.FAILED,) if args.failed else None)
    with open_runtime(args) as rt, rt.store.sessions() as session:
        rows = [item_row(i) for i in outbox_store.list_items(session, states)]
    _print(rows, ("id", "type", "state", "case_id", "attempts", "next_attempt", "last_error"),
           args.json)
    return 0


def handle_retry(args: argparse.Namespace) -> int:
    """Requeue each item; exit 1 if any could not be (unknown, already sent, in flight)."""
    refused = 0
    with open_runtime(args) as rt:
        for item_id in args.ids:
            with rt.store.transaction() as session:
                item = outbox_store.requeue(session, item_id, rt.now())
                if item is not None:
                    audit.record(session, ACTOR, "outbox.requeued", item.case_id, item=item.id)
            if item is None:
                refused += 1
                print(f"outbox item {item_id}: not requeued (unknown, already sent or being "
                      "sent)")
            else:
                print(f"outbox item {item_id}: queued again; the next `run` or `poll --once` "
                      "delivers it")
    return 1 if refused else 0
