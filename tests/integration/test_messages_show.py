"""``messages show`` and ``messages export-raw``: a quarantined message dealt with without SQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.pipeline.ingest import store_raw
from bot.runtime import Runtime
from tests.conftest import make_config
from tests.mail_mutations import PATHOLOGICAL


def _config(tmp_path: Path) -> tuple[Path, str]:
    url = f"sqlite:///{tmp_path / 'triage.sqlite3'}"
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{url}"\n[http]\nenabled = false\n')
    return path, url


def test_show_gives_the_reason_headers_and_text_and_export_raw_the_exact_bytes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, url = _config(tmp_path)
    raw = PATHOLOGICAL["1,000-level nesting"]
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    with Runtime.open(make_config(url)) as rt:
        message_id = store_raw(rt.store, raw, source="file")
    capsys.readouterr()

    assert main(["--config", str(config), "messages", "show", str(message_id)]) == 0
    shown = capsys.readouterr().out
    assert "QUARANTINED: unparseable: " in shown
    assert "A person must read this message" in shown
    assert "From: deep@example.org" in shown

    assert main(["--config", str(config), "messages", "show", "--json", str(message_id)]) == 0
    detail = json.loads(capsys.readouterr().out)
    assert detail["flags"] == ["quarantined"]
    assert ["Subject", "nesting"] in detail["headers"]

    out = tmp_path / "raw.eml"
    assert main(["--config", str(config), "messages", "export-raw", str(message_id),
                 "--out", str(out)]) == 0
    assert out.read_bytes() == raw


def test_show_of_a_missing_message_says_so_and_exits_non_zero(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, _url = _config(tmp_path)
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    assert main(["--config", str(config), "messages", "show", "999"]) == 1
    assert "no message with id 999" in capsys.readouterr().err
