"""``/readyz`` (every check, a read-only database) and ``/metrics`` (counts from the database,
this process's triage latency), through the Flask app on a real database."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from bot.config import ImapConfig
from bot.pipeline.ingest import store_raw
from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime
from bot.store import monitoring
from bot.store import outbox as outbox_store
from bot.store.db import Store, make_engine
from bot.store.models import MailboxState, Message, TriageState
from bot.supervise import ThreadHealth
from bot.web.app import create_app
from tests.clock import TestClock
from tests.conftest import verified
from tests.web_fixtures import web_runtime

IMAP = ImapConfig(host="imap.secret-host.example", username="support@caplus.org.uk",
                  folder="INBOX", poll_interval_s=60)


@pytest.fixture
def rt(sqlite_url: str, clock: TestClock) -> Iterator[Runtime]:
    runtime = web_runtime(sqlite_url)
    runtime.now = clock
    yield runtime
    runtime.close()


@pytest.fixture
def rt_both(database_url: str, clock: TestClock) -> Iterator[Runtime]:
    """The same on SQLite and on PostgreSQL."""
    runtime = web_runtime(database_url)
    runtime.now = clock
    yield runtime
    runtime.close()


def _ready(rt: Runtime, threads: list[ThreadHealth] | None = None) -> tuple[int, dict]:
    health = (lambda: threads) if threads is not None else None
    response = create_app(rt, health).test_client().get("/readyz")
    return response.status_code, response.get_json()


def _status(body: dict, name: str) -> str:
    return body["checks"][name]["status"]


def test_a_fresh_database_without_imap_is_ready(rt: Runtime) -> None:
    code, body = _ready(rt, [ThreadHealth("triage", True, True, 0, 0, None)])
    assert code == 200 and body["ready"] is True
    assert {n: c["status"] for n, c in body["checks"].items()} == {
        "database": "ok", "threads": "ok", "imap": "skipped", "outbox": "ok",
        "failed_messages": "ok"}
    assert body["threads"][0]["name"] == "triage"


def test_a_read_only_sqlite_file_answers_select_1_but_is_not_ready(
        rt: Runtime, sqlite_url: str, tmp_path: Path) -> None:
    path = make_url(sqlite_url).database
    read_only = Store(make_engine(f"sqlite:///file:{path}?mode=ro&uri=true"))
    broken = dataclasses.replace(rt, store=read_only)
    try:
        client = create_app(broken).test_client()
        assert client.get("/healthz").status_code == 200  # SELECT 1 still answers
        response = client.get("/readyz")
        body = response.get_json()
        assert response.status_code == 503 and body["ready"] is False
        assert body["checks"]["database"] == {"status": "failing",
                                              "detail": "answers but cannot be written"}
        assert str(tmp_path) not in response.get_data(as_text=True)
    finally:
        read_only.close()


def test_a_read_only_postgresql_session_answers_but_is_not_ready(postgres_url: str) -> None:
    writable = web_runtime(postgres_url)
    # A hot standby refuses writes the same way: every transaction is read-only.
    read_only = Store(make_engine(f"{postgres_url}%20-cdefault_transaction_read_only%3Don"))
    try:
        code, body = _ready(dataclasses.replace(writable, store=read_only))
        assert code == 503
        assert body["checks"]["database"]["detail"] == "answers but cannot be written"
        assert _ready(writable)[0] == 200  # the same schema, writable: ready
    finally:
        read_only.close()
        writable.close()


def test_imap_never_fetched_is_not_ready_and_a_recent_fetch_is(
        rt: Runtime, clock: TestClock) -> None:
    rt.config = dataclasses.replace(rt.config, imap=IMAP)
    code, body = _ready(rt)
    assert code == 503 and body["checks"]["imap"]["detail"].startswith("INBOX never fetched")
    with rt.store.transaction() as session:
        session.add(MailboxState(account=IMAP.account, folder="INBOX", uidvalidity=1,
                                 last_uid=0))
        session.flush()
        monitoring.record_fetch(session, IMAP.account, "INBOX", clock())
    assert _ready(rt)[0] == 200
    clock.advance(seconds=181)
    code, body = _ready(rt)
    assert code == 503 and "last fetched 181 s ago" in body["checks"]["imap"]["detail"]
    text = str(body)
    assert "secret-host" not in text and "support@" not in text  # no hosts, no logins


def test_an_outbox_item_due_for_too_long_is_stuck(rt: Runtime, clock: TestClock) -> None:
    with rt.store.transaction() as session:
        outbox_store.enqueue(session, "email", "k1", {}, now=clock())
    assert _ready(rt)[0] == 200  # due now, not stuck
    clock.advance(minutes=15, seconds=1)
    code, body = _ready(rt)
    assert code == 503 and _status(body, "outbox") == "failing"


def test_a_set_aside_message_without_a_delivered_alert_is_not_ready(
        rt: Runtime, clock: TestClock) -> None:
    with rt.store.transaction() as session:
        message = Message(source="file", dedup_key="d1", raw=b"x", size=1, received_at=clock(),
                          triage_state=TriageState.FAILED, triage_attempts=5,
                          triage_failed_at=clock(), triage_next_at=None)
        session.add(message)
        session.flush()
        message_id = message.id
    code, body = _ready(rt)
    assert code == 503 and str(message_id) in body["checks"]["failed_messages"]["detail"]
    with rt.store.transaction() as session:
        item = outbox_store.enqueue(session, "slack", monitoring.failure_alert_key(message_id),
                                    {}, now=clock())
        assert item is not None
        item.state = "sent"
    assert _ready(rt)[0] == 200  # a person has been shown it in Slack


def _metrics(rt: Runtime) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = create_app(rt).test_client().get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


OPT_OUT = verified("From: Ann Example <ann@example.org>\r\nTo: support@caplus.org.uk\r\n"
                   "Subject: stop\r\nMessage-ID: <m1@example.org>\r\n\r\n"
                   "Please remove me from your mailing list, no more marketing emails.\r\n")
ACCESS = ("From: Bob Example <bob@example.org>\r\nTo: support@caplus.org.uk\r\n"
          "Subject: my data\r\nMessage-ID: <m2@example.org>\r\n\r\n"
          "Under the UK GDPR I request a copy of all personal data you hold about me.\r\n")


def test_metrics_count_what_the_database_holds(rt_both: Runtime, clock: TestClock) -> None:
    rt = rt_both
    before = _metrics(rt)
    assert before[("privacy_triage_database_up", ())] == 1
    assert before[("privacy_triage_messages_ingested_total", (("source", "file"),))] == 0
    for raw in (OPT_OUT, ACCESS):
        store_raw(rt.store, raw.encode(), source="file", received_at=clock())
    store_raw(rt.store, b"\xff" * 10, source="file", max_bytes=5, received_at=clock())
    clock.advance(seconds=2)
    assert len(triage_pending(rt)) == 3
    m = _metrics(rt)
    assert m[("privacy_triage_messages_ingested_total", (("source", "file"),))] == 3
    assert m[("privacy_triage_messages_quarantined_total", ())] == 1
    assert m[("privacy_triage_messages_triaged_total", (("label", "opt_out"),))] == 1
    assert m[("privacy_triage_messages_triaged_total", (("label", "access_request"),))] == 1
    assert m[("privacy_triage_automatic_opt_outs_total", ())] == 1
    assert m[("privacy_triage_cases_open", (("state", "open"),))] >= 1
    assert m[("privacy_triage_cases_overdue", ())] == 0
    # No SMTP configured: the opt-out's confirmation waits (queued when it was triaged), and
    # its age grows with the clock.
    assert m[("privacy_triage_outbox_queued", (("channel", "email"),))] == 1
    assert m[("privacy_triage_outbox_sent_total", (("channel", "email"),))] == 0
    clock.advance(minutes=10)
    later = _metrics(rt)
    assert later[("privacy_triage_outbox_oldest_unsent_age_seconds",
                  (("channel", "email"),))] == pytest.approx(600)
    # The latency histogram is this process's: arrival (the clock) to decision, 2 s later.
    count = later[("privacy_triage_triage_latency_seconds_count", (("label", "opt_out"),))]
    below = later[("privacy_triage_triage_latency_seconds_bucket",
                   (("label", "opt_out"), ("le", "2.5")))]
    above = later[("privacy_triage_triage_latency_seconds_bucket",
                   (("label", "opt_out"), ("le", "1.0")))]
    before_count = before.get(("privacy_triage_triage_latency_seconds_count",
                               (("label", "opt_out"),)), 0)
    assert count - before_count == 1 and below - above >= 1


def test_metrics_say_when_the_database_is_down(rt: Runtime, tmp_path: Path) -> None:
    # A directory where the database file should be: nothing can be opened or read.
    broken = dataclasses.replace(rt, store=Store(make_engine(f"sqlite:///{tmp_path}")))
    m = _metrics(broken)
    assert m[("privacy_triage_database_up", ())] == 0
    assert not any(name.startswith("privacy_triage_messages") for name, _ in m)


def test_oldest_due_ignores_an_item_backing_off(rt: Runtime, clock: TestClock) -> None:
    with rt.store.transaction() as session:
        outbox_store.enqueue(session, "email", "later", {}, now=clock(),
                             not_before=clock() + timedelta(hours=1))
        assert monitoring.oldest_due_unsent(session, clock()) is None


def test_status_prints_the_same_checks_for_a_person(
        sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{sqlite_url}"\n\n[http]\nenabled = false\n')
    rt = web_runtime(sqlite_url)
    with rt.store.transaction() as session:
        outbox_store.enqueue(session, "email", "old", {}, now=rt.now() - timedelta(hours=1))
    rt.close()
    assert main(["--config", str(config), "status"]) == 0
    out = capsys.readouterr().out
    assert "Ready: NO" in out
    assert "  FAIL outbox: an item has been due for 60 min (limit 15 min)" in out
    assert "  --   threads: no supervised threads in this process" in out
    assert "  ok   database: answers and can be written" in out
    assert main(["--config", str(config), "status", "--json"]) == 0
    readiness = json.loads(capsys.readouterr().out)["readiness"]
    assert readiness["ready"] is False and readiness["checks"]["outbox"]["status"] == "failing"
