"""Model versions: ``SERIES[.REVISION]+DATA`` and how a retrained model's version moves on.

``SERIES`` is the code's model series (:data:`classifier.train.MODEL_SERIES`), ``DATA`` the first
ten hex digits of the training data's hash, and ``REVISION`` counts retrains within a series: a
model written by ``privacy-triage train`` gets one more than the model it replaces, so two models
are never confused in the classifications a case records, even when trained on the same data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_VERSION = re.compile(r"(?P<series>[^.+]+)(?:\.(?P<revision>\d+))?\+(?P<data>.+)")


def parse(version: str) -> tuple[str, int, str] | None:
    """``"1.3+817aa093aa"`` → ``("1", 3, "817aa093aa")``; None for anything else."""
    match = _VERSION.fullmatch(version.strip())
    if match is None:
        return None
    return match["series"], int(match["revision"] or 0), match["data"]


def next_version(fresh: str, replaced: Iterable[str | None]) -> str:
    """The version for a freshly trained model (``fresh``, as training named it) that replaces
    the models whose versions are ``replaced`` (the one at the output folder, the one in use).

    One revision past the newest replaced model of the same series; a new series starts again
    at ``fresh`` itself.
    """
    parsed = parse(fresh)
    if parsed is None:
        return fresh
    series, _, data = parsed
    revisions = [p[1] for v in replaced if v and (p := parse(v)) is not None and p[0] == series]
    if not revisions:
        return fresh
    return f"{series}.{max(revisions) + 1}+{data}"
