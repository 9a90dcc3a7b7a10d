"""`train --from-database` hands staff reclassifications to the classifier's trainer."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bot.commands.staff_training import _with_staff_labels
from bot.store.db import Store
from bot.store.models import Case, Classification, Message
from classifier import versions
from classifier.model import DEFAULT_DIR
from classifier.train import MODEL_SERIES


def test_staff_labels_and_extra_examples_reach_the_trainer(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    store = Store.open(url)
    with store.transaction() as session:
        case = Case(label="general_query")
        session.add(case)
        session.flush()
        message = Message(source="file", dedup_key="k1", raw=b"x", size=1, case_id=case.id,
                          reply_text="Please stop the newsletters to me")
        session.add(message)
        session.flush()
        for label, by in (("general_query", "model"), ("opt_out", "staff:U1")):
            session.add(Classification(case_id=case.id, message_id=message.id, label=label,
                                       confidence=1.0, model_version="m", by=by))
    store.close()
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"text": "Fix my postcode", "label": "correction"}) + "\n")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{url}"\n')
    seen: list[list[dict]] = []

    def trainer(args: argparse.Namespace) -> int:
        lines = Path(args.extra_jsonl).read_text().splitlines()
        seen.append([json.loads(line) for line in lines])
        return 0

    args = argparse.Namespace(config=str(config), from_database=True, extra_jsonl=str(extra))
    assert _with_staff_labels(trainer)(args) == 0
    assert seen == [[{"text": "Please stop the newsletters to me", "label": "opt_out"},
                     {"text": "Fix my postcode", "label": "correction"}]]


@pytest.mark.slow  # trains a (small) model
def test_train_writes_to_the_configured_model_path_without_out(tmp_path: Path, capsys):
    from bot.cli import main

    model_dir = tmp_path / "site-model"
    model_dir.mkdir()
    data = tmp_path / "train.jsonl"
    rows = [{"text": f"{text} {i}", "label": label} for i in range(6) for text, label in (
        ("unsubscribe me", "opt_out"), ("fix my address", "correction"),
        ("copy of my data", "access_request"), ("where is my order", "general_query"))]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite3"}"\n'
                      f'[triage]\nmodel_path = "{model_dir}"\n')
    assert main(["--config", str(config), "train", "--data", str(data)]) == 0
    assert f"configured [triage] model_path: {model_dir}" in capsys.readouterr().out
    card = json.loads((model_dir / "card.json").read_text())
    # One past the shipped model it stands in for.
    shipped = versions.parse(json.loads((DEFAULT_DIR / "card.json").read_text())["version"])
    revision = shipped[1] if shipped and shipped[0] == MODEL_SERIES else 0
    assert card["version"].startswith(f"{MODEL_SERIES}.{revision + 1}+")
