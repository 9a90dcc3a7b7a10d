"""``poll --once`` and ``run``: the main job."""

from __future__ import annotations

import argparse
import signal

from bot.commands import open_runtime
from bot.service import Service, log_startup_warnings, poll_once


def register(subparsers: argparse._SubParsersAction) -> None:
    poll = subparsers.add_parser("poll", help="fetch new mail, triage, act and deliver, then exit")
    poll.add_argument("--once", action="store_true", required=True,
                      help="one pass (the only mode; continuous watching is `run`)")
    poll.set_defaults(func=handle_poll)
    run = subparsers.add_parser("run", help="watch the mailbox (IDLE) and Slack continuously")
    run.set_defaults(func=handle_run)


def handle_poll(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt:
        log_startup_warnings(rt)
        report = poll_once(rt)
    d = report.delivery
    print(f"fetched {report.fetched}, triaged {report.triaged}, "
          f"delivered {d.sent} (retrying {d.retried}, failed {d.failed})")
    return 0


def handle_run(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt:
        service = Service(rt)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: service.stop.set())
        service.start()
        try:
            while not service.stop.wait(1.0):
                pass
        finally:
            service.shutdown()
    return 0
