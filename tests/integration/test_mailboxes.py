"""Several mailboxes (`[[imap]]`) in one process: each fetched into its own progress row, by
`poll --once`, by `run`'s watcher threads, and by `backfill`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.config import load_config
from bot.runtime import Runtime
from bot.service import Service, poll_once
from bot.store.models import MailboxState, Message
from tests.config_files import imap_password_env, imap_section
from tests.conftest import TEST_MX, verified
from tests.servers.dovecot import Dovecot
from tests.waiting import wait_until

pytestmark = pytest.mark.dovecot


def mail(n: int, to: str, sent: datetime | None = None) -> bytes:
    date = f"Date: {sent:%a, %d %b %Y %H:%M:%S +0000}\r\n" if sent else ""
    return verified(f"From: <p{n}@example.org>\r\nTo: {to}\r\nSubject: Unsubscribe\r\n"
                    f"Message-ID: <box-{n}@example.org>\r\n{date}\r\n"
                    "Please take me off your mailing list.\r\n").encode()


def three_mailboxes(dovecot: Dovecot) -> list[Dovecot]:
    return [dovecot, *(dovecot.account(f"{name}-{uuid.uuid4().hex[:6]}@caplus.org.uk")
                       for name in ("privacy", "dpo"))]


def write_config(tmp_path: Path, sqlite_url: str, boxes: list[Dovecot], **imap: object) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{sqlite_url}"\n[http]\nenabled = false\n' + "".join(
        imap_section(box, array=True, trusted_authserv_ids=[TEST_MX], **imap) for box in boxes))
    return path


def stored_per_mailbox(rt: Runtime) -> dict[str, int]:
    with rt.store.sessions() as session:
        return dict(session.execute(
            select(Message.mailbox, func.count(Message.id)).group_by(Message.mailbox)).all())


def test_poll_and_run_fetch_every_mailbox_into_its_own_progress_row(
        tmp_path: Path, sqlite_url: str, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch):
    boxes = three_mailboxes(dovecot)
    for name, value in imap_password_env(dovecot).items():
        monkeypatch.setenv(name, value)
    config = load_config(write_config(tmp_path, sqlite_url, boxes, poll_interval_s=60))
    assert len(config.mailboxes) == 3
    for i, box in enumerate(boxes):
        box.append(mail(i, box.user))
    with Runtime.open(config) as rt:
        assert poll_once(rt).fetched == 3
        assert sorted(stored_per_mailbox(rt).values()) == [1, 1, 1]
        with rt.store.sessions() as session:
            assert session.scalar(select(func.count(MailboxState.id))) == 3

        service = Service(rt)
        service.start()
        try:
            assert [t.name for t in service.health() if t.name.startswith("imap")] == [
                "imap-watcher", "imap-watcher-2", "imap-watcher-3"]
            wait_until(lambda: all(leader.watcher.catch_ups for leader in service.leaders), 30,
                       "every watcher to catch up")
            for i, box in enumerate(boxes):
                box.append(mail(10 + i, box.user))
            wait_until(lambda: sorted(stored_per_mailbox(rt).values()) == [2, 2, 2], 30,
                       "the new mail of every mailbox")
        finally:
            service.shutdown()


def test_backfill_imports_the_history_of_every_mailbox(
        tmp_path: Path, sqlite_url: str, dovecot: Dovecot, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch):
    boxes = three_mailboxes(dovecot)[:2]
    for name, value in imap_password_env(dovecot).items():
        monkeypatch.setenv(name, value)
    config = write_config(tmp_path, sqlite_url, boxes, start="now")
    old = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for i, box in enumerate(boxes):
        with box.client() as client:
            client.append("INBOX", mail(i, box.user, old), msg_time=old)
    assert main(["--config", str(config), "poll", "--once"]) == 0
    assert "fetched 0" in capsys.readouterr().out  # day one: history left alone
    assert main(["--config", str(config), "backfill", "--since", "2026-01-01"]) == 0
    assert "found 2 messages since 2026-01-01, stored 2 new" in capsys.readouterr().out


def test_dry_runs_preview_every_mailbox_saying_which(
        tmp_path: Path, sqlite_url: str, dovecot: Dovecot, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch):
    boxes = three_mailboxes(dovecot)[:2]
    for name, value in imap_password_env(dovecot).items():
        monkeypatch.setenv(name, value)
    config = write_config(tmp_path, sqlite_url, boxes)
    for i, box in enumerate(boxes):
        box.append(mail(i, box.user))
    assert main(["--config", str(config), "poll", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "mailbox 1 folder INBOX: first contact" in out
    assert "mailbox 2 folder INBOX: first contact" in out
    assert "mailbox 1 UID 1" in out and "mailbox 2 UID 1" in out
    assert "2 new message(s)" in out
