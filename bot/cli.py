"""The ``privacy-triage`` command: one entry point, a subcommand per job.

Each subcommand lives in a module of ``bot.commands`` (the classifier's in ``classifier.cli``,
registered through ``bot.commands.classifying``) exposing
``register(subparsers)``, like a Healthchecks management command: a help line, its arguments,
and a handler that calls code which can be tested without starting the service.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.errors import OUR_ERRORS
from bot.logs import FORMATS, configure

#: Commands that run unattended: their default level shows one line per step (INFO).
SERVICE_COMMANDS = frozenset({"run"})


def build_parser() -> argparse.ArgumentParser:
    from bot.commands import (
        audit,
        backfill,
        classifying,
        db,
        demo,
        listing,
        outbox,
        purge,
        run,
        staff_training,
        status,
        suppressions,
        triage_files,
        web,
    )
    parser = argparse.ArgumentParser(
        prog="privacy-triage",
        description="Answer an organisation's privacy mail: intake, triage, opt-outs, review.")
    parser.add_argument("--config", metavar="PATH",
                        help="TOML config (default: $PRIVACY_TRIAGE_CONFIG or ./config.toml; "
                             "built-in defaults when neither exists)")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more logging (-v: each step; -vv: debug). `run` logs each step "
                             "already. Never personal data, at any level (docs/operations.md)")
    parser.add_argument("--log-format", choices=FORMATS, default="text",
                        help="log lines as readable text (default) or JSON, one object a line")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (run, backfill, triage_files, demo, listing, outbox, purge, suppressions, web,
                   audit, db, status):
        module.register(subparsers)
    classifying.register(subparsers)
    staff_training.extend_train(subparsers)
    _accept_config_after_command(parser)
    return parser


def _accept_config_after_command(parser: argparse.ArgumentParser) -> None:
    """Let ``--config`` follow any subcommand too (``privacy-triage poll --once --config X``).

    People type the option where they think of it; refusing it after the command only teaches
    them argparse. The subcommands' copy defaults to SUPPRESS, so it never hides one given
    before the command.
    """
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for sub in action.choices.values():
            if "--config" not in sub._option_string_actions:
                sub.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                                 help="TOML config (also accepted before the command)")
            _accept_config_after_command(sub)


def log_level(command: str, verbose: int) -> int:
    """WARNING by default (INFO for the service), one step more per ``-v``."""
    levels = [logging.WARNING, logging.INFO, logging.DEBUG]
    base = 1 if command in SERVICE_COMMANDS else 0
    return levels[min(base + verbose, 2)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure(log_level(args.command, args.verbose), args.log_format)
    try:
        return int(args.func(args) or 0)
    except OUR_ERRORS as exc:
        print(f"privacy-triage: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
