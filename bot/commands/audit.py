"""``audit export``: the append-only audit trail as CSV or JSON, for auditors and DPO reports."""

from __future__ import annotations

import argparse

from bot.commands import open_runtime
from bot.commands.suppressions import since_argument, write_output
from bot.exports import AUDIT_COLUMNS, audit_record, to_csv, to_json
from bot.store import audit


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("audit", help="the audit trail of every automatic and "
                                                 "staff action")
    actions = parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write audit events, oldest first")
    export.add_argument("--format", choices=("csv", "json"), default="csv",
                        help="output format (default: csv)")
    export.add_argument("--since", metavar="ISO", type=since_argument,
                        help="only events at or after this date or date-time (UTC)")
    export.add_argument("-o", "--output", metavar="PATH", help="write here instead of stdout")
    export.set_defaults(func=handle_export)


def handle_export(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt, rt.store.sessions() as session:
        rows = [audit_record(e) for e in audit.events(session, since=args.since)]
    text = to_json(rows) if args.format == "json" else to_csv(rows, AUDIT_COLUMNS)
    write_output(text, args.output)
    return 0
