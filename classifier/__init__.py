"""Intent classifier for privacy mail: opt_out, correction, access_request, general_query.

The bot imports exactly these names; keep them stable. They load lazily, so importing
:mod:`classifier.labels` alone (as ``replies`` does) does not load scikit-learn and the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from classifier.labels import LABELS, Label

if TYPE_CHECKING:
    from classifier.model import Prediction, TriageModel, load_model

__all__ = ["LABELS", "Label", "Prediction", "TriageModel", "load_model"]

_FROM_MODEL = ("Prediction", "TriageModel", "load_model")


def __getattr__(name: str) -> Any:
    if name in _FROM_MODEL:
        from classifier import model

        return getattr(model, name)
    raise AttributeError(f"module 'classifier' has no attribute {name!r}")
