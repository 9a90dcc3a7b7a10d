"""``privacy-triage status``: is intake alive, what is waiting, and what needs a person.

One screen for an operator (or ``--json`` for a monitor): whether the service is ready, by the
same checks as ``/readyz`` (:mod:`bot.readiness`; the threads are only known to ``run`` itself),
the last time intake fetched from each mailbox, the untriaged backlog, the outbox per channel,
the cases due within a week and every message whose triage has failed. Read from the database
only; times come from the runtime clock.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot import readiness
from bot.commands import open_runtime
from bot.readiness import Check
from bot.store import mailbox as mailbox_store
from bot.store import messages as message_store
from bot.store import outbox as outbox_store
from bot.store import staff as staff_store
from bot.store.models import OutboxState
from bot.web import health
from replies.deadlines import receipt_date

DUE_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class MailboxLine:
    account: str
    folder: str
    last_fetch: str  # when intake last read this folder to its end (ISO, UTC)


@dataclass(frozen=True)
class DueCase:
    id: int
    label: str
    due: str
    overdue: bool


@dataclass(frozen=True)
class FailedLine:
    id: int
    received: str
    failing_since: str | None
    error_class: str | None
    attempts: int
    next_retry: str | None  # None: set aside, only `messages retry` tries it again


@dataclass(frozen=True)
class Status:
    now: str
    mailboxes: list[MailboxLine]
    backlog: int
    outbox: dict[str, dict[str, int]]  # channel → {"queued": n, "failed": n}
    due_by: str
    cases_due: list[DueCase]
    failed_messages: list[FailedLine]
    readiness: dict[str, Any] = field(default_factory=dict)  # bot.readiness.as_json


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def gather(session: Session, now: datetime) -> Status:
    """Everything ``status`` shows, read in one session."""
    today = receipt_date(now)
    by: date = today + DUE_WITHIN
    outbox: dict[str, dict[str, int]] = {}
    for kind, states in outbox_store.counts_by_kind(session).items():
        queued = states.get(OutboxState.PENDING, 0) + states.get(OutboxState.SENDING, 0)
        outbox[kind] = {"queued": queued, "failed": states.get(OutboxState.FAILED, 0)}
    return Status(
        now=now.isoformat(),
        mailboxes=[MailboxLine(m.account, m.folder, m.updated_at.isoformat())
                   for m in mailbox_store.all_progress(session)],
        backlog=message_store.untriaged_count(session),
        outbox=outbox,
        due_by=by.isoformat(),
        cases_due=[DueCase(c.id, c.label, c.due_date.isoformat(), c.due_date < today)
                   for c in staff_store.open_cases_due_by(session, by) if c.due_date],
        failed_messages=[
            FailedLine(m.id, m.received_at.isoformat(), _iso(m.triage_failed_at),
                       m.triage_error_class, m.triage_attempts or 0, _iso(m.triage_next_at))
            for m in message_store.failed_triage(session)],
    )


def _minute(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "-"


def render(status: Status, checks: Sequence[Check] = ()) -> str:
    """The human-readable report (times to the minute, UTC); ``checks`` lead when given."""
    lines = [f"privacy-triage status at {_minute(status.now)} UTC", ""]
    if checks:
        lines += [*readiness.render(checks), ""]
    lines += ["Mailboxes (last fetch):"]
    lines += [f"  {m.account} {m.folder}: {_minute(m.last_fetch)}"
              for m in status.mailboxes] or ["  none yet"]
    lines += ["", f"Backlog: {status.backlog} message(s) not yet triaged", "", "Outbox:"]
    lines += [f"  {kind}: {c['queued']} queued, {c['failed']} failed"
              for kind, c in sorted(status.outbox.items())] or ["  empty"]
    overdue = sum(c.overdue for c in status.cases_due)
    lines += ["", f"Cases due by {status.due_by}: {len(status.cases_due)} ({overdue} overdue)"]
    lines += [f"  case {c.id} · {c.label} · due {c.due}{' (overdue)' if c.overdue else ''}"
              for c in status.cases_due]
    lines += ["", f"Failed triage: {len(status.failed_messages)} message(s)"]
    for f in status.failed_messages:
        retry = f"retry at {_minute(f.next_retry)}" if f.next_retry else "set aside"
        lines.append(f"  message {f.id} · received {_minute(f.received)} · failing since "
                     f"{_minute(f.failing_since)} · {f.error_class} × {f.attempts} · {retry}")
    if status.failed_messages:
        lines += [("  a person must read them: `privacy-triage messages show ID`; after fixing "
                   "the cause: `privacy-triage messages retry --failed`")]
    return "\n".join(lines)


def as_json(status: Status) -> dict[str, Any]:
    return asdict(status)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "status", help="intake, backlog, outbox, cases due this week and failed messages")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(func=handle_status)


def handle_status(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt:
        with rt.store.sessions() as session:
            status = gather(session, rt.now())
        checks = health.checks(rt, None)
    status = replace(status, readiness=readiness.as_json(checks))
    print(json.dumps(as_json(status), indent=2) if args.json else render(status, checks))
    return 0
