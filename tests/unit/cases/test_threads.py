"""Whose thread a reply is in (bot.cases.threads): pure."""

from __future__ import annotations

import pytest

from bot.cases.threads import same_writer


@pytest.mark.parametrize(("requester", "requester_slack", "sender", "slack_user", "same"), [
    ("erin@example.org", None, "erin@example.org", None, True),
    ("erin@example.org", None, "Erin@EXAMPLE.org", None, True),       # case-insensitive
    ("erin@example.org", None, "erin+news@example.org", None, False),  # plus tags distinct
    ("erin@example.org", None, "frank@example.org", None, False),
    (None, None, "erin@example.org", None, False),                     # nothing to match
    (None, None, None, None, False),
    # Slack: the member decides, whatever the (possibly hidden) addresses say.
    (None, "U1", None, "U1", True),
    ("erin@example.org", "U1", "erin@example.org", "U2", False),
    ("erin@example.org", "U1", None, "U1", True),
    # A Slack reply in a thread begun by email: the addresses decide.
    ("erin@example.org", None, "erin@example.org", "U1", True),
])
def test_a_reply_is_the_requesters_only_when_it_is_theirs(requester, requester_slack, sender,
                                                          slack_user, same):
    assert same_writer(requester, requester_slack, sender, slack_user) is same
