"""The command line accepts ``--config`` where people put it."""

from __future__ import annotations

import pytest

from bot.cli import build_parser, main
from bot.errors import ConfigError, Refusal
from classifier.errors import ModelError
from replies.deadlines import DeadlineError


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


@pytest.mark.parametrize("error", [
    ConfigError("no such file", path="site.toml"),
    ModelError("model.skops does not match the hash in its model card"),
    DeadlineError("the first month has run out"),
    Refusal("this case is already resolved"),
], ids=lambda e: type(e).__name__)
def test_every_error_of_ours_exits_2_with_its_message(error, monkeypatch, capsys):
    """The service's errors and those of the classifier and replies below it, alike."""
    def fails(_args):
        raise error

    parser = build_parser()
    args = parser.parse_args(["outbox", "list"])
    args.func = fails
    monkeypatch.setattr(parser, "parse_args", lambda argv=None: args)
    monkeypatch.setattr("bot.cli.build_parser", lambda: parser)
    assert main(["outbox", "list"]) == 2
    assert capsys.readouterr().err == f"privacy-triage: error: {error}\n"
