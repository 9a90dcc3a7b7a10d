"""Which Hypothesis profile a run loads, and what it makes of a test's example count."""

from __future__ import annotations

import pytest
from hypothesis import settings

from tests.hypothesis_profiles import ENV, examples, profile_for


@pytest.mark.parametrize("markexpr, environ, expected", [
    ("not slow", {}, "dev"),                      # README's inner loop
    ("not  slow and not browser", {}, "dev"),
    ("", {}, "ci"),                               # README's full command
    ("slow", {}, "ci"),
    ("not slow", {ENV: "ci"}, "ci"),              # .ci/run says so whatever the markers
    ("", {ENV: "dev"}, "dev"),
])
def test_the_inner_loop_runs_dev_and_everything_else_the_full_counts(markexpr, environ,
                                                                     expected):
    assert profile_for(markexpr, environ) == expected


def test_ci_keeps_every_count_and_dev_runs_a_fifth_but_at_least_ten():
    current = settings.get_current_profile_name()  # restored below: other tests read it
    try:
        settings.load_profile("ci")
        assert [examples(n) for n in (5, 25, 40, 150)] == [5, 25, 40, 150]
        settings.load_profile("dev")
        assert [examples(n) for n in (5, 25, 40, 150)] == [5, 10, 10, 30]
    finally:
        settings.load_profile(current)
