"""``triage PATH...``: the pipeline over .eml files or a Maildir, without IMAP."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from bot.commands import open_runtime
from bot.commands.dry_run import print_dry_run
from bot.errors import TriageError
from bot.pipeline import preview
from bot.pipeline.ingest import store_raw
from bot.runtime import Runtime
from bot.service import delivery_channels, triage_and_deliver


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("triage", help="triage .eml files or a Maildir (no IMAP)")
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help=".eml file, folder of files, or Maildir")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would happen to each message (and to stored ones "
                             "waiting for triage); store, send and change nothing")
    parser.set_defaults(func=handle)


def mail_files(path: Path) -> Iterator[Path]:
    """Message files under ``path``: a Maildir's cur/ and new/, or every file in a folder."""
    if path.is_file():
        yield path
        return
    if not path.is_dir():
        raise TriageError(f"{path}: no such file or folder")
    if (path / "cur").is_dir() or (path / "new").is_dir():
        for sub in ("new", "cur"):
            if (path / sub).is_dir():
                yield from sorted(p for p in (path / sub).iterdir() if p.is_file())
        return
    yield from sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))


def ingest_files(rt: Runtime, paths: list[Path]) -> tuple[int, int]:
    """Store every message file; returns (stored, duplicates)."""
    stored = duplicates = 0
    for path in paths:
        for file in mail_files(path):
            row = store_raw(rt.store, file.read_bytes(), source="file",
                            own_addresses=rt.config.own_addresses,
                            max_bytes=rt.config.imap.max_message_bytes, received_at=rt.now())
            stored += row is not None
            duplicates += row is None
    return stored, duplicates


def handle(args: argparse.Namespace) -> int:
    if args.dry_run:
        return handle_dry_run(args)
    with open_runtime(args) as rt:
        stored, duplicates = ingest_files(rt, [Path(p) for p in args.paths])
        triaged, delivery = triage_and_deliver(rt, delivery_channels(rt))
    print(f"stored {stored} (duplicates {duplicates}), triaged {triaged}, "
          f"delivered {delivery.sent}")
    return 0


def handle_dry_run(args: argparse.Namespace) -> int:
    """``triage --dry-run``: each file's verdict, then the stored messages a real run would
    triage too; nothing is written (see :mod:`bot.pipeline.preview`)."""
    with open_runtime(args, dry_run=True) as rt:
        files = [file for path in args.paths for file in mail_files(Path(path))]
        candidates = [preview.Candidate(f"file {file}", file.read_bytes(), rt.now(), "file")
                      for file in files]
        with rt.store.sessions() as session:
            previews = preview.preview_candidates(rt, session, candidates)
            stored, waiting = preview.preview_stored(rt, session)
    print_dry_run(previews, stored, waiting)
    return 0

