"""Subcommands of ``privacy-triage``; each module has ``register(subparsers)``."""

from __future__ import annotations

import argparse

from bot.config import Config, load_config
from bot.pipeline.runtime import Runtime


def load(args: argparse.Namespace) -> Config:
    """The configuration named by ``--config`` (checked, secrets resolved)."""
    return load_config(args.config)


def open_runtime(args: argparse.Namespace) -> Runtime:
    return Runtime.open(load(args))
