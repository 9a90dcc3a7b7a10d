"""``cases show`` and ``cases list`` filters through the CLI, on a case the pipeline opened."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from bot.pipeline.ingest import store_raw
from bot.pipeline.triage import triage_pending
from bot.runtime import Runtime

Run = Callable[..., tuple[int, str, str]]
RECEIVED = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)   # a Monday; due a month later
ACCESS = (b"From: Jo Bloggs <jo@example.org>\r\nTo: support@caplus.org.uk\r\n"
          b"Subject: Subject access request\r\nMessage-ID: <sar-1@example.org>\r\n\r\n"
          b"Under Article 15 of the UK GDPR please send me a copy of all the personal data "
          b"you hold about me.\r\n")
QUESTION = (b"From: Al <al@example.org>\r\nTo: support@caplus.org.uk\r\n"
            b"Subject: Cookies\r\nMessage-ID: <q-1@example.org>\r\n\r\n"
            b"Which cookies does your website set?\r\n")


@pytest.fixture
def config_path(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    with Runtime.open(load_config(path)) as rt:
        for raw in (ACCESS, QUESTION):
            store_raw(rt.store, raw, source="file", received_at=RECEIVED)
        triage_pending(rt)
    return path


@pytest.fixture
def run(config_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def run_cli(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([*argv, "--config", str(config_path)])
        out, err = capsys.readouterr()
        return code, out, err
    return run_cli


def test_show_gives_class_deadline_draft_and_history(run: Run) -> None:
    code, out, _ = run("cases", "show", "1", "--json")
    detail = json.loads(out)
    assert code == 0
    assert (detail["label"], detail["state"], detail["due"]) == (
        "access_request", "open", "2027-03-01")
    assert detail["draft"]["version"] == 1 and detail["draft"]["text"]
    assert [e["action"] for e in detail["history"]] == ["case.opened"]
    assert detail["classifications"][0]["by"] == "model"
    code, text, _ = run("cases", "show", "1")
    assert text.startswith("Case 1: open, access_request") and "Draft v1 by model" in text
    assert run("cases", "show", "99")[0] == 1


def test_list_filters_by_label_state_and_due_date(run: Run) -> None:
    def ids(*argv: str) -> list[int]:
        code, out, _ = run("cases", "list", "--json", *argv)
        assert code == 0
        return [row["id"] for row in json.loads(out)]

    assert ids() == [1, 2]
    assert ids("--label", "general_query") == [2]
    assert ids("--state", "resolved") == []
    assert ids("--due-before", "2027-03-02") == [1]
    assert ids("--due-before", "2027-03-01") == []
