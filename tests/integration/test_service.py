"""`run` (Service) with IMAP IDLE: triage never waits on delivery; threads are supervised."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.store.models import OutboxItem
from bot.web.app import create_app
from tests.conftest import make_config
from tests.integration.chain import (
    fast_idle,
    opt_out,
    running_service,
    seconds_until,
    suppressed,
    wait_until,
    with_smtp_timeout,
)
from tests.servers.dovecot import Dovecot
from tests.servers.silent_smtp import SilentSmtpServer

pytestmark = pytest.mark.dovecot


@pytest.fixture
def silent_relay() -> Iterator[SilentSmtpServer]:
    with SilentSmtpServer() as relay:
        yield relay


def test_an_opt_out_is_suppressed_at_once_while_the_relay_accepts_and_never_greets(
        sqlite_url: str, dovecot: Dovecot, silent_relay: SilentSmtpServer):
    # Mail already waiting: its confirmations are stuck on the relay when the new one arrives.
    dovecot.append_many([opt_out(i, "backlog") for i in range(3)])
    config = with_smtp_timeout(fast_idle(make_config(sqlite_url, dovecot, smtp=silent_relay)), 10)
    with running_service(config) as service:
        store = service.rt.store
        wait_until(lambda: silent_relay.connections >= 1, 20, "delivery reaching the relay")
        dovecot.append(opt_out(99, "new"))
        took = seconds_until(lambda: suppressed(store, "person99.new@example.org"), 20,
                          "the new opt-out's suppression")
        print(f"\nAPPEND -> suppression committed with the relay hanging: {took * 1000:.0f} ms")
        assert took < 5  # ~0.5 s is Dovecot's IDLE delay; 5 s leaves room for a loaded machine
        with store.sessions() as session:
            sent = session.scalar(select(func.count(OutboxItem.id))
                                  .where(OutboxItem.state == "sent"))
        assert sent == 0  # the confirmations are still waiting for the relay
        health = {h.name: h.healthy for h in service.health()}
        assert health == {"imap-watcher": True, "triage": True, "deliver-email": True,
                          "retention": True}
        with create_app(service.rt, service.health).test_client() as client:
            assert client.get("/healthz").status_code == 200
            ready = client.get("/readyz")
            assert ready.status_code == 200, ready.get_json()
            assert ready.get_json()["ready"] is True
            assert ready.get_json()["checks"]["imap"]["status"] == "ok"
            metrics = client.get("/metrics").get_data(as_text=True)
            assert 'privacy_triage_imap_connected{folder="INBOX"} 1.0' in metrics
            assert 'privacy_triage_messages_triaged_total{label="opt_out"} 4.0' in metrics
