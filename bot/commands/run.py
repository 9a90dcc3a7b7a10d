"""``poll --once`` and ``run``: the main job."""

from __future__ import annotations

import argparse
import signal

from bot.commands import load, open_runtime
from bot.config import Config
from bot.errors import OUR_ERRORS, ConfigError
from bot.runtime import Runtime
from bot.service import Service, log_startup_warnings, poll_once
from bot.store import messages as message_store
from bot.summary import render as render_summary
from bot.summary import summarise


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def model_description(rt: Runtime) -> str:
    """The model's version for the summary; loading it now also warms the first triage."""
    try:
        model = rt.model
    except OUR_ERRORS as exc:
        return f"cannot be loaded ({type(exc).__name__}): triage waits and retries, see the log"
    path = rt.config.triage.model_path or "shipped with the package"
    return f"{model.version} ({path})"


def handle_run(args: argparse.Namespace) -> int:
    require_unsubscribe_secret(load(args))
    with open_runtime(args) as rt:
        service = Service(rt)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: service.stop.set())
        service.start()
        print(render_summary(summarise(rt.config, model_description(rt),
                                       role=getattr(args, "role", None))), flush=True)
        try:
            while not service.stop.wait(1.0):
                pass
        finally:
            service.shutdown()
    return 0
