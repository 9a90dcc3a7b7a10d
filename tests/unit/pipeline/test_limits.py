"""Bounds on automatic mail: counts in, verdict out."""

from __future__ import annotations

import pytest

from bot.config import AutomaticMailConfig
from bot.pipeline.limits import MailCounts, confirmation_verdict

LIMITS = AutomaticMailConfig(per_address=1, per_address_hours=24, per_hour=50)


@pytest.mark.parametrize("to_address, last_hour, allowed, reason", [
    (0, 0, True, None),
    (0, 49, True, None),
    (1, 0, False, "per address"),
    (0, 50, False, "per hour"),
    (3, 80, False, "per address"),   # the per-address limit is named first
])
def test_a_confirmation_is_allowed_only_within_both_limits(to_address, last_hour, allowed,
                                                           reason):
    verdict = confirmation_verdict(MailCounts(to_address, last_hour), LIMITS)
    assert verdict.allowed is allowed
    assert (verdict.reason is None) if reason is None else reason in (verdict.reason or "")
