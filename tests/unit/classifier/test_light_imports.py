"""What the service imports at start-up must not pull in scikit-learn or skops.

Every command's start-up used to import scikit-learn, SciPy and skops (about 3 s of CPU) through
``classifier.explain`` → ``classifier.features`` and ``replies.notice``; the model and the
notice load them when they are first used.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

#: Each test starts a fresh interpreter (about 0.3 s apiece): a real process, so not the inner loop.
pytestmark = pytest.mark.slow

LIGHT = ["classifier.text", "classifier.explain", "classifier.policy", "classifier.signals",
         "classifier.model", "replies.notice", "replies.drafting"]


HEAVY = "sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'skops'})"


def _heavy_after(statements: str) -> str:
    code = f"import sys; {statements}; print(','.join({HEAVY}))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.parametrize("module", LIGHT)
def test_importing_does_not_load_scikit_learn_or_skops(module: str) -> None:
    assert _heavy_after(f"import {module}") == ""


def test_building_the_command_line_does_not_load_them() -> None:
    # `privacy-triage --help`, `suppressions check` and `run --role watcher` start this way.
    assert _heavy_after("from bot.cli import build_parser; build_parser()") == ""
