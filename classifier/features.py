"""Text clean-up and hand-made cue features, as scikit-learn transformers.

Both transformers are stateless (``fit`` learns nothing) and live inside the model's
:class:`~sklearn.pipeline.Pipeline`, so the preprocessing ships with the model file (whose
trusted types name these classes by this module's path: they stay here). What they apply is in
:mod:`classifier.text`, which imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from classifier.text import (
    _ARTICLE,
    ARTICLES,
    CUES,
    FEATURE_NAMES,
    clean_text,
    compose,
    matched_cues,
)

__all__ = ["ARTICLES", "CUES", "FEATURE_NAMES", "IntentCues", "MailText", "clean_text",
           "compose", "matched_cues"]


class MailText(TransformerMixin, BaseEstimator):
    """Transformer applying :func:`clean_text` to each document.

    Args:
        max_chars: passed to :func:`clean_text`.
    """

    def __init__(self, max_chars: int = 3000) -> None:
        self.max_chars = max_chars

    def fit(self, X: Iterable[str], y: object = None) -> MailText:
        return self

    def transform(self, X: Iterable[str]) -> list[str]:
        return [clean_text(str(doc), self.max_chars) for doc in X]


class IntentCues(TransformerMixin, BaseEstimator):
    """Count multilingual intent cues and GDPR article numbers; return them as sparse features.

    Why: n-grams learned from our own corpus miss wordings it lacks; a curated lexicon gives the
    classifier a second, language-spanning view of the same intents.

    Args:
        weight: multiplier applied to the log counts, to balance them against TF-IDF features.
    """

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, X: Iterable[str], y: object = None) -> IntentCues:
        # The only thing fitting records: which features this model's weights belong to, so a
        # model trained with another cue set is refused at load instead of misread (see
        # classifier.model.check_features).
        self.feature_names_ = FEATURE_NAMES
        return self

    def transform(self, X: Iterable[str]) -> sparse.csr_matrix:
        rows = []
        for doc in X:
            doc = str(doc).lower()
            counts = [len(rx.findall(doc)) for rx in CUES.values()]
            found = {m.group(1) for m in _ARTICLE.finditer(doc)}
            counts += [1 if a in found else 0 for a in ARTICLES]
            rows.append(counts)
        matrix = np.log1p(np.asarray(rows, dtype=np.float64).reshape(-1, len(FEATURE_NAMES)))
        return sparse.csr_matrix(matrix * self.weight)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(FEATURE_NAMES, dtype=object)
