"""kill -9 of `privacy-triage run` during a large mixed backlog, N rounds, then the counts.

The suite runs a small version (tests/integration/test_faults.py); this is the full size:

    python -m bench.bench_kill --messages 1000 --rounds 10 [--database URL] [--no-slack]

Needs Dovecot and aiosmtpd (and PostgreSQL if its URL is given). With Slack on, cards go out at
Slack's pace (one a second per channel), so the run takes several minutes.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.integration.kill_rounds import run_rounds
from tests.servers.dovecot import Dovecot, dovecot_available
from tests.servers.smtp import SmtpServer
from tests.slack_standin.server import SlackStandIn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--no-slack", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    reason = dovecot_available()
    if reason:
        raise SystemExit(reason)
    with tempfile.TemporaryDirectory() as tmp, Dovecot() as dovecot:
        workdir = Path(tmp)
        url = args.database or f"sqlite:///{workdir / 'kill.sqlite3'}"
        smtp = SmtpServer()
        smtp.start()
        slack = None if args.no_slack else SlackStandIn().start()
        try:
            report = run_rounds(workdir, url, dovecot, smtp, slack, messages=args.messages,
                                rounds=args.rounds, kill_window_s=(0.0, 4.0), seed=args.seed,
                                finish_timeout_s=3600)
        finally:
            smtp.stop()
            if slack is not None:
                slack.stop()
    print("\n".join(report.lines()))


if __name__ == "__main__":
    main()
