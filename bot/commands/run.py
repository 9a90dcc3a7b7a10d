"""``poll --once`` and ``run``: the main job."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterable, Mapping

from bot.commands import load, open_runtime
from bot.config import Config
from bot.errors import OUR_ERRORS, ConfigError
from bot.roles import ALL, ROLES, Part, parts_for, role_problem
from bot.runtime import Runtime
from bot.service import Service, log_startup_warnings, poll_once
from bot.store import messages as message_store
from bot.store import outbox as outbox_store
from bot.store.models import OutboxState
from bot.summary import render as render_summary
from bot.summary import summarise

POLL_NEEDS_ONCE = (
    "poll runs one pass and exits: give --once (for cron or a systemd timer). To watch the "
    "mailbox continuously use `privacy-triage run`, which also serves Slack and HTTP and "
    "restarts a failed step by itself.")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    poll = subparsers.add_parser("poll", help="fetch new mail, triage, act and deliver, then exit")
    poll.add_argument("--once", action="store_true",
                      help="one pass, then exit (required: continuous watching is `run`)")
    poll.add_argument("--dry-run", action="store_true",
                      help="fetch read-only and print what would happen to each new message "
                           "(and to stored ones waiting); store, send, move and flag nothing")
    poll.set_defaults(func=handle_poll)
    run = subparsers.add_parser("run", help="watch the mailbox (IDLE) and Slack continuously")
    run.add_argument("--role", choices=ROLES, default=ALL,
                     help="which parts this process runs: watcher (IMAP intake), worker "
                          "(triage, delivery, scheduled posts, daily purge), web (HTTP), slack "
                          "(the Slack app), or all of them (default); several processes need "
                          "PostgreSQL")
    run.set_defaults(func=handle_run)


def handle_poll(args: argparse.Namespace) -> int:
    """One pass; exits 1 while any message's triage has failed, so cron and CI notice.

    Without ``--once`` it exits 2 and says to use ``run``: a second continuous mode would be a
    watcher without the supervision, health checks and single-watcher lock that ``run`` has.
    """
    if args.dry_run:
        return handle_poll_dry_run(args)
    if not args.once:
        print(f"privacy-triage: error: {POLL_NEEDS_ONCE}", file=sys.stderr)
        return 2
    with open_runtime(args) as rt:
        log_startup_warnings(rt)
        report = poll_once(rt)
        with rt.store.sessions() as session:
            failed = len(message_store.failed_triage(session))
            untriaged = message_store.untriaged_count(session)
            outbox = outbox_store.counts_by_kind(session)
        configured = [kind for kind, on in (("email", rt.config.smtp.enabled),
                                            ("slack", rt.config.slack.enabled)) if on]
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
    print(pending_line(untriaged, failed, outbox, configured))
    return 1 if failed else 0


def handle_poll_dry_run(args: argparse.Namespace) -> int:
    """``poll --dry-run`` (one pass by nature, so ``--once`` is optional): the new mail as the
    watcher would take it, then the stored messages a real pass would triage."""
    from bot.commands.dry_run import print_dry_run
    from bot.pipeline import preview

    with open_runtime(args, dry_run=True) as rt:
        note = None
        candidates: list[preview.Candidate] = []
        if rt.config.imap.enabled:
            found = preview.all_mailbox_candidates(rt)
            note, candidates = found.note, found.candidates
        with rt.store.sessions() as session:
            previews = preview.preview_candidates(rt, session, candidates)
            stored, waiting = preview.preview_stored(rt, session)
    print_dry_run(previews, stored, waiting, note)
    return 0


def pending_line(untriaged: int, failed: int, outbox: Mapping[str, Mapping[str, int]],
                 configured: Iterable[str]) -> str:
    """What a pass left waiting, for the operator who just ran ``poll --once`` (pure).

    Args:
        untriaged: stored messages not yet triaged (new, or failed and waiting for a retry).
        failed: how many of those have failed.
        outbox: ``{channel: {state: count}}`` as :func:`bot.store.outbox.counts_by_kind` gives.
        configured: the channels this configuration delivers through; rows for any other
            channel wait until it is configured, which the line says.
    """
    parts = []
    if untriaged:
        parts.append(f"{untriaged} message(s) not yet triaged"
                     + (f" ({failed} failed)" if failed else ""))
    configured = set(configured)
    queued = {kind: states.get(OutboxState.PENDING, 0) + states.get(OutboxState.SENDING, 0)
              for kind, states in sorted(outbox.items())}
    queued = {kind: n for kind, n in queued.items() if n}
    if queued:
        each = ", ".join(f"{kind} {n}" + ("" if kind in configured else " (not configured)")
                         for kind, n in queued.items())
        parts.append(f"{sum(queued.values())} outbox item(s) queued ({each})")
    return "still pending: " + ("; ".join(parts) if parts else "nothing")


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


def model_description(rt: Runtime) -> str:
    """The model's version for the summary; loading it now also warms the first triage."""
    try:
        model = rt.model
    except OUR_ERRORS as exc:
        return f"cannot be loaded ({type(exc).__name__}): triage waits and retries, see the log"
    path = rt.config.triage.model_path or "shipped with the package"
    return f"{model.version} ({path})"


def handle_run(args: argparse.Namespace) -> int:
    role = getattr(args, "role", ALL)
    check_role(load(args), role)
    with open_runtime(args) as rt:
        service = Service(rt, role=role)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: service.stop.set())
        service.start()
        model = (model_description(rt) if Part.WORKER in service.parts
                 else "not loaded here (this process has no worker part)")
        print(render_summary(summarise(rt.config, model, role=role)), flush=True)
        try:
            while not service.stop.wait(1.0):
                pass
        finally:
            service.shutdown()
    return 0
