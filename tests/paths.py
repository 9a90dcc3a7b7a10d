"""Where tests find files: the repository, and the shared data folder beside it.

The shared folder (docs, mail corpora, labelled data) is not part of the repository: in a
development checkout it sits next to it as ``../shared``. Tests find it relative to the
repository root, never by a machine's absolute path, and skip with a reason where it is absent
(a fresh clone, CI), so the suite never needs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


def shared(*parts: str) -> Path:
    """A path inside ``../shared`` (which may not exist: see :func:`needs_shared`)."""
    return SHARED.joinpath(*parts)


def needs_shared(*parts: str) -> pytest.MarkDecorator:
    """Skip unless ``../shared/<parts>`` exists, saying which file or folder is missing."""
    where = "/".join(("..", "shared", *parts))
    return pytest.mark.skipif(not shared(*parts).exists(),
                              reason=f"{where} is not present beside the repository")
