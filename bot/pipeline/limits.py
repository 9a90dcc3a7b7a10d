"""Bounds on automatic mail: a pure verdict from counts already read.

An opt-out confirmation is the only mail nobody approves, so it is the one an attacker (or a
robot answering every mail) can multiply. The suppression is always applied; only the
confirmation is withheld beyond the limits, silently, and the audit trail counts it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import AutomaticMailConfig


@dataclass(frozen=True)
class MailCounts:
    """Confirmations already queued, counted by the runtime clock.

    Attributes:
        to_address: to this address within the per-address window.
        last_hour: to anybody within the last hour.
    """

    to_address: int
    last_hour: int


@dataclass(frozen=True)
class LimitVerdict:
    allowed: bool
    reason: str | None = None


def confirmation_verdict(counts: MailCounts, limits: AutomaticMailConfig) -> LimitVerdict:
    """Whether one more confirmation may go out; the per-address limit is checked first."""
    if counts.to_address >= limits.per_address:
        return LimitVerdict(False, f"limit: {limits.per_address} confirmation(s) per address "
                                   f"per {limits.per_address_hours:g} h")
    if counts.last_hour >= limits.per_hour:
        return LimitVerdict(False, f"limit: {limits.per_hour} confirmations per hour")
    return LimitVerdict(True)
