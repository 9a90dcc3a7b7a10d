"""The case clock: timed labels, pauses and restarts, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.cases import clock
from replies.deadlines import Pause


@pytest.mark.parametrize(("labels", "timed"), [
    (("access_request",), True),
    (("opt_out", "correction"), True),
    (("opt_out",), False),
    (("general_query", "opt_out"), False),
    ((), False),
])
def test_only_access_requests_and_corrections_run_a_clock(labels, timed):
    assert clock.is_timed(labels) is timed


def test_a_timed_case_is_due_a_month_after_receipt_and_an_untimed_one_never():
    received = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    assert clock.opening_due_date(("opt_out", "access_request"), received) == date(2026, 12, 2)
    assert clock.opening_due_date(("opt_out",), received) is None


def test_stopping_the_clock_adds_an_open_pause_from_today():
    stored = [["2026-11-03", "2026-11-04"]]
    assert clock.stop_clock(stored, datetime(2026, 11, 10, 12, tzinfo=UTC)) == [
        ["2026-11-03", "2026-11-04"], ["2026-11-10", None]]
    assert stored == [["2026-11-03", "2026-11-04"]]   # the case's own list is not changed


def test_a_case_clock_restarts_from_its_stored_fields():
    restart = clock.restart_case_clock(
        ["access_request"], [["2026-11-05", None]], datetime(2026, 11, 2, 9, tzinfo=UTC),
        datetime(2026, 11, 15, 16, tzinfo=UTC), False)
    assert restart == clock.restart_clock([Pause(date(2026, 11, 5))], date(2026, 11, 2),
                                          date(2026, 11, 15), False, True)
    assert clock.restart_case_clock(["opt_out"], [["2026-11-05", None]],
                                    datetime(2026, 11, 2, 9, tzinfo=UTC),
                                    datetime(2026, 11, 15, 16, tzinfo=UTC), False).due is None


def test_verifying_identity_closes_the_open_pause_and_moves_the_due_date():
    restart = clock.restart_clock([Pause(date(2026, 11, 5))], date(2026, 11, 2),
                                  date(2026, 11, 15), False, True)
    assert restart.pauses == [Pause(date(2026, 11, 5), date(2026, 11, 15))]
    assert restart.due == date(2026, 12, 14)   # 2 Dec + 10 days, a Monday
    assert clock.restart_clock([], date(2026, 11, 2), date(2026, 11, 15), False, False).due is None


def test_pauses_round_trip_through_json():
    pauses = [Pause(date(2026, 1, 2), date(2026, 1, 5)), Pause(date(2026, 2, 1))]
    assert clock.pauses_of(clock.pauses_to_json(pauses)) == pauses
