"""``poll --once`` and ``run``: the main job."""

from __future__ import annotations

import argparse
import signal

from bot.commands import open_runtime
from bot.service import Service, log_startup_warnings, poll_once
from bot.store import messages as message_store


def register(subparsers: argparse._SubParsersAction) -> None:
    poll = subparsers.add_parser("poll", help="fetch new mail, triage, act and deliver, then exit")
    poll.add_argument("--once", action="store_true", required=True,
                      help="one pass (the only mode; continuous watching is `run`)")
    poll.set_defaults(func=handle_poll)
    run = subparsers.add_parser("run", help="watch the mailbox (IDLE) and Slack continuously")
    run.set_defaults(func=handle_run)


def handle_poll(args: argparse.Namespace) -> int:
    """One pass; exits 1 while any message's triage has failed, so cron and CI notice."""
    with open_runtime(args) as rt:
        log_startup_warnings(rt)
        report = poll_once(rt)
        with rt.store.sessions() as session:
            failed = len(message_store.failed_triage(session))
    d = report.delivery
    line = (f"fetched {report.fetched}, triaged {report.triaged}, "
            f"delivered {d.sent} (retrying {d.retried}, failed {d.failed})")
    if failed:
        line += (f"; {failed} message(s) failed triage: see `privacy-triage status`, "
                 "retry with `privacy-triage messages retry --failed`")
    print(line)
    return 1 if failed else 0


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
