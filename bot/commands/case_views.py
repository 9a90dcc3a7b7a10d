"""``cases list`` filters and ``cases show ID``: one case as staff and auditors need to see it.

``show`` gathers what is otherwise spread over five tables (the case, its classifications, its
messages, the latest draft and the audit trail), so nobody has to open the database to answer
"what happened to this request, and when is it due?".
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bot.commands import open_runtime
from bot.store import audit
from bot.store import cases as case_store
from bot.store.models import Case, CaseState


def add_list_filters(listing: argparse.ArgumentParser) -> None:
    listing.add_argument("--state", action="append", choices=[s.value for s in CaseState],
                         help="only cases in this state (repeatable)")
    listing.add_argument("--label", action="append",
                         help="only cases with this label (repeatable)")
    listing.add_argument("--due-before", type=date.fromisoformat, metavar="YYYY-MM-DD",
                         help="only cases due before this day")


def add_show(actions: argparse._SubParsersAction) -> None:
    show = actions.add_parser("show", help="one case: class, intents, reasons, draft, "
                                           "deadline, history")
    show.add_argument("id", type=int, help="the case id (see 'cases list')")
    show.add_argument("--json", action="store_true", help="one JSON object")
    show.set_defaults(func=handle_show)


def filtered_cases(session: Session, args: argparse.Namespace) -> list[Case]:
    return list(case_store.list_cases(session, getattr(args, "state", None),
                                      labels=getattr(args, "label", None),
                                      due_before=getattr(args, "due_before", None)))


def case_detail(session: Session, case: Case) -> dict[str, Any]:
    """Everything about one case, in the order a person reads it."""
    draft = case_store.latest_draft(session, case.id)
    labels = case_store.classifications(session, case.id)
    return {
        "id": case.id, "state": case.state, "label": case.label,
        "confidence": round(case.confidence, 3), "intents": case.intents,
        "present": case.present, "reasons": case.review_reasons, "channel": case.channel,
        "requester": case.requester, "requester_name": case.requester_name,
        "subject": case.subject, "received": case.received_at.isoformat(),
        "due": case.due_date.isoformat() if case.due_date else None,
        "extended": case.extended, "pauses": case.pauses,
        "identity_verified": case.identity_verified, "assigned_to": case.assigned_to,
        "outcome_note": case.outcome_note, "delivery_failure": case.delivery_failure,
        "messages": [m.id for m in case.messages],
        "classifications": [{"label": c.label, "confidence": round(c.confidence, 3),
                             "by": c.by, "model_version": c.model_version,
                             "at": c.created_at.isoformat()} for c in labels],
        "draft": None if draft is None else {
            "version": draft.version, "author": draft.author, "subject": draft.subject,
            "text": draft.text},
        "history": [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                     "details": e.details} for e in audit.events(session, case_id=case.id)],
    }


def render_detail(detail: dict[str, Any]) -> str:
    """The detail as plain text: a header block, then the draft, then the history."""
    lines = [(f"Case {detail['id']}: {detail['state']}, {detail['label']} "
              f"(confidence {detail['confidence']})")]
    for key in ("requester", "requester_name", "subject", "received", "due", "assigned_to",
                "delivery_failure", "outcome_note"):
        if detail[key]:
            lines.append(f"  {key.replace('_', ' ')}: {detail[key]}")
    intents = ", ".join(f"{k} {v:.2f}" for k, v in sorted(
        detail["intents"].items(), key=lambda kv: -kv[1]))
    lines.append(f"  intents: {intents or '-'}; present: {', '.join(detail['present']) or '-'}")
    lines.extend(f"  reason: {reason}" for reason in detail["reasons"])
    lines.append(f"  messages: {', '.join(map(str, detail['messages'])) or '-'}")
    draft = detail["draft"]
    if draft:
        lines += ["", f"Draft v{draft['version']} by {draft['author']}: {draft['subject']}",
                  *("  " + line for line in draft["text"].splitlines())]
    lines += ["", "History:"]
    lines.extend(f"  {e['at'][:16].replace('T', ' ')}  {e['actor']}  {e['action']}"
                 for e in detail["history"])
    return "\n".join(lines)


def handle_show(args: argparse.Namespace) -> int:
    with open_runtime(args) as rt, rt.store.sessions() as session:
        case = session.get(Case, args.id)
        if case is None:
            print(f"no case with id {args.id}", file=sys.stderr)
            return 1
        detail = case_detail(session, case)
    print(json.dumps(detail, indent=2, ensure_ascii=False) if args.json
          else render_detail(detail))
    return 0
