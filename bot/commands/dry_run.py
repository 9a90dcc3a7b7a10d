"""What every ``--dry-run`` (``poll``, ``triage``, ``backfill``) prints, the same way."""

from __future__ import annotations

from bot.commands import DRY_RUN_DONE
from bot.pipeline import preview


def print_dry_run(previews: list[preview.Preview], stored: list[preview.Preview],
                  waiting: int, note: str | None = None) -> None:
    """``note`` (where intake stands), a line per new message, the stored ones waiting for
    triage, and the promise that nothing changed."""
    if note:
        print(note)
    for line in preview.render(previews):
        print(line)
    if stored:
        print(f"stored and waiting for triage: {waiting}")
        for line in preview.render(stored):
            print(line)
        if waiting > len(stored):
            print(f"... and {waiting - len(stored)} more")
    print(f"{len(previews)} new message(s), {waiting} stored waiting; {DRY_RUN_DONE}")
