"""An outbox item that waits for another one is queued by it, so waiting never uses attempts.

The "reply sent" note under a case's card is about the email: it is queued in the transaction
that marks the email sent (or failed for good), however long SMTP is down. These tests drive the
runtime's clock; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import SlackConfig
from bot.deliver.dispatcher import Channel, deliver_due
from bot.errors import DeliveryError
from bot.runtime import Runtime
from bot.slack.client import Pacer
from bot.slack.delivery import SlackChannel
from bot.staff import actions
from bot.store import outbox as outbox_store
from bot.store import staff as staff_store
from bot.store.models import OutboxItem
from tests.conftest import make_config
from tests.unit.staff.factory import open_case

NOW = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)  # a DST change in the UK, on purpose
ALICE = "slack:U0ALICE01"
CARDS = "C0CASES01"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class FakeSlack:
    """Enough of ``WebClient`` for the note: records each post."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []

    def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        self.posts.append(kwargs)
        return {"channel": kwargs["channel"], "ts": f"{len(self.posts)}.000100"}

    def chat_update(self, **kwargs: Any) -> dict[str, Any]:
        return {"channel": kwargs["channel"], "ts": kwargs["ts"]}


class Smtp:
    """An email channel that is down until told otherwise."""

    def __init__(self) -> None:
        self.up = False
        self.sent: list[str] = []

    def __call__(self, item: OutboxItem) -> Mapping[str, Any]:
        if not self.up:
            raise DeliveryError("SMTP: connection refused")
        self.sent.append(item.idempotency_key)
        return {"message_id": item.payload["message_id"]}


@pytest.fixture
def outbox_runtime(sqlite_url: str) -> Iterator[Runtime]:
    config = make_config(sqlite_url, slack=SlackConfig(
        enabled=True, review_channel=CARDS, bot_token="xoxb-test"))
    runtime = Runtime.open(config)
    runtime.now = Clock()
    yield runtime
    runtime.close()


def _approved_case(rt: Runtime) -> int:
    case_id = open_case(rt, label="general_query")
    with rt.store.transaction() as session:
        staff_store.set_card(session, case_id, CARDS, "1700000000.000100")  # the card is up
    assert actions.approve(rt, case_id, 1, ALICE).ok
    return case_id


def _rows(rt: Runtime, kind: str) -> list[OutboxItem]:
    with rt.store.sessions() as session:
        return list(session.scalars(select(OutboxItem).where(OutboxItem.kind == kind)))


def _note_rows(rt: Runtime) -> list[OutboxItem]:
    return [r for r in _rows(rt, "slack") if r.payload.get("type") == "sent_reply"]


def _notes(slack: FakeSlack) -> list[str]:
    return [p["text"] for p in slack.posts if p.get("thread_ts") == "1700000000.000100"]


def _channels(rt: Runtime, smtp: Smtp, slack: FakeSlack) -> dict[str, Channel]:
    channel = SlackChannel(rt, slack, pacer=Pacer(interval=0.0))  # type: ignore[arg-type]
    return {"email": smtp, "slack": channel}


def test_smtp_down_for_hours_then_up_sends_the_email_and_then_the_note_once(
        outbox_runtime: Runtime):
    clock: Clock = outbox_runtime.now  # type: ignore[assignment]
    smtp, slack = Smtp(), FakeSlack()
    channels = _channels(outbox_runtime, smtp, slack)
    _approved_case(outbox_runtime)
    max_attempts = outbox_runtime.config.outbox.max_attempts
    # Four hours of refused connections, looked at every minute: far longer than a note that
    # had to retry on its own (from approval, with the same backoff) would have lasted, had it
    # used its attempts while waiting; the email uses 11 of its 12.
    for _ in range(4 * 60):
        deliver_due(outbox_runtime, channels)
        clock.now += timedelta(minutes=1)
    (email,) = _rows(outbox_runtime, "email")
    assert email.state == "pending" and 1 < email.attempts < max_attempts
    assert _note_rows(outbox_runtime) == [] and _notes(slack) == []   # nothing waits by failing

    smtp.up = True
    clock.now += timedelta(hours=1)
    for _ in range(5):
        deliver_due(outbox_runtime, channels)
        clock.now += timedelta(minutes=1)
    assert len(smtp.sent) == 1
    (note,) = _note_rows(outbox_runtime)
    assert (note.state, note.attempts, note.last_error) == ("sent", 1, None)
    (text,) = _notes(slack)
    assert "Reply v1 sent" in text and "failed" not in text.lower()


def test_an_email_that_fails_for_good_is_followed_by_a_note_that_says_so(outbox_runtime: Runtime):
    smtp, slack = Smtp(), FakeSlack()
    channels = dict(_channels(outbox_runtime, smtp, slack))

    def refused(_item: OutboxItem) -> Mapping[str, Any]:
        raise DeliveryError("SMTP 550 mailbox unavailable", permanent=True)

    channels["email"] = refused
    _approved_case(outbox_runtime)
    deliver_due(outbox_runtime, {"email": refused})
    assert [r.state for r in _rows(outbox_runtime, "email")] == ["failed"]
    deliver_due(outbox_runtime, channels)
    deliver_due(outbox_runtime, channels)
    (text,) = _notes(slack)
    assert "550 mailbox unavailable" in text


def test_the_note_is_due_the_moment_its_email_is_marked_sent(outbox_runtime: Runtime):
    _approved_case(outbox_runtime)
    lease = timedelta(seconds=outbox_runtime.config.outbox.lease_s)
    with outbox_runtime.store.transaction() as session:
        (email_id,) = outbox_store.due_ids(session, NOW, lease, ["email"])
        assert outbox_store.due_ids(session, NOW, lease, ["slack"]) != []  # the card update
        claimed = outbox_store.claim(session, email_id, NOW, lease)
        assert claimed is not None
    assert _note_rows(outbox_runtime) == []
    with outbox_runtime.store.transaction() as session:
        outbox_store.mark_sent(session, email_id, NOW, {"message_id": "<x@example.org>"})
    (note,) = _note_rows(outbox_runtime)
    assert (note.state, note.attempts, note.next_attempt_at) == ("pending", 0, NOW)
    assert note.payload["type"] == "sent_reply" and note.payload["email_key"].startswith("reply:")
