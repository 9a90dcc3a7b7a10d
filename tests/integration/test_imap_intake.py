"""IMAP intake against a real Dovecot: exactly once, whatever happens to either side."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.pipeline.watch import Watcher
from bot.runtime import Runtime
from bot.store.db import Store
from bot.store.models import MailboxState, Message
from tests.config_files import imap_password_env, imap_section
from tests.conftest import make_config
from tests.servers.dovecot import Dovecot
from tests.waiting import wait_until

pytestmark = pytest.mark.dovecot


def mail(n: int, *, sender: str = "alice@example.org", extra_headers: str = "",
         body: str | None = None) -> bytes:
    return (
        f"From: Alice <{sender}>\r\nTo: support@caplus.org.uk\r\n"
        f"Subject: Question {n}\r\nMessage-ID: <q{n}.{sender}>\r\n"
        f"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n{extra_headers}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body or f'Hello, this is question number {n} about my data.'}\r\n"
    ).encode()


def stored(store: Store) -> list[Message]:
    with store.sessions() as session:
        return list(session.scalars(select(Message).order_by(Message.id)))


def uid_progress(store: Store) -> tuple[int, int]:
    with store.sessions() as session:
        state = session.scalars(select(MailboxState)).one()
        return state.uidvalidity, state.last_uid


@contextmanager
def running_watcher(rt: Runtime, on_stored: Callable[[int], None] | None = None, *,
                    poll_interval_s: float = 300) -> Iterator[Watcher]:
    """``Watcher.run`` in a thread, as the service runs it; stopped (out of IDLE) on exit."""
    rt.config = dataclasses.replace(rt.config, imap=dataclasses.replace(
        rt.config.imap, poll_interval_s=poll_interval_s, idle_renew_s=poll_interval_s,
        timeout_s=min(rt.config.imap.timeout_s, 3)))
    watcher = Watcher(rt, on_stored=on_stored)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: watcher.catch_ups >= 1, 15, "the watcher's first catch-up")
        yield watcher
    finally:
        stop.set()
        watcher.interrupt()
        thread.join(15)
        assert not thread.is_alive()


@pytest.fixture
def runtime(database_url: str, dovecot: Dovecot):
    rt = Runtime.open(make_config(database_url, dovecot))
    yield rt
    rt.close()


def test_each_message_is_stored_once_across_repeated_polls(runtime: Runtime, dovecot: Dovecot):
    dovecot.append_many([mail(i) for i in range(5)])
    watcher = Watcher(runtime)

    assert watcher.poll_once() == 5
    assert watcher.poll_once() == 0
    dovecot.append(mail(5))
    assert watcher.poll_once() == 1

    messages = stored(runtime.store)
    assert [m.subject for m in messages] == [f"Question {i}" for i in range(6)]
    assert [m.uid for m in messages] == [1, 2, 3, 4, 5, 6]
    assert uid_progress(runtime.store)[1] == 6
    assert all(m.raw.startswith(b"From: Alice") for m in messages)


def test_a_new_process_resumes_from_the_stored_uid(database_url: str, dovecot: Dovecot):
    dovecot.append_many([mail(i) for i in range(3)])
    first = Runtime.open(make_config(database_url, dovecot))
    Watcher(first).poll_once()
    first.close()
    dovecot.append(mail(3))

    second = Runtime.open(make_config(database_url, dovecot))
    assert Watcher(second).poll_once() == 1
    assert len(stored(second.store)) == 4
    second.close()


def test_seen_flags_are_never_set_or_relied_on(runtime: Runtime, dovecot: Dovecot):
    dovecot.append(mail(1))
    with dovecot.client() as client:
        client.select_folder("INBOX")
        client.add_flags(client.search("ALL"), [b"\\Seen"])  # someone read it in webmail
    dovecot.append(mail(2))

    assert Watcher(runtime).poll_once() == 2
    with dovecot.client() as client:
        client.select_folder("INBOX", readonly=True)
        flags = client.get_flags(client.search("ALL"))
    assert b"\\Seen" not in flags[2]  # our fetch used BODY.PEEK[]


def test_uid_search_beyond_the_last_message_stores_nothing_again(runtime: Runtime,
                                                                  dovecot: Dovecot):
    # RFC 3501: "UID 4:*" matches the last message (UID 3) even though 4 > 3.
    dovecot.append_many([mail(i) for i in range(3)])
    watcher = Watcher(runtime)
    watcher.poll_once()
    for _ in range(3):
        assert watcher.poll_once() == 0
    assert len(stored(runtime.store)) == 3


@pytest.mark.own_dovecot
def test_uidvalidity_change_loses_and_repeats_nothing(runtime: Runtime, dovecot: Dovecot):
    dovecot.append_many([mail(i) for i in range(3)])
    watcher = Watcher(runtime)
    watcher.poll_once()
    before = uid_progress(runtime.store)

    dovecot.recreate_folder("INBOX")
    dovecot.append(mail(3))
    assert watcher.poll_once() == 1

    after = uid_progress(runtime.store)
    assert after[0] != before[0]
    assert after[1] == 4
    assert sorted(m.subject for m in stored(runtime.store)) == [f"Question {i}" for i in range(4)]


def test_same_message_id_and_body_delivered_twice_is_stored_once(runtime: Runtime,
                                                                 dovecot: Dovecot):
    dovecot.append(mail(1))
    dovecot.append(b"Received: from relay2.example.org\r\n" + mail(1))  # second delivery path
    dovecot.append(mail(1, body="A different message reusing the same Message-ID."))

    assert Watcher(runtime).poll_once() == 2
    assert len(stored(runtime.store)) == 2
    assert uid_progress(runtime.store)[1] == 3


def test_processed_messages_are_moved_only_after_commit(database_url: str, dovecot: Dovecot):
    config = make_config(database_url, dovecot)
    config = dataclasses.replace(
        config, imap=dataclasses.replace(config.imap, processed_folder="Processed"))
    rt = Runtime.open(config)
    dovecot.append_many([mail(i) for i in range(2)])
    assert Watcher(rt).poll_once() == 2
    with dovecot.client() as client:
        assert client.folder_status("INBOX", [b"MESSAGES"])[b"MESSAGES"] == 0
        assert client.folder_status("Processed", [b"MESSAGES"])[b"MESSAGES"] == 2
    assert Watcher(rt).poll_once() == 0
    rt.close()


def test_malformed_oversize_html_and_non_utf8_mail_is_kept_and_flagged(database_url: str,
                                                                       dovecot: Dovecot):
    config = make_config(database_url, dovecot)
    config = dataclasses.replace(config, imap=dataclasses.replace(config.imap,
                                                                  max_message_bytes=20_000))
    rt = Runtime.open(config)
    html_only = (b"From: bob@example.net\r\nSubject: html\r\nMessage-ID: <h1@example.net>\r\n"
                 b"Content-Type: text/html; charset=utf-8\r\n\r\n"
                 b"<html><body><p>Please <b>remove</b> me</p><script>x()</script>"
                 b"</body></html>\r\n")
    latin1 = ("From: bob@example.net\r\nSubject: =?iso-8859-1?q?Caf=E9?=\r\n"
              "Message-ID: <l1@example.net>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
              "\r\nCaf\xe9 cr\xe8me, je voudrais mes donn\xe9es.\r\n").encode("latin-1")
    lying = (b"From: bob@example.net\r\nSubject: lies\r\nMessage-ID: <x1@example.net>\r\n"
             b"Content-Type: text/plain; charset=no-such-charset\r\n\r\n\xff\xfe broken \xc3\r\n")
    oversize = mail(9, body="x" * 30_000)
    broken_mime = (b"From: bob@example.net\r\nSubject: broken\r\nMessage-ID: <b1@example.net>\r\n"
                   b"Content-Type: multipart/mixed; boundary=\"nope\"\r\n\r\n"
                   b"no boundary ever appears\r\n")
    dovecot.append_many([html_only, latin1, lying, oversize, broken_mime])

    assert Watcher(rt).poll_once() == 5
    by_subject = {m.subject: m for m in stored(rt.store)}
    assert "remove" in by_subject["html"].body_text and "x()" not in by_subject["html"].body_text
    assert "Café crème" in by_subject["Café"].body_text
    assert "broken" in by_subject["lies"].body_text
    assert by_subject["Question 9"].quarantine_reason.startswith("oversize")
    assert by_subject["Question 9"].raw == oversize
    assert "oversize" in by_subject["Question 9"].flags
    assert by_subject["broken"].raw.startswith(b"From: bob")
    rt.close()


def test_idle_picks_up_new_mail_without_waiting_for_the_poll(runtime: Runtime,
                                                             dovecot: Dovecot):
    arrived = threading.Event()
    with running_watcher(runtime, lambda n: arrived.set(), poll_interval_s=120):
        started = time.monotonic()
        dovecot.append(mail(1))
        assert arrived.wait(10), "IDLE did not deliver the new message"
        latency = time.monotonic() - started
    assert latency < 5, f"took {latency:.1f}s: that is polling, not IDLE"
    assert len(stored(runtime.store)) == 1


@pytest.mark.own_dovecot
def test_server_restart_mid_run_is_survived(runtime: Runtime, dovecot: Dovecot):
    with running_watcher(runtime, poll_interval_s=1):
        dovecot.append(mail(1))
        wait_until(lambda: len(stored(runtime.store)) == 1, 10, "the first message")
        dovecot.stop()
        time.sleep(1.5)
        dovecot.start()
        dovecot.append(mail(2))
        wait_until(lambda: len(stored(runtime.store)) == 2, 30, "the message after the restart")
    assert [m.subject for m in stored(runtime.store)] == ["Question 1", "Question 2"]


_CHILD = textwrap.dedent("""
    import sys, time
    from bot.config import load_config
    from bot.runtime import Runtime
    from bot.pipeline import ingest
    from bot.pipeline.watch import Watcher

    original = ingest.store_imap_batch
    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        print("committed", flush=True)
        time.sleep(0.2)
        return result
    import bot.pipeline.watch as watch
    watch.store_imap_batch = slow
    rt = Runtime.open(load_config(sys.argv[1]))
    Watcher(rt).poll_once()
""")


def test_sigkill_mid_backlog_then_restart_stores_every_message_once(
        database_url: str, dovecot: Dovecot, tmp_path: Path):
    total = 60
    dovecot.append_many([mail(i) for i in range(total)])
    config_file = tmp_path / "config.toml"
    config_file.write_text(f'[database]\nurl = "{database_url}"\n'
                           + imap_section(dovecot, fetch_batch=5))
    env = {**os.environ, **imap_password_env(dovecot),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(config_file)],
                             stdout=subprocess.PIPE, env=env)
    assert child.stdout is not None
    for _ in range(3):  # let it commit a few batches, then kill it mid-backlog
        child.stdout.readline()
    child.send_signal(signal.SIGKILL)
    child.wait()

    store = Store.open(database_url)
    with store.sessions() as session:
        partial = session.scalar(select(func.count(Message.id)))
    assert 0 < partial < total

    rt = Runtime.open(make_config(database_url, dovecot))
    Watcher(rt).poll_once()
    subjects = [m.subject for m in stored(rt.store)]
    assert sorted(subjects) == sorted(f"Question {i}" for i in range(total))
    assert len(set(subjects)) == total
    rt.close()
    store.close()


def test_the_watcher_leaves_idle_at_once_when_stopped(runtime: Runtime, dovecot: Dovecot):
    with running_watcher(runtime):
        started = time.monotonic()  # in IDLE now, for up to 300 s; exiting stops it
    assert time.monotonic() - started < 2


def test_mail_announced_during_a_catch_up_is_not_left_waiting(runtime: Runtime,
                                                               dovecot: Dovecot):
    """Mail can land while we SEARCH (announced in that answer, which Dovecot does not repeat in
    IDLE) or while IDLE is starting; either way it must not wait for a later message."""
    stored_event = threading.Event()
    slow = []
    with running_watcher(runtime, lambda _n: stored_event.set()), dovecot.client() as client:
        for i in range(15):
            stored_event.clear()
            client.append("INBOX", mail(i))
            if not stored_event.wait(3):
                slow.append(i)
                wait_until(lambda i=i: len(stored(runtime.store)) == i + 1, 5, f"message {i}")
    assert slow == [], f"messages {slow} waited for a later message's announcement"
