"""``train --from-database``: add the labels staff chose in Slack to the training data.

The classifier package knows nothing of the service's database (it must stay importable on its
own), so this module extends its ``train`` subcommand from the outside: it exports the staff
labels to a JSONL file and hands that to ``train`` as ``--extra-jsonl``.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.commands import load
from bot.staff.export import export_staff_labels_to
from bot.store.db import Store


def extend_train(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Give the classifier's ``train`` subcommand a ``--from-database`` option."""
    train = subparsers.choices["train"]
    train.add_argument("--from-database", action="store_true",
                       help="also train on the labels staff gave by reclassifying cases "
                            "(read from the configured database)")
    train.set_defaults(func=_with_configured_out(_with_staff_labels(train.get_default("func"))))


def _with_configured_out(train: Callable[[argparse.Namespace], int]
                         ) -> Callable[[argparse.Namespace], int]:
    """Without ``--out``, write to the configured ``[triage] model_path`` (the folder the
    service loads), so retraining and using the model name one place; the classifier's own
    ``train`` still refuses the shipped folder."""
    def handle(args: argparse.Namespace) -> int:
        if getattr(args, "out", None) is None and not getattr(args, "update_shipped_model",
                                                              False):
            configured = load(args).triage.model_path
            if configured:
                path = Path(configured)
                args.out = str(path.parent if path.suffix == ".skops" else path)
                print(f"writing to the configured [triage] model_path: {args.out}")
        return train(args)

    return handle


def _with_staff_labels(train: Callable[[argparse.Namespace], int]
                       ) -> Callable[[argparse.Namespace], int]:
    def handle(args: argparse.Namespace) -> int:
        if not args.from_database:
            return train(args)
        store = Store.open(load(args).database.url)
        with tempfile.TemporaryDirectory() as tmp:
            combined = Path(tmp) / "extra.jsonl"
            count = export_staff_labels_to(store, combined)
            store.close()
            if args.extra_jsonl:
                with combined.open("a", encoding="utf-8") as out:
                    out.write(Path(args.extra_jsonl).read_text(encoding="utf-8"))
            print(f"adding {count} staff-labelled example(s) from the database")
            args.extra_jsonl = str(combined)
            return train(args)

    return handle
