"""Chat intake's pure parts: the answer's wording and where it goes."""

from __future__ import annotations

from email import message_from_bytes

import pytest

from bot.slack.intake import THREAD_HEADER, SlackAuthor, answer_for, thread_of, to_rfc822
from bot.store.models import CaseState

CAROL = SlackAuthor("U0CAROL01", "carol@example.com", "Carol Jones")


@pytest.mark.parametrize("state, joined, email, expected", [
    (CaseState.AUTO_RESOLVED, False, "carol@example.com",
     "Done: you will get no more marketing email at carol@example.com."),
    # An opt-out applied but left open for staff (unverified, or more than an opt-out).
    (CaseState.OPEN, False, "carol@example.com", "Thanks, a member of staff will reply here."),
    # No address known: nothing could be suppressed, whatever the state says.
    (CaseState.AUTO_RESOLVED, False, None, "Thanks, a member of staff will reply here."),
    (None, False, "carol@example.com", "Thanks, a member of staff will reply here."),
    (CaseState.OPEN, True, "carol@example.com",
     "Thanks, we have added this to your request; a member of staff will reply here."),
    (CaseState.AWAITING_REQUESTER, True, None,
     "Thanks, we have added this to your request; a member of staff will reply here."),
])
def test_the_answer_says_what_triage_did(state, joined, email, expected):
    assert answer_for(state, joined, email) == expected


def test_the_state_may_come_back_from_the_outbox_as_a_plain_string():
    assert answer_for("auto_resolved", False, "a@example.org").startswith("Done:")


def _raw(ts: str, thread_ts: str | None) -> bytes:
    return to_rfc822(CAROL, "stop emailing me", team="T1", channel="D1", ts=ts,
                     support_address="support@caplus.org.uk", thread_ts=thread_ts)


def test_a_message_in_a_thread_is_answered_in_that_thread():
    raw = _raw("1700000010.000200", "1700000000.000100")
    assert message_from_bytes(raw)[THREAD_HEADER] == "1700000000.000100"
    assert thread_of(raw, "1700000010.000200") == "1700000000.000100"


@pytest.mark.parametrize("thread_ts", [None, "1700000010.000200"],
                         ids=["not in a thread", "the thread's first message"])
def test_a_message_not_in_a_thread_starts_one_under_itself(thread_ts):
    raw = _raw("1700000010.000200", thread_ts)
    assert THREAD_HEADER not in message_from_bytes(raw)
    assert thread_of(raw, "1700000010.000200") == "1700000010.000200"


def test_a_redacted_message_is_still_answered_under_itself():
    assert thread_of(b"", "1700000010.000200") == "1700000010.000200"
