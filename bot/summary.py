"""The start-up summary ``privacy-triage run`` prints: what this process is about to do.

An operator starting the service for the first time should see, before any mail moves, which
database it writes (password masked), which mailbox it reads, whether mail and Slack are on,
where the web front end and ``/metrics`` answer, and which model decides. The facts are
gathered by the caller; :func:`render` is pure and unit-tested.

Nothing personal is printed: the mailbox login and the sender address are the organisation's
own, and the database URL's password is masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.redact import mask_url


@dataclass(frozen=True)
class Summary:
    database: str
    mailboxes: list[str]
    smtp: str
    slack: str
    web: str
    model: str
    purge: str = ""
    role: str | None = None


def summarise(config: Config, model_version: str, *, web_url: str | None = None,
              role: str | None = None) -> Summary:
    """The summary of ``config``; ``web_url`` is where the front end actually listens."""
    smtp, slack, http = config.smtp, config.slack, config.http
    backend = "PostgreSQL" if config.database.url.startswith("postgresql") else "SQLite"
    mailboxes = []
    for imap in config.mailboxes:  # `[imap]`, or each `[[imap]]` table
        wait = "IDLE" if imap.idle else "polling"
        mailboxes.append(f"{imap.username or '(no login)'} {imap.folder} on "
                         f"{imap.host}:{imap.port} ({wait}, catch-up every "
                         f"{imap.poll_interval_s:g} s, start = {imap.start})")
    mail = (f"on: {smtp.host}:{smtp.port} from {smtp.from_address or '(no From address)'}"
            if smtp.enabled else "off: replies and confirmations wait in the outbox")
    if slack.enabled:
        chat = f"on: {slack.mode} mode, review channel {slack.review_channel or '(none)'}"
        if slack.mode == "http":
            chat += f", events on {slack.http_host}:{slack.http_port}/slack/events"
    else:
        chat = "off"
    if http.enabled:
        base = web_url or f"http://{http.host}:{http.port}"
        web = (f"on: {base} (/healthz, /readyz, /metrics, /api/suppressions); "
               f"public URL {http.public_url}")
    else:
        web = "off (no /metrics, /readyz or unsubscribe page)"
    retention = config.retention
    purge = (f"daily at {retention.daily_purge_hour:02d}:00 Europe/London (closed cases after "
             f"{retention.closed_case_days} days)" if retention.daily_purge
             else "off: run `privacy-triage purge` yourself")
    return Summary(database=f"{mask_url(config.database.url)} ({backend})",
                   mailboxes=mailboxes, smtp=mail, slack=chat, web=web,
                   model=model_version, purge=purge, role=role)


def render(summary: Summary) -> str:
    lines = ["privacy-triage run: starting"]
    if summary.role is not None:
        lines.append(f"  role:      {summary.role}")
    lines.append(f"  database:  {summary.database}")
    lines += ([f"  mailbox:   {m}" for m in summary.mailboxes]
              or ["  mailbox:   off (no [imap] host)"])
    lines += [f"  SMTP:      {summary.smtp}", f"  Slack:     {summary.slack}",
              f"  web:       {summary.web}", f"  model:     {summary.model}",
              f"  purge:     {summary.purge}",
              "  each message is logged as one line: id, label, action (no personal data)"]
    return "\n".join(lines)
