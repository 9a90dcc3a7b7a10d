"""Process-local metrics: what only this process knows, kept for ``/metrics``.

Counts of messages, cases and outbox rows are read from the database at scrape time
(:mod:`bot.web.metrics`), because several processes share the work and the database is the
truth. Three things are not in the database and belong to the process that sees them:

- whether this process's IMAP watcher is connected, per folder;
- when it last fetched successfully (a catch-up that reached the end of the folder);
- how long triage took, from the message's arrival to its decision, as a histogram.

They live in this module's own registry (not prometheus_client's global one), so importing the
module twice in tests, or running several services in one test process, never registers a
metric twice. Nothing here imports the rest of ``bot``: the watcher and the triage step write,
the web layer reads.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

IMAP_CONNECTED = Gauge(
    "privacy_triage_imap_connected",
    "1 while this process's IMAP watcher is connected to the folder, else 0",
    ["folder"], registry=REGISTRY)
IMAP_LAST_FETCH = Gauge(
    "privacy_triage_imap_last_fetch_timestamp_seconds",
    "Unix time of this process's last successful fetch (a catch-up to the end of the folder)",
    ["folder"], registry=REGISTRY)
# From seconds (IDLE) to an hour (a backlog after an outage).
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
TRIAGE_LATENCY = Histogram(
    "privacy_triage_triage_latency_seconds",
    "Seconds from a message's arrival to its triage decision, by label (backfill left out)",
    ["label"], buckets=LATENCY_BUCKETS, registry=REGISTRY)


def imap_connected(folder: str, connected: bool) -> None:
    IMAP_CONNECTED.labels(folder=folder).set(1 if connected else 0)


def imap_fetched(folder: str, at: datetime) -> None:
    IMAP_LAST_FETCH.labels(folder=folder).set(at.timestamp())


def triage_decided(label: str, received_at: datetime | None, now: datetime) -> None:
    """Observe one triage decision; a message without an arrival time is not observed."""
    if received_at is None:
        return
    TRIAGE_LATENCY.labels(label=label).observe(max(0.0, (now - received_at).total_seconds()))
