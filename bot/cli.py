"""The ``privacy-triage`` command: one entry point, a subcommand per job.

Each subcommand lives in a module of ``bot.commands`` (or ``classifier.cli``) exposing
``register(subparsers)``, like a Healthchecks management command: a help line, its arguments,
and a handler that calls code which can be tested without starting the service.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bot.errors import OUR_ERRORS, MessageParseError
from bot.logs import FORMATS, configure

#: Commands that run unattended: their default level shows one line per step (INFO).
SERVICE_COMMANDS = frozenset({"run"})


def build_parser() -> argparse.ArgumentParser:
    from bot.commands import (
        audit,
        backfill,
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
    from classifier import cli as classifier_cli

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
    classifier_cli.register(subparsers, read_mail=mail_record, policy_facts=classify_facts)
    staff_training.extend_train(subparsers)
    _accept_config_after_command(parser)
    return parser


def mail_record(raw: bytes) -> dict[str, Any]:
    """One mail file as ``classify`` takes it, read by the mail edge exactly as ingest reads it.

    The classifier cannot import ``bot``, so :func:`build_parser` hands it this reader: the
    same charsets, HTML-only bodies, defects, machine-mail and unsubscribe detection as the
    service, and the text triage classifies (the reply, or the whole body when nothing is left
    of it). Mail from this service's own addresses is not recognised: ``classify`` reads no
    configuration.

    Raises:
        MessageParseError: the bytes are no usable mail; an unexpected parser error too, named
            by its type only (its message may quote the mail), as ingest records it.
    """
    from bot.mail.parse import to_message

    try:
        parsed = to_message(raw)
    except MessageParseError:
        raise
    except Exception as exc:
        raise MessageParseError(f"parsing failed: {type(exc).__name__}") from exc
    return {"text": parsed.reply_text or parsed.body_text, "subject": parsed.subject,
            "sender": parsed.sender_address, "is_machine_mail": bool(parsed.machine_reasons),
            "is_unsubscribe_mail": parsed.is_unsubscribe_mail,
            "in_reply_to": parsed.in_reply_to, "references": list(parsed.references)}


def classify_facts(args: argparse.Namespace) -> Callable[[dict[str, Any]], dict[str, bool]]:
    """What triage knows of a record's sender and thread, from the configuration, for ``classify``.

    ``classify`` is how a new user tries the product: it must decide as the service would.
    Mail from the organisation's own domains (the support address's at least, so CA Plus's by
    default) is never automatic, and a reply whose In-Reply-To/References name the mailer's
    Message-IDs is a reply to our mailing. JSONL records may carry ``in_reply_to`` and
    ``references`` too.

    A configuration found on its own (``./config.toml``, ``$PRIVACY_TRIAGE_CONFIG``) that
    cannot be used, say for a secret this shell does not have, is named on stderr and the
    built-in defaults decide instead: trying the classifier must not need the mailbox password.

    Raises:
        ConfigError: the configuration named by ``--config`` is missing or wrong.
    """
    from bot.config import Config, load_config
    from bot.errors import ConfigError
    from classifier.addresses import at_domains
    from classifier.signals import replies_to_mailing

    explicit = getattr(args, "config", None)
    try:
        config = load_config(explicit)
    except ConfigError as exc:
        if explicit is not None:
            raise
        print(f"classify: {exc}; deciding with the built-in defaults", file=sys.stderr)
        config = Config()
    own = config.own_domains
    mailer = tuple(config.organisation.mailer_message_id_domains)

    def facts(record: dict[str, Any]) -> dict[str, bool]:
        refs = record.get("references") or []
        ids = [record.get("in_reply_to"), *(refs if isinstance(refs, list) else [refs])]
        return {"from_own_domain": at_domains(record.get("sender"), own),
                "replies_to_mailing": replies_to_mailing(
                    [i if isinstance(i, str) else None for i in ids], mailer)}

    return facts


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
