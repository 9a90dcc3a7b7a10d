"""Benchmark the classifier: load time, throughput on one core, peak memory, keyword baseline.

Run: ``python bench/bench_classifier.py``. Prints figures; asserts nothing. The dev.jsonl part
(accuracy against a plain keyword baseline) is skipped when ../shared (beside the repository) is
absent.
"""

from __future__ import annotations

import os

# One core: stop numpy/BLAS from spreading work over threads before they are imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json
import re
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifier.data.generate import generate
from classifier.evaluate import score
from classifier.model import DEFAULT_DIR, LABELS, Prediction, _load_uncached

DEV_PATH = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev.jsonl"

# The kind of rules a person writes in ten minutes: the baseline the model has to beat.
_KEYWORDS = [
    ("opt_out", re.compile(r"unsubscri|newsletter|mailing list|opt.?out|stop (?:e-?mail|send)"
                           r"|marketing|abmeld|désinscri|désabonn|baja|disiscriv|afmeld|wypis"
                           r"|art(?:icle|ikel|ículo|icolo|\.)? ?21\b", re.IGNORECASE)),
    ("access_request", re.compile(r"copy of|subject access|access to my|what (?:data|information)"
                                  r" .* hold|auskunft|accès|acceso|accesso|inzage|dostęp"
                                  r"|art(?:icle|ikel|ículo|icolo|\.)? ?15\b", re.IGNORECASE)),
    ("correction", re.compile(r"delete|erase|update|change my|correct|rectif|edit|remove my|"
                              r"lösch|berichtig|supprim|effac|supres|cancellaz|verwijder|usun"
                              r"|art(?:icle|ikel|ículo|icolo|\.)? ?1[67]\b", re.IGNORECASE)),
]


def keyword_label(text: str) -> str:
    """First rule that matches, else general_query."""
    for label, rx in _KEYWORDS:
        if rx.search(text):
            return label
    return "general_query"


def _as_prediction(label: str) -> Prediction:
    intents = {lab: float(lab == label) for lab in LABELS}
    return Prediction(label, 1.0, intents, (label,), "keywords")


def main() -> None:
    """Print the benchmark figures."""
    t0 = time.perf_counter()
    model = _load_uncached(DEFAULT_DIR)
    load_s = time.perf_counter() - t0
    print(f"model {model.version}: load {load_s:.3f} s (target <= 1 s)")

    rows = generate(3000, seed=7)  # unseen seed: fresh mixes of short notes, mails and letters
    texts = [r["text"] for r in rows]
    subjects = [r["subject"] for r in rows]
    mean_chars = sum(map(len, texts)) / len(texts)
    model.predict(texts[:50], subjects[:50])  # warm-up
    t0 = time.perf_counter()
    for i in range(0, len(texts), 256):
        model.predict(texts[i:i + 256], subjects[i:i + 256])
    elapsed = time.perf_counter() - t0
    rate = len(texts) / elapsed
    print(f"throughput: {rate:,.0f} messages/s on one core, batches of 256 "
          f"({len(texts)} messages, mean {mean_chars:.0f} chars; target >= 2,000)")
    t0 = time.perf_counter()
    for text in texts[:300]:
        model.predict_one(text)
    print(f"one at a time: {300 / (time.perf_counter() - t0):,.0f} messages/s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")

    if not DEV_PATH.exists():
        print(f"dev.jsonl part skipped: {DEV_PATH} not present")
        return
    dev = [json.loads(line) for line in DEV_PATH.read_text(encoding="utf-8").splitlines()
           if line.strip()]
    gold = [r["label"] for r in dev]
    dev_texts = [r["text"] for r in dev]
    langs = [r.get("lang") for r in dev]
    t0 = time.perf_counter()
    preds = model.predict(dev_texts)
    model_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    kw = [_as_prediction(keyword_label(t)) for t in dev_texts]
    kw_s = time.perf_counter() - t0
    m = score(gold, preds, dev_texts, model.opt_out_threshold, langs)
    k = score(gold, kw, dev_texts, 0.5, langs)
    print(f"dev.jsonl ({len(dev)} texts)        {'macro-F1':>9} {'en':>7} {'other':>7} "
          f"{'msg/s':>10}")
    print(f"  model                    {m.macro_f1:>9.3f} {m.by_group['en']:>7.3f} "
          f"{m.by_group['other']:>7.3f} {len(dev) / model_s:>10,.0f}")
    print(f"  keyword baseline         {k.macro_f1:>9.3f} {k.by_group['en']:>7.3f} "
          f"{k.by_group['other']:>7.3f} {len(dev) / kw_s:>10,.0f}")
    print(f"  gain: macro-F1 x{m.macro_f1 / k.macro_f1:.2f} "
          f"(en x{m.by_group['en'] / k.by_group['en']:.2f}, "
          f"other x{m.by_group['other'] / k.by_group['other']:.2f})")
    print(f"  opt-out auto-apply: precision {m.auto_precision:.3f}, coverage "
          f"{m.auto_coverage:.3f} at threshold {model.opt_out_threshold}")


if __name__ == "__main__":
    main()
