"""The automatic path's precision and coverage on labelled real mail the team did not write.

Usage:
    python -m bench.bench_autopath [FILE.jsonl ...] [--templates DIR]

Each JSONL row has ``text``, ``label`` and optionally ``subject``, ``kind``. ``--templates`` reads
a checkout of the datenanfragen/data repository (``templates/<lang>/<kind>-*.txt``, CC0):
access, erasure, rectification, objection, complaint and admonition letters in many languages.
Prints, per file: the share of true opt-outs suppressed at once, how many were closed without a
person, the auto-close precision, and any erasure letter that was suppressed or closed.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from classifier import load_model
from classifier.policy import decide_opt_out

LABEL_OF_KIND = {"access": "access_request", "erasure": "correction",
                 "rectification": "correction", "objection": "opt_out",
                 "complaint": "general_query", "admonition": "general_query"}
SENDER = "writer@example.net"


def template_rows(root: Path) -> list[dict]:
    """Letter templates as labelled rows (placeholders filled with a made-up name)."""
    rows = []
    for path in sorted(root.glob("templates/*/*.txt")):
        kind = path.stem.split("-")[0]
        if kind in LABEL_OF_KIND:
            text = re.sub(r"\{[^{}]*\}", "Jane Doe", path.read_text(encoding="utf-8"))
            rows.append({"text": text, "label": LABEL_OF_KIND[kind], "kind": kind,
                         "lang": path.parent.name, "source": str(path.relative_to(root))})
    return rows


def score(name: str, rows: list[dict]) -> None:
    model = load_model()
    preds = model.predict([r["text"] for r in rows], [r.get("subject") for r in rows])
    true_opt = suppressed = closed_ok = closed_bad = wrong_suppress = 0
    simple = simple_closed = erasure_auto = 0
    for row, pred in zip(rows, preds, strict=True):
        d = decide_opt_out(pred, text=row["text"], sender=SENDER, is_machine_mail=False,
                           is_unsubscribe_mail=False, threshold=model.opt_out_threshold,
                           subject=row.get("subject"))
        gold = row["label"]
        true_opt += gold == "opt_out"
        suppressed += d.auto_apply and gold == "opt_out"
        wrong_suppress += d.auto_apply and gold != "opt_out"
        closed_ok += d.closes and gold == "opt_out"
        closed_bad += d.closes and gold != "opt_out"
        # A "simple" opt-out: a short consumer request, not a formal Art. 21 letter.
        if gold == "opt_out" and row.get("kind") in ("dataset", None):
            simple += 1
            simple_closed += d.closes
        if row.get("kind") == "erasure" and (d.auto_apply or d.closes):
            erasure_auto += 1
            print(f"  ERASURE AUTOMATED: {row.get('source')}")
    closed = closed_ok + closed_bad
    print(f"{name}: n={len(rows)} true opt-outs={true_opt}")
    print(f"  suppressed at once: {suppressed}/{true_opt}"
          f" ({suppressed / true_opt if true_opt else float('nan'):.3f}); "
          f"non-opt-outs suppressed: {wrong_suppress}")
    print(f"  closed without a person: {closed} (precision "
          f"{closed_ok / closed if closed else float('nan'):.3f})")
    print(f"  simple opt-outs closed: {simple_closed}/{simple}"
          f" ({simple_closed / simple if simple else float('nan'):.3f})")
    print(f"  erasure letters suppressed or closed: {erasure_auto}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--templates", type=Path, help="a datenanfragen/data checkout")
    args = parser.parse_args()
    for path in args.files:
        if not path.exists():
            print(f"{path}: absent, skipped")
            continue
        score(path.name, [json.loads(line) for line in path.read_text(encoding="utf-8")
                          .splitlines() if line.strip()])
    if args.templates:
        score("datenanfragen templates", template_rows(args.templates))


if __name__ == "__main__":
    main()
