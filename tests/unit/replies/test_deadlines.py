"""Deadlines counted the way the ICO describes them, checked against hand-worked calendars."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.errors import OUR_ERRORS
from replies.deadlines import (
    ClockStoppedError,
    DeadlineError,
    Pause,
    add_months,
    can_extend,
    due_date,
    extended_due_date,
    is_working_day,
    next_working_day,
    receipt_date,
)
from replies.errors import RepliesError

D = date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # no 31 February: last day of the month
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 1, 30), 1, D(2026, 2, 28)),
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 9, 3), 1, D(2026, 10, 3)),  # the ICO's own example: 3 September -> 3 October
        (D(2026, 12, 15), 1, D(2027, 1, 15)),  # across the year end
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 2, 28), 1, D(2026, 3, 28)),  # corresponding date, not "end of month"
    ],
)
def test_add_months_takes_the_corresponding_date_or_the_last_day(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("received", "expected", "why"),
    [
        (D(2025, 1, 31), D(2025, 2, 28), "last day of February, a Friday"),
        (D(2028, 1, 31), D(2028, 2, 29), "leap year: 29 February 2028 is a Tuesday"),
        (D(2026, 1, 31), D(2026, 3, 2), "28 February 2026 is a Saturday: Monday 2 March"),
        (D(2026, 10, 3), D(2026, 11, 3), "an ordinary Tuesday"),
        (D(2026, 11, 7), D(2026, 12, 7), "Saturday receipt still counts as day one"),
        (D(2026, 11, 14), D(2026, 12, 14), "Monday due date stays"),
        (D(2026, 11, 12), D(2026, 12, 14), "Saturday 12 December moves to Monday"),
        (D(2026, 11, 13), D(2026, 12, 14), "Sunday 13 December moves to Monday"),
        (D(2026, 11, 25), D(2026, 12, 29), "Christmas (Fri), weekend, Boxing Day observed (Mon)"),
        (D(2026, 11, 26), D(2026, 12, 29), "Saturday 26 December is Boxing Day"),
        (D(2027, 11, 25), D(2027, 12, 29), "2027: Christmas and Boxing Day both moved"),
        (D(2026, 3, 6), D(2026, 4, 7), "Easter Monday 6 April 2026"),
        (D(2026, 3, 3), D(2026, 4, 7), "Good Friday, weekend, Easter Monday"),
        (D(2026, 4, 25), D(2026, 5, 26), "Spring bank holiday Monday 25 May 2026"),
        (D(2026, 7, 31), D(2026, 9, 1), "Late summer bank holiday 31 August 2026"),
        (D(2023, 4, 8), D(2023, 5, 9), "one-off bank holiday: the 2023 coronation"),
        (D(2026, 12, 1), D(2027, 1, 4), "New Year's Day (Fri), then the weekend"),
    ],
)
def test_due_date_follows_the_ico_rule(received, expected, why):
    assert due_date(received) == expected, why


def test_a_scottish_only_bank_holiday_is_a_working_day_in_england():
    # 2 January is a bank holiday in Scotland only; Tuesday 2 January 2029 is a working day here.
    assert is_working_day(D(2029, 1, 2))
    assert due_date(D(2028, 12, 2)) == D(2029, 1, 2)


def test_next_working_day_leaves_a_working_day_alone():
    assert next_working_day(D(2026, 11, 24)) == D(2026, 11, 24)
    assert next_working_day(D(2026, 12, 25)) == D(2026, 12, 29)


@pytest.mark.parametrize(
    ("pauses", "expected", "why"),
    [
        ((), D(2026, 4, 1), "no pause"),
        ((Pause(D(2026, 3, 5), D(2026, 3, 15)),), D(2026, 4, 13), "10 days: Sat 11 -> Mon 13"),
        ((Pause(D(2026, 3, 5), D(2026, 3, 5)),), D(2026, 4, 1), "reply the same day"),
        (
            (Pause(D(2026, 3, 2), D(2026, 3, 4)), Pause(D(2026, 3, 10), D(2026, 3, 13))),
            D(2026, 4, 7),
            "two pauses, 2 + 3 days: Mon 6 April is Easter Monday",
        ),
        (
            (Pause(D(2026, 3, 10), D(2026, 3, 20)), Pause(D(2026, 3, 15), D(2026, 3, 25))),
            D(2026, 4, 16),
            "overlapping pauses count each day once (15 days)",
        ),
        ((Pause(D(2026, 3, 1), D(2026, 3, 31)),), D(2026, 5, 1), "paused from day one"),
        ((Pause(D(2026, 4, 1), D(2026, 4, 10)),), D(2026, 4, 10), "asked on the last day"),
        ((Pause(D(2026, 4, 2), D(2026, 4, 20)),), D(2026, 4, 1), "asked after time ran out"),
        (
            (Pause(D(2026, 3, 20), D(2026, 4, 20)), Pause(D(2026, 4, 25), D(2026, 4, 28))),
            D(2026, 5, 5),
            "a second pause counts if the clock was still running (1 Apr + 31 + 3 days)",
        ),
    ],
)
def test_pauses_carry_the_remaining_days_over(pauses, expected, why):
    assert due_date(D(2026, 3, 1), pauses=pauses) == expected, why


def test_pause_order_does_not_matter():
    first, second = Pause(D(2026, 3, 2), D(2026, 3, 4)), Pause(D(2026, 3, 10), D(2026, 3, 13))
    assert due_date(D(2026, 3, 1), pauses=[second, first]) == due_date(
        D(2026, 3, 1), pauses=[first, second]
    )


def test_an_open_pause_means_no_due_date_yet():
    with pytest.raises(ClockStoppedError) as caught:
        due_date(D(2026, 3, 1), pauses=[Pause(D(2026, 3, 11))])
    assert caught.value.since == D(2026, 3, 11)
    assert caught.value.days_left == 21  # 11 March to 1 April
    assert isinstance(caught.value, RepliesError)
    assert isinstance(caught.value, OUR_ERRORS)


def test_an_open_pause_after_the_deadline_changes_nothing():
    assert due_date(D(2026, 3, 1), pauses=[Pause(D(2026, 4, 20))]) == D(2026, 4, 1)


def test_bad_pauses_are_refused():
    with pytest.raises(ValueError, match="before it starts"):
        Pause(D(2026, 3, 10), D(2026, 3, 9))
    with pytest.raises(ValueError, match="before the request"):
        due_date(D(2026, 3, 10), pauses=[Pause(D(2026, 3, 9), D(2026, 3, 12))])


@pytest.mark.parametrize(
    ("today", "allowed"),
    [
        (D(2026, 3, 1), True),  # the day it arrived
        (D(2026, 3, 31), True),
        (D(2026, 4, 1), True),  # the last day of the first month
        (D(2026, 4, 2), False),
        (D(2026, 6, 1), False),
    ],
)
def test_extension_only_while_the_first_month_runs(today, allowed):
    assert can_extend(D(2026, 3, 1), today) is allowed


def test_extension_window_follows_the_working_day_rule():
    # Received 31 January 2026: the first month runs to Monday 2 March (28 Feb is a Saturday).
    assert can_extend(D(2026, 1, 31), D(2026, 3, 2))
    assert not can_extend(D(2026, 1, 31), D(2026, 3, 3))


def test_extension_window_grows_with_a_pause():
    pauses = [Pause(D(2026, 3, 5), D(2026, 3, 15))]
    assert can_extend(D(2026, 3, 1), D(2026, 4, 10), pauses)
    assert can_extend(D(2026, 3, 1), D(2026, 4, 10), [Pause(D(2026, 3, 5))])  # still waiting


@pytest.mark.parametrize(
    ("received", "extra", "expected"),
    [
        (D(2026, 3, 1), 2, D(2026, 6, 1)),  # three months from the original start
        (D(2026, 3, 1), 1, D(2026, 5, 1)),
        (D(2025, 11, 30), 2, D(2026, 3, 2)),  # 28 Feb 2026 -> Saturday -> Monday 2 March
        (D(2026, 9, 25), 2, D(2026, 12, 29)),  # 25 Dec -> after Christmas and Boxing Day
    ],
)
def test_extended_due_date_counts_from_the_original_start(received, extra, expected):
    assert extended_due_date(received, received, extra_months=extra) == expected


def test_extended_due_date_keeps_the_pauses():
    pauses = [Pause(D(2026, 3, 5), D(2026, 3, 15))]
    assert extended_due_date(D(2026, 3, 1), D(2026, 3, 20), pauses=pauses) == D(2026, 6, 11)


def test_extension_after_the_first_month_is_refused_with_the_due_date():
    with pytest.raises(DeadlineError, match="too late to extend") as caught:
        extended_due_date(D(2026, 3, 1), D(2026, 4, 2))
    assert caught.value.due == D(2026, 4, 1)


@pytest.mark.parametrize("extra", [0, 3, -1])
def test_extension_beyond_two_months_is_refused(extra):
    with pytest.raises(DeadlineError, match="1 or 2 further months"):
        extended_due_date(D(2026, 3, 1), D(2026, 3, 2), extra_months=extra)


def test_today_before_receipt_is_a_programming_error():
    with pytest.raises(ValueError):
        can_extend(D(2026, 3, 10), D(2026, 3, 9))


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), D(2026, 7, 1)),  # BST: already 1 July
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), D(2026, 12, 31)),  # GMT: still 31 Dec
        (datetime(2026, 7, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))), D(2026, 6, 30)),
    ],
)
def test_receipt_date_is_the_uk_calendar_day(received, expected):
    assert receipt_date(received) == expected


def test_receipt_date_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        receipt_date(datetime(2026, 7, 1, 12, 0))
