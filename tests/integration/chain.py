"""Helpers for tests that run the whole chain (watcher → triage → delivery) in a Service."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from bot.config import Config, SmtpConfig
from bot.runtime import Runtime
from bot.service import Service
from bot.store.db import Store
from bot.store.models import AuditEvent, Message, OutboxItem, Suppression
from tests.conftest import verified
from tests.waiting import seconds_until, wait_until  # noqa: F401 - the chain tests import them from here

FAST_SUPERVISION = {"base_backoff_s": 0.2, "max_backoff_s": 2.0, "stable_s": 5.0}


def opt_out(i: int, tag: str = "c") -> bytes:
    """An opt-out stamped by the test MX (a verified sender, so it is closed and confirmed)."""
    return verified(f"From: Person {i} <person{i}.{tag}@example.org>\r\n"
                    "To: support@caplus.org.uk\r\n"
                    f"Subject: stop\r\nMessage-ID: <{tag}-{i}@example.org>\r\n"
                    "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n"
                    "Please remove me from your mailing list, no more marketing emails.\r\n"
                    ).encode()


def fast_idle(config: Config) -> Config:
    return dataclasses.replace(config, imap=dataclasses.replace(
        config.imap, poll_interval_s=30, idle_renew_s=30, timeout_s=5))


def with_smtp_timeout(config: Config, timeout_s: float) -> Config:
    smtp: SmtpConfig = config.smtp
    return dataclasses.replace(config, smtp=dataclasses.replace(smtp, timeout_s=timeout_s))


@contextmanager
def running_service(config: Config) -> Iterator[Service]:
    """``run`` in this process, on its own runtime, its watcher ready; shut down on exit.

    Ready means the watcher's first catch-up finished: it is connected, and mail appended
    from then on is its news, not its backlog.
    """
    config = dataclasses.replace(config, http=dataclasses.replace(config.http, enabled=False))
    rt = Runtime.open(config)
    service = Service(rt, FAST_SUPERVISION)
    service.start()
    try:
        wait_until(lambda: service.watcher is None or service.watcher.catch_ups >= 1, 30,
                   "the watcher's first catch-up")
    except BaseException:
        service.shutdown()
        rt.close()
        raise
    try:
        yield service
    finally:
        service.shutdown()
        rt.close()


def count(store: Store, query) -> int:
    with store.sessions() as session:
        return int(session.scalar(query) or 0)


def suppressed(store: Store, address: str) -> bool:
    return count(store, select(func.count(Suppression.id))
                 .where(Suppression.address == address)) == 1


def chain_counts(store: Store) -> dict[str, int]:
    """The figures the fault tests compare: what was stored, applied, sent."""
    with store.sessions() as session:
        def n(query) -> int:
            return int(session.scalar(query) or 0)
        return {
            "messages": n(select(func.count(Message.id))),
            "distinct_message_ids": n(select(func.count(func.distinct(Message.message_id)))),
            "triage_done": n(select(func.count(Message.id)).where(Message.triage_state == "done")),
            "triage_failed": n(select(func.count(Message.id))
                               .where(Message.triage_state == "failed")),
            "suppressions": n(select(func.count(Suppression.id))),
            "opt_outs_applied": n(select(func.count(AuditEvent.id))
                                  .where(AuditEvent.action == "opt_out.applied")),
            "email_sent": n(select(func.count(OutboxItem.id))
                            .where(OutboxItem.kind == "email", OutboxItem.state == "sent")),
            "email_queued": n(select(func.count(OutboxItem.id)).where(OutboxItem.kind == "email")),
        }
