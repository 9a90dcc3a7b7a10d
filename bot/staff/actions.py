"""Staff actions on a case, each one database transaction with a compare-and-set on its version.

Every function here has the same shape (Healthchecks' "claim with a conditional UPDATE"):

1. read the case and check the version the person saw is still current;
2. ask the pure rules in :mod:`bot.staff.rules` whether the action may happen;
3. ``UPDATE cases SET version = version + 1 WHERE id = ? AND version = ?``, which must change one
   row: of two clicks on the same card, exactly one gets past this line;
4. write the change, an audit event naming the actor, and the outbox rows it causes (the email
   reply, the card update), all in the same transaction.

They know nothing of Slack: ``actor`` is ``"slack:<user id>"`` (or any other ``source:id``), so
they are testable with a database alone, and the Slack handlers only translate clicks into calls.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.cases import clock
from bot.cases.drafts import draft_for_case
from bot.cases.outgoing import queue_email, queue_slack, slack_post
from bot.errors import Refusal
from bot.runtime import Runtime
from bot.staff import rules
from bot.store import audit, cases, outbox, suppressions
from bot.store import staff as staff_store
from bot.store.models import Case, CaseState, Draft, Message
from classifier.explain import sub_intent_for
from classifier.labels import Label
from classifier.policy import opt_out_targets
from classifier.signals import forwarded_sender
from replies.corrections import correction_details_given
from replies.deadlines import receipt_date
from replies.drafting import identity_check_needed

logger = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    """How a staff action ended; the Slack app answers the person differently for each."""

    DONE = "done"
    STALE = "stale"          # the case changed since the person saw it
    REFUSED = "refused"      # a rule said no (a Refusal); nothing was written
    MISSING = "missing"      # no such case


@dataclass(frozen=True)
class Result:
    """What happened: ``status`` says how the action ended, ``message`` what to tell the person."""

    status: Outcome
    message: str
    case_id: int
    version: int | None = None   # the case's version after the action

    @property
    def ok(self) -> bool:
        return self.status is Outcome.DONE


def _user(actor: str) -> str:
    return actor.split(":", 1)[1] if ":" in actor else actor


def _run(rt: Runtime, case_id: int, version: int, actor: str, action: str,
         change: Callable[[Session, Case, datetime], str]) -> Result:
    """Steps 1-4 above around ``change``, which returns the outcome shown on the card."""
    now = rt.now()
    try:
        with rt.store.transaction() as session:
            case = session.get(Case, case_id)
            if case is None:
                return Result(Outcome.MISSING, f"case {case_id} does not exist", case_id)
            if case.version != version:
                return Result(Outcome.STALE, f"it is now at version {case.version}, not {version}",
                              case_id, case.version)
            claimed = staff_store.bump_version(session, case_id, version, now)
            if claimed is None:  # someone else's change committed between our read and here
                return Result(Outcome.STALE, "someone else acted on it a moment ago", case_id)
            outcome = change(session, claimed, now)  # a Refusal rolls everything back
            audit.record(session, actor, action, case_id, version=claimed.version,
                         outcome=outcome)
            queue_slack(session, rt, "card_update", claimed,
                        key=f"slack-update:{case_id}:{claimed.version}")
            logger.info("Case %s: %s by %s (version %s)", case_id, action, actor, claimed.version)
            return Result(Outcome.DONE, outcome, case_id, claimed.version)
    except Refusal as exc:
        return Result(Outcome.REFUSED, str(exc), case_id, version)


def approve(rt: Runtime, case_id: int, version: int, actor: str) -> Result:
    """Approve the latest draft: queue it to the requester (email, or the Slack thread for a
    chat request), apply the suppression for an opt-out, and resolve the case (or wait for
    identity evidence when the reply asks for it)."""

    def change(session: Session, case: Case, now: datetime) -> str:
        rules.actionable(case.state)
        draft = cases.latest_draft(session, case.id)
        if draft is None:
            raise Refusal("there is no draft to send; edit the draft first")
        message = staff_store.latest_message(session, case.id)
        first = staff_store.first_message(session, case.id)
        key = f"reply:{case.id}:{draft.version}"
        note = ""
        if rules.applies_suppression(case.label, case.present):
            note = _suppress_targets(session, case, first, actor, now)
        if case.channel == "slack" and first is not None and first.slack_channel:
            # A chat request is answered where it was asked, in the thread of its first message.
            queue_slack(session, rt, "slack_reply", case, key=key, draft_version=draft.version,
                        channel=first.slack_channel, thread_ts=first.slack_ts)
        else:
            # The note under the card follows the email, sent or failed; with no email to
            # wait for (no address) it goes now and says the reply was never queued.
            sent_note = slack_post(rt, "sent_reply", case, key=f"slack-sent:{case.id}:"
                                   f"{draft.version}", email_key=key, draft_version=draft.version)
            notes = [sent_note] if sent_note is not None else []
            if queue_email(session, rt, case, message, draft, key=key, then=notes) is None:
                for post in notes:
                    outbox.enqueue(session, post.kind, post.key, post.payload, case.id,
                                   now=rt.now(), waits_for=post.waits_for)
        asks_identity = _asks_identity(rt, session, case)
        text = (first.reply_text or first.body_text) if first is not None else ""
        asks_details = Label.CORRECTION in case.present and not correction_details_given(text)
        state = rules.after_approval(case.present, asks_identity, asks_details)
        case.state = state
        case.outcome_note = f"approved by {actor} (draft v{draft.version})"
        if state == CaseState.AWAITING_REQUESTER:
            case.pauses = clock.stop_clock(case.pauses, now)
            waiting = "identity evidence" if asks_identity else "the correct details"
            return f"Reply v{draft.version} approved and sent; waiting for {waiting}" + note
        return f"Reply v{draft.version} approved and sent" + note

    return _run(rt, case_id, version, actor, "case.approved", change)


def _suppress_targets(session: Session, case: Case, first: Message | None, actor: str,
                      now: datetime) -> str:
    """Suppress whom the opt-out covers ("unsubscribe my mother, m@..." covers m@, not the
    writer); returns a note for the card when that is not simply the requester."""
    text = (first.reply_text or first.body_text) if first is not None else ""
    targets = opt_out_targets(text, case.requester)
    forwarded = (forwarded_sender(first.body_text or "") if first is not None and any(
        str(r).startswith("sent from our own domain") for r in case.review_reasons) else None)
    if forwarded:
        # Our own staff forwarded a member's request: the member is the one to suppress.
        targets = type(targets)((forwarded,), True)
    elif any(str(r).startswith("sent from our own domain") for r in case.review_reasons):
        return "; no address suppressed: a forward from our own domain naming nobody"
    for address in targets.addresses:
        try:
            suppressions.suppress(session, address, reason="opt-out approved by staff",
                                  source="staff", case_id=case.id, now=now)
        except ValueError:
            continue  # not an address after all; staff can add it by hand
        audit.record(session, actor, "opt_out.applied", case.id, by_staff=True)
    if targets.needs_address:
        return "; no address suppressed: the request is for someone it does not name"
    if targets.someone_else or len(targets.addresses) > 1:
        return "; suppressed " + ", ".join(targets.addresses)
    return ""


def _asks_identity(rt: Runtime, session: Session, case: Case) -> bool:
    if case.identity_verified or Label.ACCESS_REQUEST not in case.present:
        return False
    first = staff_store.first_message(session, case.id)
    known = first is not None and cases.sender_known_before(session, case.requester, first.id)
    return identity_check_needed(rt.config.organisation.identity_check, address_on_record=known)


def edit_draft(rt: Runtime, case_id: int, version: int, actor: str, *, subject: str,
               text: str) -> Result:
    """Store the person's edit as a new draft version (plain text; the HTML part is dropped
    because it would still say the old words)."""

    def change(session: Session, case: Case, now: datetime) -> str:
        rules.actionable(case.state)
        checked_subject, checked_text = rules.check_draft(subject, text)
        draft = cases.add_draft(session, case, subject=checked_subject, text=checked_text,
                                html="", author=f"staff:{_user(actor)}")
        return f"Draft edited (v{draft.version})"

    return _run(rt, case_id, version, actor, "draft.edited", change)


def reclassify(rt: Runtime, case_id: int, version: int, actor: str, label: str) -> Result:
    """Relabel the case, keep the label as training data, and re-draft the reply for it."""

    def change(session: Session, case: Case, now: datetime) -> str:
        rules.actionable(case.state)
        new = rules.check_label(label)
        first = staff_store.first_message(session, case.id)
        cases.add_classification(session, case.id, first.id if first else None, label=new,
                                 confidence=1.0, intents={new: 1.0}, model_version="staff",
                                 by=f"staff:{_user(actor)}")
        old = case.label
        case.label, case.present = new, [new]
        if case.due_date is None:
            case.due_date = clock.opening_due_date((new,), case.received_at)
        draft = draft_for_case(rt, session, case, first, intents=tuple(case.present))
        cases.add_draft(session, case, subject=draft.subject, text=draft.text, html=draft.html,
                        author=f"redraft:{_user(actor)}")
        return f"Reclassified from {old} to {new}; reply re-drafted"

    return _run(rt, case_id, version, actor, "case.reclassified", change)


def mark_erased(rt: Runtime, case_id: int, version: int, actor: str) -> Result:
    """Record that the requester's data was erased (GDPR Art. 17) and close the case.

    The erasure itself happens in the systems that hold the data; this records who confirmed
    it and when, in the audit trail (action ``case.erased``), so the deadline is met on record.
    """

    def change(session: Session, case: Case, now: datetime) -> str:
        rules.actionable(case.state)
        first = staff_store.first_message(session, case.id)
        text = (first.reply_text or first.body_text) if first is not None else ""
        rules.erasable(case.label, case.present, sub_intent_for(case.present, text))
        case.state = CaseState.RESOLVED
        case.outcome_note = f"data erased, confirmed by {actor}"
        return "Marked erased"

    return _run(rt, case_id, version, actor, "case.erased", change)


def assign(rt: Runtime, case_id: int, version: int, actor: str) -> Result:
    """Assign the case to the person who clicked."""

    def change(session: Session, case: Case, now: datetime) -> str:
        rules.actionable(case.state)
        if case.assigned_to == _user(actor):
            raise Refusal("this case is already assigned to you")
        case.assigned_to = _user(actor)
        return f"Assigned to {actor}"

    return _run(rt, case_id, version, actor, "case.assigned", change)


def reject(rt: Runtime, case_id: int, version: int, actor: str, reason: str | None) -> Result:
    """Close the case without a reply; a reason is required and recorded."""

    def change(session: Session, case: Case, now: datetime) -> str:
        rules.actionable(case.state)
        case.state = CaseState.REJECTED
        case.outcome_note = rules.check_reason(reason)
        return "Rejected"

    return _run(rt, case_id, version, actor, "case.rejected", change)


def extend_deadline(rt: Runtime, case_id: int, version: int, actor: str) -> Result:
    """Extend the time limit by two further months (UK GDPR Art. 12(3)) while that is allowed."""

    def change(session: Session, case: Case, now: datetime) -> str:
        rules.actionable(case.state)
        ext = rules.extension(case.present, case.extended, receipt_date(case.received_at),
                              receipt_date(now), clock.pauses_of(case.pauses))
        case.extended = True
        case.due_date = ext.due or case.due_date
        if ext.due is None:
            return "Deadline extended by two months (date fixed when the requester replies)"
        return f"Deadline extended to {ext.due.isoformat()}"

    return _run(rt, case_id, version, actor, "deadline.extended", change)


def verify_identity(rt: Runtime, case_id: int, version: int, actor: str) -> Result:
    """Record that identity evidence was checked; a stopped clock restarts today."""

    def change(session: Session, case: Case, now: datetime) -> str:
        rules.actionable(case.state)
        if case.identity_verified:
            raise Refusal("identity is already marked as verified")
        restart = clock.restart_case_clock(case.present, case.pauses, case.received_at, now,
                                           case.extended)
        case.identity_verified = True
        case.pauses = clock.pauses_to_json(restart.pauses)
        case.due_date = restart.due or case.due_date
        case.state = CaseState.OPEN
        return "Identity verified" + (f"; due {restart.due.isoformat()}" if restart.due else "")

    return _run(rt, case_id, version, actor, "identity.verified", change)


def undo_opt_out(rt: Runtime, case_id: int, version: int, actor: str) -> Result:
    """Lift the suppression an automatic opt-out wrote (it was a mistake), recording who."""

    def change(session: Session, case: Case, now: datetime) -> str:
        if case.state != CaseState.AUTO_RESOLVED or not case.requester:
            raise Refusal("only an automatic opt-out can be undone")
        if case.outcome_note and case.outcome_note.startswith("opt-out undone"):
            raise Refusal("this opt-out has already been undone")
        lifted = suppressions.lift(session, case.requester, by=actor, now=now)
        case.outcome_note = f"opt-out undone by {actor}"
        return "Opt-out undone" if lifted else "Opt-out undone (it was already lifted)"

    return _run(rt, case_id, version, actor, "opt_out.undone", change)


def draft_for(rt: Runtime, case_id: int) -> tuple[int, Draft | None]:
    """The case's current version and latest draft, for pre-filling the edit modal."""
    with rt.store.sessions() as session:
        case = session.get(Case, case_id)
        if case is None:
            return 0, None
        return case.version, cases.latest_draft(session, case_id)
