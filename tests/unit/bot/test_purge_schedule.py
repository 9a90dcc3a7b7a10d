"""When the daily purge is due: at the configured hour on the UK clock, across summer time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.purge_job import last_scheduled, purge_due


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("now", "expected"), [
    # Winter (GMT): 03:00 in London is 03:00 UTC.
    (utc(2026, 11, 23, 3, 0), utc(2026, 11, 23, 3, 0)),
    (utc(2026, 11, 23, 2, 59), utc(2026, 11, 22, 3, 0)),
    # Summer (BST): 03:00 in London is 02:00 UTC.
    (utc(2027, 6, 1, 2, 0), utc(2027, 6, 1, 2, 0)),
    (utc(2027, 6, 1, 1, 59), utc(2027, 5, 31, 2, 0)),
    # The clocks go forward on Sun 28 Mar 2027 at 01:00 GMT: that day's 03:00 is BST.
    (utc(2027, 3, 28, 2, 0), utc(2027, 3, 28, 2, 0)),
    (utc(2027, 3, 28, 1, 59), utc(2027, 3, 27, 3, 0)),
    # They go back on Sun 25 Oct 2026 at 02:00 BST: that day's 03:00 is GMT.
    (utc(2026, 10, 25, 2, 30), utc(2026, 10, 24, 2, 0)),
    (utc(2026, 10, 25, 3, 0), utc(2026, 10, 25, 3, 0)),
])
def test_the_latest_scheduled_run_follows_the_uk_clock(now, expected):
    assert last_scheduled(now, 3) == expected


def test_an_hour_that_the_clocks_skip_runs_at_the_change_and_one_they_repeat_runs_once():
    # 01:00 does not exist in London on 28 Mar 2027: the run falls at 01:00 UTC (02:00 BST).
    assert last_scheduled(utc(2027, 3, 28, 1, 0), 1) == utc(2027, 3, 28, 1, 0)
    assert not purge_due(utc(2027, 3, 28, 0, 59), utc(2027, 3, 27, 1, 0), 1)
    assert purge_due(utc(2027, 3, 28, 1, 0), utc(2027, 3, 27, 1, 0), 1)
    # 01:00 happens twice on 25 Oct 2026 (00:00 and 01:00 UTC): only the first counts.
    ran = utc(2026, 10, 25, 0, 0)
    assert purge_due(ran, utc(2026, 10, 24, 0, 0), 1)
    assert not purge_due(utc(2026, 10, 25, 1, 0), ran, 1)
    assert not purge_due(utc(2026, 10, 25, 23, 59), ran, 1)


def test_due_once_a_day_and_at_start_up_after_a_missed_hour():
    assert purge_due(utc(2026, 11, 23, 9, 30), None, 3)   # never ran: due now
    ran = utc(2026, 11, 23, 3, 0, 20)
    assert not purge_due(utc(2026, 11, 23, 3, 1), ran, 3)
    assert not purge_due(utc(2026, 11, 24, 2, 59), ran, 3)
    assert purge_due(utc(2026, 11, 24, 3, 0), ran, 3)
    # Down over the night of the 24th: due as soon as it is back, once.
    assert purge_due(utc(2026, 11, 25, 14, 0), ran, 3)
    assert not purge_due(utc(2026, 11, 25, 14, 1), utc(2026, 11, 25, 14, 0), 3)
    # A naive time read back from a database counts as UTC.
    assert not purge_due(utc(2026, 11, 23, 4, 0), datetime(2026, 11, 23, 3, 30), 3)
