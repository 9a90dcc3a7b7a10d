"""Staff reclassifications as training data: ``privacy-triage train --from-database``.

Every time staff relabel a case in Slack, a ``Classification`` row with ``by = "staff:<user>"``
records the message and the label a person chose. Exported as JSONL (``{"text", "label"}`` per
line), the file is exactly what the classifier's ``train --extra-jsonl FILE`` reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from bot.store import cases
from bot.store.db import Store


def staff_examples(store: Store) -> list[dict[str, str]]:
    """Staff-labelled messages as ``{"text", "label"}`` rows, the latest label per text.

    When staff relabelled the same text more than once, only the last label is kept, so a
    corrected mistake does not stay in the training data.
    """
    with store.sessions() as session:
        pairs = cases.staff_labels(session)
    latest: dict[str, str] = {}
    for text, label in pairs:
        latest.pop(text, None)  # keep insertion order = order of the latest label
        latest[text] = label
    return [{"text": text, "label": label} for text, label in latest.items()]


def export_staff_labels(store: Store, out: IO[str]) -> int:
    """Write :func:`staff_examples` to ``out`` as JSONL; returns how many lines."""
    rows = staff_examples(store)
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def export_staff_labels_to(store: Store, path: str | Path) -> int:
    """Like :func:`export_staff_labels`, into a file (created or replaced)."""
    with open(path, "w", encoding="utf-8") as out:
        return export_staff_labels(store, out)
