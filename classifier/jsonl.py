"""Reading labelled JSONL: one reader for every JSONL file the classifier takes in.

Training, evaluation and the grouped figures all read the same format, so a bad line is
reported the same way (file and line number) whichever command met it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from classifier.errors import TrainingDataError


def parse_jsonl(lines: Iterable[str], source: str = "") -> Iterator[dict[str, Any]]:
    """Records from JSONL lines: one object with a ``text`` string per non-blank line.

    Raises:
        TrainingDataError: naming ``source`` and the line, for bad JSON or a record without text.
    """
    where = f"{source}: " if source else ""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TrainingDataError(f"{where}not JSON ({exc.msg})", line=number) from exc
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise TrainingDataError(f"{where}record has no text", line=number)
        yield row


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSONL file into dicts.

    Raises:
        TrainingDataError: on unreadable files, bad JSON, or records without ``text``.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            return list(parse_jsonl(fh, str(path)))
    except OSError as exc:
        raise TrainingDataError(f"cannot read {path}: {exc}") from exc
