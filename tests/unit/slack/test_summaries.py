"""Reminders, the Home tab and /privacy answers: right content, within Slack's limits."""

from __future__ import annotations

import json
from datetime import date

from bot.slack import summaries
from bot.slack.summaries import ReminderRow
from tests.slack_standin import message_blocks_errors, view_errors

TODAY = date(2026, 12, 18)


def _rows(n: int) -> list[ReminderRow]:
    return [ReminderRow(1000 + i, "access_request", date(2026, 12, 10 + i % 14),
                        "U0ALICE01" if i % 2 else None) for i in range(n)]


def test_a_reminder_puts_overdue_cases_first_and_stays_within_limits():
    text, blocks = summaries.reminder(_rows(100), TODAY)
    dicts = [b.to_dict() for b in blocks]
    assert message_blocks_errors(dicts) == []
    shown = json.dumps(dicts)
    assert "overdue" in text and shown.index("Overdue") < shown.index("Due within 7 days")
    assert "overdue by 8 day(s)" in shown and "<@U0ALICE01>" in shown and "unassigned" in shown
    assert "more" in shown   # beyond 40 rows per group


def test_the_home_tab_lists_my_cases_within_limits():
    view = summaries.home_view("U0ALICE01", _rows(60), {"open": 60, "resolved": 3}, 5, 7, TODAY)
    assert view_errors(view) == []
    shown = json.dumps(view)
    assert "Assigned to you* (60)" in shown and "Open: 60" in shown and "7 overdue" in shown
    empty = summaries.home_view("U0ALICE01", [], {}, 0, 0, TODAY)
    assert "Nothing assigned to you" in json.dumps(empty)


def test_an_address_lookup_is_escaped_and_says_what_it_found():
    text = summaries.lookup_text("a<b>@example.org", True, [(4, "opt_out", "auto_resolved")])
    assert "&lt;b&gt;" in text and "is *suppressed*" in text
    assert "Case 4 · Opt-out · Done automatically" in text
    assert "No cases" in summaries.lookup_text("x@example.org", False, [])
