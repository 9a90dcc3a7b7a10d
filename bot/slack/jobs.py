"""Daily posts: the deadline reminder and the opt-out digest, queued once per day.

:func:`queue_daily_posts` only writes outbox rows keyed by the date (``slack-reminder:<day>``),
so however many processes call it, and however often, each post is queued once; the outbox
delivers it through :class:`bot.slack.delivery.SlackChannel` like any other post.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.runtime import Runtime
from bot.store import outbox
from bot.store import staff as staff_store
from replies.deadlines import UK_TIME, is_working_day


def due_for_posting(now: datetime, reminder_hour: int) -> bool:
    """True once the organisation's clock has passed ``reminder_hour`` on a working day
    (bank holidays in England and Wales are not)."""
    local = now.astimezone(UK_TIME)
    return is_working_day(local.date()) and local.hour >= reminder_hour


def queue_daily_posts(rt: Runtime, now: datetime | None = None) -> list[str]:
    """Queue today's reminder (and digest) if it is time; returns the keys newly queued."""
    now = now or rt.now()
    cfg = rt.config.slack
    if not cfg.enabled or not due_for_posting(now, cfg.reminder_hour):
        return []
    day = now.astimezone(UK_TIME).date().isoformat()
    queued = []
    with rt.store.transaction() as session:
        if outbox.enqueue(session, "slack", f"slack-reminder:{day}", {"type": "reminder"},
                          now=now):
            queued.append(f"slack-reminder:{day}")
        if cfg.opt_out_notices == "digest":
            # Everything since the previous digest (so Monday's covers the weekend).
            since = staff_store.last_queued(session, "slack-digest:") or now - timedelta(days=7)
            ids = [c.id for c in staff_store.auto_resolved_since(session, since)]
            if ids and outbox.enqueue(session, "slack", f"slack-digest:{day}",
                                      {"type": "opt_out_digest", "case_ids": ids}, now=now):
                queued.append(f"slack-digest:{day}")
    return queued
