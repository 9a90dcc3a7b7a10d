"""The readiness verdict (bot/readiness.py): each check from plain facts, no servers."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

from bot.readiness import Facts, Verdict, as_json, assess, is_ready, render
from bot.supervise import ThreadHealth
from tests.clock import DEFAULT_START

NOW = DEFAULT_START


def facts(**changes: object) -> Facts:
    healthy = Facts(
        now=NOW, database_reachable=True, database_writable=True,
        threads=[ThreadHealth("triage", True, True, 0, 0, None)],
        last_fetch={"INBOX": NOW - timedelta(seconds=20)}, fetch_within=timedelta(seconds=180),
        oldest_due_unsent=None, outbox_stuck_after=timedelta(minutes=15), failed_unseen=[])
    return dataclasses.replace(healthy, **changes)  # type: ignore[arg-type]


def verdicts(f: Facts) -> dict[str, Verdict]:
    return {c.name: c.verdict for c in assess(f)}


def test_all_well_is_ready_and_names_every_check() -> None:
    checks = assess(facts())
    assert is_ready(checks)
    assert [c.name for c in checks] == ["database", "threads", "imap", "outbox",
                                        "failed_messages"]
    assert set(verdicts(facts()).values()) == {Verdict.OK}


def test_a_database_that_answers_but_cannot_be_written_is_not_ready() -> None:
    checks = assess(facts(database_writable=False))
    assert not is_ready(checks)
    assert checks[0].verdict is Verdict.FAILING and "cannot be written" in checks[0].detail
    assert "does not answer" in assess(facts(database_reachable=False))[0].detail


def test_a_thread_down_is_named() -> None:
    down = [ThreadHealth("imap-watcher", False, False, 3, 2, "OSError: secret-host")]
    check = assess(facts(threads=down))[1]
    assert check.verdict is Verdict.FAILING and check.detail == "down: imap-watcher"
    assert "secret-host" not in check.detail  # error texts stay in the log
    assert verdicts(facts(threads=None))["threads"] is Verdict.SKIPPED


def test_imap_must_have_fetched_within_the_limit() -> None:
    assert verdicts(facts(last_fetch={"INBOX": NOW - timedelta(seconds=180)}))["imap"] \
        is Verdict.OK
    late = assess(facts(last_fetch={"INBOX": NOW - timedelta(seconds=181)}))[2]
    assert late.verdict is Verdict.FAILING and "INBOX last fetched 181 s ago" in late.detail
    never = assess(facts(last_fetch={"INBOX": None}))[2]
    assert never.verdict is Verdict.FAILING and "never fetched" in never.detail
    assert verdicts(facts(last_fetch={}))["imap"] is Verdict.SKIPPED


def test_an_outbox_item_due_too_long_is_stuck() -> None:
    limit = timedelta(minutes=15)
    assert verdicts(facts(oldest_due_unsent=NOW - limit))["outbox"] is Verdict.OK
    stuck = assess(facts(oldest_due_unsent=NOW - limit - timedelta(seconds=1)))[3]
    assert stuck.verdict is Verdict.FAILING and "15 min" in stuck.detail


def test_a_failed_message_nobody_was_shown_is_not_ready() -> None:
    check = assess(facts(failed_unseen=[7, 9]))[4]
    assert check.verdict is Verdict.FAILING and "2 failed message(s)" in check.detail
    assert "7, 9" in check.detail


def test_json_and_text_say_the_same() -> None:
    checks = assess(facts(database_writable=False))
    body = as_json(checks)
    assert body["ready"] is False
    assert json.loads(json.dumps(body))["checks"]["database"]["status"] == "failing"
    lines = render(checks)
    assert lines[0] == "Ready: NO" and any(line.startswith("  FAIL database") for line in lines)
