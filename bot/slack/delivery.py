"""The Slack channel of the outbox: cards, notices and thread posts, rendered when delivered.

The pipeline and staff actions only queue ``{"type": ..., "case_id": ...}``; this module reads
the case as it is at delivery time and posts or updates its message, so a card delivered late
(Slack was down) is never out of date. It is a plain callable for the dispatcher, using the Web
API only: ``privacy-triage poll --once`` delivers through it without opening Socket Mode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import SlackConfig
from bot.errors import DeliveryError
from bot.runtime import Runtime
from bot.slack import alerts, cards, intake, summaries
from bot.slack.cards import as_dicts
from bot.slack.client import PACER, Pacer, make_web_client
from bot.slack.data import card_data
from bot.slack.text import escape
from bot.store import staff as staff_store
from bot.store.models import Case, CaseState, Message, OutboxItem, OutboxState, TriageState
from replies.deadlines import receipt_date

logger = logging.getLogger(__name__)

# Errors that will not go away by trying again: show them on the case at once.
PERMANENT_ERRORS = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text",
                    "invalid_arguments", "too_many_attachments", "is_archived",
                    "channel_not_found", "account_inactive", "invalid_auth",
                    "not_allowed_token_type"}


def translate(exc: Exception, what: str) -> DeliveryError:
    """A slack_sdk failure as the outbox's DeliveryError (permanent or worth a retry)."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
        permanent = status < 500 and status != 429 and error in PERMANENT_ERRORS
        return DeliveryError(f"Slack {what}: HTTP {status} {error}".strip(), permanent=permanent)
    return DeliveryError(f"Slack {what}: {type(exc).__name__}: {exc}")


class SlackChannel:
    """Delivers ``slack`` outbox items (see the payload types in :meth:`__call__`)."""

    def __init__(self, rt: Runtime, client: WebClient | None = None,
                 pacer: Pacer = PACER) -> None:
        self.rt = rt
        self.client = client or make_web_client(rt.config.slack)
        self.pacer = pacer
        self.handlers: dict[str, Callable[[OutboxItem], Mapping[str, Any]]] = {
            "case_card": self._card, "card_update": self._card,
            "opt_out_notice": self._notice, "thread_message": self._follow_up,
            "sent_reply": self._sent_reply, "slack_reply": self._slack_reply,
            "reminder": self._reminder, "opt_out_digest": self._digest,
            "triage_failure": self._triage_failure, "chat_answer": self._chat_answer,
        }

    def __call__(self, item: OutboxItem) -> Mapping[str, Any]:
        kind = item.payload.get("type", "")
        handler = self.handlers.get(kind)
        if handler is None:
            raise DeliveryError(f"unknown Slack payload type {kind!r}", permanent=True)
        try:
            return handler(item)
        except (SlackApiError, SlackClientError) as exc:
            raise translate(exc, kind) from exc

    # -- helpers ---------------------------------------------------------------------------

    @property
    def _cfg(self) -> SlackConfig:
        return self.rt.config.slack

    def post(self, channel: str, text: str, blocks: list[Any] | None = None,
             thread_ts: str | None = None) -> dict[str, Any]:
        """chat.postMessage, paced per channel."""
        self.pacer.wait(channel)
        response = self.client.chat_postMessage(
            channel=channel, text=text, blocks=as_dicts(blocks) if blocks else None,
            thread_ts=thread_ts, unfurl_links=False, unfurl_media=False)
        return {"channel": response["channel"], "ts": response["ts"]}

    def render(self, case_id: int) -> tuple[Case, str, list[Any]]:
        today = receipt_date(self.rt.now())
        with self.rt.store.sessions() as session:
            case = session.get(Case, case_id)
            data = card_data(session, case_id)
        if case is None or data is None:
            raise DeliveryError(f"case {case_id} does not exist", permanent=True)
        try:
            if case.state == CaseState.AUTO_RESOLVED:
                text, blocks = cards.opt_out_notice(data, self._cfg.redaction)
            else:
                text, blocks = cards.case_card(data, self._cfg.redaction, today)
            as_dicts(blocks)  # Block Kit validation errors come out here, not at Slack
        except Exception:
            logger.exception("Card of case %s could not be rendered; posting a minimal one",
                             case_id)
            with self.rt.store.sessions() as session:
                first = staff_store.first_message(session, case_id)
                message_id = first.id if first is not None else None
            text, blocks = cards.minimal_card(case_id, message_id)
        return case, text, blocks

    def refresh(self, case_id: int) -> dict[str, Any]:
        """Post the case's message, or update it where it already is."""
        case, text, blocks = self.render(case_id)
        if case.slack_ts and case.slack_channel:
            try:
                self.client.chat_update(channel=case.slack_channel, ts=case.slack_ts,
                                        text=text, blocks=as_dicts(blocks))
                return {"channel": case.slack_channel, "ts": case.slack_ts, "updated": True}
            except SlackApiError as exc:
                if exc.response.get("error") != "message_not_found":
                    raise
                logger.warning("Card of case %s was deleted; posting it again", case_id)
        posted = self.post(self._cfg.review_channel, text, blocks)
        with self.rt.store.transaction() as session:
            staff_store.set_card(session, case_id, posted["channel"], posted["ts"])
        return posted

    def _card_ts(self, case_id: int) -> tuple[str, str]:
        with self.rt.store.sessions() as session:
            case = session.get(Case, case_id)
            where = (case.slack_channel, case.slack_ts) if case else (None, None)
        if not where[0] or not where[1]:
            # Thread posts wait for their card in the outbox (``waits_for``), so this is only
            # reached by one with no card row to wait for (or a notice shown in the digest).
            raise DeliveryError(f"the card of case {case_id} is not posted yet")
        return where[0], where[1]

    # -- payload types ---------------------------------------------------------------------

    def _card(self, item: OutboxItem) -> Mapping[str, Any]:
        return self.refresh(item.payload["case_id"])

    def _notice(self, item: OutboxItem) -> Mapping[str, Any]:
        if self._cfg.opt_out_notices == "digest":
            return {"digest": True}  # shown in the next daily digest instead
        return self.refresh(item.payload["case_id"])

    def _follow_up(self, item: OutboxItem) -> Mapping[str, Any]:
        case_id = item.payload["case_id"]
        channel, ts = self._card_ts(case_id)
        with self.rt.store.sessions() as session:
            message = session.get(Message, item.payload.get("message_id"))
            body = (message.reply_text or message.body_text) if message else ""
            received = message.received_at if message else self.rt.now()
        text = cards.follow_up_message(body, received, self._cfg.redaction,
                                       suppressed=bool(item.payload.get("suppressed")))
        posted = self.post(channel, text, thread_ts=ts)
        try:
            self.refresh(case_id)  # the follow-up changed the case's version and maybe its state
        except (SlackApiError, SlackClientError) as exc:
            # Not worth re-posting the thread message for: a click on the old card is
            # recognised as stale and redraws it.
            logger.warning("Card of case %s not redrawn after a follow-up: %s", case_id, exc)
        return posted

    def _sent_reply(self, item: OutboxItem) -> Mapping[str, Any]:
        case_id = item.payload["case_id"]
        channel, ts = self._card_ts(case_id)
        with self.rt.store.sessions() as session:
            email = staff_store.outbox_item(session, item.payload["email_key"])
            state = email.state if email else "missing"
            error = email.last_error if email else "the reply was never queued"
            text = (email.payload.get("text", "") if email else "")
            actor = staff_store.approver(session, case_id)
        if state in (OutboxState.PENDING, OutboxState.SENDING):
            # Not expected: the note is queued when its email is marked sent or failed. Seen
            # for a note queued by an older version, or an email retried by staff since.
            raise DeliveryError("the reply has not been sent yet")
        version = item.payload.get("draft_version", 0)
        failure = None if state == OutboxState.SENT else (error or state)
        return self.post(channel, cards.sent_reply_message(actor, version, text, failure,
                                                          self._cfg.redaction),
                         thread_ts=ts)

    def _slack_reply(self, item: OutboxItem) -> Mapping[str, Any]:
        payload = item.payload
        with self.rt.store.sessions() as session:
            draft = staff_store.draft_version(session, payload["case_id"],
                                              payload["draft_version"])
            text = draft.text if draft else ""
            actor = staff_store.approver(session, payload["case_id"])
        if not text:
            raise DeliveryError("the approved draft is missing", permanent=True)
        posted = self.post(payload["channel"], escape(text), thread_ts=payload.get("thread_ts"))
        try:
            channel, ts = self._card_ts(payload["case_id"])
            self.post(channel, cards.sent_reply_message(actor, payload["draft_version"], text,
                                                     redaction=self._cfg.redaction),
                      thread_ts=ts)
        except DeliveryError:
            pass  # the reply itself went out; the card note is a courtesy
        return posted

    def _chat_answer(self, item: OutboxItem) -> Mapping[str, Any]:
        """The answer in a chat request's thread, worded from what triage recorded."""
        payload = item.payload
        with self.rt.store.sessions() as session:
            message = session.get(Message, payload.get("message_id"))
            target = intake.answer_target(message) if message is not None else None
            email = message.sender if message is not None else None
        if target is None:
            raise DeliveryError("the chat message is gone or has no Slack thread",
                                permanent=True)
        text = intake.answer_for(payload.get("state"), bool(payload.get("joined")), email)
        channel, thread_ts = target
        return self.post(channel, escape(text), thread_ts=thread_ts)

    def _reminder(self, item: OutboxItem) -> Mapping[str, Any]:
        today = receipt_date(self.rt.now())
        with self.rt.store.sessions() as session:
            due = staff_store.open_cases_due_by(session, today + timedelta(days=7))
            rows = [summaries.ReminderRow(c.id, c.label, c.due_date, c.assigned_to)
                    for c in due]
        if not rows:
            return {"skipped": "nothing due"}
        text, blocks = summaries.reminder(rows, today)
        return self.post(self._cfg.review_channel, text, blocks)

    def _digest(self, item: OutboxItem) -> Mapping[str, Any]:
        ids = item.payload.get("case_ids", [])
        with self.rt.store.sessions() as session:
            items = [d for d in (card_data(session, i) for i in ids) if d is not None]
        if not items:
            return {"skipped": "no opt-outs"}
        text, blocks = cards.opt_out_digest(items, self._cfg.redaction,
                                            receipt_date(self.rt.now()))
        return self.post(self._cfg.review_channel, text, blocks)


    def _triage_failure(self, item: OutboxItem) -> Mapping[str, Any]:
        """The alert for a message failing triage for over an hour (see bot/slack/alerts.py)."""
        with self.rt.store.sessions() as session:
            message = session.get(Message, item.payload.get("message_id"))
            if message is None or message.triage_state != TriageState.FAILED:
                return {"skipped": "triaged since"}
            failed = alerts.FailedMessage(
                message.id, message.received_at, message.triage_failed_at or message.received_at,
                message.triage_error_class or "unknown error", message.triage_next_at is None)
        text, blocks = alerts.triage_failure_card(failed)
        return self.post(self._cfg.review_channel, text, blocks)
