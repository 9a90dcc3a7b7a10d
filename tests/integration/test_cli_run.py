"""The commands a person runs: `run` as a real process, `poll --once`, `triage`, `demo`, lists."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli import main
from tests.config_files import (
    IMAP_PASSWORD_ENV,
    imap_password_env,
    imap_section,
    smtp_section,
)
from tests.conftest import TEST_MX
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
OPT_OUT = (b"Authentication-Results: mx.test.example; dmarc=pass header.from=example.org\r\n"
           b"Received: from sender.example.org by mx.test.example; Mon, 23 Nov 2026 09:00 +0000\r\n"
           b"From: Alice <alice@example.org>\r\nTo: support@caplus.org.uk\r\n"
           b"Subject: stop\r\nMessage-ID: <run-1@example.org>\r\n\r\n"
           b"Please remove me from your mailing list, no more marketing emails.\r\n")


def write_config(tmp_path: Path, dovecot: Dovecot | None = None,
                 smtp: SmtpServer | None = None, http_port: int | None = None) -> Path:
    text = f'[database]\nurl = "sqlite:///{tmp_path / "triage.sqlite3"}"\n'
    if dovecot is not None:
        text += imap_section(dovecot, poll_interval_s=60, trusted_authserv_ids=[TEST_MX])
    if smtp is not None:
        text += smtp_section(smtp.host, smtp.port)
    text += "[http]\n" + (f"port = {http_port}\n" if http_port else "enabled = false\n")
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def _watching(database: Path) -> bool:
    """Whether the watcher recorded its first contact with the folder (read as another
    process would: the child owns the schema, which may not exist yet)."""
    try:
        with closing(sqlite3.connect(database, timeout=1)) as conn:
            return bool(conn.execute("SELECT count(*) FROM mailbox_state").fetchone()[0])
    except sqlite3.Error:
        return False


@pytest.mark.dovecot
def test_run_applies_an_opt_out_pushed_by_idle_and_stops_on_sigterm(
        tmp_path: Path, dovecot: Dovecot, smtp_server: SmtpServer):
    config = write_config(tmp_path, dovecot, smtp_server)
    env = {**os.environ, **imap_password_env(dovecot), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "-v", "run"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # Ready once the watcher has met the folder (migrated, connected, first catch-up).
        wait_until(lambda: _watching(tmp_path / "triage.sqlite3") or process.poll() is not None,
                   30, "`run` to start watching")
        assert process.poll() is None, process.communicate()[0]
        dovecot.append(OPT_OUT)
        assert smtp_server.wait_for(1, timeout=20), "no confirmation while `run` was watching"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert smtp_server.messages[0]["To"] == "alice@example.org"
    # The start-up summary, then a line per message: ids, label, action; never the sender.
    assert "privacy-triage run: starting" in output and "SMTP:      on: 127.0.0.1" in output
    assert "Message 1 triaged: opt_out, action auto_opt_out, case 1" in output
    assert "alice" not in output.lower()


@pytest.mark.dovecot
def test_poll_once_prints_what_it_did(tmp_path: Path, dovecot: Dovecot, capsys,
                                      monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(IMAP_PASSWORD_ENV, dovecot.password)
    dovecot.append(OPT_OUT)
    config = write_config(tmp_path, dovecot)
    assert main(["--config", str(config), "poll", "--once"]) == 0
    out = capsys.readouterr().out
    assert "fetched 1, triaged 1" in out
    # No relay configured here: the confirmation waits, and the pass says so.
    assert "still pending: 1 outbox item(s) queued (email 1 (not configured))" in out
    assert main(["--config", str(config), "messages", "list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["sender"] == "alice@example.org" and row["case_id"] == 1
    assert main(["--config", str(config), "cases", "list"]) == 0
    table = capsys.readouterr().out
    assert "auto_resolved" in table and "opt_out" in table


def test_triage_reads_eml_files_and_maildirs_without_imap(tmp_path: Path, capsys):
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.eml").write_bytes(OPT_OUT)
    (maildir / "cur" / "2.eml").write_bytes(OPT_OUT.replace(b"run-1", b"run-2")
                                            .replace(b"alice", b"bob"))
    single = tmp_path / "empty.eml"
    single.write_bytes(b"")  # nothing to parse: kept raw and flagged
    config = write_config(tmp_path)
    assert main(["--config", str(config), "triage", str(maildir), str(single)]) == 0
    assert "stored 3 (duplicates 0), triaged 3" in capsys.readouterr().out
    assert main(["--config", str(config), "triage", str(maildir)]) == 0
    assert "stored 0 (duplicates 2)" in capsys.readouterr().out
    assert main(["--config", str(config), "messages", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3
    (empty,) = [r for r in rows if "quarantined" in r["flags"]]  # kept and flagged, not dropped
    assert empty["quarantine_reason"].startswith("unparseable")
    assert empty["case_id"] is not None  # a person is asked to look at it


def test_demo_runs_on_the_embedded_defaults(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config.toml here
    monkeypatch.delenv("PRIVACY_TRIAGE_CONFIG", raising=False)
    assert main(["demo", "--database", str(tmp_path / "demo.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert "Stored 9 sample messages" in out
    # The simple opt-out is suppressed, but with no trusted MX configured nobody can vouch for
    # the sender, so a person closes it.
    # The verified sample opt-out closes by itself; the unverified one is suppressed, left open.
    assert "case 1: auto_resolved, opt_out" in out
    assert "open, opt_out" in out and "sender not verified" in out
    assert "priya.shah@example.org" in out.split("Suppression list (", 1)[1]
    assert "access_request" in out and "due " in out  # a deadline was computed
    assert "Suppression list (" in out


def test_a_config_mistake_stops_the_command_with_file_and_key(tmp_path: Path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[imap]\nhost = "imap.example.org"\nprot = 993\n')
    assert main(["--config", str(bad), "poll", "--once"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "'imap.prot'" in err and "unknown key" in err
