"""Score a model on labelled texts: per-class metrics, confusion matrix, opt-out automation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from classifier.labels import LABELS, Label
from classifier.model import Prediction, TriageModel
from classifier.policy import OptOutDecision, decide_opt_out

# A stand-in sender for evaluation: the policy needs a known sender, and evaluation data has none.
EVAL_SENDER = "writer@example.org"


@dataclass(frozen=True)
class EvalReport:
    """Metrics for one labelled set (single-label gold, top-label prediction).

    Attributes:
        per_class: label -> {"precision", "recall", "f1", "support"}.
        macro_f1: mean F1 over the labels present in the gold data.
        confusion: rows are gold labels, columns predictions, both in LABELS order.
        auto_precision: share of automatic opt-outs that really were opt-outs (1.0 if none).
        auto_coverage: share of gold opt-outs that would be applied automatically.
        auto_count: how many messages would be applied automatically.
        by_group: macro-F1 by language group ("en", "other") where languages are known.
        n: number of texts.
    """

    per_class: dict[str, dict[str, float]]
    macro_f1: float
    confusion: list[list[int]]
    auto_precision: float
    auto_coverage: float
    auto_count: int
    by_group: dict[str, float]
    n: int


def _macro(gold: Sequence[str], pred: Sequence[str]) -> float:
    present = [lab for lab in LABELS if lab in set(gold)]
    return float(f1_score(gold, pred, labels=present, average="macro", zero_division=0))


def auto_applied(predictions: Sequence[Prediction], texts: Sequence[str],
                 threshold: float) -> list[bool]:
    """Which predictions the opt-out policy would suppress at once (human-written mail)."""
    return [d.auto_apply for d in _policy(predictions, texts, threshold)]


def auto_closed(predictions: Sequence[Prediction], texts: Sequence[str],
                threshold: float) -> list[bool]:
    """Which the policy would also close with no person: the act that must never be wrong."""
    return [d.closes for d in _policy(predictions, texts, threshold)]


def _policy(predictions: Sequence[Prediction], texts: Sequence[str],
            threshold: float) -> list[OptOutDecision]:
    return [
        decide_opt_out(p, text=t, sender=EVAL_SENDER, is_machine_mail=False,
                       is_unsubscribe_mail=False, threshold=threshold)
        for p, t in zip(predictions, texts, strict=True)
    ]


def score(gold: Sequence[str], predictions: Sequence[Prediction], texts: Sequence[str],
          threshold: float, langs: Sequence[str | None] | None = None) -> EvalReport:
    """Compute an EvalReport from gold labels and predictions.

    Args:
        gold: the true label of each text.
        predictions: model predictions, same order.
        texts: the texts (the policy looks for other addresses and third parties).
        threshold: opt-out auto-apply threshold.
        langs: optional ISO language codes, for the English / other split.
    """
    pred = [p.label for p in predictions]
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, pred, labels=list(LABELS), zero_division=0)
    per_class = {
        lab: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
              "support": int(support[i])}
        for i, lab in enumerate(LABELS)
    }
    auto = auto_applied(predictions, texts, threshold)
    hits = sum(1 for a, g in zip(auto, gold, strict=True) if a and g == Label.OPT_OUT)
    n_auto = sum(auto)
    n_opt = sum(1 for g in gold if g == Label.OPT_OUT)
    by_group: dict[str, float] = {}
    if langs is not None:
        for group in ("en", "other"):
            idx = [i for i, lang in enumerate(langs) if (lang == "en") == (group == "en")]
            if idx:
                by_group[group] = _macro([gold[i] for i in idx], [pred[i] for i in idx])
    return EvalReport(
        per_class=per_class,
        macro_f1=_macro(gold, pred),
        confusion=confusion_matrix(gold, pred, labels=list(LABELS)).tolist(),
        auto_precision=hits / n_auto if n_auto else 1.0,
        auto_coverage=hits / n_opt if n_opt else 0.0,
        auto_count=n_auto,
        by_group=by_group,
        n=len(gold),
    )


def evaluate_rows(model: TriageModel, rows: Sequence[dict[str, Any]]) -> EvalReport:
    """Score ``model`` on rows with ``text``, ``label`` and optional ``subject`` and ``lang``."""
    texts = [str(r["text"]) for r in rows]
    predictions = model.predict(texts, [r.get("subject") for r in rows])
    langs = [r.get("lang") for r in rows] if any("lang" in r for r in rows) else None
    return score([r["label"] for r in rows], predictions, texts, model.opt_out_threshold, langs)


def format_report(report: EvalReport) -> str:
    """Render a report as plain text for the terminal."""
    lines = [f"{'label':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for lab, m in report.per_class.items():
        lines.append(f"{lab:<16}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}"
                     f"{m['support']:>10d}")
    lines.append(f"macro-F1 (labels present): {report.macro_f1:.3f}   n={report.n}")
    for group, value in report.by_group.items():
        lines.append(f"macro-F1 {group}: {value:.3f}")
    lines.append("confusion matrix (rows gold, columns predicted): " + " ".join(LABELS))
    for lab, row in zip(LABELS, report.confusion, strict=True):
        lines.append(f"{lab:<16}" + "".join(f"{v:>8d}" for v in row))
    lines.append(f"opt-out auto-apply: precision {report.auto_precision:.3f}, coverage "
                 f"{report.auto_coverage:.3f} ({report.auto_count} applied)")
    return "\n".join(lines)


def plot_confusion(report: EvalReport, path: str) -> None:
    """Write the confusion matrix as a PNG (matplotlib is imported only here)."""
    plot_matrix(report.confusion, f"macro-F1 {report.macro_f1:.3f}", path)


def plot_matrix(confusion: list[list[int]], title: str, path: str) -> None:
    """Write a confusion matrix (rows gold, columns predicted, LABELS order) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.imshow(confusion, cmap="Blues")
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=30, ha="right")
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    for i, row in enumerate(confusion):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
