"""``--dry-run`` on ``triage``, ``poll`` and ``backfill``: says what would happen, changes nothing.

"Nothing" is checked where it would show: every table's row count and the SQLite file's bytes,
the mailbox's progress row, the IMAP messages' flags and folder, and the SMTP server, which must
never see a connection. A real run afterwards then does what the dry run said.
"""

from __future__ import annotations

import hashlib
import sqlite3
import textwrap
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from tests.config_files import IMAP_PASSWORD_ENV, imap_section, smtp_section
from tests.conftest import TEST_MX, verified
from tests.servers.dovecot import Dovecot
from tests.servers.silent_smtp import SilentSmtpServer
from tests.servers.smtp import SmtpServer
from tests.slack_standin.server import SlackStandIn

pytestmark = pytest.mark.slow  # loads the model and runs the whole command


def mail(n: int, who: str, body: str, *, date: str = "Mon, 23 Nov 2026 09:00:00 +0000") -> bytes:
    return verified(f"From: {who.title()} Example <{who}@example.org>\r\n"
                    f"To: support@caplus.org.uk\r\nSubject: note {n}\r\n"
                    f"Message-ID: <dry-{n}@example.org>\r\nDate: {date}\r\n\r\n{body}\r\n"
                    ).encode()


OPT_OUT = "Please remove me from your mailing list, no more marketing emails."
QUESTION = "Which cookies does your website set, and for how long do you keep them?"


@pytest.fixture
def silent_relay() -> Iterator[SilentSmtpServer]:
    with SilentSmtpServer() as relay:
        yield relay


def write_config(tmp_path: Path, dovecot: Dovecot | None = None,
                 smtp: SmtpServer | SilentSmtpServer | None = None,
                 slack: SlackStandIn | None = None, **imap: object) -> Path:
    text = f'[database]\nurl = "sqlite:///{tmp_path / "triage.sqlite3"}"\n[http]\nenabled = false\n'
    if slack is not None:   # tokens from the environment (see the poll test)
        text += textwrap.dedent(f"""
            [slack]
            enabled = true
            review_channel = "C0CASES"
            base_url = "{slack.base_url}"
            reminder_hour = 24
        """)
    if dovecot is not None:
        text += imap_section(dovecot, trusted_authserv_ids=[TEST_MX], **imap)
    if smtp is not None:
        text += smtp_section(smtp.host, smtp.port)
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def snapshot(database: Path) -> tuple[str, dict[str, int], list[tuple[object, ...]]]:
    """The file's hash, each table's row count and the mailbox progress rows."""
    digest = hashlib.sha256(database.read_bytes()).hexdigest()
    with closing(sqlite3.connect(database)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        progress = conn.execute("SELECT account, folder, uidvalidity, last_uid "
                                "FROM mailbox_state ORDER BY id").fetchall()
    return digest, counts, progress


def imap_state(dovecot: Dovecot) -> dict[str, dict[int, tuple[bytes, ...]]]:
    """Every folder's messages and their flags."""
    with dovecot.client() as client:
        state = {}
        for _flags, _sep, name in client.list_folders():
            folder = name.decode() if isinstance(name, bytes) else name
            client.select_folder(folder, readonly=True)
            uids = client.search()
            flags = client.fetch(uids, ["FLAGS"]) if uids else {}
            state[folder] = {uid: tuple(sorted(data[b"FLAGS"])) for uid, data in flags.items()}
        return state


def test_triage_dry_run_prints_each_verdict_and_stores_nothing(tmp_path: Path, capsys):
    config = write_config(tmp_path)
    database = tmp_path / "triage.sqlite3"
    first, second = tmp_path / "1.eml", tmp_path / "2.eml"
    first.write_bytes(mail(1, "alice", OPT_OUT))
    second.write_bytes(mail(2, "bob", QUESTION))
    empty = tmp_path / "3.eml"
    empty.write_bytes(b"")

    assert main(["--config", str(config), "triage", "--dry-run", str(first)]) == 0
    assert not database.exists()   # a dry run does not even create the database

    assert main(["--config", str(config), "triage", str(first)]) == 0
    capsys.readouterr()
    before = snapshot(database)
    assert main(["--config", str(config), "triage", "--dry-run",
                 str(first), str(second), str(empty), str(second)]) == 0
    out = capsys.readouterr().out
    assert snapshot(database) == before
    assert not Path(f"{database}-wal").exists() or not Path(f"{database}-wal").stat().st_size

    lines = out.splitlines()
    assert lines[0] == (f"file {first} · a***@example.org · - · "
                        "would skip duplicate (already stored)")
    assert lines[1].startswith(f"file {second} · b***@example.org · general_query ")
    assert lines[1].endswith(" · would open case")
    assert lines[2] == (f"file {empty} · (no sender) · - · would quarantine: open case for a "
                        "person to read the raw message")
    assert lines[3].endswith("would skip duplicate (a copy of an earlier one here)")
    assert lines[-1] == ("4 new message(s), 0 stored waiting; "
                         "dry run: nothing stored, sent, moved or flagged")
    for private in ("alice@", "bob@", "Alice Example", "cookies", "note 2"):
        assert private not in out


@pytest.mark.dovecot
def test_poll_dry_run_leaves_mailbox_database_relay_and_slack_alone(
        tmp_path: Path, dovecot: Dovecot, smtp_server: SmtpServer, slack_standin: SlackStandIn,
        capsys, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(IMAP_PASSWORD_ENV, dovecot.password)
    for name, value in (("SLACK_BOT_TOKEN", "xoxb-test"), ("SLACK_APP_TOKEN", "xapp-test"),
                        ("SLACK_SIGNING_SECRET", "s3cret")):
        monkeypatch.setenv(name, value)
    config = write_config(tmp_path, dovecot, smtp_server, slack_standin,
                          processed_folder="Processed")
    database = tmp_path / "triage.sqlite3"
    with dovecot.client() as client:
        client.create_folder("Processed")
    dovecot.append(mail(1, "alice", OPT_OUT))
    assert main(["--config", str(config), "poll", "--once"]) == 0
    assert "fetched 1, triaged 1, delivered" in capsys.readouterr().out
    smtp_server.wait_for(1)

    dovecot.append(mail(2, "carol", OPT_OUT))
    dovecot.append(mail(3, "dave", QUESTION))
    dovecot.append(mail(1, "alice", OPT_OUT))   # the same message again: a duplicate
    before, mailbox, relayed = snapshot(database), imap_state(dovecot), len(
        smtp_server.handler.envelopes)
    slack_calls = len(slack_standin.calls())
    assert slack_calls   # the real pass posted to Slack, so the stand-in is reachable
    assert main(["--config", str(config), "poll", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert snapshot(database) == before            # rows, bytes and last_uid
    assert imap_state(dovecot) == mailbox          # nothing moved, nothing flagged \Seen
    assert len(smtp_server.handler.envelopes) == relayed   # no SMTP conversation at all
    assert len(slack_standin.calls()) == slack_calls       # and no Slack call

    lines = out.splitlines()
    assert lines[0] == "folder INBOX: intake has taken mail up to UID 1"
    assert lines[1].startswith("UID 2 · c***@example.org · opt_out ")
    assert lines[1].endswith("would suppress + close case, confirm by email")
    assert lines[2].startswith("UID 3 · d***@example.org · general_query ")
    assert lines[3] == "UID 4 · a***@example.org · - · would skip duplicate (already stored)"
    assert "carol@" not in out and "dave@" not in out

    assert main(["--config", str(config), "poll", "--once"]) == 0   # the real pass does it
    assert "fetched 2, triaged 2" in capsys.readouterr().out   # the copy skipped


@pytest.mark.dovecot
def test_poll_dry_run_on_first_contact_records_nothing(
        tmp_path: Path, dovecot: Dovecot, capsys, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(IMAP_PASSWORD_ENV, dovecot.password)
    config = write_config(tmp_path, dovecot, start="now")
    dovecot.append(mail(1, "alice", OPT_OUT))
    assert main(["--config", str(config), "poll", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("folder INBOX: first contact (start = 'now'); intake would "
                                   "take mail after UID 1 and leave the rest for backfill")
    assert "0 new message(s)" in out
    assert not (tmp_path / "triage.sqlite3").exists()


@pytest.mark.dovecot
def test_backfill_dry_run_shows_old_mail_unanswered_and_imports_nothing(
        tmp_path: Path, dovecot: Dovecot, silent_relay: SilentSmtpServer, capsys,
        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(IMAP_PASSWORD_ENV, dovecot.password)
    relay = silent_relay   # counts every TCP connection: not one is opened below
    config = write_config(tmp_path, dovecot, relay, start="now")
    database = tmp_path / "triage.sqlite3"
    with dovecot.client() as client:
        for n, who in ((1, "erin"), (2, "frank")):
            client.append("INBOX", mail(n, who, OPT_OUT, date="Tue, 2 May 2023 09:00:00 +0000"),
                          msg_time=datetime(2023, 5, 2, 9, 0, tzinfo=UTC))
    assert main(["--config", str(config), "poll", "--once"]) == 0   # first contact: takes none
    capsys.readouterr()
    before, mailbox = snapshot(database), imap_state(dovecot)
    assert main(["--config", str(config), "backfill", "--since", "2023-01-01", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert snapshot(database) == before and imap_state(dovecot) == mailbox
    lines = out.splitlines()
    assert lines[0] == ("folder INBOX: 2 message(s) since 2023-01-01 up to UID 2, where intake "
                        "took over")
    assert lines[1].startswith("UID 1 · e***@example.org · opt_out ")
    assert lines[1].endswith("would suppress + close case, no confirmation")
    assert lines[2].startswith("UID 2 · f***@example.org · opt_out ")

    assert main(["--config", str(config), "backfill", "--since", "2023-01-01"]) == 0
    assert "stored 2 new, triaged 2" in capsys.readouterr().out
    assert relay.connections == 0   # nobody from the past was mailed, dry or not


def test_a_dry_run_on_an_older_schema_asks_for_db_upgrade_and_does_not_do_it(
        tmp_path: Path, capsys):
    config = write_config(tmp_path)
    database = tmp_path / "triage.sqlite3"
    assert main(["--config", str(config), "db", "upgrade", "--revision", "0001"]) == 0
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    message = tmp_path / "1.eml"
    message.write_bytes(mail(1, "alice", OPT_OUT))
    assert main(["--config", str(config), "triage", "--dry-run", str(message)]) == 2
    assert "privacy-triage db upgrade" in capsys.readouterr().err
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
