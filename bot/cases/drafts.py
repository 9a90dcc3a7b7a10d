"""Drafting a case's reply: the one place a DraftRequest is built from a case and its message.

The pipeline drafts when it opens a case, staff actions re-draft when a case is reclassified;
both must say the same things (due date, whether to ask for identity, whom an opt-out covers).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.store import cases
from bot.store.models import Case, Message
from classifier.explain import draft_intents
from classifier.language import detect_language
from classifier.policy import opt_out_targets
from classifier.signals import writer_text
from replies.drafting import Draft, DraftRequest, identity_check_needed


def draft_for_case(rt: Runtime, session: Session, case: Case, message: Message | None, *,
                   intents: tuple[str, ...], opt_out_applied: bool = False) -> Draft:
    """Draft the reply to ``case`` about ``message`` (the requester's words) for ``intents``."""
    body = (message.reply_text or message.body_text) if message is not None else ""
    known = message is not None and cases.sender_known_before(session, case.requester,
                                                               message.id)
    targets = opt_out_targets(body, case.requester)
    intents, sub_intent = draft_intents(intents, body)
    request = DraftRequest(
        intents=intents, sender_name=case.requester_name, sender_address=case.requester or "",
        subject=case.subject, body_text=body, received=case.received_at,
        organisation_name=rt.config.organisation.name,
        support_address=rt.config.organisation.support_address, due=case.due_date,
        ask_identity=("access_request" in intents and not case.identity_verified
                      and identity_check_needed(rt.config.organisation.identity_check,
                                                address_on_record=known)),
        opt_out_applied=opt_out_applied,
        opt_out_addresses=targets.addresses,
        opt_out_needs_address=targets.needs_address,
        sub_intent=sub_intent, language=detect_language(writer_text(body or "")))
    return rt.drafter.draft(request)


def confirmation_for_case(rt: Runtime, case: Case) -> Draft:
    """The automatic opt-out confirmation: only the case's own address, none of the sender's
    words (no name, no subject, no quoted text), so it cannot carry an attacker's message."""
    return rt.drafter.confirmation(
        sender_address=case.requester or "", organisation_name=rt.config.organisation.name,
        support_address=rt.config.organisation.support_address)
