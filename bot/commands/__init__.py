"""Subcommands of ``privacy-triage``; each module has ``register(subparsers)``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.config import Config, load_config
from bot.errors import ConfigError
from bot.runtime import Runtime
from bot.store.db import Store, is_current

#: Printed at the end of every ``--dry-run``: the promise the tests check.
DRY_RUN_DONE = "dry run: nothing stored, sent, moved or flagged"


def load(args: argparse.Namespace) -> Config:
    """The configuration named by ``--config`` (checked, secrets resolved)."""
    return load_config(args.config)


def open_runtime(args: argparse.Namespace, *, dry_run: bool = False) -> Runtime:
    """The runtime for ``args``; a database that cannot be reached stops start-up, naming the
    key, instead of a traceback from the first query.

    With ``dry_run`` the database is not migrated, and an SQLite file that does not exist yet
    is not created: the dry run is judged against an empty in-memory database instead.
    """
    config = load(args)
    try:
        if dry_run:
            return Runtime(config, _dry_run_store(config.database.url))
        return Runtime.open(config)
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise ConfigError(f"cannot open the database: {reason}", path=config.path,
                          key="database.url") from None


def _dry_run_store(url: str) -> Store:
    parsed = make_url(url)
    if (parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
            and not Path(parsed.database or "").expanduser().exists()):
        print(f"dry run: the database {parsed.database} does not exist yet (not created); "
              "judging against an empty one", file=sys.stderr)
        return Store.open("sqlite://")
    store = Store.open(url, migrate=False)
    if not is_current(store.engine):
        store.close()
        raise ConfigError("the database schema is older than this version; run `privacy-triage "
                          "db upgrade` first (a dry run changes nothing, so it does not upgrade)",
                          key="database.url")
    return store
