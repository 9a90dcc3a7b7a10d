"""The scikit-learn pipeline: clean-up, features, one-vs-rest calibrated classifiers."""

from __future__ import annotations

from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from classifier.features import IntentCues, MailText

RANDOM_STATE = 0


def build_pipeline(*, c: float = 4.0, cue_weight: float = 1.0,
                   random_state: int = RANDOM_STATE) -> Pipeline:
    """Return an unfitted pipeline mapping composed texts to per-intent probabilities.

    Why hashing: a vocabulary of hundreds of thousands of character n-grams makes the model
    file slow to load; hashed features keep loading well under a second and need no fitting
    beyond the IDF weights. Character n-grams (within word boundaries) carry meaning across
    typos, inflections and languages; word uni- and bigrams carry phrases ("take me off").

    Args:
        c: inverse regularisation strength of each logistic regression.
        cue_weight: scale of the hand-made cue features against the TF-IDF features.
        random_state: seed for the cross-validation folds of the calibration.

    Returns:
        a Pipeline whose ``predict_proba`` gives one column per label, in ``LABELS`` order.
    """
    words = Pipeline([
        ("hash", HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=2**18,
                                   alternate_sign=False, norm=None, lowercase=True,
                                   token_pattern=r"(?u)\b\w+\b")),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
    ])
    chars = Pipeline([
        ("hash", HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=2**19,
                                   alternate_sign=False, norm=None, lowercase=True)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
    ])
    features = FeatureUnion([
        ("words", words),
        ("chars", chars),
        ("cues", IntentCues(weight=cue_weight)),
    ])
    base = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", solver="liblinear",
                              random_state=random_state)
    calibrated = CalibratedClassifierCV(base, method="sigmoid", cv=3, ensemble=False)
    return Pipeline([
        ("clean", MailText()),
        ("features", features),
        ("clf", OneVsRestClassifier(calibrated)),
    ])
