"""Posting through the outbox: Slack 429 and 500 survived, pacing, threads, notices, reminders."""


from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.pipeline.ingest import store_raw
from bot.runtime import Runtime
from bot.service import poll_once
from bot.slack import client as slack_client
from bot.slack.jobs import queue_daily_posts
from bot.store import outbox as outbox_store
from bot.store import suppressions
from bot.store.models import Case, OutboxItem
from tests.clock import TestClock
from tests.conftest import make_config, verified
from tests.scenario.slack_helpers import (
    ACCESS,
    ALICE,
    CASES,
    QUESTION,
    buttons,
    card,
    case_now,
    click,
    new_case,
    slack_config,
    thread_of,
    triage_config,
)
from tests.waiting import wait_until

OPT_OUT = verified(
    "From: Alice Example <alice@example.org>\r\nTo: support@caplus.org.uk\r\n"
    "Subject: Please stop\r\nMessage-ID: <optout-1@example.org>\r\n"
    "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n"
    "Hello, please take me off your mailing list. I don't want any more marketing emails.\r\n"
    "Thanks, Alice\r\n"
)


def test_a_429_is_retried_after_retry_after_and_posts_once(slack_runtime, slack_standin):
    slack_standin.fail_next("chat.postMessage", "ratelimit")
    case = new_case(slack_runtime, QUESTION)
    statuses = [c.status for c in slack_standin.calls("chat.postMessage")]
    assert statuses == [429, 200]
    gap = [c.time for c in slack_standin.calls("chat.postMessage")]
    assert gap[1] - gap[0] >= 1.0        # Retry-After: 1 was honoured
    assert case.slack_ts and len(slack_standin.messages(CASES)) == 1


def test_slack_down_with_500s_loses_nothing_and_posts_once_later(slack_runtime, slack_standin,
                                                                  clock):
    slack_standin.fail_next("chat.postMessage", "server_error", count=3)  # beyond the retries
    case = new_case(slack_runtime, QUESTION)
    assert case.slack_ts is None and slack_standin.messages(CASES) == []
    with slack_runtime.store.sessions() as session:
        item = session.scalars(select(OutboxItem).where(OutboxItem.kind == "slack")).one()
    assert item.state == "pending" and "HTTP 500" in item.last_error

    clock.advance(minutes=5)   # past the outbox backoff
    assert poll_once(slack_runtime).delivery.sent == 1
    assert len(slack_standin.messages(CASES)) == 1
    assert case_now(slack_runtime, case.id).slack_ts


def test_invalid_blocks_is_a_permanent_failure_shown_on_the_case(slack_runtime, slack_standin):
    slack_standin.fail_next("chat.postMessage", "invalid_blocks")
    case = new_case(slack_runtime, QUESTION)
    with slack_runtime.store.sessions() as session:
        item = session.scalars(select(OutboxItem).where(OutboxItem.kind == "slack")).one()
    assert item.state == "failed"
    assert "invalid_blocks" in case_now(slack_runtime, case.id).delivery_failure


def test_posts_to_one_channel_are_paced(slack_runtime, slack_standin, monkeypatch):
    # The pacer runs on a clock that moves only when it sleeps: the spacing it enforces is then
    # exact, whatever the machine's load does to when the stand-in receives each request.
    virtual = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        virtual[0] += seconds

    pacer = slack_client.PACER
    monkeypatch.setattr(pacer, "interval", 0.3)
    monkeypatch.setattr(pacer, "_clock", lambda: virtual[0])
    monkeypatch.setattr(pacer, "_sleep", sleep)
    monkeypatch.setattr(pacer, "_next", {})
    for n in range(3):
        store_raw(slack_runtime.store, QUESTION.replace("q-1@", f"q-{n}@").replace(
            "How long", f"Question {n}: how long").encode(), source="file",
            received_at=slack_runtime.now())
    poll_once(slack_runtime)
    assert len(slack_standin.calls("chat.postMessage")) == 3
    assert slept == pytest.approx([0.3, 0.3])   # each post after the first waited its turn


def test_a_follow_up_email_appears_in_the_cards_thread(slack_runtime, slack_standin):
    case = new_case(slack_runtime, ACCESS)
    store_raw(slack_runtime.store, (
        b"From: Erin Example <erin@example.org>\r\nTo: support@caplus.org.uk\r\n"
        b"Subject: Re: my data\r\nMessage-ID: <sar-2@example.org>\r\n"
        b"In-Reply-To: <sar-1@example.org>\r\nReferences: <sar-1@example.org>\r\n\r\n"
        b"Also my old address was 1 <b>High</b> Street & <!channel>.\r\n"), source="file",
        received_at=slack_runtime.now())
    poll_once(slack_runtime)
    (note,) = thread_of(slack_standin, case)
    assert "wrote again" in note["text"]
    assert "1 &lt;b&gt;High&lt;/b&gt; Street &amp;" in note["text"]
    assert "<!channel>" not in note["text"]
    now = case_now(slack_runtime, case.id)
    assert now.version == case.version + 1
    assert buttons(card(slack_standin, now))["case_approve"]["value"] == f"{case.id}:{now.version}"


FOLLOW_UP = (
    b"From: Erin Example <erin@example.org>\r\nTo: support@caplus.org.uk\r\n"
    b"Subject: Re: my data\r\nMessage-ID: <sar-3@example.org>\r\n"
    b"In-Reply-To: <sar-1@example.org>\r\nReferences: <sar-1@example.org>\r\n\r\n"
    b"One more thing about my request.\r\n")


def _slack_rows(rt: Runtime, payload_type: str) -> list[OutboxItem]:
    with rt.store.sessions() as session:
        rows = session.scalars(select(OutboxItem).where(OutboxItem.kind == "slack")
                               .order_by(OutboxItem.id))
        return [r for r in rows if r.payload.get("type") == payload_type]


def test_a_thread_post_waits_for_a_delayed_card_and_arrives_after_it(slack_runtime,
                                                                      slack_standin, clock):
    slack_standin.fail_next("chat.postMessage", "server_error", count=3)  # beyond the retries
    case = new_case(slack_runtime, ACCESS)
    assert case.slack_ts is None
    tries = len(slack_standin.calls("chat.postMessage"))
    store_raw(slack_runtime.store, FOLLOW_UP, source="file", received_at=slack_runtime.now())
    poll_once(slack_runtime)   # the card is in its backoff: the note is not even attempted
    assert len(slack_standin.calls("chat.postMessage")) == tries
    (card_row,) = _slack_rows(slack_runtime, "case_card")
    (note_row,) = _slack_rows(slack_runtime, "thread_message")
    assert (note_row.state, note_row.attempts, note_row.waits_for) == ("pending", 0, card_row.id)

    clock.advance(minutes=5)   # past the card's backoff: card, then note, in one pass
    assert poll_once(slack_runtime).delivery.sent == 2
    now = case_now(slack_runtime, case.id)
    (note,) = thread_of(slack_standin, now)
    assert "wrote again" in note["text"]
    posted = [c for c in slack_standin.calls("chat.postMessage") if c.ok]
    assert [c.args.get("thread_ts") for c in posted] == [None, now.slack_ts]
    (note_row,) = _slack_rows(slack_runtime, "thread_message")
    assert (note_row.state, note_row.attempts) == ("sent", 1)


def test_a_card_failed_for_good_fails_its_thread_post_and_both_are_retried(slack_runtime,
                                                                           slack_standin, clock):
    slack_standin.fail_next("chat.postMessage", "server_error", count=3)
    case = new_case(slack_runtime, ACCESS)
    store_raw(slack_runtime.store, FOLLOW_UP, source="file", received_at=slack_runtime.now())
    poll_once(slack_runtime)
    slack_standin.fail_next("chat.postMessage", "invalid_blocks")   # permanent
    clock.advance(minutes=5)
    poll_once(slack_runtime)
    (card_row,) = _slack_rows(slack_runtime, "case_card")
    (note_row,) = _slack_rows(slack_runtime, "thread_message")
    assert card_row.state == "failed"
    assert (note_row.state, note_row.attempts) == ("failed", 0)   # no attempt burnt
    assert note_row.last_error.startswith(
        f"waits for outbox #{card_row.id} (slack-card:{case.id}), which failed: ")
    assert "invalid_blocks" in note_row.last_error
    assert all(c.args.get("thread_ts") is None for c in slack_standin.calls("chat.postMessage"))

    with slack_runtime.store.transaction() as session:   # what `outbox retry <note>` does
        assert outbox_store.requeue(session, note_row.id, slack_runtime.now()) is not None
    assert poll_once(slack_runtime).delivery.sent == 2
    now = case_now(slack_runtime, case.id)
    (note,) = thread_of(slack_standin, now)
    assert "wrote again" in note["text"]


def test_an_automatic_opt_out_is_posted_with_an_undo_that_lifts_it(slack_runtime, app,
                                                                    slack_standin):
    case = new_case(slack_runtime, OPT_OUT)
    assert case.state == "auto_resolved"
    notice = card(slack_standin, case)
    assert "Opt-out applied" in json.dumps(notice["blocks"])
    slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "notice_undo"))
    # A fresh session per poll: one open read transaction would never see the app's commit.
    wait_until(lambda s: not suppressions.is_suppressed(s, "alice@example.org"),
               store=slack_runtime.store, what="undo")
    with slack_runtime.store.sessions() as session:
        row = session.scalars(select(suppressions.Suppression)).one()
    assert row.removed_by == f"slack:{ALICE}"
    shown = wait_until(lambda: (m := card(slack_standin, case)) and not buttons(m) and m,
                       what="notice update")
    assert f"Undone by <@{ALICE}>" in json.dumps(shown["blocks"])


def test_opt_outs_can_be_posted_as_a_daily_digest(sqlite_url, smtp_server, slack_standin):
    config = make_config(sqlite_url, smtp=smtp_server, triage=triage_config(),
                         slack=slack_config(slack_standin, opt_out_notices="digest",
                                            reminder_hour=9))
    runtime = Runtime.open(config)
    runtime.now = TestClock(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))  # before the reminder hour
    try:
        new_case(runtime, OPT_OUT)
        assert slack_standin.messages(CASES) == []          # nothing posted one by one
        tuesday_10am = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
        assert queue_daily_posts(runtime, tuesday_10am) == ["slack-reminder:2026-11-24",
                                                            "slack-digest:2026-11-24"]
        assert queue_daily_posts(runtime, tuesday_10am + timedelta(hours=3)) == []  # once a day
        runtime.now.set(tuesday_10am)
        poll_once(runtime)
        (digest,) = slack_standin.messages(CASES)
        assert "1 opt-out(s) applied automatically" in digest["text"]
        assert any(b.get("accessory", {}).get("action_id") == "notice_undo"
                   for b in digest["blocks"])
    finally:
        runtime.close()


@pytest.mark.parametrize(("today", "expected"), [
    (datetime(2026, 12, 18, 10, 0, tzinfo=UTC), "due in"),
    (datetime(2026, 12, 29, 10, 0, tzinfo=UTC), "overdue by"),
])
def test_the_daily_reminder_lists_cases_due_soon_and_overdue(slack_runtime, slack_standin, clock,
                                                             today, expected):
    clock.set(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))   # received on Monday 23 November
    case = new_case(slack_runtime, ACCESS)
    new_case(slack_runtime, QUESTION)                         # no time limit: never in the reminder
    clock.set(today)
    assert queue_daily_posts(slack_runtime, today.replace(hour=7)) == []   # before reminder_hour
    slack_runtime.config = dataclasses.replace(
        slack_runtime.config, slack=slack_config(slack_standin, reminder_hour=9))
    assert queue_daily_posts(slack_runtime, today) == [f"slack-reminder:{today.date().isoformat()}"]
    poll_once(slack_runtime)
    reminder = slack_standin.messages(CASES)[-1]
    text = json.dumps(reminder["blocks"])
    assert f"Case {case.id}" in text and expected in text
    with slack_runtime.store.sessions() as session:
        assert len(session.scalars(select(Case)).all()) == 2
    assert "Case 2 " not in text
