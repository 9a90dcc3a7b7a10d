"""Reading what cards and summaries show from the database (the I/O half of the cards)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.slack.cards import CardData
from bot.store import cases
from bot.store import staff as staff_store
from bot.store.models import Case


def card_data(session: Session, case_id: int) -> CardData | None:
    """Everything the card of ``case_id`` shows, or None when there is no such case."""
    case = session.get(Case, case_id)
    if case is None:
        return None
    first = staff_store.first_message(session, case_id)
    draft = cases.latest_draft(session, case_id)
    follow_ups = staff_store.inbound_count(session, case_id) - 1
    last = staff_store.last_staff_event(session, case_id)
    open_pause = next((p for p in case.pauses if p[1] is None), None)
    return CardData(
        case_id=case.id, version=case.version, state=case.state, label=case.label,
        confidence=case.confidence, intents=dict(case.intents or {}),
        present=list(case.present or [case.label]), requester=case.requester,
        requester_name=case.requester_name, subject=case.subject,
        body=(first.reply_text or first.body_text) if first is not None else "",
        received_at=case.received_at, due_date=case.due_date, extended=case.extended,
        paused_since=date.fromisoformat(open_pause[0]) if open_pause else None,
        identity_verified=case.identity_verified, review_reasons=list(case.review_reasons),
        assigned_to=case.assigned_to, outcome_note=case.outcome_note,
        delivery_failure=case.delivery_failure,
        draft_version=draft.version if draft else None,
        draft_author=draft.author if draft else None,
        draft_subject=draft.subject if draft else "", draft_text=draft.text if draft else "",
        channel=case.channel, last_actor=last.actor if last else None,
        last_action=last.action if last else None, follow_ups=max(0, follow_ups),
        quarantined_message=(first.id if first is not None and first.quarantine_reason
                             else None),
        quarantine_reason=first.quarantine_reason if first is not None else None,
    )
