"""``backfill --since DATE``: import older mail that intake did not take, with no automatic mail."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from tqdm import tqdm

from bot.commands import open_runtime
from bot.errors import ConfigError
from bot.pipeline.backfill import backfill
from bot.runtime import Runtime


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "backfill", help="store and triage older mail from the mailbox; sends no automatic mail")
    parser.add_argument("--since", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="first day (server arrival date) to import")
    parser.add_argument("--send-confirmations", action="store_true",
                        help="also mail opt-out confirmations, as for new mail (off by default: "
                             "people who wrote long ago should not get one out of the blue)")
    parser.add_argument("--dry-run", action="store_true",
                        help="fetch read-only and print what would happen to each message; "
                             "store, send, move and flag nothing")
    parser.set_defaults(func=handle_backfill)


def handle_backfill(args: argparse.Namespace) -> int:
    if args.dry_run:
        return handle_backfill_dry_run(args)
    with open_runtime(args) as rt:
        _require_mailbox(rt)
        found = stored = triaged = 0
        with tqdm(unit="msg", desc="backfill", file=sys.stderr,
                  disable=not sys.stderr.isatty()) as bar:
            for imap in rt.config.mailboxes:  # each [[imap]] mailbox in turn
                report = backfill(rt, args.since, answer=args.send_confirmations,
                                  progress=bar.update, imap=imap)
                found, stored = found + report.found, stored + report.stored
                triaged += report.triaged
    print(f"found {found} messages since {args.since}, stored {stored} "
          f"new, triaged {triaged}")
    return 0


def _require_mailbox(rt: Runtime) -> None:
    if not rt.config.imap.enabled:
        raise ConfigError("backfill needs a mailbox: set [imap] host", path=rt.config.path,
                          key="imap.host")


def handle_backfill_dry_run(args: argparse.Namespace) -> int:
    """``backfill --dry-run``: each older message as backfill would triage it, read-only."""
    from bot.commands.dry_run import print_dry_run
    from bot.pipeline import preview

    with open_runtime(args, dry_run=True) as rt:
        _require_mailbox(rt)
        found = preview.all_mailbox_candidates(rt, since=args.since,
                                               backfilled=not args.send_confirmations)
        with rt.store.sessions() as session:
            previews = preview.preview_candidates(rt, session, found.candidates)
            stored, waiting = preview.preview_stored(rt, session)  # a real backfill does these
    print_dry_run(previews, stored, waiting, found.note)
    return 0
