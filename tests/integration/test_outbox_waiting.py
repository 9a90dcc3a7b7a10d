"""An outbox item that waits for another one is looked at again soon, without using attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.deliver.dispatcher import deliver_due, waiting_delay
from bot.errors import DeliveryError
from bot.runtime import Runtime
from bot.store import outbox as outbox_store
from bot.store.models import OutboxItem
from tests.conftest import make_config

NOW = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)  # a DST change in the UK, on purpose


def test_a_waiting_item_keeps_its_attempts_and_is_due_again_within_seconds(sqlite_url: str):
    rt = Runtime.open(make_config(sqlite_url))
    rt.now = lambda: NOW
    with rt.store.transaction() as session:
        item = outbox_store.enqueue(session, "slack", "note:1", {"x": 1}, not_before=NOW)
        assert item is not None
        item.created_at = NOW - timedelta(seconds=5)
        item_id = item.id

    def not_yet(_item: OutboxItem) -> dict[str, str]:
        raise DeliveryError("the reply has not been sent yet", waiting=True)

    for _ in range(20):  # many more looks than max_attempts: none of them counts
        report = deliver_due(rt, {"slack": not_yet})
        with rt.store.transaction() as session:
            row = session.get(OutboxItem, item_id)
            assert row is not None
            assert (row.state, row.attempts) == ("pending", 0)
            assert row.next_attempt_at == NOW + timedelta(seconds=1)
            row.next_attempt_at = NOW  # due again for the next round
    assert report.retried == 1 and report.failed == 0
    rt.close()


def test_the_wait_grows_with_the_age_of_the_item_and_is_capped():
    assert waiting_delay(timedelta(seconds=-3)) == timedelta(seconds=1)
    assert waiting_delay(timedelta(minutes=10)) == timedelta(minutes=1)
    assert waiting_delay(timedelta(days=3)) == timedelta(minutes=5)
