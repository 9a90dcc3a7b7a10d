"""Read the hand-written corpus fragments from their data files (``classifier/data/fragments/``).

Why data files: the fragments are text, not code. Keeping them as one JSON file per language lets
people who read the language (not Python) review and extend them, lets the package ship them
as package data, and keeps ``generate.py`` about composition only. The files are the only copy:
``generate.py`` reads them through this module, and ``corpus.jsonl`` is rebuilt from them byte
for byte (``tests/unit/classifier/test_fragments.py``).

Layout (see ``fragments/README.md``): ``en.json`` has the English pools (phrases per intent,
support-form lead-ins and actions, general queries, noise such as context, signatures, quoted
history); every other ``<lang>.json`` has greetings, closings, one pool per intent, formal
letter sentences, deadlines, third-party requests and subjects, plus the optional formal-letter
blocks (``access_items``, ``access_list``, ``boilerplate``, ``identity``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FRAGMENTS_DIR = Path(__file__).with_name("fragments")
ENGLISH = "en"
# Formal-letter blocks that English and other languages share in shape.
_LETTER_BLOCKS = ("access_items", "access_list", "boilerplate", "identity")


@dataclass(frozen=True)
class EnglishFragments:
    """The English pools; field names match the keys of ``en.json``."""

    greetings: list[str]
    closings: list[str]
    context: list[str]
    angry: list[str]
    connectors: list[str]
    phrases: dict[str, list[str]]
    combo_leads: list[str]
    combo_actions: dict[str, list[str]]
    general: list[str]
    subjects: dict[str, list[str]]
    misleading_subjects: list[str]
    details: dict[str, list[str]]
    third_party: dict[str, list[str]]
    signatures: list[str]
    footers: list[str]
    quoted: list[str]
    names: list[str]
    addresses: list[str]
    bare: dict[str, list[str]]
    formal: dict[str, list[str]]
    deadline: list[str]


@dataclass(frozen=True)
class Fragments:
    """Every fragment file, loaded.

    Attributes:
        en: the English pools.
        langs: language -> its file's pools (other languages only), in file-name order.
        access_items / access_list / boilerplate / identity: language -> formal-letter block,
            for the languages (English included) whose file has one.
    """

    en: EnglishFragments
    langs: dict[str, dict[str, Any]]
    access_items: dict[str, str]
    access_list: dict[str, list[str]]
    boilerplate: dict[str, list[str]]
    identity: dict[str, str]


def _read(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a JSON object")
    data.pop("about", None)
    return data


def load(directory: Path = FRAGMENTS_DIR) -> Fragments:
    """Load every ``<lang>.json`` under ``directory`` (English is required)."""
    files = {path.stem: _read(path) for path in sorted(directory.glob("*.json"))}
    if ENGLISH not in files:
        raise FileNotFoundError(f"{directory}: no {ENGLISH}.json")
    blocks: dict[str, dict[str, Any]] = {name: {} for name in _LETTER_BLOCKS}
    for lang, data in files.items():
        for name in _LETTER_BLOCKS:
            if name in data:
                blocks[name][lang] = data.pop(name)
    english = files.pop(ENGLISH)
    return Fragments(en=EnglishFragments(**english), langs=files, **blocks)


@cache
def shipped() -> Fragments:
    """The fragments shipped with the package (read once per process)."""
    return load()
