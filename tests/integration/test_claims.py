"""Claims with a lease: a worker that dies holding messages or outbox items delays them by at
most its lease, then another takes them over; two workers never triage one message twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.deliver.dispatcher import deliver_due
from bot.errors import OutboxTransitionError
from bot.pipeline.ingest import store_raw
from bot.pipeline.triage import claim_owner, triage_pending
from bot.runtime import Runtime
from bot.store import outbox
from bot.store.models import AuditEvent, Case, Message, OutboxItem, TriageState
from tests.clock import TestClock
from tests.conftest import make_config, verified

ROOT = Path(__file__).resolve().parents[2]


def opt_out(i: int) -> bytes:
    return verified(f"From: <claims{i}@example.org>\r\nTo: support@caplus.org.uk\r\n"
                    f"Subject: stop\r\nMessage-ID: <claims-{i}@example.org>\r\n\r\n"
                    "Please take me off your mailing list, no more marketing emails.\r\n"
                    ).encode()


def _runtime(url: str, clock: TestClock) -> Runtime:
    rt = Runtime.open(make_config(url))
    rt.now = clock
    return rt


def _states(rt: Runtime) -> list[tuple[str, str | None]]:
    with rt.store.sessions() as session:
        return [(m.triage_state, m.claimed_by) for m in
                session.scalars(select(Message).order_by(Message.id))]


def test_a_claim_left_by_a_dead_worker_is_taken_over_once_its_lease_runs_out(
        database_url: str, clock: TestClock):
    rt = _runtime(database_url, clock)
    try:
        for i in range(3):
            store_raw(rt.store, opt_out(i), source="file", received_at=clock())
        lease = timedelta(seconds=rt.config.triage.lease_s)
        with rt.store.transaction() as session:  # a worker that claimed and then vanished
            session.execute(update(Message).values(claimed_by="dead-host:1:0",
                                                   claimed_until=clock() + lease))
        assert triage_pending(rt) == []
        assert _states(rt) == [(TriageState.NEW, "dead-host:1:0")] * 3

        clock.advance(lease - timedelta(seconds=1))
        assert triage_pending(rt) == []          # the lease still holds

        clock.advance(seconds=1)
        outcomes = triage_pending(rt)            # over: this worker takes them
        assert len({o.case_id for o in outcomes}) == len(outcomes) == 3
        assert _states(rt) == [(TriageState.DONE, claim_owner(rt))] * 3
        assert triage_pending(rt) == []
        with rt.store.sessions() as session:
            assert session.scalar(select(func.count(Case.id))) == 3
            assert session.scalar(select(func.count(AuditEvent.id))
                                  .where(AuditEvent.action == "opt_out.applied")) == 3
    finally:
        rt.close()


def test_a_worker_retakes_its_own_claims_without_waiting_for_its_lease(
        sqlite_url: str, clock: TestClock):
    """A pass that could not commit (or record its failures) leaves claims of its own; the
    next pass of the same worker takes them again at once, but another thread of the same
    runtime (Slack chat intake beside the triage thread) leaves them alone."""
    rt = _runtime(sqlite_url, clock)
    try:
        store_raw(rt.store, opt_out(1), source="file", received_at=clock())
        with rt.store.transaction() as session:
            session.execute(update(Message).values(
                claimed_by=claim_owner(rt), claimed_until=clock() + timedelta(hours=1)))
        other: list[object] = []
        thread = threading.Thread(target=lambda: other.extend(triage_pending(rt)))
        thread.start()
        thread.join(60)
        assert other == []
        assert len(triage_pending(rt)) == 1
    finally:
        rt.close()


@pytest.mark.slow  # a subprocess, killed
def test_a_worker_killed_mid_claim_its_messages_are_taken_over_after_the_lease(
        database_url: str, clock: TestClock):
    rt = _runtime(database_url, clock)
    try:
        for i in range(5):
            store_raw(rt.store, opt_out(i), source="file", received_at=clock())
        holder = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.claim_holder", database_url,
             clock().isoformat(), "3"],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        try:
            assert holder.stdout is not None
            line = holder.stdout.readline()  # printed once its claim is committed
            assert line.startswith("claimed 3 as "), line
            dead = line.split(" as ", 1)[1].strip()
            os.kill(holder.pid, signal.SIGKILL)
        finally:
            holder.kill()
            holder.wait(30)
        assert _states(rt)[:3] == [(TriageState.NEW, dead)] * 3

        assert len(triage_pending(rt)) == 2     # the two nobody held; the dead one's wait
        clock.advance(seconds=rt.config.triage.lease_s)
        assert len(triage_pending(rt)) == 3
        assert _states(rt) == [(TriageState.DONE, claim_owner(rt))] * 5
        with rt.store.sessions() as session:
            assert session.scalar(select(func.count(Case.id))) == 5
            keys = session.scalars(select(OutboxItem.idempotency_key)).all()
        assert len(keys) == len(set(keys)) == 5   # one confirmation each, once
    finally:
        rt.close()


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_triage_one_message_twice(postgres_url: str,
                                                                  clock: TestClock):
    workers = [_runtime(postgres_url, clock) for _ in range(2)]
    total = 40
    for i in range(total):
        store_raw(workers[0].store, opt_out(i), source="file", received_at=clock())
    barrier = threading.Barrier(len(workers))
    done: dict[str, int] = {}

    def work(rt: Runtime) -> None:
        barrier.wait()
        count = 0
        while outcomes := triage_pending(rt, limit=4):
            count += len(outcomes)
        done[claim_owner(rt)] = count

    threads = [threading.Thread(target=work, args=(rt,)) for rt in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    try:
        # A worker stops when everything left is claimed by the other: finish the tail.
        while triage_pending(workers[0], limit=4):
            pass
        with workers[0].store.sessions() as session:
            assert session.scalar(select(func.count(Case.id))) == total
            assert session.scalar(select(func.count(AuditEvent.id))
                                  .where(AuditEvent.action == "opt_out.applied")) == total
            assert session.scalar(select(func.count(OutboxItem.id))) == total  # confirmations
            by = session.scalars(select(Message.claimed_by)).all()
        assert all(b and b.startswith((workers[0].worker_id, workers[1].worker_id))
                   for b in by)
        assert sum(done.values()) <= total
    finally:
        for rt in workers:
            rt.close()


def test_an_outbox_item_held_by_a_dead_dispatcher_is_taken_over_after_the_lease(
        database_url: str, clock: TestClock):
    rt = _runtime(database_url, clock)
    try:
        with rt.store.transaction() as session:
            item = outbox.enqueue(session, "email", "claims-test", {"to": "x"}, now=clock())
            assert item is not None
            item_id = item.id
        lease = timedelta(seconds=rt.config.outbox.lease_s)
        with rt.store.transaction() as session:
            assert outbox.claim(session, item_id, clock(), lease, by="dead-host:1:0")
        sent: list[int] = []
        channels = {"email": lambda it: sent.append(it.id) or {}}
        assert deliver_due(rt, channels).sent == 0          # held by the dead dispatcher

        clock.advance(lease)
        assert deliver_due(rt, channels).sent == 1
        assert sent == [item_id]
        with rt.store.sessions() as session:
            row = session.get_one(OutboxItem, item_id)
            assert (row.state, row.claimed_by, row.attempts) == ("sent", rt.worker_id, 2)
    finally:
        rt.close()


def test_a_dispatcher_whose_lease_ran_out_cannot_mark_an_item_taken_over(
        database_url: str, clock: TestClock):
    rt = _runtime(database_url, clock)
    try:
        lease = timedelta(seconds=rt.config.outbox.lease_s)
        with rt.store.transaction() as session:
            item = outbox.enqueue(session, "email", "claims-test-2", {}, now=clock())
            assert item is not None
            item_id = item.id
            assert outbox.claim(session, item_id, clock(), lease, by="slow")
        clock.advance(lease)
        with rt.store.transaction() as session:
            assert outbox.claim(session, item_id, clock(), lease, by="fast")
        with rt.store.transaction() as session, pytest.raises(OutboxTransitionError):
            outbox.mark_sent(session, item_id, clock(), {}, by="slow")
        with rt.store.transaction() as session:
            assert outbox.mark_sent(session, item_id, clock(), {}, by="fast").state == "sent"
    finally:
        rt.close()

