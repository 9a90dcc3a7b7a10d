"""Case cards and opt-out notices as Block Kit, built from plain data (no Slack, no database).

A card is rebuilt from the case as it is whenever anything changes, so posting, updating after a
staff action and re-delivering after a crash all produce the same message. Buttons carry
``"<case id>:<case version>"``: a click on an out-of-date card is recognised and changes nothing.
All outside text goes through :mod:`bot.slack.text` (escaped, masked, bounded), and every card
and thread post first passes its data through :func:`redacted`, the one place that decides what
``[slack] redaction`` lets the channel see.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot.redact import mask_addresses
from bot.slack.text import (
    SECTION_LIMIT,
    escape,
    escaped_chunks,
    excerpt,
    mask_address,
    mask_name,
    mention,
    one_line,
    shorten,
)
from bot.store.models import OPEN_STATES, CaseState
from classifier.labels import Label

LABEL_NAMES: dict[str, str] = {
    Label.OPT_OUT: "Opt-out",
    Label.CORRECTION: "Correction",
    Label.ACCESS_REQUEST: "Access request",
    Label.GENERAL_QUERY: "General query",
}
STATE_NAMES: dict[str, str] = {
    CaseState.OPEN: "Open",
    CaseState.AWAITING_REQUESTER: "Waiting for the requester (clock stopped)",
    CaseState.AUTO_RESOLVED: "Done automatically",
    CaseState.RESOLVED: "Resolved",
    CaseState.REJECTED: "Rejected",
    CaseState.IGNORED: "Ignored",
}
MAX_DRAFT_BLOCKS = 8            # 8 x 3000 characters; the modal shows the rest
EXCERPT_CHARS = 700

ACTION_IDS = ("case_approve", "case_edit", "case_reclassify", "case_assign", "case_reject",
              "case_extend", "case_verify", "case_erased")
_ACTOR = re.compile(r"\bslack:([A-Z0-9]{2,30})\b")


@dataclass(frozen=True)
class CardData:
    """What a card shows, read from the database by :mod:`bot.slack.data`."""

    case_id: int
    version: int
    state: str
    label: str
    confidence: float
    intents: Mapping[str, float]
    present: Sequence[str]
    requester: str | None
    requester_name: str | None
    subject: str
    body: str
    received_at: datetime
    due_date: date | None = None
    extended: bool = False
    paused_since: date | None = None
    identity_verified: bool = False
    review_reasons: Sequence[str] = ()
    assigned_to: str | None = None
    outcome_note: str | None = None
    delivery_failure: str | None = None
    draft_version: int | None = None
    draft_author: str | None = None
    draft_subject: str = ""
    draft_text: str = ""
    channel: str = "email"
    last_actor: str | None = None
    last_action: str | None = None
    follow_ups: int = 0
    notes: Sequence[str] = field(default_factory=tuple)
    sub_intent: str | None = None             # erasure / rectification (a correction's kind)
    language: str | None = None               # the writer's language (ISO code), None: unsure
    draft_language: str | None = None         # the language the draft is in
    unsure_between: tuple[str, str] | None = None   # below the confidence floor
    forwarded_for: str | None = None          # a forward from our own domain: the member
    quarantined_message: int | None = None  # its message could not be read automatically
    quarantine_reason: str | None = None


HIDDEN = "(hidden)"
# Display names come from anyone's mail client; one line of a card is plenty.
NAME_CHARS = 200


def redacted(data: CardData, redaction: str) -> CardData:
    """``data`` with what ``redaction`` hides taken out, for every card and notice.

    ``full`` leaves nothing of the requester in the channel: no name (so no "Dear <name>" in the
    draft either), no subject, no quoted body, no draft subject or text (the draft holds the name
    and often quotes the request; *Edit draft* shows it privately to the person who clicks), and
    no address in the review reasons, notes or delivery errors. ``partial`` and ``full`` mask the
    addresses that system texts (SMTP refusals, review reasons) quote. The requester's address
    itself is masked where it is shown (:func:`_who`), so it is kept here for that.
    """
    # Bounded, and never the address.
    name = one_line(data.requester_name or "")[:NAME_CHARS * 2] or None
    if redaction == "none":
        return dataclasses.replace(data, requester_name=name)
    masked = dataclasses.replace(
        data, requester_name=name,
        review_reasons=tuple(mask_addresses(r) for r in data.review_reasons),
        delivery_failure=data.delivery_failure and mask_addresses(data.delivery_failure),
        outcome_note=data.outcome_note and mask_addresses(data.outcome_note),
        notes=tuple(mask_addresses(n) for n in data.notes))
    if redaction != "full":
        return masked
    return dataclasses.replace(masked, requester_name=None, subject="", body="",
                               draft_subject=HIDDEN, draft_text="")


def action_value(case_id: int, version: int) -> str:
    return f"{case_id}:{version}"


def parse_action_value(value: str) -> tuple[int, int]:
    """``"12:3"`` → (12, 3); raises ValueError for anything else."""
    case_id, _, version = value.partition(":")
    return int(case_id), int(version)


def label_name(label: str) -> str:
    return LABEL_NAMES.get(label, label)


def fallback_text(data: CardData, redaction: str) -> str:
    """The notification text (shown in alerts and screen readers); escaped like the rest."""
    subject = "" if redaction == "full" else f": {escape(shorten(one_line(data.subject), 80))}"
    return f"Case {data.case_id} · {label_name(data.label)}{subject}"


def _mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _who(data: CardData, redaction: str) -> str:
    name = shorten(mask_name(data.requester_name, redaction), 200)
    address = shorten(mask_address(data.requester, redaction), 320)
    return escape(f"{name} <{address}>" if name else address)


def _due(data: CardData, today: date) -> str:
    if data.paused_since is not None:
        return f"clock stopped since {data.paused_since.isoformat()}"
    if data.due_date is None:
        return "no time limit"
    days = (data.due_date - today).days
    when = (f"overdue by {-days} day(s)" if days < 0 else "today" if days == 0
            else f"in {days} day(s)")
    extended = ", extended" if data.extended else ""
    return f"{data.due_date.isoformat()} ({when}{extended})"


def _intents(data: CardData) -> str:
    ranked = sorted(data.intents.items(), key=lambda kv: -kv[1])
    shown = [f"{escape(label)} {p:.0%}" for label, p in ranked if label in data.present
             or p >= 0.2]
    return ", ".join(shown) or ", ".join(map(escape, data.present)) or "-"


#: Review reasons written by the sender checks (bot.mail.auth via triage, bot.mail.sender).
SENDER_CHECK_PREFIXES = ("sender not verified", "odd sender: ")
_ADDRESS = re.compile(r"[^\s<>()@,;]+@[^\s<>()@,;]+")


def _split_sender_checks(reasons: Sequence[str]) -> tuple[list[str], list[str]]:
    checks = [r for r in reasons if r.startswith(SENDER_CHECK_PREFIXES)]
    return checks, [r for r in reasons if not r.startswith(SENDER_CHECK_PREFIXES)]


def _masked(reason: str, redaction: str) -> str:
    """A sender-check reason with its addresses masked as the card's From is."""
    if reason.startswith("odd sender: "):
        reason = reason.removeprefix("odd sender: ")
    return _ADDRESS.sub(lambda m: mask_address(m.group(0), redaction) or "", reason)


def case_card(data: CardData, redaction: str, today: date) -> tuple[str, list[Block]]:
    """The card for one case: (fallback text, blocks). Buttons only while the case is open."""
    data = redacted(data, redaction)
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(
            text=shorten(f"Case {data.case_id} · {label_name(data.label)}", 150))),
        SectionBlock(fields=[
            _mrkdwn(f"*Class*\n{escape(label_name(data.label))} ({data.confidence:.0%})"),
            _mrkdwn(f"*Intents*\n{_intents(data)}"),
            _mrkdwn(f"*From*\n{_who(data, redaction)}"
                    + (" (via Slack)" if data.channel == "slack" else "")),
            _mrkdwn(f"*Due*\n{_due(data, today)}"),
            _mrkdwn(f"*State*\n{STATE_NAMES.get(data.state, escape(data.state))}"),
            _mrkdwn("*Assigned*\n" + (mention(f"slack:{data.assigned_to}")
                                       if data.assigned_to else "nobody")),
        ]),
    ]
    if redaction != "full":
        subject = escape(shorten(one_line(data.subject), 300)) or "(no subject)"
        quoted = "\n".join("> " + line if line else ">" for line in
                           escape(excerpt(data.body, EXCERPT_CHARS)).splitlines()) or "> (empty)"
        blocks.append(SectionBlock(text=_mrkdwn(
            shorten(f"*Subject:* {subject}\n{quoted}", SECTION_LIMIT))))
    if data.quarantined_message is not None:
        blocks.append(SectionBlock(text=_mrkdwn(shorten(
            ":rotating_light: *A person must read this message.* It could not be read "
            f"automatically ({escape(one_line(data.quarantine_reason or 'quarantined'))}): see "
            f"`privacy-triage messages show {data.quarantined_message}`", SECTION_LIMIT))))
    blocks.extend(_triage_lines(data, redaction))
    sender_checks, other_reasons = _split_sender_checks(data.review_reasons)
    if sender_checks:
        # Shown plainly, apart from the other reasons: staff must not act on a forged request.
        shown = "\n".join(f"• {escape(one_line(_masked(r, redaction)))}" for r in sender_checks)
        blocks.append(SectionBlock(text=_mrkdwn(
            shorten(f":warning: *Sender check:*\n{shown}", SECTION_LIMIT))))
    why = [str(r)[5:] for r in other_reasons if str(r).startswith("why: ")]
    held = [str(r) for r in other_reasons
            if not str(r).startswith("why: ") and str(r) != SUPPRESSED_REASON]
    if held:
        reasons = "; ".join(escape(one_line(r)) for r in held)
        title = "Why a person must look" if SUPPRESSED_REASON in data.review_reasons else \
            "Why not automatic"
        blocks.append(ContextBlock(elements=[_mrkdwn(
            shorten(f"*{title}:* {reasons}", SECTION_LIMIT))]))
    if why:
        blocks.append(ContextBlock(elements=[_mrkdwn(shorten(
            "*Why:* " + "; ".join(escape(one_line(w)) for w in why), SECTION_LIMIT))]))
    if data.follow_ups:
        blocks.append(ContextBlock(elements=[_mrkdwn(
            f"{data.follow_ups} follow-up message(s) from the requester: see the thread")]))
    if data.delivery_failure:
        blocks.append(SectionBlock(text=_mrkdwn(
            shorten(f":warning: *Delivery failed:* {escape(data.delivery_failure)}",
                    SECTION_LIMIT))))
    blocks.append(DividerBlock())
    blocks.extend(_draft_blocks(data, redaction))
    if data.state in OPEN_STATES:
        blocks.extend(_actions(data))
    else:
        blocks.append(SectionBlock(text=_mrkdwn(_outcome(data))))
    return fallback_text(data, redaction), blocks


SUPPRESSED_REASON = "suppression already applied"
SUB_INTENT_LINES = {
    "erasure": ":wastebasket: *Erasure request* (GDPR Art. 17): delete what is not needed, "
               "say what must be kept and why; one month. *Mark erased* when done.",
    "rectification": ":pencil2: *Rectification* (GDPR Art. 16): fix the details; one month.",
}


def _triage_lines(data: CardData, redaction: str) -> list[Block]:
    """The automatic path's facts: suppression, sub-intent, language, doubt, forward."""
    lines = []
    if SUPPRESSED_REASON in data.review_reasons:
        lines.append(f":no_entry_sign: *Suppression already applied:* {_who(data, redaction)} "
                     "gets no more marketing. The rest of the message needs a person.")
    if data.sub_intent in SUB_INTENT_LINES:
        lines.append(SUB_INTENT_LINES[data.sub_intent])
    if data.unsure_between:
        first, second = (escape(label_name(x)) for x in data.unsure_between)
        lines.append(f":grey_question: *The model is unsure* ({data.confidence:.0%}): "
                     f"{first} or {second}?")
    if data.forwarded_for:
        lines.append(f":arrow_right_hook: *Forwarded from our own domain* for "
                     f"{escape(mask_address(data.forwarded_for, redaction))}: approving "
                     "suppresses that address, not the forwarder's.")
    language = _language_line(data)
    if language:
        lines.append(language)
    return [ContextBlock(elements=[_mrkdwn(shorten(line, SECTION_LIMIT))]) for line in lines]


def _language_line(data: CardData) -> str:
    from classifier.language import language_name  # light: no model load for a name

    if data.language is None:
        return "*Language:* not detected (text too short); the draft is in English."
    written = f"*Language:* {escape(language_name(data.language))}"
    if data.draft_language and data.draft_language != data.language:
        return f"{written}; no template in that language, so the draft is in English."
    return written


def minimal_card(case_id: int, message_id: int | None) -> tuple[str, list[Block]]:
    """The card shown when the real one could not be rendered: enough to send a person."""
    where = (f"`privacy-triage messages show {message_id}`" if message_id is not None
             else f"`privacy-triage cases list` (case {case_id})")
    text = f"Could not render case {case_id}; see {where}"
    return text, [SectionBlock(text=_mrkdwn(f":warning: {text}"))]


def _draft_blocks(data: CardData, redaction: str) -> list[Block]:
    if data.draft_version is None:
        return [SectionBlock(text=_mrkdwn("_No drafted reply._"))]
    author = data.draft_author or "model"
    by = mention(author) if author.startswith("staff:") else escape(author)
    if redaction == "full":
        return [SectionBlock(text=_mrkdwn(
            f"*Drafted reply* (v{data.draft_version}, by {by})\n_Hidden in this channel "
            "(redaction is full): *Edit draft* shows it to you alone._"))]
    head = (f"*Drafted reply* (v{data.draft_version}, by {by})\n"
            f"*Subject:* {escape(shorten(one_line(data.draft_subject), 250))}")
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(head))]
    pieces = escaped_chunks(data.draft_text.rstrip() or "(empty)", SECTION_LIMIT)
    for piece in pieces[:MAX_DRAFT_BLOCKS]:
        blocks.append(SectionBlock(text=_mrkdwn(piece)))
    if len(pieces) > MAX_DRAFT_BLOCKS:
        hidden = sum(len(p) for p in pieces[MAX_DRAFT_BLOCKS:])
        blocks.append(ContextBlock(elements=[_mrkdwn(
            f"… about {hidden} more characters not shown here: *Edit draft* shows the whole "
            "reply, and *Approve & send* sends all of it.")]))
    for note in data.notes[:3]:
        blocks.append(ContextBlock(elements=[_mrkdwn(
            shorten(f":memo: {escape(note)}", SECTION_LIMIT))]))
    return blocks


def _button(text: str, action_id: str, value: str, style: str | None = None,
            confirm: ConfirmObject | None = None) -> ButtonElement:
    return ButtonElement(text=PlainTextObject(text=text), action_id=action_id, value=value,
                         style=style, confirm=confirm)


def _actions(data: CardData) -> list[Block]:
    value = action_value(data.case_id, data.version)
    send_to = "the requester's Slack thread" if data.channel == "slack" else "the requester"
    approve = _button("Approve & send", "case_approve", value, "primary", ConfirmObject(
        title="Send this reply?", text=f"Draft v{data.draft_version} goes to {send_to}.",
        confirm="Send", deny="Not yet"))
    first = [approve, _button("Edit draft", "case_edit", value),
             StaticSelectElement(
                 placeholder=PlainTextObject(text="Reclassify…"), action_id="case_reclassify",
                 options=[Option(text=PlainTextObject(text=name), value=f"{label}|{value}")
                          for label, name in LABEL_NAMES.items() if label != data.label])]
    second = [_button("Assign to me", "case_assign", value),
              _button("Reject…", "case_reject", value, "danger")]
    timed = {Label.ACCESS_REQUEST, Label.CORRECTION} & set(data.present)
    if timed and not data.extended:
        second.append(_button("Extend deadline", "case_extend", value))
    if Label.ACCESS_REQUEST in data.present and not data.identity_verified:
        second.append(_button("Mark identity verified", "case_verify", value))
    if data.sub_intent == "erasure":
        second.append(_button("Mark erased", "case_erased", value, confirm=ConfirmObject(
            title="Data erased?", text="Records that the requester's data was deleted, with "
            "your name, and closes the case.", confirm="Erased", deny="Not yet")))
    return [ActionsBlock(block_id=f"case-{data.case_id}-a", elements=first),
            ActionsBlock(block_id=f"case-{data.case_id}-b", elements=second)]


def _outcome(data: CardData) -> str:
    state = STATE_NAMES.get(data.state, escape(data.state))
    who = f" by {mention(data.last_actor)}" if data.last_actor else ""
    note = ""
    if data.state == CaseState.REJECTED and data.outcome_note:
        note = f"\n*Reason:* {escape(shorten(data.outcome_note, 1500))}"
    elif data.outcome_note:
        note = "\n" + _ACTOR.sub(lambda m: f"<@{m.group(1)}>",
                                 escape(shorten(data.outcome_note, 1500)))
    return shorten(f"*{state}*{who}{note}", SECTION_LIMIT)


def opt_out_notice(data: CardData, redaction: str) -> tuple[str, list[Block]]:
    """One automatic opt-out, with an Undo button while it stands."""
    data = redacted(data, redaction)
    who = _who(data, redaction)
    text = f"Opt-out applied automatically for {who} (case {data.case_id})"
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(
        f":no_entry_sign: *Opt-out applied* · case {data.case_id}\n{who} will get no more "
        "marketing email." + ("" if redaction == "full" else
                              f"\n*Subject:* {escape(shorten(one_line(data.subject), 200))}")))]
    if data.outcome_note and data.outcome_note.startswith("opt-out undone"):
        blocks.append(ContextBlock(elements=[_mrkdwn(
            f":leftwards_arrow_with_hook: Undone by {mention(data.last_actor)}: the address "
            "may be mailed again.")]))
    else:
        blocks.append(ActionsBlock(block_id=f"notice-{data.case_id}", elements=[_button(
            "Undo", "notice_undo", action_value(data.case_id, data.version), confirm=
            ConfirmObject(title="Undo this opt-out?", text="The address will be lifted from "
                          "the suppression list.", confirm="Undo", deny="Keep it"))]))
    return text, blocks


def opt_out_digest(items: Sequence[CardData], redaction: str, day: date) -> tuple[str, list[Block]]:
    """All automatic opt-outs since the last digest, each with its own Undo button."""
    text = f"{len(items)} opt-out(s) applied automatically ({day.isoformat()})"
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=shorten(text, 150)))]
    for data in (redacted(d, redaction) for d in items[:24]):
        blocks.append(SectionBlock(
            text=_mrkdwn(f"Case {data.case_id}: {_who(data, redaction)}"),
            accessory=_button("Undo", "notice_undo", action_value(data.case_id, data.version))))
    if len(items) > 24:
        blocks.append(ContextBlock(elements=[_mrkdwn(
            f"… and {len(items) - 24} more: `/privacy <address>` finds one.")]))
    return text, blocks


#: The line under a follow-up whose opt-out triage applied by itself (bot.pipeline.decide).
FOLLOW_UP_SUPPRESSED = (":no_entry_sign: Their opt-out in this message was applied at once: the "
                        "address is suppressed. The case stays with you.")


def follow_up_message(body: str, received_at: datetime, redaction: str, *,
                      suppressed: bool = False) -> str:
    """A requester's follow-up, for the card's thread (mrkdwn, escaped and bounded)."""
    after = f"\n{FOLLOW_UP_SUPPRESSED}" if suppressed else ""
    if redaction == "full":
        return (f":incoming_envelope: The requester wrote again "
                f"({received_at:%Y-%m-%d %H:%M} UTC).{after}")
    quoted = "\n".join("> " + line if line else ">"
                       for line in escape(excerpt(body, 2500)).splitlines()) or "> (empty)"
    return (f":incoming_envelope: *The requester wrote again* "
            f"({received_at:%Y-%m-%d %H:%M} UTC)\n{quoted}{after}")


def sent_reply_message(actor: str | None, draft_version: int, text: str,
                       failure: str | None = None, redaction: str = "partial") -> str:
    """A reply we sent (or could not send), for the card's thread.

    The reply holds the requester's name and often their words: ``full`` redaction posts only
    that it was sent. A failure quotes the mail server, which quotes the address: masked.
    """
    if failure:
        if redaction != "none":
            failure = mask_addresses(failure)
        return (f":warning: Reply v{draft_version} could *not* be delivered: "
                f"{escape(shorten(failure, 500))}")
    by = f", approved by {mention(actor)}" if actor else ""
    if redaction == "full":
        return f":outbox_tray: *Reply v{draft_version} sent*{by} (text hidden: redaction is full)"
    body = escape(shorten(text.strip(), 2500))
    return f":outbox_tray: *Reply v{draft_version} sent*{by}\n```{body}```"


def as_dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]
