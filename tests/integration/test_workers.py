"""Several workers on one database share the work: each message triaged once, each email sent
once (threads here stand in for processes on several machines; each has its own connections)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from bot.deliver.dispatcher import deliver_due
from bot.deliver.email import EmailChannel
from bot.pipeline.ingest import store_raw
from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime
from bot.store.models import Case, Message, OutboxItem
from tests.conftest import make_config, verified
from tests.servers.smtp import SmtpServer


def opt_out(i: int) -> bytes:
    return verified(f"From: <person{i}@example.org>\r\nTo: support@caplus.org.uk\r\n"
            f"Subject: stop\r\nMessage-ID: <w{i}@example.org>\r\n\r\n"
            "Please take me off your mailing list, no more marketing emails.\r\n").encode()


@pytest.mark.slow  # two worker threads race over a backlog through aiosmtpd
def test_two_workers_triage_and_send_each_message_once(database_url: str,
                                                       smtp_server: SmtpServer):
    config = make_config(database_url, smtp=smtp_server)
    workers = [Runtime.open(config) for _ in range(2)]
    total = 30
    for i in range(total):
        store_raw(workers[0].store, opt_out(i), source="file")
    barrier = threading.Barrier(len(workers))

    def work(rt: Runtime) -> None:
        barrier.wait()
        while triage_pending(rt, limit=5):
            pass
        deliver_due(rt, {"email": EmailChannel(rt)}, limit=5)
        deliver_due(rt, {"email": EmailChannel(rt)})

    threads = [threading.Thread(target=work, args=(rt,)) for rt in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    with workers[0].store.sessions() as session:
        assert session.scalar(select(func.count(Case.id))) == total
        assert session.scalar(select(func.count(Message.id))
                              .where(Message.triage_state == "done")) == total
        states = session.scalars(select(OutboxItem.state)).all()
    assert states == ["sent"] * total
    recipients = sorted(m["To"] for m in smtp_server.wait_for(total))
    assert recipients == sorted(f"person{i}@example.org" for i in range(total))
    for rt in workers:
        rt.close()
