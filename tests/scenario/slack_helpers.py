"""What the Slack scenario tests share: the cast, sample mail, config builders, and helpers
that drive the stand-in (click, submit) and read what Slack shows (card, buttons, thread)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from bot.config import SlackConfig, TriageConfig
from bot.pipeline.ingest import store_raw
from bot.runtime import Runtime
from bot.service import poll_once
from bot.slack.runner import run_slack_app
from bot.store.models import Case, OutboxItem
from tests.slack_standin import (
    SlackStandIn,
    block_actions_payload,
    view_submission_payload,
)
from tests.waiting import wait_until  # noqa: F401 - re-exported: tests import it from here

CASES = "C0CASES01"
ALICE = "U0ALICE01"
BOB = "U0BOB0001"
MALLORY = "U0MALLORY"

ACCESS = (
    "From: Erin Example <erin@example.org>\r\nTo: support@caplus.org.uk\r\n"
    "Subject: my data\r\nMessage-ID: <sar-1@example.org>\r\n"
    "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n"
    "Hello, please send me a copy of all the personal data you hold about me.\r\nErin\r\n"
)

QUESTION = (
    "From: Frank <frank@example.net>\r\nTo: support@caplus.org.uk\r\n"
    "Subject: cookies?\r\nMessage-ID: <q-1@example.net>\r\n"
    "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n"
    "How long do you keep my information, and who do you share it with?\r\n"
)


def slack_config(standin: SlackStandIn, **changes: Any) -> SlackConfig:
    fields = {"enabled": True, "mode": "socket", "review_channel": CASES,
              "allowed_user_ids": [ALICE, BOB], "base_url": standin.base_url,
              "bot_token": "xoxb-test", "app_token": "xapp-test", "redaction": "partial",
              "reminder_hour": 24, "signing_secret": "s3cret"}  # hour 24: no reminder posts
    fields.update(changes)
    return SlackConfig(**fields)


def triage_config() -> TriageConfig:
    return TriageConfig()   # the shipped model, as production uses it


def running_app(rt: Runtime, standin: SlackStandIn) -> Iterator[Any]:
    stop = threading.Event()
    ready: queue.Queue[Any] = queue.Queue()
    thread = threading.Thread(target=run_slack_app, args=(rt, stop, ready.put), daemon=True)
    thread.start()
    handler = ready.get(timeout=10)
    standin.wait_for_connection(1)
    yield handler
    if hasattr(handler, "client"):
        handler.client.auto_reconnect_enabled = False
        standin.drop_connections()
    stop.set()
    thread.join(10)
    assert not thread.is_alive(), "run_slack_app did not return after stop was set"


def new_case(rt: Runtime, raw: str) -> Case:
    """Store ``raw`` as received now by the runtime's clock, run the real pipeline and
    deliver; returns the case with its card."""
    assert store_raw(rt.store, raw.encode(), source="file", received_at=rt.now()) is not None
    poll_once(rt)
    with rt.store.sessions() as session:
        return session.scalars(select(Case).order_by(Case.id.desc())).first()


def case_now(rt: Runtime, case_id: int) -> Case:
    with rt.store.sessions() as session:
        return session.get(Case, case_id)


def card(standin: SlackStandIn, case: Case) -> dict:
    return standin.message(case.slack_channel, case.slack_ts)


def buttons(message: dict) -> dict[str, dict]:
    return {e["action_id"]: e for b in message.get("blocks", []) if b["type"] == "actions"
            for e in b["elements"]}


def click(standin: SlackStandIn, user: str, case: Case, action_id: str,
          value: str | None = None, **kwargs: Any) -> str:
    """Send the block_actions envelope for a click on the case's card, as it is now."""
    shown = card(standin, case)
    element = buttons(shown)[action_id]
    payload = block_actions_payload(user, action_id, value or element.get("value", ""),
                                    case.slack_ts, case.slack_channel, message=shown, **kwargs)
    return standin.send_envelope("interactive", payload)


def select_label(standin: SlackStandIn, user: str, case: Case, label: str) -> str:
    shown = card(standin, case)
    option = next(o for o in buttons(shown)["case_reclassify"]["options"]
                  if o["value"].startswith(label + "|"))
    payload = block_actions_payload(user, "case_reclassify", "", case.slack_ts,
                                    case.slack_channel, message=shown)
    action = payload["actions"][0]
    del action["value"], action["text"]
    action.update(type="static_select", selected_option=option)
    return standin.send_envelope("interactive", payload)


def submit(standin: SlackStandIn, user: str, view: dict, values: dict) -> str:
    payload = view_submission_payload(user, view["callback_id"], values,
                                      private_metadata=view["private_metadata"],
                                      view_id=view["id"])
    return standin.send_envelope("interactive", payload)


def outbox(rt: Runtime) -> list[OutboxItem]:
    with rt.store.sessions() as session:
        return list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


def thread_of(standin: SlackStandIn, case: Case) -> list[dict]:
    return [m for m in standin.messages(case.slack_channel) if m.get("thread_ts") == case.slack_ts]


# -- cards ---------------------------------------------------------------------------------
