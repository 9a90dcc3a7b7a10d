"""One transaction per triage batch: the claims checked once, the append-only rows inserted
together at the end, and a failing message leaving nothing of itself while the others commit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select, update

import bot.pipeline.triage as triage_module
from bot.pipeline.ingest import store_raw
from bot.pipeline.triage import claim_owner, triage_pending
from bot.runtime import Runtime
from bot.store import cases as case_store
from bot.store import deferred
from bot.store.models import (
    AuditEvent,
    Case,
    Classification,
    Draft,
    Message,
    Suppression,
    TriageState,
)
from tests.clock import TestClock
from tests.conftest import make_config, verified


def request(i: int, sender: str | None = None) -> bytes:
    address = sender or f"batch{i}@example.org"
    return verified(f"From: <{address}>\r\nTo: support@caplus.org.uk\r\n"
                    f"Subject: my data {i}\r\nMessage-ID: <batch-{i}@example.org>\r\n\r\n"
                    "Under GDPR I request a copy of all personal data you hold about me "
                    "(subject access request).\r\n").encode()


def _runtime(url: str, clock: TestClock) -> Runtime:
    rt = Runtime.open(make_config(url))
    rt.now = clock
    return rt


def _store(rt: Runtime, clock: TestClock, raws: list[bytes]) -> list[int]:
    ids = [store_raw(rt.store, raw, source="file", received_at=clock()) for raw in raws]
    assert None not in ids
    return [i for i in ids if i is not None]


def test_a_failing_message_leaves_no_rows_and_the_rest_of_the_batch_commits_in_order(
        database_url: str, clock: TestClock, monkeypatch: pytest.MonkeyPatch):
    rt = _runtime(database_url, clock)
    try:
        first, middle, last = _store(rt, clock, [request(i) for i in range(3)])
        real = triage_module.apply_decision

        def failing(session: Any, rt_: Runtime, message: Message, *args: Any) -> Any:
            outcome = real(session, rt_, message, *args)  # everything written, then it fails
            if message.id == middle:
                raise ValueError("a bug in acting on this one message")
            return outcome

        monkeypatch.setattr(triage_module, "apply_decision", failing)
        monkeypatch.setattr(triage_module, "_act_one_by_one",  # the batch itself must commit
                            lambda *args: pytest.fail("the batch fell back to one by one"))
        outcomes = triage_pending(rt)
        assert len(outcomes) == 2
        with rt.store.sessions() as session:
            states = dict(session.execute(select(Message.id, Message.triage_state)).all())
            assert states == {first: TriageState.DONE, middle: TriageState.FAILED,
                              last: TriageState.DONE}
            case_ids = [c.id for c in session.scalars(select(Case).order_by(Case.id))]
            assert case_ids == [o.case_id for o in outcomes]
            # The failed message's case, classification, draft and audit events are all gone.
            for model in (Classification, Draft):
                assert sorted(session.scalars(select(model.case_id))) == case_ids
            events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
            assert {e.case_id for e in events} == set(case_ids)
            assert middle not in {e.details.get("message") for e in events}
            # Inserted together, still in the order the messages were acted on.
            assert [e.case_id for e in events] == sorted(e.case_id for e in events)
            assert all(d.version == 1 for d in session.scalars(select(Draft)))
    finally:
        rt.close()


def test_a_message_another_worker_took_over_is_left_to_it(
        database_url: str, clock: TestClock, monkeypatch: pytest.MonkeyPatch):
    rt = _runtime(database_url, clock)
    try:
        kept, taken = _store(rt, clock, [request(10), request(11)])
        real = triage_module._claim

        def claim_then_lose_one(*args: Any, **kwargs: Any) -> Any:
            pending = real(*args, **kwargs)
            with rt.store.transaction() as session:  # its lease ran out; another took it
                session.execute(update(Message).where(Message.id == taken)
                                .values(claimed_by="other-host:1:0"))
            return pending

        monkeypatch.setattr(triage_module, "_claim", claim_then_lose_one)
        outcomes = triage_pending(rt)
        assert len(outcomes) == 1
        with rt.store.sessions() as session:
            rows = {m.id: (m.triage_state, m.claimed_by, m.case_id)
                    for m in session.scalars(select(Message))}
        assert rows[kept] == (TriageState.DONE, claim_owner(rt), outcomes[0].case_id)
        assert rows[taken] == (TriageState.NEW, "other-host:1:0", None)
    finally:
        rt.close()


def test_remembered_first_messages_answer_as_the_query_does(sqlite_url: str,
                                                            clock: TestClock):
    rt = _runtime(sqlite_url, clock)
    try:
        ids = _store(rt, clock, [request(20, "same@example.org"), request(21),
                                 request(22, "same@example.org")])
        addresses = ["same@example.org", "batch21@example.org", "never@example.org", None]
        with rt.store.sessions() as session:
            asked = {(a, i): case_store.sender_known_before(session, a, i)
                     for a in addresses for i in ids}
            case_store.remember_first_messages(session, addresses)
            remembered = {(a, i): case_store.sender_known_before(session, a, i)
                          for a in addresses for i in ids}
        assert remembered == asked
        assert asked[("same@example.org", ids[2])] and not asked[("same@example.org", ids[0])]
    finally:
        rt.close()


def test_row_buffer_drops_what_a_rolled_back_message_added():
    buffer = deferred.RowBuffer()
    buffer.add(AuditEvent, {"actor": "system", "action": "a"})
    mark = buffer.mark()
    buffer.add(AuditEvent, {"actor": "system", "action": "b"})
    buffer.add(Draft, {"case_id": 1})
    undone: list[str] = []
    buffer.on_discard(lambda session: undone.append("forgotten"))
    buffer.discard_since(mark, None)  # type: ignore[arg-type]  # the undo ignores it
    assert buffer.mark() == (1, 0)
    assert undone == ["forgotten"]


def _statements(rt: Runtime) -> list[str]:
    seen: list[str] = []
    event.listen(rt.store.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *args: seen.append(statement))
    return seen


def _batch_runs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, per run of a batch, whether it ran with a savepoint per message."""
    runs: list[bool] = []
    real = triage_module._act_batch

    def counted(*args: Any, savepoints: bool) -> Any:
        runs.append(savepoints)
        return real(*args, savepoints=savepoints)

    monkeypatch.setattr(triage_module, "_act_batch", counted)
    return runs


def test_a_batch_without_failures_is_acted_on_once_without_savepoints(
        database_url: str, clock: TestClock, monkeypatch: pytest.MonkeyPatch):
    rt = _runtime(database_url, clock)
    try:
        _store(rt, clock, [request(i) for i in range(30, 34)])
        runs = _batch_runs(monkeypatch)
        statements = _statements(rt)
        assert len(triage_pending(rt)) == 4
        assert runs == [False]
        assert not [s for s in statements if "SAVEPOINT" in s.upper()]
    finally:
        rt.close()


def test_a_failing_message_makes_the_batch_run_again_with_savepoints_and_only_it_is_set_aside(
        database_url: str, clock: TestClock, monkeypatch: pytest.MonkeyPatch):
    rt = _runtime(database_url, clock)
    try:
        first, middle, last = _store(rt, clock, [request(i) for i in range(40, 43)])
        real_apply = triage_module.apply_decision
        runs = _batch_runs(monkeypatch)
        acted: list[int] = []

        def failing(session: Any, rt_: Runtime, message: Message, *args: Any) -> Any:
            acted.append(message.id)
            outcome = real_apply(session, rt_, message, *args)
            if message.id == middle:
                raise ValueError("a bug in acting on this one message")
            return outcome

        monkeypatch.setattr(triage_module, "apply_decision", failing)
        outcomes = triage_pending(rt)
        assert runs == [False, True]
        assert acted == [first, middle, first, middle, last]  # the first run stopped at it
        with rt.store.sessions() as session:
            states = dict(session.execute(select(Message.id, Message.triage_state)).all())
            assert states == {first: TriageState.DONE, middle: TriageState.FAILED,
                              last: TriageState.DONE}
            # Nothing of the first run is left: one case per message triaged, numbered as if
            # the batch had run once.
            assert [c.id for c in session.scalars(select(Case).order_by(Case.id))] == [
                o.case_id for o in outcomes]
            assert len(session.scalars(select(Classification)).all()) == 2
    finally:
        rt.close()


def test_a_failure_left_for_the_flush_sets_aside_only_the_message_that_left_it(
        database_url: str, clock: TestClock, monkeypatch: pytest.MonkeyPatch):
    """A change the ORM writes only when the session flushes fails after its message's own
    step returned: with savepoints it fails at that message's release, and only it is set
    aside."""
    rt = _runtime(database_url, clock)
    try:
        with rt.store.transaction() as session:
            session.add(Suppression(address="taken@example.org", reason="r", source="cli"))
        first, middle, last = _store(rt, clock, [request(i) for i in range(50, 53)])
        real = triage_module.apply_decision

        def leaves_a_bad_row(session: Any, rt_: Runtime, message: Message, *args: Any) -> Any:
            outcome = real(session, rt_, message, *args)
            if message.id == middle:  # the unique address fails when the row is flushed
                session.add(Suppression(address="taken@example.org", reason="r", source="x"))
            return outcome

        monkeypatch.setattr(triage_module, "apply_decision", leaves_a_bad_row)
        monkeypatch.setattr(triage_module, "_act_one_by_one",
                            lambda *args: pytest.fail("the batch fell back to one by one"))
        assert len(triage_pending(rt)) == 2
        with rt.store.sessions() as session:
            states = dict(session.execute(select(Message.id, Message.triage_state)).all())
        assert states == {first: TriageState.DONE, middle: TriageState.FAILED,
                          last: TriageState.DONE}
    finally:
        rt.close()
