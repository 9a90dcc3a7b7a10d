"""What the service hands the classifier's commands (``classify``, ``train``, ``evaluate``).

``classifier`` is the bottom layer and may not import ``bot``, yet ``classify`` must see a mail
file as ingest sees it and decide as triage decides. So this module gives
:func:`classifier.cli.register` the mail edge's reader and what the configuration knows.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from bot.errors import MessageParseError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the classifier's subcommands, wired to the service's mail reader and configuration."""
    from classifier import cli as classifier_cli

    classifier_cli.register(subparsers, read_mail=mail_record, policy_facts=classify_facts)


def mail_record(raw: bytes) -> dict[str, Any]:
    """One mail file as ``classify`` takes it, read by the mail edge exactly as ingest reads it.

    The classifier cannot import ``bot``, so :func:`register` hands it this reader: the same
    charsets, HTML-only bodies, defects, machine-mail and unsubscribe detection as the service,
    and the text triage classifies (the reply, or the whole body when nothing is left of it).
    The mail edge is not told the service's own addresses, so mail coming back from them is not
    flagged as a loop here; :func:`classify_facts` still refuses to act on it automatically,
    as mail from the organisation's own domain.

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
