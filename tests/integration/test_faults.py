"""The whole chain under faults: kill -9 of `run`, the database dropped, locked, or full.

Each test shows that nothing is lost and nothing is done twice that should not be, and that the
process comes back by itself. Marked slow; the full-size kill run is bench/bench_kill.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.kill_rounds import run_rounds
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from tests.slack_standin.server import SlackStandIn

pytestmark = [pytest.mark.slow, pytest.mark.dovecot]


def test_kill_9_of_run_at_random_points_loses_nothing_and_repeats_nothing_but_a_duplicate_send(
        database_url: str, dovecot: Dovecot, smtp_server: SmtpServer,
        slack_standin: SlackStandIn, tmp_path: Path):
    rounds = 3
    report = run_rounds(tmp_path, database_url, dovecot, smtp_server, slack_standin,
                        messages=90, rounds=rounds, kill_window_s=(0.0, 3.0), seed=3)
    print("\n" + "\n".join(report.lines()))
    final, kinds = report.final, report.kinds
    assert final["messages"] == final["distinct_message_ids"] == 90  # stored once each
    assert final["triage_done"] == 90 and final["triage_failed"] == 0
    assert final["suppressions"] == final["opt_outs_applied"] == kinds["opt_out"]
    assert final["opt_outs_applied_twice"] == 0
    assert final["confirmations_queued"] == kinds["opt_out"]  # none for the auto-replies
    assert final["confirmations_distinct"] == kinds["opt_out"]  # every one sent after recovery
    # At least once: a kill between the relay's 250 and our commit re-sends one message, with
    # the same Message-ID. Each kill can catch at most one send in flight.
    assert final["confirmations_duplicated"] <= rounds
    assert final["cases_carded"] == final["cases_to_card"] >= kinds["request"]
    assert final["cases_carded_twice"] <= rounds
    assert final["outbox_failed"] == 0
