"""The pure rules behind staff actions."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import Refusal
from bot.staff import rules
from replies.deadlines import Pause


def test_only_open_cases_can_be_acted_on():
    rules.actionable("open")
    rules.actionable("awaiting_requester")
    for state in ("resolved", "rejected", "auto_resolved", "ignored"):
        with pytest.raises(Refusal):
            rules.actionable(state)


def test_a_rejection_needs_a_real_reason():
    assert rules.check_reason("  spam \n") == "spam"
    for bad in (None, "", "   \n"):
        with pytest.raises(Refusal, match="reason is required"):
            rules.check_reason(bad)
    with pytest.raises(Refusal):
        rules.check_reason("x" * 2001)


def test_an_edited_draft_needs_a_subject_and_a_body():
    assert rules.check_draft(" Re:\n data ", "Hello") == ("Re: data", "Hello\n")
    with pytest.raises(Refusal):
        rules.check_draft("", "Hello")
    with pytest.raises(Refusal):
        rules.check_draft("Re: x", " \n ")


def test_labels_are_checked():
    assert rules.check_label("opt_out") == "opt_out"
    with pytest.raises(Refusal):
        rules.check_label("delete_everything")


def test_an_access_request_is_extended_by_two_months_within_the_first_month():
    ext = rules.extension(["access_request"], False, date(2026, 11, 2), date(2026, 11, 20), [])
    assert ext.due == date(2027, 2, 2)


@pytest.mark.parametrize(("present", "extended", "today", "why"), [
    (["general_query"], False, date(2026, 11, 20), "only access requests"),
    (["access_request"], True, date(2026, 11, 20), "already been extended"),
    (["access_request"], False, date(2026, 12, 10), "too late to extend"),
])
def test_an_extension_is_refused_politely(present, extended, today, why):
    with pytest.raises(Refusal, match=why):
        rules.extension(present, extended, date(2026, 11, 2), today, [])


def test_an_extension_while_the_clock_is_stopped_has_no_date_yet():
    ext = rules.extension(["access_request"], False, date(2026, 11, 2), date(2026, 11, 10),
                          [Pause(date(2026, 11, 5))])
    assert ext.due is None


def test_approval_waits_for_identity_only_when_the_reply_asks_for_it():
    assert rules.after_approval(["access_request"], True) == "awaiting_requester"
    assert rules.after_approval(["access_request"], False) == "resolved"
    assert rules.after_approval(["general_query"], True) == "resolved"
    assert rules.after_approval(["correction"], False, asks_details=True) == "awaiting_requester"
    assert rules.after_approval(["correction"], False, asks_details=False) == "resolved"
    assert rules.applies_suppression("access_request", ["access_request", "opt_out"])
    assert not rules.applies_suppression("correction", ["correction"])
