"""``purge``: remove what retention says is due (``--dry-run`` shows it and changes nothing)."""

from __future__ import annotations

import argparse
import json

from bot.commands import open_runtime
from bot.purge_job import purge

__all__ = ["handle_purge", "purge", "register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("purge", help="redact or delete what [retention] says is due")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would be purged; change nothing")
    parser.add_argument("--json", action="store_true", help="the counts and ids as JSON")
    parser.set_defaults(func=handle_purge)


def handle_purge(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt:
        plan = purge(rt, dry_run=args.dry_run)
    counts = plan.counts()
    if args.json:
        print(json.dumps({"dry_run": args.dry_run, **counts,
                          "message_ids": plan.message_ids, "case_ids": plan.case_ids,
                          "audit_event_ids": plan.audit_ids}, indent=2))
        return 0
    verb = "would purge" if args.dry_run else "purged"
    print(f"{verb}: " + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items())
          + f" (content of cases closed before {plan.content_before:%Y-%m-%d}, audit events "
            f"before {plan.audit_before:%Y-%m-%d})")
    return 0
