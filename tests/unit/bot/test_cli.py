"""The command line accepts ``--config`` where people put it."""

from __future__ import annotations

import pytest

from bot.cli import build_parser


@pytest.mark.parametrize("argv", [
    ["--config", "site.toml", "poll", "--once"],
    ["poll", "--once", "--config", "site.toml"],
    ["messages", "list", "--config", "site.toml"],
    ["suppressions", "check", "jo@example.org", "--config", "site.toml"],
])
def test_config_is_accepted_before_or_after_the_subcommand(argv):
    assert build_parser().parse_args(argv).config == "site.toml"


def test_without_config_the_default_lookup_applies():
    assert build_parser().parse_args(["outbox", "list"]).config is None
