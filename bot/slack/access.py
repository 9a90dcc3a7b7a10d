"""Who may act on cases: the configured users, else the members of the review channel.

Membership is read with conversations.members (paginated) at the moment of every action, with
no cache: someone removed from the channel loses the right at once, not a minute later. A click
is one call (two for a channel of more than 200 people), well inside Slack's rate tier.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

CACHE_S = 0.0  # no stale answers: see the module docstring
NOT_ALLOWED = ("Sorry, you are not one of the people who review privacy cases, so nothing was "
               "changed. Ask an admin to add you to the review channel or the allowed users.")


class Reviewers:
    """Answers "may this user act?" for one review channel."""

    def __init__(self, client: WebClient, channel: str, allowed_user_ids: Sequence[str] = (),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.channel = channel
        self.allowed = frozenset(allowed_user_ids)
        self._clock = clock
        self._lock = threading.Lock()
        self._members: frozenset[str] = frozenset()
        self._read_at: float | None = None

    def may_act(self, user_id: str) -> bool:
        if self.allowed:
            return user_id in self.allowed
        return user_id in self._channel_members()

    def _channel_members(self) -> frozenset[str]:
        with self._lock:
            now = self._clock()
            if CACHE_S and self._read_at is not None and now - self._read_at < CACHE_S:
                return self._members
            try:
                members: set[str] = set()
                for page in self.client.conversations_members(channel=self.channel, limit=200):
                    members.update(page["members"])
            except SlackApiError:
                # Fail closed: nobody acts on cases while we cannot tell who may (an earlier
                # answer could be the stale one that still lists someone just removed).
                return frozenset()
            self._members, self._read_at = frozenset(members), now
            return self._members
