"""Load, save and run the triage model: the public face of the classifier.

The model is a fitted scikit-learn pipeline saved with skops (no pickle, nothing runs on load)
next to a JSON model card holding its version, metrics and thresholds.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

from classifier.errors import ModelError
from classifier.labels import LABELS
from classifier.text import compose

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

DEFAULT_DIR = Path(__file__).with_name("model")
MODEL_FILE = "triage.skops"
CARD_FILE = "card.json"

# Our own classes plus what skops cannot vouch for by default in this pipeline. Anything else in
# a model file makes loading fail instead of running unknown code.
TRUSTED_TYPES = [
    "classifier.features.IntentCues",
    "classifier.features.MailText",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
]


# Auto-apply threshold of every model built or loaded in this process, by model version, so the
# policy can honour the card of the model that made a prediction (see opt_out_threshold_for).
_OPT_OUT_THRESHOLDS: dict[str, float] = {}
FALLBACK_OPT_OUT_THRESHOLD = 0.99
class ThresholdRule(TypedDict):
    """A model card's ``thresholds``: detection per label, and the automatic opt-out floor."""

    present: dict[str, float]
    opt_out_auto: float


# The thresholds every model is trained and measured with: a fixed rule, written into each card
# by training and used for every fold of the grouped figures, so nothing is tuned on what is
# scored. Detection ("present") at 0.5 is the natural cut of a probability; automatic opt-outs
# need 0.9, the floor the project has used since the first model.
FIXED_RULE: ThresholdRule = {"present": dict.fromkeys(LABELS, 0.5), "opt_out_auto": 0.9}

# How the top label is chosen, recorded in each card as ``top_label``. "probability": the
# arg-max of the per-label calibrated probabilities (series 2.1 and before; a card without the
# key). "margin": the arg-max of the per-label estimators' raw margins. Why: each label's sigmoid
# is fitted on its own, so the probabilities carry each label's prior and are not comparable
# across labels (general_query's maps a margin of 0 to ~0.75, correction's to ~0.4); the margins
# of the class-balanced logistic regressions share one scale with 0 as every label's balanced
# boundary. A fixed rule with nothing to tune. The calibrated probabilities stay the
# ``intents`` and drive "present" and the automatic path's thresholds either way.
# Measured on the grouped CV (bench/compare_top_label.py, docs/classifier.md): the margin rule
# lifts banking77 but lowers the English real slice, so training keeps "probability".
TOP_LABEL_RULES = ("probability", "margin")
TOP_LABEL_RULE = "probability"


def opt_out_threshold_for(model_version: str) -> float:
    """The card's opt-out auto-apply threshold for a model version seen in this process.

    Falls back to FALLBACK_OPT_OUT_THRESHOLD for an unknown version (strict on purpose).
    """
    return _OPT_OUT_THRESHOLDS.get(model_version, FALLBACK_OPT_OUT_THRESHOLD)


@dataclass(frozen=True)
class Prediction:
    """What the model thinks one message asks for.

    Attributes:
        label: the top intent, chosen by the card's ``top_label`` rule (see TOP_LABEL_RULE).
        confidence: its calibrated probability (with the margin rule it may be below another
            label's).
        intents: probability of every label (all four), independent one-vs-rest estimates.
        present: intents above their detection threshold, most probable first; never empty.
        model_version: version string from the model card.
    """

    label: str
    confidence: float
    intents: dict[str, float]
    present: tuple[str, ...]
    model_version: str


@dataclass
class TriageModel:
    """A fitted pipeline plus the thresholds and metadata from its model card.

    Args:
        pipeline: fitted pipeline; ``predict_proba`` returns one column per label of LABELS.
        card: model card dict; ``card["thresholds"]["present"]`` maps labels to detection
            thresholds and ``card["thresholds"]["opt_out_auto"]`` is the auto-apply threshold.
    """

    pipeline: Pipeline
    card: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if "opt_out_auto" in self.card.get("thresholds", {}):
            _OPT_OUT_THRESHOLDS[self.version] = self.opt_out_threshold

    @property
    def version(self) -> str:
        return str(self.card.get("version", "unversioned"))

    @property
    def top_label_rule(self) -> str:
        """The card's rule for the top label; "probability" for a card that names none."""
        rule = str(self.card.get("top_label", "probability"))
        if rule not in TOP_LABEL_RULES:
            raise ModelError(f"unknown top_label rule {rule!r} in the model card")
        return rule

    @property
    def present_thresholds(self) -> dict[str, float]:
        given = self.card.get("thresholds", {}).get("present", {})
        return {label: float(given.get(label, 0.5)) for label in LABELS}

    @property
    def opt_out_threshold(self) -> float:
        given = self.card.get("thresholds", {}).get("opt_out_auto")
        return FALLBACK_OPT_OUT_THRESHOLD if given is None else float(given)

    def predict(self, texts: Sequence[str],
                subjects: Sequence[str | None] | None = None) -> list[Prediction]:
        """Classify several messages at once (faster than one by one).

        Args:
            texts: message bodies (plain text).
            subjects: subjects in the same order, or None.

        Returns:
            one Prediction per text.

        Raises:
            ValueError: if ``subjects`` and ``texts`` differ in length.
        """
        if isinstance(texts, str):
            raise TypeError("texts must be a sequence of strings, not one string")
        if subjects is not None and len(subjects) != len(texts):
            raise ValueError("texts and subjects must have the same length")
        if not texts:
            return []
        subjects = subjects if subjects is not None else [None] * len(texts)
        docs = [compose(t, s) for t, s in zip(texts, subjects, strict=True)]
        if self.top_label_rule == "margin":
            probs, margins = label_scores(self.pipeline, docs)
            return [self._to_prediction(row, m) for row, m in zip(probs, margins, strict=True)]
        probs = np.asarray(self.pipeline.predict_proba(docs), dtype=float)
        return [self._to_prediction(row) for row in probs]

    def predict_one(self, text: str, subject: str | None = None) -> Prediction:
        """Classify one message; see :meth:`predict`."""
        return self.predict([text], [subject])[0]

    def _to_prediction(self, row: np.ndarray, margins: np.ndarray | None = None) -> Prediction:
        intents = {label: round(float(p), 6) for label, p in zip(LABELS, row, strict=True)}
        order = sorted(LABELS, key=lambda lab: (-intents[lab], LABELS.index(lab)))
        # With margins: the first of equal margins, in LABELS order (np.argmax).
        top = order[0] if margins is None else LABELS[int(np.argmax(margins))]
        thresholds = self.present_thresholds
        present = (top,) + tuple(lab for lab in order if lab != top
                                 and intents[lab] >= thresholds[lab])
        return Prediction(label=top, confidence=intents[top], intents=intents, present=present,
                          model_version=self.version)


def label_scores(pipeline: Pipeline, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated probabilities and raw margins per label (columns in LABELS order), one pass.

    Reads the one-vs-rest estimators directly: each is a CalibratedClassifierCV whose
    calibrated classifiers hold a fitted logistic regression and its sigmoid. The probabilities
    are exactly ``pipeline.predict_proba``'s; the margins are the regressions' decision values
    (averaged like the probabilities when calibration kept several). A label that was constant
    in training has no estimator: its margin is +/-1e6 after its constant probability.
    """
    features = pipeline[:-1].transform(docs)
    n = features.shape[0]
    probs, margins = np.zeros((n, len(LABELS))), np.zeros((n, len(LABELS)))
    for j, est in enumerate(pipeline[-1].estimators_):
        calibrated = getattr(est, "calibrated_classifiers_", None)
        if calibrated is None:
            p = np.asarray(est.predict_proba(features), dtype=float)[:, 1]
            probs[:, j], margins[:, j] = p, np.where(p >= 0.5, 1e6, -1e6)
            continue
        for part in calibrated:
            m = np.asarray(part.estimator.decision_function(features), dtype=float).ravel()
            margins[:, j] += m / len(calibrated)
            probs[:, j] += np.asarray(part.calibrators[0].predict(m), dtype=float) / len(
                calibrated)
    return probs, margins


def _canonical_zip(data: bytes) -> bytes:
    """Rewrite a skops archive so that the same model always gives the same bytes.

    Why: skops names members after ``id()`` of live objects and stamps the current time, so two
    saves of one model differ. Renumbering the ids in order of appearance and fixing the
    timestamps makes the file hash a fingerprint of the model.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    schema = src.read("schema.json").decode("utf-8")
    mapping: dict[str, str] = {}
    for match in re.finditer(r'"__id__": (\d+)|"(\d+)\.npy"', schema):
        old = match.group(1) or match.group(2)
        mapping.setdefault(old, str(len(mapping) + 1))

    def renumber(m: re.Match[str]) -> str:
        if m.group(1):
            return f'"__id__": {mapping[m.group(1)]}'
        return f'"{mapping[m.group(2)]}.npy"'

    schema = re.sub(r'"__id__": (\d+)|"(\d+)\.npy"', renumber, schema)
    members = {"schema.json": schema.encode("utf-8")}
    for info in src.infolist():
        if info.filename != "schema.json":
            stem = info.filename.split(".")[0]
            name = f"{mapping.get(stem, stem)}.npy" if info.filename.endswith(".npy") else (
                info.filename)
            members[name] = src.read(info.filename)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, members[name])
    return out.getvalue()


def model_bytes(pipeline: object) -> bytes:
    """Serialise a fitted pipeline with skops, canonicalised (see :func:`_canonical_zip`)."""
    import skops.io as sio  # at use: importing skops costs ~1 s of every command's start-up

    return _canonical_zip(sio.dumps(pipeline))


def save_model(pipeline: object, card: dict[str, Any], out_dir: str | Path) -> Path:
    """Write ``triage.skops`` and ``card.json`` into ``out_dir``; return the directory.

    The card gains ``model_sha256``, the hash of the written model file.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = model_bytes(pipeline)
    (out / MODEL_FILE).write_bytes(data)
    card = dict(card, model_sha256=hashlib.sha256(data).hexdigest())
    (out / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True, ensure_ascii=False)
                                 + "\n", encoding="utf-8")
    return out


def _trusted(data: bytes) -> list[str]:
    """The explicit trust list: skops' defaults are implied; we add only our own transformers."""
    import skops.io as sio

    unknown = sio.get_untrusted_types(data=data)
    extra = sorted(set(unknown) - set(TRUSTED_TYPES))
    if extra:
        raise ModelError(f"model file contains types we do not trust: {', '.join(extra)}")
    return list(TRUSTED_TYPES)


def _load_uncached(directory: Path) -> TriageModel:
    model_path = directory / MODEL_FILE
    try:
        data = model_path.read_bytes()
        card = json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read model in {directory}: {exc}") from exc
    expected = card.get("model_sha256")
    if expected and hashlib.sha256(data).hexdigest() != expected:
        raise ModelError(f"{model_path} does not match the hash in its model card")
    try:
        import skops.io as sio

        pipeline = sio.loads(data, trusted=_trusted(data))
    except ModelError:
        raise
    except Exception as exc:  # skops raises several types; name the file for the operator
        raise ModelError(f"cannot load {model_path}: {exc}") from exc
    check_features(pipeline, model_path)
    return TriageModel(pipeline=pipeline, card=card)


def check_features(pipeline: object, where: Path | str = "model") -> None:
    """Refuse a model whose cue features are not the ones this code computes.

    Why: ``IntentCues`` computes its features from the code's lexicon, not from the model file;
    a model trained when the lexicon had other groups would load and read the wrong columns
    (the count may even match). Fitting records the feature names; they must match.

    Raises:
        ModelError: naming the file, when the names differ or were never recorded.
    """
    from classifier.features import FEATURE_NAMES, IntentCues

    steps = getattr(pipeline, "named_steps", {})
    union = steps.get("features") if isinstance(steps, dict) else None
    for _name, step in getattr(union, "transformer_list", []):
        if isinstance(step, IntentCues) and tuple(getattr(step, "feature_names_", ())) != (
                FEATURE_NAMES):
            raise ModelError(f"{where} was trained with other cue features than this code "
                             "computes; retrain it with `privacy-triage train`")


@lru_cache(maxsize=4)
def _load_cached(directory: str) -> TriageModel:
    return _load_uncached(Path(directory))


def load_model(path: str | Path | None = None) -> TriageModel:
    """Load a model directory (or the shipped default when ``path`` is None), cached.

    Args:
        path: a directory holding ``triage.skops`` and ``card.json``, or the ``.skops`` file.

    Returns:
        the TriageModel; the same object on later calls with the same path.

    Raises:
        ModelError: if the files are missing, altered, or contain untrusted types.
    """
    directory = Path(path) if path is not None else DEFAULT_DIR
    if directory.suffix == ".skops":
        directory = directory.parent
    return _load_cached(str(directory.resolve()))
