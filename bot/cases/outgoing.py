"""Queueing what a case sends: the email to its requester and the posts to Slack.

The pipeline queues these when it opens or joins a case and the staff actions when a person
acts on one; each is an outbox row written in the caller's transaction, delivered later. The
answer to a chat request (:func:`queue_chat_answer`) is one of them: triage queues it with its
act, so the answer is exactly as durable as what it reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from bot.mail.outbound import our_message_id
from bot.runtime import Runtime
from bot.store import audit, outbox
from bot.store.audit import SYSTEM
from bot.store.models import Case, Message, OutboxItem


class ReplyText(Protocol):
    """What an email needs of a reply: a freshly drafted one (:class:`replies.drafting.Draft`)
    or the stored version staff approved (:class:`bot.store.models.Draft`)."""

    @property
    def subject(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def html(self) -> str: ...


def queue_email(session: Session, rt: Runtime, case: Case, message: Message | None,
                draft: ReplyText, *, key: str, auto_submitted: str | None = None,
                then: Sequence[outbox.FollowUp] = ()) -> OutboxItem | None:
    """Queue an email to the case's requester (never to an address taken from a message body).

    ``then`` are queued once the email is sent or has failed (e.g. the note under the card).
    Returns the new outbox row, or None when nothing was queued (no address, or a repeat).
    """
    if not case.requester:
        audit.note(session, SYSTEM, "email.not_queued", case.id, reason="no sender address")
        return None
    parent = message.message_id if message is not None else None
    references = list(message.references or []) if message is not None else []
    payload = {
        "to": case.requester, "subject": draft.subject, "text": draft.text, "html": draft.html,
        "message_id": our_message_id(case.id, key, rt.mail_domain),
        "in_reply_to": parent, "references": references,
        "auto_submitted": auto_submitted,
    }
    return outbox.enqueue(session, "email", key, payload, case.id, now=rt.now(), then=then)


def slack_post(rt: Runtime, kind: str, case: Case, *, key: str,
               **extra: object) -> outbox.FollowUp | None:
    """The Slack post to queue, now or after another item; None when Slack is not to see it."""
    if not rt.config.slack.enabled:
        return None
    if kind == "opt_out_notice" and rt.config.slack.opt_out_notices == "none":
        return None
    waits_for = card_keys(case.id) if kind in THREAD_POSTS else ()
    return outbox.FollowUp("slack", key, {"type": kind, "case_id": case.id, **extra},
                           waits_for=waits_for)


#: Slack payload types posted in the thread of the case's card: they wait for the card.
THREAD_POSTS = frozenset({"thread_message", "sent_reply"})


def card_keys(case_id: int) -> tuple[str, ...]:
    """The outbox keys a case's card may be queued under (an open case's card, or the notice of
    an opt-out closed by itself), for a thread post to wait for."""
    return (f"slack-card:{case_id}", f"slack-notice:{case_id}")


def queue_slack(session: Session, rt: Runtime, kind: str, case: Case, *, key: str,
                **extra: object) -> None:
    """Queue a Slack post; the card is rendered at delivery time from the case as it is then."""
    post = slack_post(rt, kind, case, key=key, **extra)
    if post is not None:
        outbox.enqueue(session, post.kind, post.key, post.payload, case.id, now=rt.now(),
                       waits_for=post.waits_for)


#: The Slack payload type of the answer in a chat request's thread (bot/slack/delivery.py).
CHAT_ANSWER = "chat_answer"


def chat_answer_key(message_id: int) -> str:
    """One answer per stored chat message, however often triage or Slack repeat themselves."""
    return f"slack-answer:{message_id}"


def queue_chat_answer(session: Session, rt: Runtime, message: Message, case: Case | None, *,
                      joined: bool) -> OutboxItem | None:
    """Queue the answer in the thread of a chat message (``source="slack"``), in triage's act.

    The payload records what triage did (the case's state then, whether the message joined an
    earlier case), not the wording: the Slack channel words it (``bot.slack.intake.answer_for``)
    when it posts, and reads where to post from the message. Does nothing for other messages,
    or when Slack is not configured (nobody could deliver it). None when nothing was queued.
    """
    if message.source != "slack" or not message.slack_channel or not rt.config.slack.enabled:
        return None
    case_id = case.id if case is not None else None
    payload = {"type": CHAT_ANSWER, "message_id": message.id, "case_id": case_id,
               "state": str(case.state) if case is not None else None, "joined": joined}
    return outbox.enqueue(session, "slack", chat_answer_key(message.id), payload, case_id,
                          now=rt.now())
