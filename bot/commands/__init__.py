"""Subcommands of ``privacy-triage``; each module has ``register(subparsers)``."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import OperationalError

from bot.config import Config, load_config
from bot.errors import ConfigError
from bot.runtime import Runtime


def load(args: argparse.Namespace) -> Config:
    """The configuration named by ``--config`` (checked, secrets resolved)."""
    return load_config(args.config)


def open_runtime(args: argparse.Namespace) -> Runtime:
    """The runtime for ``args``; a database that cannot be reached stops start-up, naming the
    key, instead of a traceback from the first query."""
    config = load(args)
    try:
        return Runtime.open(config)
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise ConfigError(f"cannot open the database: {reason}", path=config.path,
                          key="database.url") from None
