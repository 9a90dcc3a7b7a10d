"""The mailer's commands through ``bot.cli.main``: suppressions, audit export, headers.

Each test writes its own TOML config; the database is the ``database_url`` fixture (a temporary
SQLite file, and a fresh PostgreSQL schema when the server is reachable).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import audit, suppressions
from bot.store.db import Store
from bot.unsubscribe import verify_token

SECRET_ENV = "PRIVACY_TRIAGE_UNSUBSCRIBE_SECRET"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def config_path(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{database_url}"\n\n'
                    '[http]\npublic_url = "https://caplus.example/privacy"\n', encoding="utf-8")
    return path


@pytest.fixture
def run(config_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``privacy-triage --config <ours> ARGS``; gives (exit code, stdout, stderr)."""
    def run_cli(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--config", str(config_path), *argv])
        out, err = capsys.readouterr()
        return code, out, err
    return run_cli


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """The same database, opened the way the service opens it, to check what the CLI did."""
    opened = Store.open(database_url)
    yield opened
    opened.close()


def test_add_check_and_remove_with_exit_codes(run: Run, store: Store) -> None:
    assert run("suppressions", "check", "jo@example.org")[:2] == (
        1, "not suppressed: jo@example.org\n")
    code, out, _ = run("suppressions", "add", " <Jo@Example.org>", "--reason", "asked by phone")
    assert (code, out) == (0, "suppressed: jo@example.org\n")
    code, out, _ = run("suppressions", "check", "JO@example.org")
    assert code == 0
    assert out.startswith("suppressed: jo@example.org (since ")
    assert "source cli" in out
    code, out, _ = run("suppressions", "add", "jo@example.org", "--reason", "again")
    assert code == 0 and out.startswith("already suppressed: jo@example.org")
    assert run("suppressions", "remove", "jo@example.org", "--reason", "added by mistake")[:2] == (
        0, "removed: jo@example.org\n")
    assert run("suppressions", "check", "jo@example.org")[0] == 1
    assert run("suppressions", "remove", "jo@example.org", "--reason", "twice")[0] == 1
    with store.sessions() as session:
        assert not suppressions.is_suppressed(session, "jo@example.org")
        events = [(e.action, e.actor, e.details) for e in audit.events(session)]
    assert [a for a, _, _ in events] == ["suppression.added", "suppression.added",
                                         "suppression.removed", "suppression.removed"]
    assert all(actor.startswith("cli:") and len(actor) > 4 for _, actor, _ in events)
    assert events[0][2]["reason"] == "asked by phone"
    assert events[1][2]["already_suppressed"] is True
    assert events[2][2]["reason"] == "added by mistake"
    assert events[3][2]["was_suppressed"] is False


def test_a_non_address_is_exit_code_2_and_changes_nothing(run: Run, store: Store) -> None:
    code, _, err = run("suppressions", "add", "not-an-address", "--reason", "x")
    assert code == 2 and "not an email address" in err
    assert run("suppressions", "check", "@example.org")[0] == 2
    with store.sessions() as session:
        assert list(audit.events(session)) == []


def test_add_and_remove_need_a_reason(run: Run) -> None:
    with pytest.raises(SystemExit) as exited:
        run("suppressions", "add", "jo@example.org")
    assert exited.value.code == 2


def _seed(store: Store) -> None:
    """Ann suppressed in 2025 (by email), Bob now (one click), Cat suppressed then lifted."""
    with store.transaction() as session:
        ann, _ = suppressions.suppress(session, "ann@example.org", reason="opt-out request",
                                       source="email")
        ann.created_at = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
        suppressions.suppress(session, "bob@example.org", reason='said "stop, please"',
                              source="one-click")
        suppressions.suppress(session, "cat@example.org", reason="r", source="cli")
        suppressions.lift(session, "cat@example.org", by="staff:U1")


def test_export_csv_and_json_with_since(run: Run, store: Store, tmp_path: Path) -> None:
    _seed(store)
    code, out, _ = run("suppressions", "export")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["address"] for r in rows] == ["ann@example.org", "bob@example.org"]
    assert list(rows[0]) == ["address", "since", "source", "reason"]
    assert rows[1]["reason"] == 'said "stop, please"'
    code, out, _ = run("suppressions", "export", "--format", "json", "--since", "2026-01-01")
    assert [r["address"] for r in json.loads(out)] == ["bob@example.org"]
    assert json.loads(out)[0]["source"] == "one-click"
    target = tmp_path / "suppressions.csv"
    assert run("suppressions", "export", "--format", "csv", "-o", str(target))[:2] == (0, "")
    assert target.read_bytes().startswith(b"address,since,source,reason\r\n")
    code, out, _ = run("suppressions", "list")
    assert code == 0
    assert "ann@example.org" in out and "cat@example.org" not in out


def test_a_since_that_is_not_iso_is_refused(run: Run) -> None:
    with pytest.raises(SystemExit) as exited:
        run("suppressions", "export", "--since", "last week")
    assert exited.value.code == 2


def test_audit_export_csv_and_json(run: Run) -> None:
    run("suppressions", "add", "jo@example.org", "--reason", "asked by phone")
    run("suppressions", "remove", "jo@example.org", "--reason", "mistake")
    code, out, _ = run("audit", "export", "--format", "json")
    events = json.loads(out)
    assert code == 0
    assert [e["action"] for e in events] == ["suppression.added", "suppression.removed"]
    assert set(events[0]) == {"id", "at", "actor", "action", "case_id", "details"}
    code, out, _ = run("audit", "export", "--format", "csv", "--since", "2999-01-01")
    assert (code, out) == (0, "id,at,actor,action,case_id,details\r\n")
    code, out, _ = run("audit", "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert json.loads(rows[1]["details"])["reason"] == "mistake"


def test_unsubscribe_headers_follow_rfc_8058(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "a secret for the test")
    code, out, err = run("unsubscribe-headers", "Jo@Example.org")
    assert code == 0 and err == ""
    first, second = out.splitlines()
    name, _, value = first.partition(": ")
    assert name == "List-Unsubscribe"
    https, mailto = value.split(", ")
    assert https.startswith("<https://caplus.example/privacy/unsubscribe/") and https[-1] == ">"
    assert verify_token(https[1:-1].rsplit("/", 1)[1], "a secret for the test") == "jo@example.org"
    assert mailto == "<mailto:support@caplus.org.uk?subject=unsubscribe>"
    assert second == "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    code, out, _ = run("unsubscribe-headers", "jo@example.org", "--json")
    assert json.loads(out)["List-Unsubscribe"] == value


def test_unsubscribe_headers_without_a_secret_say_which_variable(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    code, out, err = run("unsubscribe-headers", "jo@example.org")
    assert code == 2 and out == ""
    assert SECRET_ENV in err
