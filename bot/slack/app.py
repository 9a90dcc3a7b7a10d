"""The Bolt app: listeners that acknowledge at once, then call :mod:`bot.staff` and refresh.

Every button carries ``"<case>:<version>"``. A listener:

1. acks (and, for a modal, calls ``views.open`` next, while the 3-second trigger_id lives);
   ``/privacy`` acks empty and answers from a lazy listener through its ``response_url``;
2. checks the person may act (:class:`~bot.slack.access.Reviewers`); if not, says so privately;
3. runs ONE staff action (one transaction, compare-and-set on the version);
4. on success re-renders the card in place (``chat.update``, buttons gone once closed); on a
   stale version tells the person privately that the case has changed, and changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import Refusal
from bot.runtime import Runtime
from bot.slack import intake, modals, summaries
from bot.slack.access import NOT_ALLOWED, Reviewers
from bot.slack.cards import parse_action_value
from bot.slack.chat import ChatTriage
from bot.slack.delivery import SlackChannel
from bot.staff import actions, rules
from bot.staff.actions import Outcome, Result
from bot.store import audit, suppressions
from bot.store import outbox as outbox_store
from bot.store import staff as staff_store
from replies.deadlines import receipt_date

logger = logging.getLogger(__name__)

BUTTON_ACTIONS = {
    "case_approve": actions.approve,
    "case_assign": actions.assign,
    "case_extend": actions.extend_deadline,
    "case_verify": actions.verify_identity,
    "case_erased": actions.mark_erased,
    "notice_undo": actions.undo_opt_out,
}
_ADDRESS = re.compile(r"^<?(?:mailto:)?([^\s<>|@]+@[^\s<>|@]+\.[^\s<>|@]+)(?:\|[^>]*)?>?$")


class SlackApp:
    """Holds the Bolt app and what its listeners share.

    ``wake`` wakes the triage worker of this process (``privacy-triage run`` passes the
    service's); without one, chat messages are triaged by the app's own background thread
    (:class:`~bot.slack.chat.ChatTriage`). Either way the listener only stores and returns.
    """

    def __init__(self, rt: Runtime, client: WebClient, *, signing_secret: str | None = None,
                 token_verification: bool = True,
                 wake: Callable[[], None] | None = None) -> None:
        cfg = rt.config.slack
        self.rt = rt
        self.client = client
        self.channel = SlackChannel(rt, client)
        self.wake = wake
        self.chat_triage = ChatTriage(rt, self.channel) if wake is None else None
        self.reviewers = Reviewers(client, cfg.review_channel, cfg.allowed_user_ids)
        self.app = App(client=client,
                       signing_secret=signing_secret or cfg.signing_secret
                       or "socket-mode-does-not-sign",
                       token_verification_enabled=token_verification,
                       process_before_response=False)
        self._register()

    # -- wiring ----------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app
        for action_id in BUTTON_ACTIONS:
            app.action(action_id)(self.on_button)
        app.action("case_edit")(self.on_edit)
        app.action("case_reject")(self.on_reject)
        app.action("case_reclassify")(self.on_reclassify)
        app.view(modals.EDIT_CALLBACK)(self.on_edit_submitted)
        app.view(modals.REJECT_CALLBACK)(self.on_reject_submitted)
        app.event("app_home_opened")(self.on_home)
        app.event("message")(self.on_message)
        app.command("/privacy")(ack=self.ack_command, lazy=[self.on_command])
        app.error(self.on_error)

    # -- helpers ---------------------------------------------------------------------------

    def tell(self, user: str, channel: str | None, text: str) -> None:
        """A private note to ``user`` (ephemeral in ``channel``, else a DM)."""
        try:
            if channel:
                try:
                    self.client.chat_postEphemeral(channel=channel, user=user, text=text)
                    return
                except SlackApiError as exc:
                    # Someone outside the channel (who is therefore not allowed) gets a DM.
                    if exc.response.get("error") != "user_not_in_channel":
                        raise
            self.client.chat_postMessage(channel=user, text=text)
        except SlackApiError as exc:
            logger.warning("Could not tell %s: %s", user, exc.response.get("error"))

    def allowed(self, user: str, action: str, case_id: int | None = None) -> bool:
        """Whether ``user`` may act now; a refusal is written to the audit trail.

        Asked at the moment of the action (no cache), so a person removed from the review
        channel is refused from their very next click.
        """
        if self.reviewers.may_act(user):
            return True
        try:
            with self.rt.store.transaction() as session:
                audit.record(session, f"slack:{user}", "slack.refused", case_id, attempted=action,
                             reason="not a reviewer")
        except Exception:  # the refusal stands even if it could not be written down
            logger.exception("Could not audit a refused Slack action")
        logger.info("Refused %s by %s (not a reviewer)", action, user)
        return False

    @staticmethod
    def _case_of(value: str) -> int | None:
        try:
            return parse_action_value(value)[0]
        except ValueError:
            return None

    def settle(self, result: Result, user: str, channel: str | None) -> None:
        """Show the outcome: refresh the card on success or staleness, explain otherwise."""
        if result.status is Outcome.DONE:
            self.refresh(result.case_id, result.version)
            return
        if result.status is Outcome.STALE:
            self.tell(user, channel, f"This case has changed since you saw it (case "
                      f"{result.case_id}: {result.message}), so nothing was done. The card "
                      "now shows it as it is.")
            self.refresh(result.case_id, None)
            return
        self.tell(user, channel, f"Case {result.case_id}: {result.message}. Nothing was done.")

    def refresh(self, case_id: int, version: int | None) -> None:
        """Update the card now; the queued ``card_update`` row is then settled (or, if this
        fails, delivered later by the outbox)."""
        try:
            facts = self.channel.refresh(case_id)
        except Exception:  # any failure: the queued card_update row will retry it
            logger.warning("Card refresh for case %s failed; the outbox will retry", case_id,
                           exc_info=True)
            return
        if version is not None:
            with self.rt.store.transaction() as session:
                outbox_store.settle(session, f"slack-update:{case_id}:{version}", dict(facts),
                                   self.rt.now())

    @staticmethod
    def _where(body: dict[str, Any]) -> tuple[str, str | None]:
        channel = (body.get("channel") or {}).get("id") or (
            body.get("container") or {}).get("channel_id")
        return body["user"]["id"], channel

    # -- buttons ---------------------------------------------------------------------------

    def on_button(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        user, channel = self._where(body)
        if not self.allowed(user, action["action_id"], self._case_of(action.get("value", ""))):
            self.tell(user, channel, NOT_ALLOWED)
            return
        case_id, version = parse_action_value(action["value"])
        result = BUTTON_ACTIONS[action["action_id"]](self.rt, case_id, version, f"slack:{user}")
        self.settle(result, user, channel)

    def on_reclassify(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        user, channel = self._where(body)
        value = action["selected_option"]["value"]
        if not self.allowed(user, "case_reclassify", self._case_of(value.partition("|")[2])):
            self.tell(user, channel, NOT_ALLOWED)
            return
        label, _, value = action["selected_option"]["value"].partition("|")
        case_id, version = parse_action_value(value)
        self.settle(actions.reclassify(self.rt, case_id, version, f"slack:{user}", label),
                    user, channel)

    def on_edit(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        # views.open first: the trigger_id expires three seconds after the click.
        opened = self.open_modal(body, modals.loading_view("Edit reply"))
        if opened is None:
            return
        user, _ = self._where(body)
        case_id, version = parse_action_value(action["value"])
        if not self.allowed(user, "case_edit", case_id):
            view = modals.message_view("Not allowed", NOT_ALLOWED)
        else:
            current, draft = actions.draft_for(self.rt, case_id)
            if current != version:
                view = modals.message_view("Case changed", "This case has changed since the "
                                           "card was drawn; the card now shows it as it is.")
                self.refresh(case_id, None)
            elif draft is None:
                view = modals.message_view("No draft", "This case has no draft to edit.")
            else:
                view = modals.edit_view(case_id, version, draft.version, draft.subject,
                                        draft.text)
        self.client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)

    def on_edit_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        submitted = modals.read_edit(view)
        try:
            rules.check_draft(submitted.subject, submitted.text)
        except Refusal as exc:
            ack(response_action="errors", errors={"part_0": str(exc)})
            return
        if not self.allowed(user, "case_edit.submit", submitted.case_id):
            ack(response_action="errors", errors={"subject": NOT_ALLOWED[:150]})
            return
        ack()
        text = submitted.text
        if submitted.kept:
            with self.rt.store.sessions() as session:
                stored = staff_store.draft_version(session, submitted.case_id,
                                                   submitted.draft_version)
                text += stored.text[-submitted.kept:] if stored else ""
        result = actions.edit_draft(self.rt, submitted.case_id, submitted.version,
                                    f"slack:{user}", subject=submitted.subject, text=text)
        self.settle(result, user, self._card_channel(submitted.case_id))

    def on_reject(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        case_id, version = parse_action_value(action["value"])
        self.open_modal(body, modals.reject_view(case_id, version))

    def open_modal(self, body: dict[str, Any], view: dict[str, Any]) -> dict[str, Any] | None:
        """views.open with the click's trigger_id; a private note if Slack refuses it."""
        try:
            opened: dict[str, Any] = self.client.views_open(trigger_id=body["trigger_id"],
                                                            view=view)["view"]
            return opened
        except SlackApiError as exc:
            error = exc.response.get("error")
            logger.warning("views.open failed: %s", error)
            user, channel = self._where(body)
            self.tell(user, channel, f"Slack did not open the form ({error}); please click "
                      "again.")
            return None

    def on_reject_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        case_id, version, reason = modals.read_reject(view)
        try:
            rules.check_reason(reason)
        except Refusal as exc:
            ack(response_action="errors", errors={"reason": str(exc)})
            return
        if not self.allowed(user, "case_reject.submit", case_id):
            ack(response_action="errors", errors={"reason": NOT_ALLOWED[:150]})
            return
        ack()
        result = actions.reject(self.rt, case_id, version, f"slack:{user}", reason)
        self.settle(result, user, self._card_channel(case_id))

    def _card_channel(self, case_id: int) -> str | None:
        with self.rt.store.sessions() as session:
            return staff_store.card_channel(session, case_id) or self.rt.config.slack.review_channel

    # -- events and commands ---------------------------------------------------------------

    def on_home(self, event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        today = receipt_date(self.rt.now())
        with self.rt.store.sessions() as session:
            assigned = [summaries.ReminderRow(c.id, c.label, c.due_date, c.assigned_to)
                        for c in staff_store.open_cases_assigned_to(session, user)]
            counts = staff_store.count_by_state(session)
            soon = staff_store.open_cases_due_by(session, today + timedelta(days=7))
            overdue = sum(1 for c in soon if c.due_date and c.due_date < today)
        client.views_publish(user_id=user, view=summaries.home_view(
            user, assigned, counts, len(soon) - overdue, overdue, today))

    def on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        cfg = self.rt.config.slack
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return  # edits, joins, bots (ourselves included): not requests
        direct = event.get("channel_type") == "im"
        in_intake = bool(cfg.intake_channel) and event.get("channel") == cfg.intake_channel
        if not (direct or in_intake):
            return
        # Bolt acked the event before calling this; store it, hand it on, return.
        stored = intake.take_message(self.rt, self.client, event, body.get("team_id", ""))
        if stored is None:
            return  # a redelivery: the first delivery was handed on already
        if self.wake is not None:
            self.wake()
        elif self.chat_triage is not None:
            self.chat_triage.submit(stored)

    def close(self) -> None:
        """Stop the background chat triage (if this app has one) once its job in hand ends."""
        if self.chat_triage is not None:
            self.chat_triage.close()

    @staticmethod
    def ack_command(ack: Ack) -> None:
        """Acknowledge ``/privacy`` at once: the answer needs the database and maybe
        ``conversations.members``, which must not eat into Slack's three seconds."""
        ack()

    def on_command(self, respond: Respond, command: dict[str, Any]) -> None:
        """Answer ``/privacy`` (a lazy listener, after the ack) privately, by ``response_url``."""
        respond(text=self.command_answer(command["user_id"], (command.get("text") or "").strip()),
                response_type="ephemeral")

    def command_answer(self, user: str, text: str) -> str:
        if not self.allowed(user, "/privacy"):
            return NOT_ALLOWED
        if text in ("", "help"):
            return summaries.HELP
        if text == "status":
            with self.rt.store.sessions() as session:
                counts = staff_store.count_by_state(session)
            return f"Privacy cases · {summaries.counts_text(counts)}"
        match = _ADDRESS.match(text)
        if not match:
            return summaries.HELP
        address = match.group(1).lower()
        with self.rt.store.sessions() as session:
            suppressed = suppressions.is_suppressed(session, address)
            found = [(c.id, c.label, c.state)
                     for c in staff_store.cases_for_address(session, address)]
        return summaries.lookup_text(address, suppressed, found)

    def on_error(self, error: Exception, body: dict[str, Any]) -> None:
        # The class, not the text: an error about a Slack event can quote the person's words.
        logger.error("Slack listener failed: %s (%s)", type(error).__name__, body.get("type"),
                     exc_info=error)


def build_app(rt: Runtime, client: WebClient, **kwargs: Any) -> SlackApp:
    """The Bolt app for ``rt``, using ``client`` for every Web API call."""
    return SlackApp(rt, client, **kwargs)
