"""Whose thread a reply is in: a follow-up joins a case only when its requester wrote it.

In-Reply-To/References (and a Slack thread) say which conversation a message continues, not who
may continue it. A person cc'd on our reply, or a colleague answering in someone's Slack intake
thread, would otherwise have their words filed in another person's case, shown to staff as that
person's, and answered to that person: a disclosure both ways. Such a message gets a case of its
own, whose reasons name the thread it was written in, so staff can still connect the two.
"""

from __future__ import annotations

from classifier import addresses


def same_writer(requester: str | None, requester_slack_user: str | None,
                sender: str | None, slack_user: str | None) -> bool:
    """Whether a reply (``sender``, ``slack_user``) comes from the case's requester.

    Slack identities are compared when both sides have one (a member's email address may be
    hidden from the app); otherwise the addresses, by the one address rule
    (:func:`classifier.addresses.normalise`: case-insensitive, plus tags distinct). Nothing
    known on either side is not a match: when in doubt the reply is its own case.
    """
    if slack_user and requester_slack_user:
        return slack_user == requester_slack_user
    mine, theirs = addresses.normalise(requester), addresses.normalise(sender)
    return mine is not None and mine == theirs


def foreign_thread_reason(case_id: int) -> str:
    """The review reason on a case opened for a reply in another person's thread."""
    return (f"written in the thread of case {case_id}, which is another person's: "
            "opened as a case of its own")
