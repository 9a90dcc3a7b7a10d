"""``unsubscribe-headers ADDRESS``: the RFC 8058 header fields for the organisation's mailer."""

from __future__ import annotations

import argparse
import json
import sys

from bot.commands import load
from bot.errors import ConfigError
from bot.unsubscribe import list_unsubscribe_headers


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "unsubscribe-headers",
        help="print the List-Unsubscribe and List-Unsubscribe-Post headers for one recipient")
    parser.add_argument("address", help="the recipient the message is going to")
    parser.add_argument("--json", action="store_true", help="one JSON object, name -> value")
    parser.set_defaults(func=handle_headers)


def handle_headers(args: argparse.Namespace) -> int:
    config = load(args)
    http = config.http
    if not http.unsubscribe_secret:
        raise ConfigError(f"one-click links need a secret: set the environment variable "
                          f"{http.unsubscribe_secret_env}", path=config.path,
                          key="http.unsubscribe_secret_env")
    try:
        headers = list_unsubscribe_headers(args.address, http.unsubscribe_secret,
                                           http.public_url, config.organisation.support_address)
    except ValueError as exc:
        print(f"privacy-triage: error: {exc}", file=sys.stderr)
        return 2
    if not http.public_url.lower().startswith("https://"):
        # RFC 8058 section 3.1: receivers only act on an HTTPS URI.
        print(f"privacy-triage: warning: [http] public_url {http.public_url!r} is not HTTPS; "
              "mail providers will ignore the one-click link", file=sys.stderr)
    if args.json:
        print(json.dumps(dict(headers), indent=2))
    else:
        for name, value in headers:
            print(f"{name}: {value}")
    return 0
