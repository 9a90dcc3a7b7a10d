"""The daily purge in ``run``: once a day at the configured UK hour, audited, by the test clock."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.config import Config, DatabaseConfig, HttpConfig, RetentionConfig
from bot.purge_job import purge_if_due
from bot.runtime import Runtime
from bot.service import Service
from bot.store.models import AuditEvent, Case, CaseState
from tests.clock import TestClock
from tests.waiting import wait_until

# Saturday 27 March 2027, the day before the clocks go forward; 03:00 GMT.
EVE_OF_SUMMER_TIME = datetime(2027, 3, 27, 3, 0, tzinfo=UTC)


@pytest.fixture
def purge_runtime(database_url: str, clock: TestClock) -> Iterator[Runtime]:
    config = dataclasses.replace(
        Config(database=DatabaseConfig(url=database_url)),
        http=HttpConfig(enabled=False),
        retention=RetentionConfig(closed_case_days=730, audit_years=6, daily_purge_hour=3))
    with Runtime.open(config) as runtime:
        runtime.now = clock
        yield runtime


def _case(rt: Runtime, state: CaseState, closed_at: datetime) -> int:
    with rt.store.transaction() as session:
        case = Case(state=state, label="correction", present=["correction"],
                    requester="jo@example.org", requester_name="Jo Bloggs", subject="My address",
                    received_at=closed_at - timedelta(days=3), updated_at=closed_at)
        session.add(case)
        session.flush()
        return case.id


def _runs(rt: Runtime) -> list[tuple[datetime, dict[str, object]]]:
    with rt.store.sessions() as session:
        return [(e.at, e.details) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "retention.purged")
            .order_by(AuditEvent.id))]


def test_it_purges_at_three_in_london_each_day_across_the_change_to_summer_time(
        purge_runtime: Runtime, clock: TestClock):
    rt = purge_runtime
    clock.set(EVE_OF_SUMMER_TIME - timedelta(minutes=1))
    old = _case(rt, CaseState.RESOLVED, clock() - timedelta(days=800))
    still_open = _case(rt, CaseState.OPEN, clock() - timedelta(days=800))

    assert purge_if_due(rt) is not None          # never ran: due at once (start-up)
    clock.set(EVE_OF_SUMMER_TIME)                 # 03:00 GMT on Saturday
    plan = purge_if_due(rt)
    assert plan is not None and plan.empty        # ran, found nothing new, still audited
    assert purge_if_due(rt) is None               # once a day
    clock.set(datetime(2027, 3, 28, 1, 59, tzinfo=UTC))   # Sunday 02:59 BST
    assert purge_if_due(rt) is None
    clock.set(datetime(2027, 3, 28, 2, 0, tzinfo=UTC))    # Sunday 03:00 BST
    assert purge_if_due(rt) is not None
    clock.advance(hours=1)                        # 03:00 UTC, when it ran on Saturday
    assert purge_if_due(rt) is None

    runs = _runs(rt)
    assert [at for at, _ in runs] == [EVE_OF_SUMMER_TIME - timedelta(minutes=1),
                                      EVE_OF_SUMMER_TIME,
                                      datetime(2027, 3, 28, 2, 0, tzinfo=UTC)]
    first = runs[0][1]
    assert first["case_ids"] == [old] and first["run"] == "daily"
    assert [d["cases"] for _, d in runs[1:]] == [0, 0]
    with rt.store.sessions() as session:
        assert session.get(Case, still_open).subject == "My address"   # an open case: kept
        assert session.get(Case, old).subject == ""


def test_run_supervises_the_daily_purge_as_a_thread_of_its_own(purge_runtime: Runtime):
    service = Service(purge_runtime)
    service.start()
    try:
        wait_until(lambda: _runs(purge_runtime), 20, "the start-up purge")
        wait_until(lambda: {h.name: h.healthy for h in service.health()}.get("retention"), 10,
                   "the retention thread healthy")
    finally:
        service.shutdown()


def test_it_can_be_left_to_purge_by_hand(purge_runtime: Runtime):
    rt = dataclasses.replace(purge_runtime, config=dataclasses.replace(
        purge_runtime.config, retention=RetentionConfig(daily_purge=False)))
    service = Service(rt)
    service.start()
    try:
        assert "retention" not in {h.name for h in service.health()}
    finally:
        service.shutdown()


def test_of_several_processes_looking_at_once_one_purges(purge_runtime: Runtime,
                                                         clock: TestClock):
    """Threads with their own connections stand in for processes on one database."""
    clock.set(EVE_OF_SUMMER_TIME)
    start = threading.Barrier(4)
    results: list[object] = []

    def look() -> None:
        start.wait()
        results.append(purge_if_due(purge_runtime))

    threads = [threading.Thread(target=look) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 4 and sum(r is not None for r in results) == 1
    assert len(_runs(purge_runtime)) == 1
