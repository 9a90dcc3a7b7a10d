"""The committed real-data files: well-formed, labelled as SOURCES.md says, used in training."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from classifier import LABELS
from classifier.grouped import SOURCES_DIR, group_of, load_groups
from classifier.train import default_training_files

FILES = sorted(SOURCES_DIR.glob("*.jsonl"))
ROWS = [json.loads(line) for path in FILES for line in path.read_text("utf-8").splitlines()]


def test_there_are_real_sources_and_training_uses_them():
    assert len(FILES) >= 4
    assert set(FILES) <= set(default_training_files())


@pytest.mark.parametrize("row", ROWS[::25])
def test_every_row_has_a_known_label_a_language_and_an_origin(row):
    assert row["label"] in LABELS
    assert row["text"].strip()
    assert len(row["lang"]) == 2
    assert row["kind"] in {"template", "dataset"}
    assert "/" in group_of(row["source"])


def test_only_corrections_carry_a_sub_intent_and_it_is_erasure_or_rectification():
    subs = Counter((r["label"], r.get("sub_intent")) for r in ROWS)
    assert {s for (lab, s) in subs if lab != "correction"} == {None}
    assert {s for (lab, s) in subs if lab == "correction"} == {"erasure", "rectification"}


def test_every_origin_is_documented_in_sources_md():
    doc = (SOURCES_DIR / "SOURCES.md").read_text("utf-8")
    for origin in {group_of(r["source"]) for r in ROWS}:
        assert origin in doc


def test_real_letters_cover_the_main_european_languages_with_every_request_type():
    letters = [r for r in ROWS if r["kind"] == "template"]
    for lang in ("en", "de", "fr", "es", "it", "nl", "cs", "sv"):
        labels = {r["label"] for r in letters if r["lang"] == lang}
        assert {"access_request", "correction", "opt_out"} <= labels, lang
    polish = {(r["label"], r.get("sub_intent")) for r in letters if r["lang"] == "pl"}
    assert {("access_request", None), ("correction", "erasure")} <= polish


@pytest.mark.slow  # reads every group, splitting quoted history in ~11,000 rows: about 8 s
def test_each_origin_repository_is_its_own_group_in_the_grouped_cv():
    groups = {row.group for row in load_groups(None)}
    origins = {group_of(r["source"]) for r in ROWS}
    assert origins <= groups
    assert {"good-lly/gdpr-documents", "datenanfragen/data"} <= origins


def test_letters_taken_from_forms_keep_no_blank_fields_or_markup():
    for row in ROWS:
        if group_of(row["source"]) == "good-lly/gdpr-documents":
            assert "**" not in row["text"] and "....." not in row["text"]
            assert "\u200b" not in row["text"]
        if row["kind"] == "template":
            assert not re.search(r"\[\w+>", row["text"]), row["source"]
            assert "{" not in row["text"], row["source"]
