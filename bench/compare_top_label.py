"""Grouped CV of the top-label rules from the same fits (one run, every rule's figures).

Why: a grouped run costs 6 fits of ~11,000 texts; the top-label rule changes only how a fitted
model's scores are read, so each fold's model is scored under every rule ("probability", the
series-2.1 rule and still the shipped one, "margin", and optionally "multinomial") and each
pooled report is printed.

    python -m bench.compare_top_label --dev ../shared/data/dev.jsonl [--multinomial]
        [--json reports.json] [--rows rows.jsonl]

--multinomial adds a third rule (one softmax regression per fold, for the comparison only);
--rows writes each row's group, language, gold and predicted labels (no text), for error counts.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from classifier import grouped
from classifier.model import TOP_LABEL_RULES, Prediction, TriageModel
from classifier.text import compose


def _multinomial(pipeline: Pipeline, train: list[tuple[str, tuple[str, ...]]],
                 docs: list[str]) -> list[str]:
    """Top labels from one softmax regression on the fold's fitted features (same C, balanced)."""
    features = pipeline[:-1]
    lr = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
    lr.fit(features.transform([t for t, _ in train]), [labels[0] for _, labels in train])
    return [str(x) for x in lr.predict(features.transform(docs))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", default=str(grouped.DEFAULT_DEV_PATH))
    parser.add_argument("--json", help="write both reports as JSON")
    parser.add_argument("--multinomial", action="store_true",
                        help="also score a third rule: the arg-max of one multinomial logistic "
                             "regression fitted on each fold's features (first gold label)")
    parser.add_argument("--rows", help="write every row's gold and predicted labels as JSONL")
    args = parser.parse_args()
    dev = Path(args.dev)
    rows = grouped.load_groups(dev if dev.exists() else None)
    print(f"dev set: {dev if dev.exists() else 'not used'}; rows {len(rows)}", flush=True)
    composed = [compose(r.text, r.subject) for r in rows]
    rules = [*TOP_LABEL_RULES, *(["multinomial"] if args.multinomial else [])]
    out: dict[str, list[Prediction | None]] = {rule: [None] * len(rows) for rule in rules}
    for group in sorted({r.group for r in rows}):
        train = [(composed[i], r.labels) for i, r in enumerate(rows) if r.group != group]
        held = [i for i, r in enumerate(rows) if r.group == group]
        print(f"fold {group}: train {len(train)}, score {len(held)}", file=sys.stderr,
              flush=True)
        fitted = grouped.fit_fixed_rule(train)
        for rule in TOP_LABEL_RULES:
            model = TriageModel(pipeline=fitted.pipeline, card=dict(fitted.card, top_label=rule))
            preds = model.predict([rows[i].text for i in held], [rows[i].subject for i in held])
            for i, p in zip(held, preds, strict=True):
                out[rule][i] = p
        if args.multinomial:
            top = _multinomial(fitted.pipeline, train,
                               [composed[i] for i in held])
            for i, label in zip(held, top, strict=True):
                p = out["probability"][i]
                assert p is not None
                out["multinomial"][i] = dataclasses.replace(
                    p, label=label, confidence=p.intents[label],
                    present=(label, *(lab for lab in p.present if lab != label)))
    if args.rows:
        with Path(args.rows).open("w", encoding="utf-8") as fh:
            for i, r in enumerate(rows):
                fh.write(json.dumps({"group": r.group, "lang": r.lang, "gold": r.labels,
                                     **{rule: out[rule][i].label for rule in rules}}) + "\n")
    reports = {}
    for rule in rules:
        report = grouped.score_pooled(rows, [p for p in out[rule] if p is not None])
        reports[rule] = grouped.as_json(report)
        print(f"\n===== top label by {rule} =====")
        print(grouped.format_grouped(report), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
