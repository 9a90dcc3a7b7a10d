"""What the service imports of the classifier at start-up must not pull in scikit-learn.

Every command's start-up used to import scikit-learn, SciPy and skops (about 3 s of CPU) through
``classifier.explain`` → ``classifier.features``; the model loads them when it is first used.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

LIGHT = ["classifier.text", "classifier.explain", "classifier.policy", "classifier.signals",
         "classifier.model"]


@pytest.mark.parametrize("module", LIGHT)
def test_importing_does_not_load_scikit_learn_or_skops(module: str) -> None:
    code = (f"import sys, {module}; "
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'skops'}); "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()

    assert out == ""
