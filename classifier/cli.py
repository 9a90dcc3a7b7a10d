"""The ``classify``, ``train`` and ``evaluate`` subcommands of ``privacy-triage``.

``bot/cli.py`` (through ``bot/commands/classifying.py``) calls :func:`register` and then
``args.func(args)``. Each handler returns an exit code and does its work through functions that
tests call directly.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from classifier.errors import ModelError, TrainingDataError
from classifier.explain import explain
from classifier.jsonl import parse_jsonl, read_jsonl
from classifier.labels import LABELS
from classifier.model import CARD_FILE, DEFAULT_DIR, load_model
from classifier.policy import decide_opt_out
from classifier.versions import next_version

logger = logging.getLogger(__name__)

#: Reads one mail file's raw bytes into a classify record (``text``, ``subject``, ``sender``,
#: ``is_machine_mail``, ``is_unsubscribe_mail``); raises for bytes that are no usable mail.
#: The service passes the mail edge's own reader (``bot/commands/classifying.py``), so
#: ``classify`` sees a file exactly as ingest would store it; the classifier may not import
#: ``bot`` to fetch it itself.
MailReader = Callable[[bytes], dict[str, Any]]
#: What the service knows about one record's sender and thread, as ``decide_opt_out`` keywords
#: (``from_own_domain``, ``replies_to_mailing``), so ``classify`` decides as triage would.
PolicyFacts = Callable[[dict[str, Any]], dict[str, bool]]
#: Builds :data:`PolicyFacts` from the command's arguments (the service reads its configuration:
#: the organisation's own domains and its mailer's Message-ID domains).
PolicyFactsFactory = Callable[[argparse.Namespace], PolicyFacts]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], *,
             read_mail: MailReader | None = None,
             policy_facts: PolicyFactsFactory | None = None) -> None:
    """Add the classifier's subcommands to the main CLI's subparsers.

    ``read_mail`` reads .eml files for ``classify``; without it ``classify`` takes JSONL only.
    ``policy_facts`` tells ``classify`` what the service knows of a sender (mail from the
    organisation's own domain is never automatic); without it nobody counts as our own.
    """
    p = subparsers.add_parser("classify", help="classify messages from JSONL or .eml files")
    p.add_argument("path", nargs="?", default="-",
                   help="JSONL file (text, optional subject), .eml file, directory of .eml "
                        "files, or - for JSONL on stdin (default)")
    p.add_argument("--model", help="model directory (default: the shipped model)")
    p.set_defaults(func=classify_command, read_mail=read_mail, policy_facts=policy_facts)

    p = subparsers.add_parser("train", help="train the classifier and write model + card")
    p.add_argument("--data", nargs="+", metavar="FILE",
                   help="training JSONL files (default: the shipped corpus)")
    p.add_argument("--extra-jsonl", metavar="FILE",
                   help="extra labelled examples (text, label), e.g. staff reclassifications")
    p.add_argument("--validation", metavar="FILE",
                   help="labelled JSONL used only to choose the opt-out threshold and report")
    p.add_argument("--out", metavar="DIR",
                   help="output directory (required, unless the configuration sets "
                        "[triage] model_path); never the shipped model's folder")
    p.add_argument("--update-shipped-model", action="store_true",
                   help=f"write the model shipped in the package ({DEFAULT_DIR}): for the "
                        "project's own retraining, see docs/classifier.md")
    p.set_defaults(func=train_command)

    p = subparsers.add_parser("evaluate", help="score the model on labelled JSONL, or run the "
                                               "grouped cross-validation (--grouped)")
    p.add_argument("data", nargs="?",
                   help="JSONL with text and label (optional subject, lang); not with --grouped")
    p.add_argument("--model", help="model directory (default: the shipped model)")
    p.add_argument("--plot", metavar="FILE.png",
                   help="write the confusion matrix as a PNG (with --grouped also the "
                        "reliability diagram, as FILE.reliability.png)")
    p.add_argument("--grouped", action="store_true",
                   help="leave-one-source-out cross-validation over every labelled source")
    p.add_argument("--dev", metavar="FILE",
                   help="with --grouped: the shared dev set (default: ../shared/data/dev.jsonl "
                        "beside the repository, when present)")
    p.add_argument("--no-dev", action="store_true", help="with --grouped: leave dev out")
    p.add_argument("--json", metavar="FILE", help="with --grouped: also write the figures as JSON")
    p.set_defaults(func=evaluate_command)


@dataclass(frozen=True)
class Unreadable:
    """A mail file that could not be read or parsed: it gets an error row, not a label.

    One bad file must not stop a run over a folder of real mail, so the reason travels in the
    input's place and the command reports it, in order, with the classified rows.
    """

    id: str
    reason: str


def _read_mail_file(path: Path, read_mail: MailReader) -> dict[str, Any] | Unreadable:
    """``path`` read through ``read_mail``, or why it could not be.

    Any exception counts: the reader parses untrusted mail, and ingest too stores a message
    it cannot parse rather than stopping (it quarantines it).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Unreadable(str(path), f"cannot read: {exc.strerror or type(exc).__name__}")
    try:
        record = read_mail(raw)
    except Exception as exc:  # noqa: BLE001 - one file never stops the others
        reason = str(exc) or type(exc).__name__
        return Unreadable(str(path), f"cannot parse as mail: {reason}")
    return {"id": str(path), **record}


def read_inputs(path: str, stdin: TextIO | None = None, *,
                read_mail: MailReader | None = None
                ) -> Iterator[dict[str, Any] | Unreadable]:
    """Yield input records from JSONL (a file or ``-``), one .eml file, or a directory of them.

    .eml files go through ``read_mail``; each file that cannot be read yields an
    :class:`Unreadable` in its place. JSONL is all or nothing, as before.

    Raises:
        TrainingDataError: for unreadable JSONL, records without text, or .eml input without
            a ``read_mail``.
    """
    if path == "-":
        lines: Iterator[str] = iter(stdin or sys.stdin)
    else:
        p = Path(path)
        if p.is_dir() or p.suffix.lower() == ".eml":
            if read_mail is None:
                raise TrainingDataError(".eml input needs the mail reader: run it as "
                                        "`privacy-triage classify`")
            for child in sorted(p.glob("*.eml")) if p.is_dir() else [p]:
                yield _read_mail_file(child, read_mail)
            return
        try:
            lines = iter(p.read_text(encoding="utf-8").splitlines())
        except OSError as exc:
            raise TrainingDataError(f"cannot read {path}: {exc}") from exc
    yield from parse_jsonl(lines)


def classify_records(records: list[dict[str, Any]], model_dir: str | None = None, *,
                     policy_facts: PolicyFacts | None = None) -> list[dict[str, Any]]:
    """Classify records and apply the opt-out policy; return one output dict per record.

    ``policy_facts`` gives, per record, what triage would also pass the policy
    (``from_own_domain``, ``replies_to_mailing``); without it both are false.
    """
    model = load_model(model_dir)
    predictions = model.predict([r["text"] for r in records],
                                [r.get("subject") for r in records])
    out = []
    for record, pred in zip(records, predictions, strict=True):
        decision = decide_opt_out(
            pred, text=record["text"], sender=record.get("sender"),
            is_machine_mail=bool(record.get("is_machine_mail", False)),
            is_unsubscribe_mail=bool(record.get("is_unsubscribe_mail", False)),
            threshold=model.opt_out_threshold, subject=record.get("subject"),
            **_known_facts(policy_facts(record) if policy_facts else {}))
        why = explain(pred, record["text"], record.get("subject"))
        row = {"label": pred.label, "confidence": pred.confidence, "intents": pred.intents,
               "present": list(pred.present),
               # auto_opt_out: the sender is suppressed at once; auto_close: and the case is
               # closed with nobody reading it.
               "auto_opt_out": decision.auto_apply, "auto_close": decision.closes,
               "sub_intent": why.sub_intent, "language": why.language,
               "unsure_between": list(why.unsure_between) if why.unsure_between else None,
               "why": [*decision.why, *why.cues],
               "reasons": list(decision.reasons), "holds": list(decision.holds),
               "model_version": pred.model_version}
        if "id" in record:
            row = {"id": record["id"], **row}
        out.append(row)
    return out


def _known_facts(facts: dict[str, bool]) -> dict[str, bool]:
    return {key: bool(facts.get(key, False)) for key in ("from_own_domain", "replies_to_mailing")}


def classify_command(args: argparse.Namespace) -> int:
    """Handler for ``classify``: one JSON object per input on stdout, in input order.

    Returns 0, 1 when some .eml file could not be read (its row carries ``error``, and stderr
    names it), or 2 for bad JSONL or a model that cannot be loaded.
    """
    try:
        inputs = list(read_inputs(args.path, read_mail=getattr(args, "read_mail", None)))
        records = [r for r in inputs if not isinstance(r, Unreadable)]
        make_facts = getattr(args, "policy_facts", None)
        facts = make_facts(args) if make_facts else None
        results = iter(classify_records(records, getattr(args, "model", None),
                                        policy_facts=facts) if records else [])
    except (TrainingDataError, ModelError) as exc:
        print(f"classify: {exc}", file=sys.stderr)
        return 2
    failed = 0
    for item in inputs:
        if isinstance(item, Unreadable):
            failed += 1
            print(f"classify: {item.id}: {item.reason}", file=sys.stderr)
            row: dict[str, Any] = {"id": item.id, "error": item.reason}
        else:
            row = next(results)
        print(json.dumps(row, ensure_ascii=False))
    if failed:
        print(f"classify: {failed} of {len(inputs)} files could not be read", file=sys.stderr)
    return 1 if failed else 0


def train_command(args: argparse.Namespace) -> int:
    """Handler for ``train``: fit, choose thresholds, write model and card to ``--out``."""
    from classifier.train import load_corpus, to_examples, train_model

    try:
        out_dir = train_output(getattr(args, "out", None),
                               getattr(args, "update_shipped_model", False))
    except TrainingDataError as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    try:
        examples = load_corpus(args.data)
        extra = to_examples(read_jsonl(args.extra_jsonl)) if args.extra_jsonl else []
        validation = read_jsonl(args.validation) if args.validation else None
        trained = train_model(examples, extra, validation, progress=True)
    except TrainingDataError as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    trained.card["version"] = next_version(
        trained.card["version"], [_card_version(out_dir), _card_version(DEFAULT_DIR)])
    out = trained.save(out_dir)
    print(f"model {trained.card['version']} written to {out}")
    print(json.dumps(trained.card["metrics"], indent=2))
    return 0


def train_output(out: str | None, update_shipped: bool) -> Path:
    """Where ``train`` may write: ``--out``, or the shipped model's folder only when asked.

    Overwriting the shipped model by accident would change what every installation of this
    version classifies with, and the next upgrade would silently undo the operator's model.

    Raises:
        TrainingDataError: no output given, or the shipped folder without the flag.
    """
    shipped = DEFAULT_DIR.resolve()
    if update_shipped:
        if out is not None and Path(out).resolve() != shipped:
            raise TrainingDataError(f"--update-shipped-model writes {DEFAULT_DIR}; leave out "
                                    "--out, or drop the flag to write elsewhere")
        return DEFAULT_DIR
    if out is None:
        raise TrainingDataError("say where to write the model: --out DIR (or set [triage] "
                                "model_path in the configuration, then point the service at "
                                "it); the shipped model is never overwritten by default")
    target = Path(out).resolve()
    if target == shipped or shipped in target.parents:
        raise TrainingDataError(f"{out} is the model shipped in the package; write your model "
                                "elsewhere (--out DIR, then [triage] model_path = DIR), or, "
                                "to retrain the shipped model itself, --update-shipped-model")
    return Path(out)


def _card_version(directory: Path) -> str | None:
    """The version in ``directory``'s model card, if there is a readable one."""
    try:
        card = json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = card.get("version") if isinstance(card, dict) else None
    return str(version) if version else None


def evaluate_command(args: argparse.Namespace) -> int:
    """Handler for ``evaluate``: print metrics; optionally write the confusion-matrix PNG."""
    from classifier.evaluate import evaluate_rows, format_report, plot_confusion

    if getattr(args, "grouped", False):
        return grouped_command(args)
    if not args.data:
        print("evaluate: give a JSONL file, or --grouped", file=sys.stderr)
        return 2
    try:
        rows = read_jsonl(args.data)
        bad = [i for i, r in enumerate(rows, 1) if r.get("label") not in LABELS]
        if bad:
            raise TrainingDataError("missing or unknown label", line=bad[0])
        report = evaluate_rows(load_model(getattr(args, "model", None)), rows)
    except (TrainingDataError, ModelError) as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    print(format_report(report))
    if args.plot:
        plot_confusion(report, args.plot)
        print(f"confusion matrix written to {args.plot}")
    return 0


def grouped_command(args: argparse.Namespace) -> int:
    """``evaluate --grouped``: leave-one-source-out CV, figures on stdout, optional PNGs/JSON."""
    from classifier import grouped
    from classifier.evaluate import plot_matrix

    if args.data:
        print("evaluate: --grouped uses every labelled source; give no data file",
              file=sys.stderr)
        return 2
    dev = None
    if not getattr(args, "no_dev", False):
        dev = Path(args.dev) if args.dev else grouped.DEFAULT_DEV_PATH
        if not dev.exists():
            if args.dev:
                print(f"evaluate: {dev} does not exist", file=sys.stderr)
                return 2
            dev = None
    try:
        rows = grouped.load_groups(dev)
    except TrainingDataError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    print(f"dev set: {dev if dev else 'not used'}")
    print(grouped.group_summary(rows), flush=True)
    predictions = grouped.grouped_cv(rows, progress=lambda m: print(m, file=sys.stderr,
                                                                     flush=True))
    report = grouped.score_pooled(rows, predictions)
    print(grouped.format_grouped(report))
    if args.plot:
        plot_matrix(report.confusion, "leave-one-source-out, real groups", args.plot)
        reliability = str(Path(args.plot).with_suffix("")) + ".reliability.png"
        grouped.plot_reliability(report, reliability)
        print(f"confusion matrix written to {args.plot}, reliability diagram to {reliability}")
    if args.json:
        Path(args.json).write_text(json.dumps(grouped.as_json(report), indent=2) + "\n",
                                   encoding="utf-8")
    return 0
