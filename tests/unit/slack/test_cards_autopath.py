"""The card's lines for the automatic path: suppression, sub-intent, language, doubt, why."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.slack.cards import CardData, as_dicts, case_card

TODAY = date(2026, 11, 24)


def card(**changes) -> str:
    base = {
        "case_id": 9, "version": 1, "state": "open", "label": "correction", "confidence": 0.9,
        "intents": {"correction": 0.9, "opt_out": 0.8}, "present": ["correction", "opt_out"],
        "requester": "dana@example.net", "requester_name": "Dana", "subject": "Members list",
        "body": "Please remove me from the list. I never agreed to publish my information.",
        "received_at": datetime(2026, 11, 23, 9, tzinfo=UTC), "due_date": date(2026, 12, 23),
        "review_reasons": ["may ask for erasure: 'publish'", "suppression already applied",
                        "why: opt-out wording: 'remove me from'"],
        "draft_version": 1, "draft_author": "model", "draft_subject": "Re: Members list",
        "draft_text": "Hello,\n", "sub_intent": "erasure", "language": "en", "draft_language": "en"}
    base.update(changes)
    _, blocks = case_card(CardData(**base), "none", TODAY)
    return json.dumps(as_dicts(blocks), ensure_ascii=False)


def test_the_card_says_the_suppression_is_applied_and_a_person_must_look():
    shown = card()
    assert "Suppression already applied" in shown and "Why a person must look" in shown
    assert "*Why:* opt-out wording" in shown


def test_an_erasure_has_its_own_line_and_a_mark_erased_button():
    shown = card()
    assert "Erasure request" in shown and "case_erased" in shown
    assert "case_erased" not in card(sub_intent="rectification")


def test_the_card_names_the_language_and_says_when_the_draft_is_in_english_instead():
    assert "*Language:* English" in card()
    shown = card(language="pl", draft_language="en")
    assert "Polish" in shown and "the draft is in English" in shown


def test_an_unsure_model_names_the_two_classes():
    shown = card(confidence=0.45, unsure_between=("correction", "general_query"))
    assert "The model is unsure" in shown and "Correction or General query" in shown


def test_a_forward_names_the_forwarded_person():
    assert "hana@example.net" in card(forwarded_for="hana@example.net")
