"""The classify, train and evaluate commands, run through argparse like the main CLI does."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from classifier import cli, versions
from classifier.model import DEFAULT_DIR
from classifier.train import MODEL_SERIES
from classifier.versions import next_version


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="privacy-triage")
    cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_it_registers_three_subcommands_with_help():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    cli.register(sub)
    assert {"classify", "train", "evaluate"} <= set(sub.choices)
    help_text = parser.format_help()
    assert "classify" in help_text


def test_it_classifies_jsonl(tmp_path, capsys):
    data = tmp_path / "in.jsonl"
    data.write_text(
        json.dumps({"text": "Please take me off your mailing list.", "subject": "Unsubscribe",
                    "sender": "alice@example.org"}) + "\n"
        + json.dumps({"text": "My card hasn't arrived."}) + "\n", encoding="utf-8")
    assert _run(["classify", str(data)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["label"] for r in rows] == ["opt_out", "general_query"]
    for row in rows:
        assert {"label", "confidence", "intents", "auto_opt_out", "reasons"} <= set(row)
        assert isinstance(row["auto_opt_out"], bool) and row["reasons"]
    assert rows[1]["auto_opt_out"] is False


def test_it_classifies_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"text": "unsubscribe"}\n'))
    assert _run(["classify", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["label"] == "opt_out"


def _stub_reader(raw: bytes) -> dict:
    """A mail reader standing in for the service's (``bot/commands/classifying.py``): the body
    after the blank line.

    The classifier cannot import ``bot``; these tests check what it does with whatever the
    injected reader returns or raises. The real reader is tested in tests/unit/bot.
    """
    if not raw.strip():
        raise ValueError("empty message")
    head, _, body = raw.decode().partition("\n\n")
    headers = dict(line.split(": ", 1) for line in head.splitlines())
    return {"text": body, "subject": headers.get("Subject"), "sender": headers.get("From"),
            "is_machine_mail": "Auto-Submitted" in headers, "is_unsubscribe_mail": False}


def _run_with_reader(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="privacy-triage")
    cli.register(parser.add_subparsers(), read_mail=_stub_reader)
    args = parser.parse_args(argv)
    return args.func(args)


def test_it_classifies_a_directory_of_eml_files_through_the_injected_reader(tmp_path, capsys):
    (tmp_path / "a.eml").write_bytes(
        b"From: bob@example.org\nSubject: my data\n\n"
        b"Please send me a copy of all the personal data you hold about me.\n")
    (tmp_path / "b.eml").write_bytes(
        b"From: carol@example.org\nSubject: newsletter\n\nStop emailing me.\n")
    (tmp_path / "notes.txt").write_text("not mail", encoding="utf-8")
    assert _run_with_reader(["classify", str(tmp_path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == [str(tmp_path / "a.eml"), str(tmp_path / "b.eml")]
    assert [r["label"] for r in rows] == ["access_request", "opt_out"]
    assert rows[0]["auto_opt_out"] is False


def test_an_unreadable_eml_file_gets_an_error_row_in_its_place_and_exit_1(tmp_path, capsys):
    (tmp_path / "a.eml").write_bytes(b"From: bob@example.org\n\nWhere is my order?\n")
    (tmp_path / "b.eml").write_bytes(b"")
    (tmp_path / "c.eml").write_bytes(b"From: carol@example.org\n\nunsubscribe me\n")
    assert _run_with_reader(["classify", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [str(tmp_path / n) for n in ("a.eml", "b.eml", "c.eml")]
    assert rows[1] == {"id": str(tmp_path / "b.eml"),
                       "error": "cannot parse as mail: empty message"}
    assert "label" in rows[0] and "label" in rows[2]
    assert f"{tmp_path / 'b.eml'}: cannot parse as mail: empty message" in err


def test_a_missing_eml_file_is_an_error_row(tmp_path, capsys):
    missing = tmp_path / "gone.eml"
    assert _run_with_reader(["classify", str(missing)]) == 1
    row = json.loads(capsys.readouterr().out)
    assert row["id"] == str(missing) and row["error"].startswith("cannot read: ")


def test_the_injected_machine_mail_flag_reaches_the_policy(tmp_path, capsys):
    text = b"Subject: unsubscribe\n\nPlease unsubscribe me from your mailing list.\n"
    (tmp_path / "a.eml").write_bytes(b"From: erin@example.org\n" + text)
    (tmp_path / "b.eml").write_bytes(
        b"From: erin@example.org\nAuto-Submitted: auto-replied\n" + text)
    assert _run_with_reader(["classify", str(tmp_path)]) == 0
    person, machine = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert person["auto_opt_out"] is True
    assert machine["auto_opt_out"] is False and machine["auto_close"] is False


def test_eml_input_without_a_reader_is_refused(tmp_path, capsys):
    (tmp_path / "a.eml").write_bytes(b"From: bob@example.org\n\nhello\n")
    assert _run(["classify", str(tmp_path)]) == 2
    assert "mail reader" in capsys.readouterr().err


def test_it_reports_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"subject": "no text"}\n', encoding="utf-8")
    assert _run(["classify", str(bad)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_it_evaluates_and_plots(tmp_path, capsys):
    data = tmp_path / "gold.jsonl"
    rows = [("Unsubscribe me from your newsletter", "opt_out"),
            ("please stop sending me marketing emails", "opt_out"),
            ("Please correct my surname, it is misspelt", "correction"),
            ("Send me a copy of the personal data you hold on me", "access_request"),
            ("Where is my order?", "general_query")]
    data.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in rows),
                    encoding="utf-8")
    png = tmp_path / "cm.png"
    assert _run(["evaluate", str(data), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and "confusion matrix" in out and "auto-apply" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_it_refuses_evaluation_data_without_labels(tmp_path, capsys):
    data = tmp_path / "gold.jsonl"
    data.write_text('{"text": "hi"}\n', encoding="utf-8")
    assert _run(["evaluate", str(data)]) == 2


@pytest.mark.slow
def test_it_trains_from_the_command_line(tmp_path, capsys):
    data = tmp_path / "train.jsonl"
    extra = tmp_path / "extra.jsonl"
    lines = []
    for i in range(12):
        lines += [{"text": f"unsubscribe me from list {i}", "labels": ["opt_out"]},
                  {"text": f"update my address to {i} Mill Lane", "labels": ["correction"]},
                  {"text": f"send me a copy of my data number {i}", "labels": ["access_request"]},
                  {"text": f"where is my order {i}", "labels": ["general_query"]}]
    data.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    extra.write_text(json.dumps({"text": "stop the texts", "label": "opt_out"}) + "\n",
                     encoding="utf-8")
    out = tmp_path / "model"
    assert _run(["train", "--data", str(data), "--extra-jsonl", str(extra),
                 "--out", str(out)]) == 0
    card = json.loads((out / "card.json").read_text())
    assert card["training_data"]["examples"] == 49
    # One revision past the shipped model it replaces, and one more on each retrain.
    data_hash = card["training_data"]["sha256"][:10]
    shipped = versions.parse(json.loads((DEFAULT_DIR / "card.json").read_text())["version"])
    revision = shipped[1] if shipped and shipped[0] == MODEL_SERIES else 0
    assert card["version"] == f"{MODEL_SERIES}.{revision + 1}+{data_hash}"
    assert _run(["train", "--data", str(data), "--extra-jsonl", str(extra),
                 "--out", str(out)]) == 0
    assert json.loads((out / "card.json").read_text())["version"] == (
        f"{MODEL_SERIES}.{revision + 2}+{data_hash}")


def small_corpus(tmp_path):
    data = tmp_path / "train.jsonl"
    rows = [{"text": f"{text} {i}", "label": label} for i in range(6) for text, label in (
        ("unsubscribe me", "opt_out"), ("fix my address", "correction"),
        ("copy of my data", "access_request"), ("where is my order", "general_query"))]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return data


@pytest.mark.parametrize("out", [None, str(DEFAULT_DIR), str(DEFAULT_DIR / "sub"),
                                 str(DEFAULT_DIR / ".." / "model")])
def test_train_never_overwrites_the_shipped_model_unless_told(tmp_path, capsys, out):
    before = {p.name: p.read_bytes() for p in DEFAULT_DIR.iterdir()}
    argv = ["train", "--data", str(small_corpus(tmp_path))] + (["--out", out] if out else [])
    assert _run(argv) == 2
    err = capsys.readouterr().err
    assert ("--out DIR" in err) if out is None else ("--update-shipped-model" in err)
    assert {p.name: p.read_bytes() for p in DEFAULT_DIR.iterdir()} == before


def test_the_shipped_model_flag_and_another_out_contradict(tmp_path, capsys):
    assert _run(["train", "--update-shipped-model", "--out", str(tmp_path)]) == 2
    assert "leave out --out" in capsys.readouterr().err


@pytest.mark.parametrize(("fresh", "replaced", "expected"), [
    ("1+abc", ["1+817aa093aa"], "1.1+abc"),          # the shipped model: first retrain
    ("1+abc", ["1.4+def", "1+817aa093aa"], "1.5+abc"),   # past the newest replaced
    ("1+abc", [None, None], "1+abc"),                 # nothing replaced
    ("2+abc", ["1.7+def"], "2+abc"),                  # a new series starts again
    ("1+abc", ["garbage", "1.2+x"], "1.3+abc"),
    ("unversioned", ["1+x"], "unversioned"),
])
def test_a_retrained_model_gets_the_next_revision(fresh, replaced, expected):
    assert next_version(fresh, replaced) == expected
