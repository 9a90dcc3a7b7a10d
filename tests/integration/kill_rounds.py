"""`kill -9` of `privacy-triage run` at random points in a backlog, then a clean run to the end.

Shared by the suite's small version (tests/integration/test_faults.py) and the full-size run
(bench/bench_kill.py). Real parts throughout: Dovecot holds the backlog, aiosmtpd takes the
confirmations, the Slack stand-in takes the cards, and the service is a real child process.
"""

from __future__ import annotations

import collections
import contextlib
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.store.db import Store
from bot.store.models import AuditEvent, Case, CaseState, Message, OutboxItem
from tests.config_files import imap_password_env, imap_section, smtp_section
from tests.conftest import TEST_MX, verified
from tests.integration.chain import chain_counts
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from tests.slack_standin.server import SlackStandIn
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
REVIEW_CHANNEL = "C0CASES01"


def mixed_backlog(count: int, seed: int = 8) -> tuple[list[bytes], dict[str, int]]:
    """``count`` messages: half opt-outs, a sixth access requests, a third auto-replies."""
    rng = random.Random(seed)
    out, kinds = [], collections.Counter[str]()
    for i in range(count):
        kind = rng.choices(["opt_out", "request", "auto_reply"], weights=[3, 1, 2])[0]
        kinds[kind] += 1
        sender = f"p{i}.{kind}@example.org"
        extra = ""
        if kind == "opt_out":
            subject, body = "stop", ("Please remove me from your mailing list, no more "
                                     "marketing emails.")
        elif kind == "request":
            subject, body = "my data", ("Could you send me a copy of all the personal "
                                        "information you hold about me? Thank you.")
        else:
            subject, body = "Out of office", "I am away until Monday with no access to email."
            extra = "Auto-Submitted: auto-replied\r\n"
        out.append(verified(f"From: Person {i} <{sender}>\r\nTo: support@caplus.org.uk\r\n"
                    f"Subject: {subject}\r\nMessage-ID: <kill-{i}-{seed}@example.org>\r\n"
                    f"Date: Mon, 23 Nov 2026 10:{i % 60:02d}:00 +0000\r\n{extra}"
                    f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    f"{body}\r\n").encode())   # stamped by the test MX: verified senders
    return out, dict(kinds)


def write_config(path: Path, database_url: str, dovecot: Dovecot, smtp: SmtpServer,
                 slack: SlackStandIn | None) -> Path:
    text = f'[database]\nurl = "{database_url}"\n' + imap_section(
        dovecot, fetch_batch=25, poll_interval_s=30, trusted_authserv_ids=[TEST_MX])
    text += smtp_section(smtp.host, smtp.port, timeout_s=5)
    text += textwrap.dedent("""
        [outbox]
        backoff_base_s = 1
        backoff_max_s = 2
        lease_s = 3
        [http]
        enabled = false
        [automatic_mail]
        per_hour = 100000
    """)
    if slack is not None:
        text += textwrap.dedent(f"""
            [slack]
            enabled = true
            mode = "socket"
            base_url = "{slack.base_url}"
            review_channel = "{REVIEW_CHANNEL}"
            allowed_user_ids = ["U0ALICE01"]
            opt_out_notices = "digest"
            reminder_hour = 24
        """)
    path.write_text(text)
    return path


@dataclass
class KillReport:
    """What the rounds did and what the chain ended with."""

    kinds: dict[str, int]
    kill_after_s: list[float] = field(default_factory=list)
    stored_at_kill: list[int] = field(default_factory=list)
    done_at_kill: list[int] = field(default_factory=list)
    sent_at_kill: list[int] = field(default_factory=list)
    final: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [f"backlog {sum(self.kinds.values())} messages {self.kinds}",
               f"{len(self.kill_after_s)} kills at "
               + ", ".join(f"{t:.1f}s" for t in self.kill_after_s),
               f"stored at each kill: {self.stored_at_kill}",
               f"triaged at each kill: {self.done_at_kill}",
               f"emails marked sent at each kill: {self.sent_at_kill}"]
        out += [f"  {k}: {v}" for k, v in self.final.items()]
        out.append(f"total {self.seconds:.0f} s")
        return out


def _env(dovecot: Dovecot) -> dict[str, str]:
    return {**os.environ, **imap_password_env(dovecot), "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test",
            "SLACK_SIGNING_SECRET": "s3cret"}


def _start(config: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "bot.cli", "--config", str(config),
                                 "run"], env=env, stdout=out, stderr=subprocess.STDOUT)


def _progress(store: Store) -> tuple[int, int, int]:
    counts = chain_counts(store)
    return counts["messages"], counts["triage_done"], counts["email_sent"]


def _work_done(store: Store) -> int:
    """A number that grows with every commit the chain makes (stored, triaged, delivered)."""
    with store.sessions() as session:
        stored = session.scalar(select(func.count(Message.id))) or 0
        done = session.scalar(select(func.count(Message.id))
                              .where(Message.triage_state != "new")) or 0
        sent = session.scalar(select(func.count(OutboxItem.id))
                              .where(OutboxItem.state == "sent")) or 0
    return stored + done + sent


def _finished(store: Store, total: int) -> bool:
    with store.sessions() as session:
        done = session.scalar(select(func.count(Message.id))
                              .where(Message.triage_state.in_(("done", "failed")))) or 0
        waiting = session.scalar(select(func.count(OutboxItem.id)).where(
            OutboxItem.state.in_(("pending", "sending")))) or 0
    return done == total and waiting == 0


def run_rounds(workdir: Path, database_url: str, dovecot: Dovecot, smtp: SmtpServer,
               slack: SlackStandIn | None, *, messages: int, rounds: int,
               kill_window_s: tuple[float, float] = (0.0, 2.0), seed: int = 1,
               finish_timeout_s: float = 600.0) -> KillReport:
    """Append the backlog, kill ``run`` ``rounds`` times at random moments, finish cleanly.

    Each round's kill comes ``kill_window_s`` (random, uniform) after that run's first commit.
    """
    started = time.monotonic()
    rng = random.Random(seed)
    backlog, kinds = mixed_backlog(messages)
    dovecot.append_many(backlog)
    config = write_config(workdir / "config.toml", database_url, dovecot, smtp, slack)
    env, log = _env(dovecot), workdir / "run.log"
    report = KillReport(kinds)
    store = Store.open(database_url)
    try:
        for _ in range(rounds):
            before = _work_done(store)
            child = _start(config, env, log)
            begun = time.monotonic()
            # Start-up (imports, migrations, Slack connect) takes seconds; kill once this run
            # has done some work, a random moment later, so kills land mid-backlog.
            with contextlib.suppress(AssertionError):  # no work in 30 s: kill it all the same
                wait_until(lambda before=before: _work_done(store) != before, 30,
                           "work by this run", interval=0.05)
            time.sleep(rng.uniform(*kill_window_s))  # a random moment: where the kill lands
            delay = time.monotonic() - begun
            child.send_signal(signal.SIGKILL)
            child.wait()
            report.kill_after_s.append(delay)
            stored, done, sent = _progress(store)
            report.stored_at_kill.append(stored)
            report.done_at_kill.append(done)
            report.sent_at_kill.append(sent)
        child = _start(config, env, log)
        try:
            with contextlib.suppress(AssertionError):  # said below, with the figures
                wait_until(lambda: _finished(store, messages) or child.poll() is not None,
                           finish_timeout_s, "the chain to finish", interval=0.5)
            if not _finished(store, messages):
                raise AssertionError(f"the chain did not finish: {_progress(store)}; see {log}")
        finally:
            child.send_signal(signal.SIGTERM)
            child.wait(60)
        report.final = final_counts(store, smtp, slack)
    finally:
        store.close()
    report.seconds = time.monotonic() - started
    return report


def final_counts(store: Store, smtp: SmtpServer, slack: SlackStandIn | None) -> dict[str, Any]:
    """Everything the invariants are checked on, from the database and the real peers.

    The chain's own figures come from :func:`chain_counts` (the fault tests' common ones);
    what only the kill rounds check is added here.
    """
    chain = chain_counts(store)
    counts: dict[str, Any] = {key: chain[key] for key in (
        "messages", "distinct_message_ids", "triage_done", "triage_failed", "suppressions",
        "opt_outs_applied")}
    counts["confirmations_queued"] = chain["email_queued"]
    with store.sessions() as session:
        def n(query: Any) -> int:
            return int(session.scalar(query) or 0)
        applied = collections.Counter(
            (d or {}).get("message") for d in session.scalars(
                select(AuditEvent.details).where(AuditEvent.action == "opt_out.applied")))
        counts["opt_outs_applied_twice"] = sum(1 for v in applied.values() if v > 1)
        counts["cases"] = n(select(func.count(Case.id)))
        counts["outbox_failed"] = n(select(func.count(OutboxItem.id))
                                    .where(OutboxItem.state == "failed"))
        # Opt-outs go into the daily digest (opt_out_notices = "digest"); every other case
        # gets a card of its own.
        to_card = list(session.scalars(select(Case.id).where(
            Case.state != CaseState.AUTO_RESOLVED)))
    ids = collections.Counter(m["Message-ID"] for m in smtp.messages)
    counts["confirmations_received"] = sum(ids.values())
    counts["confirmations_distinct"] = len(ids)
    counts["confirmations_duplicated"] = sum(1 for v in ids.values() if v > 1)
    if slack is not None:
        posts: collections.Counter[int] = collections.Counter()
        for call in slack.calls("chat.postMessage"):
            if call.ok and call.args.get("channel") == REVIEW_CHANNEL:
                posts.update(_card_case_ids(call.args.get("blocks")))
        counts["cases_to_card"] = len(to_card)
        counts["cases_carded"] = sum(1 for c in to_card if posts[c] >= 1)
        counts["cases_carded_twice"] = sum(1 for c in to_card if posts[c] > 1)
    return counts


def _card_case_ids(blocks: Any) -> set[int]:
    """The case ids in a card's action block ids (``case-<id>-a``)."""
    found = set()
    for block in blocks or []:
        block_id = str(block.get("block_id", "")) if isinstance(block, dict) else ""
        parts = block_id.split("-")
        if len(parts) == 3 and parts[0] == "case" and parts[1].isdigit():
            found.add(int(parts[1]))
    return found
