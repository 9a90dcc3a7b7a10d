"""``backfill --since DATE``: import older mail that intake did not take, with no automatic mail."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from tqdm import tqdm

from bot.commands import open_runtime
from bot.errors import ConfigError
from bot.pipeline.backfill import backfill


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "backfill", help="store and triage older mail from the mailbox; sends no automatic mail")
    parser.add_argument("--since", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="first day (server arrival date) to import")
    parser.add_argument("--send-confirmations", action="store_true",
                        help="also mail opt-out confirmations, as for new mail (off by default: "
                             "people who wrote long ago should not get one out of the blue)")
    parser.set_defaults(func=handle_backfill)


def handle_backfill(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt:
        if not rt.config.imap.enabled:
            raise ConfigError("backfill needs a mailbox: set [imap] host", path=rt.config.path,
                              key="imap.host")
        with tqdm(unit="msg", desc="backfill", file=sys.stderr,
                  disable=not sys.stderr.isatty()) as bar:
            report = backfill(rt, args.since, answer=args.send_confirmations,
                              progress=bar.update)
    print(f"found {report.found} messages since {args.since}, stored {report.stored} "
          f"new, triaged {report.triaged}")
    return 0
