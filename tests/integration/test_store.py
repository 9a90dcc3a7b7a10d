"""The store on SQLite and PostgreSQL: migrations, append-only audit, claims, suppressions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from bot.store import audit, deferred, outbox, suppressions
from bot.store.db import Store
from bot.store.models import Base, OutboxItem, utcnow


@pytest.fixture
def store(database_url: str):
    s = Store.open(database_url)
    yield s
    s.close()


def test_migrations_build_exactly_the_models_schema(empty_database_url: str):
    store = Store.open(empty_database_url)  # every migration, from an empty database
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        store.close()
    assert diff == []


def test_upgrading_twice_is_harmless(empty_database_url: str):
    Store.open(empty_database_url).close()
    Store.open(empty_database_url).close()


def test_audit_events_cannot_be_updated_or_deleted(store: Store):
    with store.transaction() as session:
        audit.record(session, "cli:test", "suppression.added", None, address="a@example.org")
    for statement in ("UPDATE audit_events SET actor = 'someone else'",
                      "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    with store.sessions() as session:
        (event,) = audit.events(session)
        assert event.actor == "cli:test"


def test_suppressing_is_idempotent_and_normalised(store: Store):
    with store.transaction() as session:
        _, first = suppressions.suppress(session, " <Alice@Example.ORG> ", reason="r",
                                         source="cli")
        _, second = suppressions.suppress(session, "alice@example.org", reason="r", source="cli")
    assert (first, second) == (True, False)
    with store.transaction() as session:
        assert suppressions.is_suppressed(session, "ALICE@example.org")
        assert suppressions.lift(session, "alice@example.org", by="staff:U1") is not None
    with store.transaction() as session:
        assert not suppressions.is_suppressed(session, "alice@example.org")
        _, again = suppressions.suppress(session, "alice@example.org", reason="r", source="cli")
    assert again is True


def test_a_suppression_rolled_back_with_its_savepoint_is_forgotten(store: Store):
    """A triage message set aside after suppressing leaves no row and no stale object: the
    next suppression of the address (which may be given the same id) is new."""
    with store.transaction() as session:
        rows = deferred.install(session)
        mark = rows.mark()
        with pytest.raises(RuntimeError), session.begin_nested():
            gone, _ = suppressions.suppress(session, "bob@example.org", reason="r",
                                            source="email")
            raise RuntimeError("the message fails after its suppression")
        rows.discard_since(mark, session)
        deferred.uninstall(session)
        assert gone not in session
        row, newly = suppressions.suppress(session, "bob@example.org", reason="r2",
                                           source="email")
        assert newly is True
        assert row.reason == "r2"
    with store.transaction() as session:  # no triage batch: the stale object is replaced
        with pytest.raises(RuntimeError), session.begin_nested():
            kept, _ = suppressions.suppress(session, "dan@example.org", reason="r",
                                            source="email")
            raise RuntimeError("rolled back")
        row, newly = suppressions.suppress(session, "dan@example.org", reason="r2",
                                           source="email")
        assert newly is True
        assert kept is not row
    with store.sessions() as session:
        assert [(r.address, r.reason) for r in suppressions.active(session)] == [
            ("bob@example.org", "r2"), ("dan@example.org", "r2")]


def test_suppressing_an_address_already_on_the_list_keeps_its_row(store: Store):
    with store.transaction() as session:
        _, first = suppressions.suppress(session, "carol@example.org", reason="r", source="cli")
    with store.transaction() as session:
        row, second = suppressions.suppress(session, "CAROL@example.org", reason="other",
                                            source="staff")
        assert (second, row.reason, row.source) == (False, "r", "cli")
    assert first is True


@pytest.mark.parametrize("address", ["", "alice", "@example.org", "alice@", "a b@example.org"])
def test_it_refuses_what_is_not_an_address(address: str):
    with pytest.raises(ValueError, match="not an email address"):
        suppressions.normalise_address(address)


def test_an_outbox_item_rolled_back_with_its_savepoint_is_forgotten_and_can_be_queued_again(
        store: Store):
    with store.transaction() as session:
        rows = deferred.install(session)
        mark = rows.mark()
        with pytest.raises(RuntimeError), session.begin_nested():
            gone = outbox.enqueue(session, "slack", "card:1", {"type": "case_card"})
            raise RuntimeError("the message fails after queueing its card")
        rows.discard_since(mark, session)
        deferred.uninstall(session)
        assert gone is not None and gone not in session
        again = outbox.enqueue(session, "slack", "card:1", {"type": "case_card", "n": 2})
        assert again is not None
        assert outbox.enqueue(session, "slack", "card:1", {"type": "case_card"}) is None
        again.attempts = 3  # a change to the returned row is an ordinary update
    with store.sessions() as session:
        (item,) = session.scalars(select(OutboxItem)).all()
        assert (item.idempotency_key, item.payload, item.attempts, item.state) == (
            "card:1", {"type": "case_card", "n": 2}, 3, "pending")


def test_an_outbox_item_is_claimed_by_exactly_one_dispatcher(store: Store):
    lease = timedelta(minutes=5)
    with store.transaction() as session:
        item = outbox.enqueue(session, "email", "k1", {"to": "a@example.org"})
        assert outbox.enqueue(session, "email", "k1", {"to": "a@example.org"}) is None
        item_id = item.id
    now = utcnow()
    with store.transaction() as session:
        assert outbox.claim(session, item_id, now, lease) is not None
    with store.transaction() as session:
        assert outbox.claim(session, item_id, now, lease) is None
        assert outbox.due_ids(session, now, lease, ["email"]) == []
    # The claimant vanished: after the lease the item is due again.
    later = now + lease + timedelta(seconds=1)
    with store.transaction() as session:
        assert outbox.due_ids(session, later, lease, ["email"]) == [item_id]
