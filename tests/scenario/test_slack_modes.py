"""HTTP mode (signed requests only) and Socket Mode reconnection."""


from __future__ import annotations

import json
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from bot.runtime import Runtime
from bot.slack import runner
from bot.slack.runner import run_slack_app
from tests.conftest import make_config
from tests.scenario.slack_helpers import (
    ALICE,
    QUESTION,
    card,
    case_now,
    click,
    new_case,
    slack_config,
    triage_config,
)
from tests.slack_standin import block_actions_payload, sign_request
from tests.waiting import wait_until

SECRET = "s3cret-signing"


@pytest.fixture
def http_app(sqlite_url, smtp_server, slack_standin, monkeypatch, clock):
    config = make_config(sqlite_url, smtp=smtp_server, triage=triage_config(),
                         slack=slack_config(slack_standin, mode="http", app_token=None,
                                            signing_secret=SECRET, http_port=0))
    runtime = Runtime.open(config)
    runtime.now = clock
    stop = threading.Event()
    ready: queue.Queue = queue.Queue()
    thread = threading.Thread(target=run_slack_app, args=(runtime, stop, ready.put), daemon=True)
    thread.start()
    server = ready.get(timeout=10)
    yield runtime, f"http://127.0.0.1:{server.effective_port}/slack/events"
    stop.set()
    thread.join(10)
    runtime.close()
    assert not thread.is_alive()


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", **headers})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_http_mode_refuses_bad_and_stale_signatures_and_acts_on_good_ones(http_app,
                                                                           slack_standin):
    runtime, url = http_app
    case = new_case(runtime, QUESTION)
    payload = block_actions_payload(ALICE, "case_assign", f"{case.id}:{case.version}",
                                    case.slack_ts, case.slack_channel,
                                    message=card(slack_standin, case))
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()

    assert _post(url, body, sign_request("wrong-secret", body)) == 401
    assert _post(url, body, sign_request(SECRET, body, int(time.time()) - 600)) == 401
    assert _post(url, body, {}) == 401
    assert _post(url, body + b"&x=1", sign_request(SECRET, body)) == 401
    # Bolt refuses a bad signature before dispatching, so a 401 means no listener ran: no wait.
    assert case_now(runtime, case.id).version == case.version   # nothing changed

    assert _post(url, body, sign_request(SECRET, body)) == 200
    wait_until(lambda: case_now(runtime, case.id).assigned_to == ALICE, what="assignment")


def test_socket_mode_reconnects_after_a_disconnect(slack_runtime, app, slack_standin):
    case = new_case(slack_runtime, QUESTION)
    slack_standin.disconnect("refresh_requested")
    slack_standin.wait_for_connection(2, timeout=10)
    assert len(slack_standin.calls("apps.connections.open")) >= 2
    slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_assign"), timeout=5)
    wait_until(lambda: case_now(slack_runtime, case.id).assigned_to == ALICE, what="assignment")


@pytest.fixture
def quick_ping(monkeypatch):
    """The client notices a silent drop at its next connection check; check every second."""
    monkeypatch.setattr(runner, "SOCKET_PING_S", 1.0)


def test_socket_mode_reconnects_after_the_connection_drops(quick_ping, slack_runtime, app,
                                                           slack_standin):
    case = new_case(slack_runtime, QUESTION)
    slack_standin.drop_connections()
    slack_standin.wait_for_connection(2, timeout=15)
    slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_assign"), timeout=5)
    wait_until(lambda: case_now(slack_runtime, case.id).assigned_to == ALICE, what="assignment")


@pytest.mark.slow  # the whole service: watcher, triage, delivery and Slack threads
def test_the_running_service_posts_cards_and_sends_approved_replies(sqlite_url, smtp_server,
                                                                   slack_standin, clock):
    """``privacy-triage run`` as a whole: worker thread + Slack thread, no manual polling."""
    from bot.config import HttpConfig
    from bot.pipeline.ingest import store_raw
    from bot.service import Service

    config = make_config(sqlite_url, smtp=smtp_server, triage=triage_config(),
                         http=HttpConfig(enabled=False), slack=slack_config(slack_standin))
    runtime = Runtime.open(config)
    runtime.now = clock
    service = Service(runtime)
    service.start()
    try:
        slack_standin.wait_for_connection(1)
        store_raw(runtime.store, QUESTION.encode(), source="file", received_at=clock())
        service.wake.set()
        posted = slack_standin.wait_for("chat.postMessage", 1, timeout=15)[0]
        case = wait_until(lambda: (c := case_now(runtime, 1)) and c.slack_ts and c,
                          what="card stored on the case")
        assert posted.response["ts"] == case.slack_ts
        slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_approve"))
        (sent,) = smtp_server.wait_for(1, timeout=15)
        assert sent["To"] == "frank@example.net"
        def reply_noted() -> bool:
            # The thread note is queued when the email is marked sent, and the email's
            # delivery thread wakes Slack's: no clock needs to move for it.
            return any("Reply v1 sent" in m.get("text", "")
                       for m in slack_standin.messages(case.slack_channel))

        wait_until(reply_noted, timeout=15, what="the sent reply in the thread")
    finally:
        slack_standin.drop_connections()
        service.shutdown(timeout=15)
        runtime.close()
    assert not any(t.is_alive() for t in service.threads)


def test_the_running_service_queues_the_daily_reminder_once_the_hour_has_come(
        sqlite_url, slack_standin, clock, monkeypatch):
    """``run`` queues the daily posts from its triage thread (``poll --once`` does it itself)."""
    from bot.config import HttpConfig
    from bot.service import Service
    from bot.store import outbox as outbox_store

    config = make_config(sqlite_url, triage=triage_config(), http=HttpConfig(enabled=False),
                         slack=slack_config(slack_standin, reminder_hour=10))
    runtime = Runtime.open(config)
    runtime.now = clock                       # Monday 09:30 UTC (09:30 in the UK): too early
    monkeypatch.setattr("bot.service.SCHEDULED_EVERY_S", 0.0)  # look at every pass
    service = Service(runtime)
    service.start()
    key = f"slack-reminder:{clock().date().isoformat()}"

    def queued() -> bool:
        with runtime.store.sessions() as session:
            return bool(outbox_store.existing_keys(session, [key]))

    try:
        slack_standin.wait_for_connection(1)
        wait_until(lambda: any(h.name == "triage" and h.healthy for h in service.health()),
                   what="the triage thread's first pass")
        assert not queued()
        clock.advance(hours=1)
        service.wake.set()
        wait_until(queued, timeout=15, what="the reminder queued by the running service")
    finally:
        slack_standin.drop_connections()
        service.shutdown(timeout=15)
        runtime.close()
    assert not any(t.is_alive() for t in service.threads)


@pytest.mark.parametrize("body, headers", [
    pytest.param(b"{not json", {}, id="bad JSON, unsigned"),
    pytest.param(b"payload=%7Bnot+json", {"X-Slack-Request-Timestamp": "yesterday",
                                          "X-Slack-Signature": "v0=00"},
                 id="non-numeric timestamp"),
    pytest.param(b"payload=%7Bnot+json", {"X-Slack-Request-Timestamp": "1e99",
                                          "X-Slack-Signature": "v0=00"}, id="float timestamp"),
    pytest.param(b"payload=%7Bnot+json", sign_request("wrong-secret", b"payload=%7Bnot+json"),
                 id="bad JSON, signed with another secret"),
])
def test_http_mode_answers_malformed_unsigned_bodies_with_4xx_before_parsing_them(
        http_app, body, headers, caplog):
    _, url = http_app
    status = _post(url, body, headers)
    assert status in (400, 401, 413)
    assert "Traceback" not in caplog.text
    assert _post(url, b"", {}) == 401   # and it still answers


def _status_of_big_post(url: str, size: int) -> int:
    """Announce a ``size``-byte POST and read the answer the server gives before any body."""
    import socket

    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"POST {parts.path} HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode())
        answer = sock.recv(4096)
    return int(answer.split(b" ", 2)[1])


def test_http_mode_answers_a_10_mb_unsigned_body_with_413_and_keeps_answering(http_app):
    _, url = http_app
    assert _status_of_big_post(url, 10 * 1024 * 1024) == 413
    assert _post(url, b"", {}) == 401


def test_http_mode_answers_a_signed_but_malformed_body_with_400_not_500(http_app):
    _, url = http_app
    body = b"payload=%7Bnot+json"
    assert _post(url, body, sign_request(SECRET, body)) in (400, 401)
