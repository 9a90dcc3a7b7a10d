"""Train the triage model and choose its thresholds.

Training is a command (``privacy-triage train``), never a start-up step. The same data and code
give the same model file, byte for byte (see :func:`classifier.model.model_bytes`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.metrics import f1_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MultiLabelBinarizer
from tqdm import tqdm

from classifier.data.generate import CORPUS_PATH
from classifier.errors import TrainingDataError
from classifier.evaluate import auto_applied, score
from classifier.jsonl import read_jsonl
from classifier.labels import LABELS, Label
from classifier.model import FIXED_RULE, TOP_LABEL_RULE, TriageModel, save_model
from classifier.pipeline import RANDOM_STATE, build_pipeline
from classifier.quoting import latest_reply
from classifier.text import compose

logger = logging.getLogger(__name__)

# Series 2: the pipeline reads the mail edge's reply text and the cue set changed (issue 12, 9).
MODEL_SERIES = "2"
TARGET_AUTO_PRECISION = 0.995
# Never automate below this, whatever a small validation set says.
MIN_AUTO_THRESHOLD = 0.9
HOLDOUT_SHARE = 0.15
SOURCES_DIR = Path(__file__).with_name("data") / "sources"
PIPELINE_DESCRIPTION = ("MailText > [word 1-2 + char_wb 3-5 hashed TF-IDF, IntentCues] > "
                        "one-vs-rest calibrated LogisticRegression")

Example = tuple[str, tuple[str, ...]]


@dataclass
class TrainedModel:
    """A freshly fitted pipeline and its model card (not yet written to disk)."""

    pipeline: Pipeline
    card: dict[str, Any]

    def to_triage_model(self) -> TriageModel:
        return TriageModel(pipeline=self.pipeline, card=self.card)

    def save(self, out_dir: str | Path) -> Path:
        """Write the model file and card; see :func:`classifier.model.save_model`."""
        return save_model(self.pipeline, self.card, out_dir)


def to_examples(rows: Iterable[dict[str, Any]]) -> list[Example]:
    """Turn records with ``text``, ``label`` or ``labels`` and optional ``subject`` into examples.

    Each text is cut to its newest reply with the mail edge's rule
    (:func:`classifier.quoting.latest_reply`), so the model trains on what it will be given at
    run time: the corpus's quoted Gmail/Outlook history is removed the way ingest removes it.

    Raises:
        TrainingDataError: for a record without a known label.
    """
    out = []
    for number, row in enumerate(rows, 1):
        labels = row.get("labels") or ([row["label"]] if row.get("label") else [])
        labels = tuple(dict.fromkeys(labels))
        if not labels or any(lab not in LABELS for lab in labels):
            raise TrainingDataError(f"unknown or missing label {labels!r}", line=number)
        out.append((compose(latest_reply(row["text"]), row.get("subject")), labels))
    return out


def default_training_files() -> list[Path]:
    """The generated corpus and every real-data file in ``classifier/data/sources``."""
    return [CORPUS_PATH, *sorted(SOURCES_DIR.glob("*.jsonl"))]


def load_corpus(paths: Sequence[str | Path] | None = None) -> list[Example]:
    """The project's training data (or the given JSONL files) as examples."""
    files = list(paths) if paths else default_training_files()
    examples: list[Example] = []
    for path in files:
        examples.extend(to_examples(read_jsonl(path)))
    return examples


def data_sha256(examples: Sequence[Example]) -> str:
    """A hash of the training examples, order included, for the model card."""
    digest = hashlib.sha256()
    for text, labels in examples:
        digest.update(json.dumps([text, list(labels)], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def _is_holdout(text: str) -> bool:
    """Deterministic hold-out membership (a CRC of the text, not a random draw)."""
    return zlib.crc32(text.encode("utf-8")) % 1000 < HOLDOUT_SHARE * 1000


def _present_thresholds(y_true: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """Per-label threshold that maximises F1 of that label's detection on held-out examples."""
    grid = np.round(np.arange(0.2, 0.96, 0.05), 2)
    out = {}
    for j, lab in enumerate(LABELS):
        scores = [f1_score(y_true[:, j], probs[:, j] >= t, zero_division=0) for t in grid]
        out[lab] = float(grid[int(np.argmax(scores))])
    return out


def choose_auto_threshold(model: TriageModel, rows: Sequence[dict[str, Any]],
                          target: float = TARGET_AUTO_PRECISION) -> float:
    """Lowest opt-out threshold whose auto-apply precision on ``rows`` reaches ``target``.

    The policy's other conditions (single intent, no third party) apply as in production, so
    the threshold is chosen for the decision the bot really makes. Never below
    MIN_AUTO_THRESHOLD; 0.999 if nothing reaches the target.
    """
    texts = [r["text"] for r in rows]
    gold = [r["label"] for r in rows]
    predictions = model.predict(texts, [r.get("subject") for r in rows])
    for t in np.round(np.arange(MIN_AUTO_THRESHOLD, 0.9995, 0.0025), 4):
        auto = auto_applied(predictions, texts, float(t))
        n_auto = sum(auto)
        hits = sum(1 for a, g in zip(auto, gold, strict=True) if a and g == Label.OPT_OUT)
        if n_auto and hits / n_auto >= target:
            return float(t)
    return 0.999


def train_model(examples: Iterable[Example] | None = None, extra: Iterable[Example] = (),
                validation: Sequence[dict[str, Any]] | None = None, *, progress: bool = False,
                random_state: int = RANDOM_STATE) -> TrainedModel:
    """Fit the pipeline on all the data and build the model card.

    Thresholds follow the fixed rule of :data:`classifier.model.FIXED_RULE` (the one the
    leave-one-source-out figures were measured with), so none is tuned on a scored set.

    Args:
        examples: (text, labels) pairs; None uses the shipped corpus and real sources.
        extra: more labelled examples, e.g. staff reclassifications.
        validation: rows with ``text`` and ``label`` (optionally ``lang``), only scored and
            recorded in the card, never used to fit or to choose anything.
        progress: show a tqdm progress bar on stderr.
        random_state: seed for the pipeline.

    Returns:
        a TrainedModel; call ``.save(dir)`` to write it.
    """
    extra = list(extra)
    data = list(load_corpus() if examples is None else examples) + extra
    if not data:
        raise TrainingDataError("no training examples")
    binarizer = MultiLabelBinarizer(classes=LABELS)
    steps = tqdm(total=2, desc="train", disable=not progress, unit="step")

    steps.set_postfix_str("fit")
    y_all = binarizer.fit_transform([labels for _, labels in data])
    pipeline = build_pipeline(random_state=random_state)
    pipeline.fit([text for text, _ in data], y_all)
    steps.update()

    sha = data_sha256(data)
    card = {
        "version": f"{MODEL_SERIES}+{sha[:10]}",
        "labels": list(LABELS),
        "training_data": {"sha256": sha, "examples": len(data), "extra": len(extra)},
        "sklearn_version": sklearn.__version__,
        "pipeline": PIPELINE_DESCRIPTION,
        "random_state": random_state,
        "top_label": TOP_LABEL_RULE,
        "thresholds": {"present": dict(FIXED_RULE["present"]),
                       "opt_out_auto": FIXED_RULE["opt_out_auto"],
                       "chosen_on": "fixed rule (see docs/classifier.md)"},
        "metrics": {"grouped_cv": "privacy-triage evaluate --grouped; figures in "
                                  "docs/classifier.md"},
    }
    model = TriageModel(pipeline=pipeline, card=card)

    steps.set_postfix_str("report")
    if validation:
        rows = list(validation)
        texts = [r["text"] for r in rows]
        preds = model.predict(texts, [r.get("subject") for r in rows])
        report = score([r["label"] for r in rows], preds, texts,
                       card["thresholds"]["opt_out_auto"], [r.get("lang") for r in rows])
        card["metrics"]["validation"] = {
            "n": report.n, "macro_f1": round(report.macro_f1, 4),
            "macro_f1_by_group": {k: round(v, 4) for k, v in report.by_group.items()},
            "auto_precision": round(report.auto_precision, 4),
            "auto_coverage": round(report.auto_coverage, 4),
            "note": "scored only; this set may also be in the training data when given to "
                    "--data",
        }
    steps.update()
    steps.close()
    logger.info("Trained model %s on %d examples", card["version"], len(data))
    return TrainedModel(pipeline=pipeline, card=card)
