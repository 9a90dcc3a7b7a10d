"""An outbox item that waits for another (``waits_for``): not due, failed with it, retried with it.

The rule itself (:func:`bot.store.outbox.dependency`) is pure and tested first; the rest runs
the store's transitions on SQLite and PostgreSQL, including a child queued while its parent is
being marked failed in another transaction (the race a previous review found).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.store import monitoring, outbox
from bot.store.db import Store
from bot.store.models import OutboxItem, OutboxState
from tests.waiting import wait_until

NOW = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)  # a DST change in the UK, on purpose
LEASE = timedelta(minutes=5)
CARD = "slack-card:1"


@pytest.mark.parametrize(("parent", "verdict"), [
    (None, "due"), (OutboxState.PENDING, "wait"), (OutboxState.SENDING, "wait"),
    (OutboxState.SENT, "due"), (OutboxState.FAILED, "fail")])
def test_the_rule(parent: OutboxState | None, verdict: str):
    assert outbox.dependency(parent) == verdict


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store.open(database_url)
    yield store
    store.close()


def _enqueue(store: Store, key: str, waits_for: tuple[str, ...] = ()) -> int:
    with store.transaction() as session:
        item = outbox.enqueue(session, "slack", key, {"type": "x"}, now=NOW, waits_for=waits_for)
        assert item is not None
        return item.id


def _row(store: Store, item_id: int) -> OutboxItem:
    with store.sessions() as session:
        row = session.get(OutboxItem, item_id)
        assert row is not None
        return row


def _due(store: Store, at: datetime = NOW) -> list[int]:
    with store.sessions() as session:
        return outbox.due_ids(session, at, LEASE, ["slack"])


def _claim(store: Store, item_id: int, at: datetime = NOW) -> bool:
    with store.transaction() as session:
        return outbox.claim(session, item_id, at, LEASE, by="w1") is not None


def _fail(store: Store, item_id: int, error: str = "Slack case_card: HTTP 200 invalid_blocks"):
    assert _claim(store, item_id)
    with store.transaction() as session:
        outbox.mark_failed(session, item_id, error, NOW, by="w1")


def test_a_child_is_not_due_until_its_parent_is_sent(store: Store):
    card = _enqueue(store, CARD)
    note = _enqueue(store, "slack-thread:1", waits_for=("slack-card:9", CARD))
    assert _row(store, note).waits_for == card       # the first key that is queued
    assert _due(store) == [card]
    assert not _claim(store, note)                   # claim applies the same rule
    assert _claim(store, card)                       # sending: still waiting
    assert _due(store) == [] and not _claim(store, note)
    with store.transaction() as session:
        outbox.mark_sent(session, card, NOW, {"ts": "1.0001"}, by="w1")
    assert _due(store) == [note]
    assert _claim(store, note)
    assert _row(store, note).attempts == 1           # waiting used none


def test_a_child_waits_through_its_parents_retries_and_lease(store: Store):
    card = _enqueue(store, CARD)
    note = _enqueue(store, "slack-thread:1", waits_for=(CARD,))
    assert _claim(store, card)
    with store.transaction() as session:
        outbox.mark_retry(session, card, "HTTP 500", NOW + timedelta(minutes=1), by="w1")
    with store.sessions() as session:                # backing off: nothing is overdue
        assert monitoring.oldest_due_unsent(session, NOW + timedelta(seconds=30)) is None
    later = NOW + timedelta(hours=1)
    assert _due(store, later) == [card]              # the card again, not the note
    assert _claim(store, card, later)                # and its claimant vanishes
    assert _due(store, later + 2 * LEASE) == [card]  # taken over; the note still waits
    assert not _claim(store, note, later + 2 * LEASE)
    assert _row(store, note).attempts == 0


def test_no_queued_parent_means_nothing_to_wait_for(store: Store):
    note = _enqueue(store, "slack-thread:1", waits_for=(CARD,))
    assert _row(store, note).waits_for is None
    assert _due(store) == [note]


def test_a_parent_failing_for_good_fails_its_children_naming_it(store: Store):
    card = _enqueue(store, CARD)
    note = _enqueue(store, "slack-thread:1", waits_for=(CARD,))
    _fail(store, card)
    row = _row(store, note)
    assert row.state == "failed" and row.attempts == 0
    assert row.last_error == (f"waits for outbox #{card} ({CARD}), which failed: "
                              "Slack case_card: HTTP 200 invalid_blocks")


def test_a_child_queued_after_its_parent_failed_fails_at_once(store: Store):
    card = _enqueue(store, CARD)
    _fail(store, card)
    note = _enqueue(store, "slack-thread:1", waits_for=(CARD,))
    row = _row(store, note)
    assert (row.state, row.attempts, row.waits_for) == ("failed", 0, card)
    assert f"outbox #{card}" in (row.last_error or "")
    assert _due(store) == []


@pytest.mark.parametrize("retry", ["parent", "child"])
def test_retry_requeues_the_parent_and_its_children_together(store: Store, retry: str):
    card = _enqueue(store, CARD)
    notes = [_enqueue(store, f"slack-thread:{i}", waits_for=(CARD,)) for i in (1, 2)]
    _fail(store, card)
    later = NOW + timedelta(hours=2)
    with store.transaction() as session:
        item = outbox.requeue(session, card if retry == "parent" else notes[0], later)
        assert item is not None
    assert [_row(store, i).state for i in (card, *notes)] == ["pending"] * 3
    assert _due(store, later) == [card]              # the children wait for it again
    assert _claim(store, card, later)
    with store.transaction() as session:
        outbox.mark_sent(session, card, later, {"ts": "1.0001"}, by="w1")
    assert _due(store, later) == notes


def test_a_child_is_never_stranded_by_a_concurrent_mark_failed(store: Store):
    """Queue a child while, in another transaction, its parent is being marked failed.

    ``enqueue`` locks the parent row, so the parent's ``mark_failed`` waits for the child's
    transaction and then fails the child too. (On SQLite, ``BEGIN IMMEDIATE`` serialises
    writers, so there is no such race to test.)
    """
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writing transactions: no concurrent mark_failed")
    card = _enqueue(store, CARD)
    assert _claim(store, card)
    errors: list[BaseException] = []

    def mark() -> None:
        try:
            with store.transaction() as session:
                outbox.mark_failed(session, card, "HTTP 200 invalid_blocks", NOW, by="w1")
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    marker = threading.Thread(target=mark)
    with store.transaction() as session:
        note = outbox.enqueue(session, "slack", "slack-thread:1", {"type": "x"}, now=NOW,
                              waits_for=(CARD,))
        assert note is not None
        note_id = note.id
        marker.start()
        # The marker is blocked on the parent's row, which this transaction holds.
        wait_until(lambda s: s.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()")), store=store, what="mark_failed waiting")
    marker.join(timeout=10)
    assert not marker.is_alive() and errors == []
    assert _row(store, card).state == "failed"
    assert _row(store, note_id).state == "failed"
