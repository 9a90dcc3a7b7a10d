"""``db upgrade``: apply Alembic migrations (also done automatically on every start)."""

from __future__ import annotations

import argparse

from bot.commands import load
from bot.store.db import make_engine, upgrade


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = subparsers.add_parser("db", help="database maintenance")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = actions.add_parser("upgrade", help="migrate the database to the current schema")
    up.add_argument("--revision", default="head", help="target revision (default: head)")
    up.set_defaults(func=handle_upgrade)


def handle_upgrade(args: argparse.Namespace) -> int:
    config = load(args)
    engine = make_engine(config.database.url)
    try:
        upgrade(engine, args.revision)
    finally:
        engine.dispose()
    print(f"database at {engine.url.render_as_string(hide_password=True)} is at {args.revision}")
    return 0
