"""``suppressions list|export|add|remove|check``: the list the organisation's mailer honours.

Every add and remove appends an audit event naming the Unix user ("cli:<user>"); the event holds
the suppression's id and the reason given, never message text.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import datetime

from bot.commands import open_runtime
from bot.commands.listing import render_table
from bot.exports import (
    SUPPRESSION_COLUMNS,
    parse_since,
    suppression_record,
    to_csv,
    to_json,
)
from bot.store import audit, suppressions
from bot.store.mailer import find_active

SOURCE = "cli"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "suppressions", help="the suppression list: addresses the mailer must never mail")
    actions = parser.add_subparsers(dest="suppressions_command", required=True, metavar="ACTION")
    for name, default, text in (("list", "table", "print the active suppressions"),
                                ("export", "csv", "write the active suppressions for a mailer")):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("--format", choices=("table", "csv", "json"), default=default,
                         help=f"output format (default: {default})")
        sub.add_argument("--since", metavar="ISO", type=since_argument,
                         help="only those added at or after this date or date-time (UTC)")
        sub.add_argument("-o", "--output", metavar="PATH", help="write here instead of stdout")
        sub.set_defaults(func=handle_list)
    add = actions.add_parser("add", help="suppress an address (audited)")
    add.add_argument("address")
    add.add_argument("--reason", required=True, help="why, for the audit trail")
    add.set_defaults(func=handle_add)
    remove = actions.add_parser("remove", help="lift a suppression (audited)")
    remove.add_argument("address")
    remove.add_argument("--reason", required=True, help="why, for the audit trail")
    remove.set_defaults(func=handle_remove)
    check = actions.add_parser(
        "check", help="exit 0 if the address is suppressed, 1 if not (2 if not an address)")
    check.add_argument("address")
    check.set_defaults(func=handle_check)


def cli_actor() -> str:
    """The audit actor for a command run by a person: ``cli:<unix user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (some containers)
        return f"cli:uid-{os.getuid()}"


def since_argument(value: str) -> datetime:
    """argparse type for ``--since``: an ISO date or date-time, read as UTC."""
    try:
        return parse_since(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _address(value: str) -> str | None:
    try:
        return suppressions.normalise_address(value)
    except ValueError:
        print(f"privacy-triage: error: not an email address: {value!r}", file=sys.stderr)
        return None


def write_output(text: str, path: str | None) -> None:
    """Print ``text``, or write it to ``path`` exactly (CSV keeps its CRLF line ends)."""
    if path is None:
        sys.stdout.write(text)
        return
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(text)


def handle_list(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt, rt.store.sessions() as session:
        rows = [suppression_record(r) for r in suppressions.active(session, args.since)]
    if args.format == "json":
        text = to_json(rows)
    elif args.format == "csv":
        text = to_csv(rows, SUPPRESSION_COLUMNS)
    else:
        text = render_table(rows, SUPPRESSION_COLUMNS) + "\n"
    write_output(text, args.output)
    return 0


def handle_add(args: argparse.Namespace) -> int:
    address = _address(args.address)
    if address is None:
        return 2
    with open_runtime(args) as rt, rt.store.transaction() as session:
        row, newly = suppressions.suppress(session, address, reason=args.reason,
                                           source=SOURCE, now=rt.now())
        audit.record(session, cli_actor(), "suppression.added", None,
                     suppression=row.id, reason=args.reason, already_suppressed=not newly)
        since = row.created_at.isoformat()
    print(f"suppressed: {address}" if newly else f"already suppressed: {address} (since {since})")
    return 0


def handle_remove(args: argparse.Namespace) -> int:
    address = _address(args.address)
    if address is None:
        return 2
    with open_runtime(args) as rt, rt.store.transaction() as session:
        row = suppressions.lift(session, address, by=cli_actor(), now=rt.now())
        audit.record(session, cli_actor(), "suppression.removed",
                     row.case_id if row else None, suppression=row.id if row else None,
                     reason=args.reason, was_suppressed=row is not None)
    if row is None:
        print(f"not suppressed: {address} (nothing to remove)")
        return 1
    print(f"removed: {address}")
    return 0


def handle_check(args: argparse.Namespace) -> int:
    address = _address(args.address)
    if address is None:
        return 2
    with open_runtime(args) as rt, rt.store.sessions() as session:
        row = find_active(session, address)
        line = (f"suppressed: {address} (since {row.created_at.isoformat()}, "
                f"source {row.source})" if row else f"not suppressed: {address}")
    print(line)
    return 0 if row is not None else 1
