"""The corpus fragments are data files: they load, they ship, and they rebuild the same corpus."""

from __future__ import annotations

import hashlib
import json
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from classifier.data.fragment_files import FRAGMENTS_DIR, load
from classifier.data.generate import CORPUS_PATH, write_corpus

ROOT = Path(__file__).resolve().parents[3]
# sha256 of classifier/data/corpus.jsonl when the fragments still lived in fragments_en.py and
# fragments_intl.py (commit 06123c7). Moving them into JSON must not change one byte. Change this
# only together with a deliberate change of the fragments or the generator (and a retrain).
CORPUS_SHA256 = "6cf826e6943a51eb90c3653d91e716184badbf4ca2d06bcc80816a665249cf80"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_regenerating_from_the_data_files_gives_the_committed_corpus_byte_for_byte(tmp_path):
    rebuilt = write_corpus(tmp_path / "corpus.jsonl")
    assert _sha256(rebuilt) == CORPUS_SHA256
    assert _sha256(CORPUS_PATH) == CORPUS_SHA256


def test_every_language_of_the_corpus_has_a_fragment_file_and_no_python_fragments_remain():
    names = {p.stem for p in FRAGMENTS_DIR.glob("*.json")}
    assert {"en", "de", "fr", "es", "it", "nl", "pl", "pt", "cs", "hr", "el", "ro", "sv"} <= names
    assert not list(FRAGMENTS_DIR.parent.glob("fragments_*.py"))


def test_each_language_file_has_a_pool_for_every_intent():
    frags = load()
    for lang, pools in frags.langs.items():
        for key in ("greetings", "closings", "opt_out", "correction", "access_request",
                    "general_query", "formal", "deadline"):
            assert pools[key], (lang, key)
        assert lang in frags.access_items, lang
    assert set(frags.en.phrases) == {"opt_out", "correction", "access_request"}
    assert set(frags.en.combo_actions) == {"opt_out", "correction", "access_request",
                                           "general_query"}


def test_a_file_missing_english_or_holding_a_list_is_refused(tmp_path):
    (tmp_path / "de.json").write_text(json.dumps({"greetings": ["Hallo"]}), encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        load(tmp_path)
    (tmp_path / "en.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError):
        load(tmp_path)


def test_package_data_ships_the_fragment_files():
    """A non-editable install must carry the JSON files that generate.py reads."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]
    shipped = [*patterns.get("*", []), *patterns.get("classifier.data", [])]
    for path in FRAGMENTS_DIR.glob("*.json"):
        rel = path.relative_to(FRAGMENTS_DIR.parent).as_posix()
        assert any(fnmatch(rel, pat) for pat in patterns.get("classifier.data", [])) or any(
            fnmatch(path.name, pat) for pat in shipped), rel
