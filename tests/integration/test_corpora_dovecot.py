"""Every real-world corpus file, and broken variants of each, through a real Dovecot and
``privacy-triage poll --once`` run twice as the CLI: exit 0, each distinct message stored once.

Needs ../shared/corpora (found relative to the repository root); skipped cleanly without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.pipeline.ingest import message_fields
from tests.config_files import IMAP_PASSWORD_ENV, imap_section
from tests.paths import REPO_ROOT, needs_shared, shared
from tests.servers.dovecot import Dovecot

ROOT = REPO_ROOT
CORPORA = shared("corpora")

pytestmark = [pytest.mark.dovecot, needs_shared("corpora")]


def _variants(raw: bytes) -> list[bytes]:
    """The message itself, cut in half, with 8-bit bytes in its headers, and with NUL bytes."""
    head_end = raw.find(b"\n\n") if b"\n\n" in raw else len(raw) // 3
    eight_bit = raw[:head_end // 2] + b"\xe9\xfc\xc3(" + raw[head_end // 2:]
    return [raw, raw[: len(raw) // 2], eight_bit, raw.replace(b"\n", b"\x00\n", 3)]


def _mailbox() -> list[bytes]:
    messages = []
    for path in sorted(p for p in CORPORA.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        if raw.strip() and path.suffix.lower() not in (".md", ".rb", ".py", ".txt"):
            messages.extend(v for v in _variants(raw) if v.strip())
    return messages


def _poll(config: Path, password: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, IMAP_PASSWORD_ENV: password, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bot.cli", "--config", str(config), "poll",
                           "--once"], env=env, capture_output=True, text=True, timeout=900,
                          check=False)


@pytest.mark.timeout(1200)
def test_the_corpora_and_their_broken_variants_are_stored_once_by_two_polls(
        tmp_path: Path, dovecot: Dovecot) -> None:
    appended = []
    with dovecot.client() as client:
        for raw in _mailbox():
            try:
                client.append("INBOX", raw)
            except Exception:  # noqa: BLE001 - Dovecot refuses some bytes (bare NUL): not ours
                continue
            appended.append(raw)
    assert len(appended) > 1000
    database = tmp_path / "triage.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{database}"\n' + imap_section(dovecot)
                      + "[http]\nenabled = false\n")
    with dovecot.client() as client:  # the bytes as the server keeps them (it may fix line ends)
        client.select_folder("INBOX", readonly=True)
        held = client.fetch(client.search("ALL"), ["BODY.PEEK[]"])
    distinct = {message_fields(data[b"BODY[]"])["dedup_key"] for data in held.values()}

    first = _poll(config, dovecot.password)
    assert first.returncode == 0, first.stderr[-3000:]
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT dedup_key, uid FROM messages")).all()
    assert len(rows) == len({key for key, _ in rows}) == len(distinct)
    assert {key for key, _ in rows} == distinct
    print(f"\ncorpora in Dovecot: {len(appended)} appended, {len(distinct)} distinct, "
          f"{len(rows)} stored")

    second = _poll(config, dovecot.password)
    assert second.returncode == 0, second.stderr[-3000:]
    with engine.connect() as connection:
        again = connection.execute(text("SELECT dedup_key, uid FROM messages")).all()
    assert sorted(again) == sorted(rows)
