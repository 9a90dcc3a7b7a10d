"""``poll --once`` and ``run``: the main job."""

from __future__ import annotations

import argparse
import signal

from bot.commands import load, open_runtime
from bot.config import Config
from bot.errors import ConfigError
from bot.roles import ALL, ROLES, Part, parts_for, role_problem
from bot.service import Service, log_startup_warnings, poll_once
from bot.store import messages as message_store


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    poll = subparsers.add_parser("poll", help="fetch new mail, triage, act and deliver, then exit")
    poll.add_argument("--once", action="store_true", required=True,
                      help="one pass (the only mode; continuous watching is `run`)")
    poll.set_defaults(func=handle_poll)
    run = subparsers.add_parser("run", help="watch the mailbox (IDLE) and Slack continuously")
    run.add_argument("--role", choices=ROLES, default=ALL,
                     help="which parts this process runs: watcher (IMAP intake), worker "
                          "(triage, delivery, scheduled posts), web (HTTP), slack (the Slack "
                          "app), or all of them (default); several processes need PostgreSQL")
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
    if report.skipped_mailboxes:
        line += (f"; {report.skipped_mailboxes} mailbox(es) not fetched: a running "
                 "`privacy-triage run` watches them")
    if failed:
        line += (f"; {failed} message(s) failed triage: see `privacy-triage status`, "
                 "retry with `privacy-triage messages retry --failed`")
    print(line)
    return 1 if failed else 0


def require_unsubscribe_secret(config: Config) -> None:
    """``run`` serves one-click unsubscribe links only when it can check their signatures; with
    the web part on and no secret every link would fail, so refuse to start and say how."""
    http = config.http
    if http.enabled and not http.unsubscribe_secret:
        raise ConfigError(
            f"the web part is enabled but the environment variable {http.unsubscribe_secret_env} "
            "(the one-click unsubscribe secret) is not set; set it to a long random value, e.g. "
            f"export {http.unsubscribe_secret_env}=$(python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'), or set [http] enabled = false",
            path=config.path, key="http.unsubscribe_secret_env")


def check_role(config: Config, role: str) -> None:
    """Refuse a role the configuration gives nothing to do, naming the key that would."""
    enabled = {"imap": bool(config.mailboxes), "http": config.http.enabled,
               "slack": config.slack.enabled}
    problem = role_problem(role, **enabled)
    if problem:
        key, message = problem
        raise ConfigError(message, path=config.path, key=key)
    if Part.WEB in parts_for(role, **enabled):
        require_unsubscribe_secret(config)


def handle_run(args: argparse.Namespace) -> int:
    role = getattr(args, "role", ALL)
    check_role(load(args), role)
    with open_runtime(args) as rt:
        service = Service(rt, role=role)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: service.stop.set())
        service.start()
        try:
            while not service.stop.wait(1.0):
                pass
        finally:
            service.shutdown()
    return 0
