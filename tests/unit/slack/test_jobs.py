"""When the daily reminder is due: after the hour on the UK clock, on working days."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.slack.jobs import due_for_posting


@pytest.mark.parametrize(("now", "due"), [
    (datetime(2026, 11, 24, 8, 59, tzinfo=UTC), False),   # Tuesday, GMT: 08:59 in London
    (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), True),
    (datetime(2026, 7, 7, 8, 0, tzinfo=UTC), True),       # BST: 09:00 in London
    (datetime(2026, 7, 7, 7, 59, tzinfo=UTC), False),
    (datetime(2026, 11, 28, 12, 0, tzinfo=UTC), False),   # Saturday
    (datetime(2026, 12, 25, 12, 0, tzinfo=UTC), False),   # Christmas Day, a Friday
])
def test_the_reminder_follows_the_organisations_clock(now, due):
    assert due_for_posting(now, 9) is due


def test_hour_24_switches_the_reminder_off():
    assert not due_for_posting(datetime(2026, 11, 24, 23, 59, tzinfo=UTC), 24)
