"""The outbox state machine: which moves are allowed, and that a wrong one raises."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import OutboxTransitionError
from bot.store import outbox
from bot.store.db import Store
from bot.store.models import OutboxItem, OutboxState

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
P, S, D, F = OutboxState.PENDING, OutboxState.SENDING, OutboxState.SENT, OutboxState.FAILED

# Every (from, to) pair that some transition makes; every other pair is refused.
ALLOWED = {(P, S), (S, S), (S, D), (S, P), (S, F), (P, D), (P, P), (F, P)}


def test_the_table_of_allowed_moves():
    pairs = {(a, b) for a in OutboxState for b in OutboxState if outbox.allowed(a, b)}
    assert pairs == ALLOWED
    assert not any(outbox.allowed(D, b) for b in OutboxState)  # sent is final


@pytest.mark.parametrize("transition", outbox.TRANSITIONS, ids=lambda t: t.name)
def test_each_transition_refuses_every_other_source(transition: outbox.Transition):
    for state in OutboxState:
        if state in transition.sources:
            transition.check(state)
        else:
            with pytest.raises(OutboxTransitionError, match=transition.name):
                transition.check(state)


def test_the_database_values_are_unchanged():
    assert [s.value for s in OutboxState] == ["pending", "sending", "sent", "failed"]


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    store = Store.open(sqlite_url)
    yield store
    store.close()


def _item(store: Store, key: str = "k1") -> int:
    with store.transaction() as session:
        item = outbox.enqueue(session, "email", key, {"x": 1}, now=NOW)
        assert item is not None
        return item.id


def _state(store: Store, item_id: int) -> str:
    with store.sessions() as session:
        row = session.get(OutboxItem, item_id)
        assert row is not None
        return row.state


def test_marks_need_a_claim_first(store: Store):
    item_id = _item(store)
    for mark in (lambda s: outbox.mark_sent(s, item_id, NOW, {}),
                 lambda s: outbox.mark_retry(s, item_id, "x", NOW),
                 lambda s: outbox.mark_failed(s, item_id, "x", NOW)):
        with pytest.raises(OutboxTransitionError), store.transaction() as session:
            mark(session)
        assert _state(store, item_id) == "pending"


def test_a_sent_item_moves_no_more(store: Store):
    item_id = _item(store)
    with store.transaction() as session:
        assert outbox.claim(session, item_id, NOW, LEASE) is not None
        outbox.mark_sent(session, item_id, NOW, {"ok": True})
    with store.transaction() as session:
        assert outbox.claim(session, item_id, NOW + 2 * LEASE, LEASE) is None
        assert outbox.requeue(session, item_id, NOW) is None
        assert outbox.settle(session, "k1", {}, NOW) is False
        with pytest.raises(OutboxTransitionError, match="mark_failed"):
            outbox.mark_failed(session, item_id, "late", NOW)
    assert _state(store, item_id) == "sent"


def test_retry_then_fail_then_requeue(store: Store):
    item_id = _item(store)
    with store.transaction() as session:
        outbox.claim(session, item_id, NOW, LEASE)
        row = outbox.mark_retry(session, item_id, "busy", NOW + timedelta(seconds=30))
        assert (row.state, row.last_error) == ("pending", "busy")
        assert outbox.claim(session, item_id, NOW, LEASE) is None      # not due yet
        assert outbox.claim(session, item_id, NOW + timedelta(seconds=30), LEASE) is not None
        assert outbox.mark_failed(session, item_id, "gone", NOW).state == "failed"
    with store.transaction() as session:
        row = outbox.requeue(session, item_id, NOW)
        assert row is not None and (row.state, row.attempts) == ("pending", 0)


def test_a_settled_item_is_not_claimed_and_a_claimed_one_is_not_settled(store: Store):
    first, second = _item(store, "k1"), _item(store, "k2")
    with store.transaction() as session:
        assert outbox.settle(session, "k1", {"ts": "1"}, NOW) is True
        assert outbox.claim(session, first, NOW, LEASE) is None
        assert outbox.claim(session, second, NOW, LEASE) is not None
        assert outbox.settle(session, "k2", {}, NOW) is False
    assert (_state(store, first), _state(store, second)) == ("sent", "sending")


def test_follow_ups_are_queued_with_the_mark_and_only_then(store: Store):
    with store.transaction() as session:
        item = outbox.enqueue(session, "email", "reply:1:1", {"to": "a@example.org"}, now=NOW,
                              then=[outbox.FollowUp("slack", "note:1", {"type": "sent_reply"})])
        assert item is not None
        item_id = item.id
    with store.transaction() as session:
        assert outbox.existing_keys(session, ["note:1"]) == set()
        outbox.claim(session, item_id, NOW, LEASE)
        outbox.mark_retry(session, item_id, "down", NOW)
        assert outbox.existing_keys(session, ["note:1"]) == set()
        outbox.claim(session, item_id, NOW, LEASE)
        outbox.mark_sent(session, item_id, NOW, {})
        assert outbox.existing_keys(session, ["note:1"]) == {"note:1"}
