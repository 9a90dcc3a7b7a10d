"""Reading what cards and summaries show from the database (the I/O half of the cards)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bot.slack.cards import CardData
from bot.store import cases
from bot.store import staff as staff_store
from bot.store.models import Case, Message


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
        **_triage_facts(case, first),
        quarantined_message=(first.id if first is not None and first.quarantine_reason
                             else None),
        quarantine_reason=first.quarantine_reason if first is not None else None,
    )


def _triage_facts(case: Case, first: Message | None) -> dict[str, Any]:
    """Sub-intent, language, doubt and forward, re-read from the first message's words."""
    from classifier.explain import hesitation, sub_intent_for
    from classifier.language import detect_language
    from classifier.model import Prediction
    from classifier.signals import forwarded_sender, writer_text
    from replies.drafting import template_language

    text = (first.reply_text or first.body_text) if first is not None else ""
    present = list(case.present or [case.label])
    prediction = Prediction(case.label, case.confidence, dict(case.intents or {}),
                            tuple(present), "")
    language = detect_language(writer_text(text or ""))
    forwarded = None
    if first is not None and any(str(r).startswith("sent from our own domain")
                                 for r in case.review_reasons):
        forwarded = forwarded_sender(first.body_text or "")
    return {"sub_intent": sub_intent_for([case.label, *present], text or ""),
            "language": language, "draft_language": template_language(language),
            "unsure_between": hesitation(prediction) if case.intents else None,
            "forwarded_for": forwarded}
