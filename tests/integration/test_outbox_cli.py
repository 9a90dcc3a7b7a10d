"""``outbox list`` and ``outbox retry`` through ``bot.cli.main``, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.cli import main
from bot.store import outbox
from bot.store.db import Store
from bot.store.models import AuditEvent, OutboxItem

Run = Callable[..., tuple[int, str, str]]
QUEUED_AT = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store.open(database_url)
    yield opened
    opened.close()


@pytest.fixture
def run(tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> Run:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")

    def run_cli(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--config", str(config), *argv])
        out, err = capsys.readouterr()
        return code, out, err
    return run_cli


def _queue(store: Store, key: str, state: str) -> int:
    with store.transaction() as session:
        item = outbox.enqueue(session, "email", key, {"to": "jo@example.org", "text": "secret"},
                              not_before=QUEUED_AT)
        assert item is not None
        session.execute(update(OutboxItem).where(OutboxItem.id == item.id).values(
            state=state, attempts=12, last_error="550 mailbox unavailable"))
        return item.id


def test_it_lists_failed_items_without_their_personal_payload(run: Run, store: Store) -> None:
    failed = _queue(store, "confirm:1", "failed")
    _queue(store, "confirm:2", "sent")
    code, out, _ = run("outbox", "list", "--failed", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["id"], r["state"], r["last_error"]) for r in rows] == [
        (failed, "failed", "550 mailbox unavailable")]
    assert "jo@example.org" not in out and "secret" not in out
    code, table, _ = run("outbox", "list")
    assert code == 0 and table.splitlines()[0].split()[:3] == ["ID", "TYPE", "STATE"]
    assert len(table.splitlines()) == 3


def test_retry_requeues_a_failed_item_and_refuses_a_sent_one(run: Run, store: Store) -> None:
    failed = _queue(store, "confirm:1", "failed")
    sent = _queue(store, "confirm:2", "sent")
    code, out, _ = run("outbox", "retry", str(failed), str(sent), "999")
    assert code == 1
    assert f"outbox item {failed}: queued again" in out
    assert f"outbox item {sent}: not requeued" in out and "outbox item 999: not requeued" in out
    with store.sessions() as session:
        item = session.get(OutboxItem, failed)
        assert (item.state, item.attempts) == ("pending", 0)
        assert session.get(OutboxItem, sent).state == "sent"
        events = session.scalars(select(AuditEvent.action)).all()
    assert events == ["outbox.requeued"]
    code, out, _ = run("outbox", "list", "--pending", "--json")
    assert [r["id"] for r in json.loads(out)] == [failed]
