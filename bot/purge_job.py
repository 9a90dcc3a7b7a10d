"""Retention on a timetable: ``purge`` by hand, and the daily purge that ``run`` supervises.

What is due for removal, and what never is (anything of an open case, anybody with an open
access request, the suppression list), is decided in :mod:`bot.store.retention`; this module
decides *when*. The daily purge runs once per day at ``[retention] daily_purge_hour`` on the
organisation's clock (Europe/London, so 03:00 stays 03:00 across summer time), and every run,
even one that found nothing, leaves a ``retention.purged`` audit event: the trail shows that
retention ran each day, and the newest such event is when it last ran, for every process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta, tzinfo

from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.store import audit
from bot.store.retention import PurgePlan, apply_purge, lock_for_purge, plan_purge
from replies.deadlines import UK_TIME

logger = logging.getLogger(__name__)

ACTOR = "retention"
EVENT = "retention.purged"
#: The daily job looks at the clock this often (the purge itself is at most once a day).
CHECK_EVERY_S = 60.0


def last_scheduled(now: datetime, hour: int, zone: tzinfo = UK_TIME) -> datetime:
    """The latest ``hour``:00 on ``zone``'s clock at or before ``now`` (pure).

    On the day the clocks go forward an hour that does not exist falls at the moment of the
    change; on the day they go back an hour that happens twice counts once (the first).
    """
    local_day = now.astimezone(zone).date()
    for day in (local_day, local_day - timedelta(days=1)):
        scheduled = datetime.combine(day, time(hour), tzinfo=zone)
        if scheduled <= now:
            return scheduled.astimezone(UTC)
    return datetime.combine(local_day - timedelta(days=2), time(hour),
                            tzinfo=zone).astimezone(UTC)


def purge_due(now: datetime, last_run: datetime | None, hour: int,
              zone: tzinfo = UK_TIME) -> bool:
    """Whether the daily purge should run at ``now`` (pure).

    Due when no purge has run since the latest scheduled hour: so at that hour each day, and
    at start-up when the process was down at that hour (or no purge ever ran).
    """
    if last_run is None:
        return True
    if last_run.tzinfo is None:
        last_run = last_run.replace(tzinfo=UTC)
    return last_run < last_scheduled(now, hour, zone)


def purge(rt: Runtime, *, dry_run: bool = False) -> PurgePlan:
    """Plan and (unless ``dry_run``) apply one purge in one transaction, audited with its ids.

    A purge by hand that finds nothing leaves no event.
    """
    with rt.store.transaction() as session:
        return _purge(session, rt, dry_run=dry_run, daily=False)


def purge_if_due(rt: Runtime) -> PurgePlan | None:
    """Run the daily purge if it is due now; returns its plan, or None when it was not due.

    The check and the purge are one transaction under the purge lock, so of several processes
    looking at the clock at once exactly one purges and audits the day's run.
    """
    hour = rt.config.retention.daily_purge_hour
    with rt.store.transaction() as session:
        lock_for_purge(session)
        if not purge_due(rt.now(), audit.last_at(session, EVENT), hour):
            return None
        plan = _purge(session, rt, dry_run=False, daily=True)
    logger.info("Daily purge: %s", ", ".join(f"{n} {what}" for what, n in plan.counts().items()))
    return plan


def _purge(session: Session, rt: Runtime, *, dry_run: bool, daily: bool) -> PurgePlan:
    cfg = rt.config.retention
    now = rt.now()
    plan = plan_purge(session, now, closed_case_days=cfg.closed_case_days,
                      audit_years=cfg.audit_years)
    if not dry_run and (daily or not plan.empty):
        apply_purge(session, plan, now)
        event = audit.record(session, ACTOR, EVENT, None, **plan.counts(),
                             message_ids=plan.message_ids, case_ids=plan.case_ids,
                             audit_event_ids=plan.audit_ids, run="daily" if daily else "by hand")
        event.at = now  # the runtime's clock: "when did it last run" reads this
    return plan


def run_daily_purge(rt: Runtime, stop: threading.Event, beat: Callable[[], None],
                    check_every_s: float = CHECK_EVERY_S) -> None:
    """The ``retention`` thread of ``run``: look at the clock every minute until ``stop``.

    A failing purge raises, so the supervisor logs it once and restarts this with backoff; the
    purge is one transaction, so a failure leaves nothing half done.
    """
    while not stop.is_set():
        purge_if_due(rt)
        beat()
        stop.wait(check_every_s)
