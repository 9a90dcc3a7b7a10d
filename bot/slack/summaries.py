"""Reminders, the App Home tab and ``/privacy`` answers, as Block Kit from plain data (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.slack.cards import STATE_NAMES, label_name
from bot.slack.text import SECTION_LIMIT, escape, mention
from bot.store.models import CaseState

MAX_ROWS = 40


@dataclass(frozen=True)
class ReminderRow:
    case_id: int
    label: str
    due_date: date | None
    assigned_to: str | None


def _line(row: ReminderRow, today: date) -> str:
    days = (row.due_date - today).days if row.due_date else None
    when = ("no date" if days is None else f"*overdue by {-days} day(s)*" if days < 0
            else "due today" if days == 0 else f"due in {days} day(s)")
    who = mention(f"slack:{row.assigned_to}") if row.assigned_to else "unassigned"
    due = row.due_date.isoformat() if row.due_date else "-"
    return f"• Case {row.case_id} · {label_name(row.label)} · {due} ({when}) · {who}"


def _sections(head: str, lines: Sequence[str]) -> list[Block]:
    """``head`` and ``lines`` as mrkdwn sections that each stay within Slack's 3000 characters."""
    blocks: list[Block] = []
    current = head
    for line in lines:
        if len(current) + 1 + len(line) > SECTION_LIMIT:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=current)))
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=current)))
    return blocks


def reminder(rows: Sequence[ReminderRow], today: date) -> tuple[str, list[Block]]:
    """The daily post: overdue cases first, then those due within seven days."""
    overdue = [r for r in rows if r.due_date and r.due_date < today]
    soon = [r for r in rows if r not in overdue]
    text = f"Privacy cases: {len(overdue)} overdue, {len(soon)} due within 7 days"
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=text))]
    for title, group in (("Overdue", overdue), ("Due within 7 days", soon)):
        if not group:
            continue
        lines = [_line(r, today) for r in group[:MAX_ROWS]]
        if len(group) > MAX_ROWS:
            lines.append(f"… and {len(group) - MAX_ROWS} more")
        blocks.extend(_sections(f"*{title}*", lines))
    return text, blocks


def counts_text(counts: Mapping[str, int]) -> str:
    order = (CaseState.OPEN, CaseState.AWAITING_REQUESTER, CaseState.RESOLVED, CaseState.REJECTED,
             CaseState.AUTO_RESOLVED, CaseState.IGNORED)
    parts = [f"{STATE_NAMES.get(s, s)}: {counts.get(s, 0)}" for s in order]
    return " · ".join(parts)


def home_view(user: str, assigned: Sequence[ReminderRow], counts: Mapping[str, int],
              due_soon: int, overdue: int, today: date) -> dict[str, Any]:
    """The App Home tab for ``user``: their open cases and the team's counts."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text="Privacy requests")),
        SectionBlock(text=MarkdownTextObject(
            text=f"*All cases* · {counts_text(counts)}\n*Deadlines* · {overdue} overdue, "
                 f"{due_soon} due within 7 days")),
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=f"*Assigned to you* ({len(assigned)})")),
    ]
    if assigned:
        lines = [_line(r, today) for r in assigned[:MAX_ROWS]]
        if len(assigned) > MAX_ROWS:
            lines.append(f"… and {len(assigned) - MAX_ROWS} more")
        blocks.extend(_sections("", lines))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text="Nothing assigned to you. *Assign to me* on a card takes a case.")]))
    return {"type": "home", "blocks": [b.to_dict() for b in blocks]}


def lookup_text(address: str, suppressed: bool, found: Sequence[tuple[int, str, str]]) -> str:
    """``/privacy <address>``: is it suppressed, and which cases name it (id, label, state)."""
    head = (f"`{escape(address)}` is *suppressed*: it gets no marketing email." if suppressed
            else f"`{escape(address)}` is *not* on the suppression list.")
    if not found:
        return head + "\nNo cases from this address."
    lines = [f"• Case {i} · {label_name(label)} · {STATE_NAMES.get(state, state)}"
             for i, label, state in found]
    return head + "\n" + "\n".join(lines)


HELP = ("Usage: `/privacy status` for counts, or `/privacy someone@example.org` to see whether "
        "an address is suppressed and which cases it has.")
