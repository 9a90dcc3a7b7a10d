"""``/metrics``: Prometheus text format, counted by the database at scrape time.

A custom collector (:class:`DatabaseCollector`) runs a few ``COUNT`` queries per scrape
(:mod:`bot.store.monitoring`) instead of counting in memory: several processes share one
database, and each would otherwise report only its own share, forget it on restart, and
disagree with ``status``. The process's own metrics (IMAP connection, last fetch, triage latency;
:mod:`bot.telemetry`) follow in the same answer.

Counters whose rows retention may delete (messages, audit events) can go down after a purge;
Prometheus's ``rate()`` treats that as a counter reset, which is the right reading.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot import telemetry
from bot.runtime import Runtime
from bot.store import monitoring
from bot.store.models import OPEN_STATES, OutboxState
from classifier.labels import LABELS
from replies.deadlines import receipt_date

logger = logging.getLogger(__name__)

CHANNELS = ("email", "slack")
SOURCES = ("imap", "slack", "file", "backfill")


class DatabaseCollector(Collector):
    """Every figure the database holds, read in one session per scrape."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("privacy_triage_database_up",
                               "1 when the database answered this scrape's queries")
        try:
            families = list(self._from_database())
        except Exception:  # a scrape must answer; the log has the traceback
            logger.warning("Metrics: the database did not answer", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _from_database(self) -> Iterator[Metric]:
        now = self.rt.now()
        with self.rt.store.sessions() as session:
            messages = monitoring.message_counts(session)
            outbox = monitoring.outbox_counts(session)
            oldest = monitoring.oldest_unsent(session)
            open_by_state, overdue = monitoring.case_counts(session, receipt_date(now))

        ingested = CounterMetricFamily("privacy_triage_messages_ingested",
                                       "Inbound messages stored, by source", labels=["source"])
        for source in sorted({*SOURCES, *messages.ingested_by_source}):
            ingested.add_metric([source], messages.ingested_by_source.get(source, 0))
        yield ingested
        quarantined = CounterMetricFamily(
            "privacy_triage_messages_quarantined",
            "Inbound messages stored raw because they could not be parsed or were oversize")
        quarantined.add_metric([], messages.quarantined)
        yield quarantined
        triaged = CounterMetricFamily(
            "privacy_triage_messages_triaged",
            "Messages triaged, by their case's label (none: machine mail, nothing to answer)",
            labels=["label"])
        for label in sorted({*LABELS, "none", *messages.triaged_by_label}):
            triaged.add_metric([label], messages.triaged_by_label.get(label, 0))
        yield triaged
        opt_outs = CounterMetricFamily("privacy_triage_automatic_opt_outs",
                                       "Senders suppressed by triage itself, with no person")
        opt_outs.add_metric([], messages.automatic_opt_outs)
        yield opt_outs

        channels = sorted({*CHANNELS, *(kind for kind, _ in outbox)})
        queued = GaugeMetricFamily("privacy_triage_outbox_queued",
                                   "Outbox items waiting or being sent, per channel",
                                   labels=["channel"])
        sent = CounterMetricFamily("privacy_triage_outbox_sent", "Outbox items delivered",
                                   labels=["channel"])
        failed = GaugeMetricFamily("privacy_triage_outbox_failed",
                                   "Outbox items given up on (until staff retry them)",
                                   labels=["channel"])
        age = GaugeMetricFamily("privacy_triage_outbox_oldest_unsent_age_seconds",
                                "Age of the oldest item not yet sent (0 when none)",
                                labels=["channel"])
        for channel in channels:
            queued.add_metric([channel], outbox.get((channel, OutboxState.PENDING), 0)
                              + outbox.get((channel, OutboxState.SENDING), 0))
            sent.add_metric([channel], outbox.get((channel, OutboxState.SENT), 0))
            failed.add_metric([channel], outbox.get((channel, OutboxState.FAILED), 0))
            since = oldest.get(channel)
            age.add_metric([channel], max(0.0, (now - since).total_seconds()) if since else 0.0)
        yield from (queued, sent, failed, age)

        cases_open = GaugeMetricFamily("privacy_triage_cases_open", "Open cases, by state",
                                       labels=["state"])
        for state in OPEN_STATES:
            cases_open.add_metric([str(state)], open_by_state.get(state, 0))
        yield cases_open
        late = GaugeMetricFamily("privacy_triage_cases_overdue",
                                 "Open cases past their statutory due date (UK calendar day)")
        late.add_metric([], overdue)
        yield late


def render_metrics(rt: Runtime) -> tuple[bytes, str]:
    """The whole ``/metrics`` answer and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(rt))
    return generate_latest(registry) + generate_latest(telemetry.REGISTRY), CONTENT_TYPE_LATEST
