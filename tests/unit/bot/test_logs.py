"""The log guards (bot/logs.py): masked addresses and URLs, tracebacks without texts, JSON."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.cli import log_level
from bot.logs import configure, safe_traceback, scrub


def test_scrub_masks_addresses_and_cuts_urls() -> None:
    line = scrub("sent to jane.doe@example.org via https://hooks.example.com/T1/B2/secret?x=1 "
                 "and postgresql://u:pw@db.internal:5432/x")
    assert "jane.doe" not in line and "j***@example.org" in line
    assert "secret" not in line and "https://hooks.example.com/…" in line
    assert "pw" not in line and "postgresql://db.internal:5432/…" in line
    assert scrub("listening on 127.0.0.1:8025") == "listening on 127.0.0.1:8025"


SUBJECT = "Subject: my divorce papers"
ADDRESS = "jane@example.org"


def _raise_chain() -> None:
    # The words come from variables, as a message's do: source lines are shown, data is not.
    try:
        raise KeyError(SUBJECT)
    except KeyError as exc:
        raise ValueError(f"{ADDRESS} could not be parsed") from exc


def test_a_traceback_keeps_frames_and_classes_but_no_text() -> None:
    try:
        _raise_chain()
    except ValueError as exc:
        text = safe_traceback((type(exc), exc, exc.__traceback__))
    assert "_raise_chain" in text and "builtins.KeyError" in text
    assert "builtins.ValueError" in text
    assert "divorce" not in text and "jane" not in text


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_both_formats_apply_the_guards(fmt: str) -> None:
    stream = io.StringIO()
    handler = configure(logging.DEBUG, fmt, stream)
    try:
        log = logging.getLogger("bot.test")
        log.info("Message %s from %s", 12, "jane@example.org",
                 extra={"message_id": 12, "case_id": 3})
        try:
            _raise_chain()
        except ValueError:
            log.exception("It failed")
    finally:
        logging.getLogger().removeHandler(handler)
    out = stream.getvalue()
    assert "jane" not in out and "divorce" not in out and "j***@example.org" in out
    if fmt == "json":
        first, second = (json.loads(line) for line in out.splitlines() if line.startswith("{"))
        assert first["message_id"] == 12 and first["case_id"] == 3
        assert first["level"] == "INFO" and first["logger"] == "bot.test"
        assert first["event"] == "Message 12 from j***@example.org" and "time" in first
        assert "builtins.ValueError" in second["exception"]


def test_wire_loggers_stay_at_info_under_debug() -> None:
    stream = io.StringIO()
    handler = configure(logging.DEBUG, "text", stream)
    bolt = logging.getLogger("slack_bolt.App")
    try:
        assert not logging.getLogger("imapclient").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("bot.pipeline").isEnabledFor(logging.DEBUG)
        bolt.setLevel(logging.DEBUG)  # what slack_bolt does when an app is built under -vv
        bolt.debug("on_message invoked: a DM's text")
        bolt.info("A new session has been established")
        logging.getLogger("bot.pipeline").debug("our own debug line")
    finally:
        logging.getLogger().removeHandler(handler)
        bolt.setLevel(logging.NOTSET)
    out = stream.getvalue()
    assert "DM's text" not in out and "new session" in out and "our own debug line" in out


def test_run_logs_each_step_by_default_other_commands_only_warnings() -> None:
    assert log_level("run", 0) == logging.INFO
    assert log_level("status", 0) == logging.WARNING
    assert log_level("status", 1) == logging.INFO
    assert log_level("run", 1) == logging.DEBUG == log_level("status", 5)
