"""Re-score the automatic path from saved out-of-group predictions, without refitting.

Usage:
    python -m bench.rescore_autopath --save preds.pkl [--dev ../shared/data/dev.jsonl]
    python -m bench.rescore_autopath --load preds.pkl [--list]

The policy (classifier/policy.py, signals.py) runs after prediction, so a rule change can be
measured on the grouped CV's pooled predictions in seconds instead of a 12–20 minute refit.
``--save`` runs the grouped CV once and pickles rows and predictions (a local cache this script
wrote itself; never load a pickle from elsewhere). Prints the suppression and closing figures on
the real groups with both denominators: every true opt-out (the figure published before) and
issue 9's true *simple* opt-outs (:func:`classifier.grouped.is_simple_opt_out`). ``--list``
adds, for each true opt-out not closed and each closed case that is not a simple opt-out, its
group, kind and the policy's reasons and holds (no message text).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

from classifier import grouped
from classifier.evaluate import EVAL_SENDER
from classifier.labels import Label
from classifier.model import FIXED_RULE
from classifier.policy import decide_opt_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="run the grouped CV and save predictions here")
    parser.add_argument("--load", type=Path, help="re-score predictions saved with --save")
    parser.add_argument("--dev", type=Path, default=grouped.DEFAULT_DEV_PATH)
    parser.add_argument("--list", action="store_true", help="list the cases not closed")
    args = parser.parse_args(argv)
    if args.load:
        with args.load.open("rb") as fh:
            saved = pickle.load(fh)  # our own cache, written by --save
        rows, preds = saved["rows"], saved["preds"]
    else:
        rows = grouped.load_groups(args.dev if args.dev.exists() else None)
        preds = grouped.grouped_cv(rows, progress=lambda m: print(m, file=sys.stderr))
        if args.save:
            with args.save.open("wb") as fh:
                pickle.dump({"rows": rows, "preds": preds}, fh)
    report = grouped.score_pooled(rows, preds)
    print("automatic opt-outs" + grouped.format_grouped(report).split(
        "\n\nautomatic opt-outs", 1)[-1])
    if args.list:
        threshold = FIXED_RULE["opt_out_auto"]
        for i, (row, pred) in enumerate(zip(rows, preds, strict=True)):
            if row.group == grouped.GENERATED_GROUP:
                continue
            d = decide_opt_out(pred, text=row.text, sender=EVAL_SENDER, is_machine_mail=False,
                               is_unsubscribe_mail=False, threshold=threshold)
            simple = grouped.is_simple_opt_out(row)
            if (Label.OPT_OUT in row.labels and not d.closes) or (d.closes and not simple):
                tag = "closed, not simple" if d.closes else (
                    "simple, not closed" if simple else "opt-out letter, not closed")
                print(f"row {i} [{tag}] {row.group} kind={row.kind} lang={row.lang} "
                      f"pred={pred.label} p_opt_out={pred.intents.get(Label.OPT_OUT, 0.0):.3f}"
                      f" suppressed={d.auto_apply}\n    reasons: {'; '.join(d.reasons)}"
                      f"\n    holds: {'; '.join(d.holds) or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
