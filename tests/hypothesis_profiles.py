"""Hypothesis profiles: every example count as written in CI, a fifth of it in the inner loop.

``ci`` is Hypothesis' own default (100 examples unless a test says otherwise) and runs each
test's own count (:func:`examples` returns it unchanged). ``dev`` runs a fifth, at least ten:
the same properties over fewer inputs, so the inner loop stays quick. Which one runs
(:func:`profile_for`): ``PRIVACY_TRIAGE_HYPOTHESIS`` when set (``.ci/run`` sets ``ci``); else
``dev`` for the inner loop (``-m "not slow"``) and ``ci`` for anything else, so README's full
command runs the full counts with or without the variable.
"""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import settings

ENV = "PRIVACY_TRIAGE_HYPOTHESIS"
FULL = 100  # Hypothesis' default max_examples: the ci profile changes nothing
settings.register_profile("ci", max_examples=FULL)
settings.register_profile("dev", max_examples=FULL // 5)


def profile_for(markexpr: str, environ: Mapping[str, str]) -> str:
    """The profile to load for this run (see the module docstring)."""
    chosen = environ.get(ENV, "").strip()
    if chosen:
        return chosen
    return "dev" if "not slow" in " ".join(markexpr.split()) else "ci"


def examples(full: int) -> int:
    """A test's example count under the loaded profile: ``full`` in ci, scaled down in dev."""
    scaled = full * settings().max_examples // FULL
    return max(min(full, 10), scaled)
