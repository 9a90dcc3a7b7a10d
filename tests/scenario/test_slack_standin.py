"""The Slack stand-in speaks the real wire protocol: shown with the real slack_sdk clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import aiohttp
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    FixedValueRetryIntervalCalculator,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from tests.slack_standin import (
    APP_ID,
    BOT_USER_ID,
    SlackStandIn,
    block_actions_payload,
    message_event,
    new_trigger_id,
    sign_request,
    slash_command_payload,
    text_input_values,
    view_submission_payload,
)
from tests.waiting import wait_until

CASES = "C0CASES01"
ALICE = "U0ALICE01"
BOB = "U0BOB0001"


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _card(state: str) -> list[dict]:
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "Opt-out request"}},
        _section(f"*State:* {state}"),
        {
            "type": "actions",
            "block_id": "case-42",
            "elements": [
                {"type": "button", "action_id": "approve", "value": "42",
                 "text": {"type": "plain_text", "text": "Approve"}, "style": "primary"},
            ],
        },
    ]


@pytest.fixture
def client(slack_standin: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack_standin.base_url)


class _Listener:
    """Collects Socket Mode requests; acks them unless told to skip some deliveries."""

    def __init__(self, skip_first: int = 0) -> None:
        self.requests: list[SocketModeRequest] = []
        self.skip_first = skip_first
        self.got = threading.Event()

    def __call__(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        self.requests.append(req)
        if len(self.requests) > self.skip_first:
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
        self.got.set()


@contextlib.contextmanager
def _connected(standin: SlackStandIn, listener: _Listener) -> Iterator[SocketModeClient]:
    """The builtin SocketModeClient, connected to the stand-in and shut down quickly after."""
    web = WebClient(token="xoxb-test", base_url=standin.base_url)
    client = SocketModeClient(app_token="xapp-test", web_client=web)
    client.socket_mode_request_listeners.append(listener)
    try:
        client.connect()
        yield client
    finally:
        client.auto_reconnect_enabled = False
        standin.drop_connections()
        client.close()


# -- Web API -------------------------------------------------------------------------------


def test_it_posts_updates_and_posts_ephemeral_messages(slack_standin, client):
    posted = client.chat_postMessage(channel=CASES, text="Opt-out request", blocks=_card("new"))
    assert posted["ok"] and posted["channel"] == CASES
    ts = posted["ts"]
    assert posted["message"]["blocks"] == _card("new")

    reply = client.chat_postMessage(channel=CASES, text="Draft ready", thread_ts=ts)
    updated = client.chat_update(channel=CASES, ts=ts, text="Opt-out done", blocks=_card("done"))
    assert updated["ts"] == ts and updated["text"] == "Opt-out done"
    client.chat_postEphemeral(channel=CASES, user=ALICE, text="Only you can see this")

    now = slack_standin.message(CASES, ts)
    assert now["blocks"] == _card("done") and now["text"] == "Opt-out done"
    assert now["edited"]["user"] == BOT_USER_ID
    thread = [m for m in slack_standin.messages(CASES) if m.get("thread_ts") == ts]
    assert [m["ts"] for m in thread] == [reply["ts"]]
    assert slack_standin.ephemeral_messages(CASES)[0]["user"] == ALICE

    call = slack_standin.calls("chat.update")[0]
    assert call.args["blocks"] == _card("done")
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    assert call.headers["Content-Type"].startswith("application/json")
    assert len(slack_standin.calls("chat.postMessage")) == 2


def test_it_decodes_form_encoded_calls_with_the_token_in_the_body(slack_standin):
    body = urllib.parse.urlencode({
        "token": "xoxb-test", "channel": CASES, "text": "hi", "blocks": json.dumps(_card("new")),
    }).encode()
    request = urllib.request.Request(slack_standin.base_url + "chat.postMessage", data=body)
    with urllib.request.urlopen(request, timeout=5) as response:
        answer = json.load(response)
    assert answer["ok"] is True
    assert slack_standin.message(CASES, answer["ts"])["blocks"] == _card("new")


def test_it_refuses_wrong_and_misplaced_tokens(slack_standin):
    wrong = WebClient(token="xoxb-wrong", base_url=slack_standin.base_url)
    with pytest.raises(SlackApiError) as caught:
        wrong.chat_postMessage(channel=CASES, text="hi")
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == "invalid_auth"

    app_token = WebClient(token="xapp-test", base_url=slack_standin.base_url)
    with pytest.raises(SlackApiError) as caught:
        app_token.chat_postMessage(channel=CASES, text="hi")
    assert caught.value.response["error"] == "not_allowed_token_type"

    bot = WebClient(token="xoxb-test", base_url=slack_standin.base_url)
    with pytest.raises(SlackApiError) as caught:
        bot.apps_connections_open(app_token="xapp-nope")
    assert caught.value.response["error"] == "invalid_auth"
    url = bot.apps_connections_open(app_token="xapp-test")["url"]
    assert url.startswith(f"ws://127.0.0.1:{slack_standin.port}/link/?ticket=")


def test_it_refuses_an_over_long_section_with_invalid_blocks(slack_standin, client):
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=CASES, text="x", blocks=[_section("a" * 3001)])
    response = caught.value.response
    assert response["error"] == "invalid_blocks"
    assert "[json-pointer:/blocks/0/text/text]" in response["response_metadata"]["messages"][0]
    assert slack_standin.messages(CASES) == []

    ok = client.chat_postMessage(channel=CASES, text="x", blocks=[_section("a" * 3000)])
    assert ok["ok"]
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=CASES, text="x", blocks=[_section("b")] * 51)
    assert caught.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=CASES, text="x" * 40_001)
    assert caught.value.response["error"] == "msg_too_long"


def test_a_ratelimit_is_a_429_with_retry_after(slack_standin, client):
    slack_standin.fail_next("chat.postMessage", "ratelimit")
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=CASES, text="hi")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "1"
    assert caught.value.response["error"] == "ratelimited"


def test_a_ratelimit_then_success_with_the_ratelimit_retry_handler(slack_standin, client):
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    slack_standin.fail_next("chat.postMessage", "ratelimit")
    started = time.monotonic()
    posted = client.chat_postMessage(channel=CASES, text="hi")
    assert posted["ok"]
    assert time.monotonic() - started >= 1.0  # it honoured Retry-After: 1
    assert [c.status for c in slack_standin.calls("chat.postMessage")] == [429, 200]
    assert len(slack_standin.messages(CASES)) == 1


def test_a_server_error_surfaces_then_succeeds_with_the_server_error_handler(
    slack_standin, client
):
    slack_standin.fail_next("chat.update", "server_error")
    with pytest.raises(SlackApiError) as caught:
        client.chat_update(channel=CASES, ts="1.000001", text="x")
    assert caught.value.response.status_code == 500

    client.retry_handlers.append(ServerErrorRetryHandler(  # retried at once: nothing to wait for
        max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)))
    slack_standin.fail_next("chat.postMessage", "server_error")
    assert client.chat_postMessage(channel=CASES, text="hi")["ok"]
    assert [c.status for c in slack_standin.calls("chat.postMessage")] == [500, 200]


def test_injected_invalid_blocks_fails_only_the_next_call(slack_standin, client):
    slack_standin.fail_next("chat.postMessage", "invalid_blocks", count=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as caught:
            client.chat_postMessage(channel=CASES, text="hi")
        assert caught.value.response["error"] == "invalid_blocks"
    assert client.chat_postMessage(channel=CASES, text="hi")["ok"]
    with pytest.raises(ValueError):
        slack_standin.fail_next("chat.postMessage", "flood")


def test_trigger_ids_expire_after_three_seconds_and_work_once(slack_standin, client):
    modal = {"type": "modal", "callback_id": "edit_draft",
             "title": {"type": "plain_text", "text": "Edit draft"},
             "submit": {"type": "plain_text", "text": "Save"},
             "blocks": [{"type": "input", "block_id": "draft",
                         "label": {"type": "plain_text", "text": "Reply"},
                         "element": {"type": "plain_text_input", "action_id": "body",
                                     "multiline": True, "initial_value": "Dear Ann"}}]}
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id=new_trigger_id(now=time.time() - 3.5), view=modal)
    assert caught.value.response["error"] == "expired_trigger_id"

    trigger = new_trigger_id()
    opened = client.views_open(trigger_id=trigger, view=modal)
    assert slack_standin.view(opened["view"]["id"])["callback_id"] == "edit_draft"
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id=trigger, view=modal)
    assert caught.value.response["error"] == "exchanged_trigger_id"

    slack_standin.fail_next("views.open", "expired_trigger_id")
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id=new_trigger_id(), view=modal)
    assert caught.value.response["error"] == "expired_trigger_id"


def test_views_are_checked_updated_and_published(slack_standin, client):
    long_title = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25},
                  "blocks": []}
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id=new_trigger_id(), view=long_title)
    assert caught.value.response["error"] == "invalid_arguments"
    assert "/view/title/text" in caught.value.response["response_metadata"]["messages"][0]

    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Case 42"},
             "blocks": [_section("Loading…")]}
    view = client.views_open(trigger_id=new_trigger_id(), view=modal)["view"]
    modal["blocks"] = [_section("Ready")]
    with pytest.raises(SlackApiError) as caught:
        client.views_update(view_id=view["id"], hash="stale", view=modal)
    assert caught.value.response["error"] == "hash_conflict"
    client.views_update(view_id=view["id"], hash=view["hash"], view=modal)
    assert slack_standin.view(view["id"])["blocks"] == [_section("Ready")]

    client.views_publish(user_id=ALICE, view={"type": "home", "blocks": [_section("Cases")]})
    assert slack_standin.home_view(ALICE)["blocks"] == [_section("Cases")]


def test_users_info_and_paginated_channel_members(slack_standin, client):
    slack_standin.add_user(ALICE, "alice@caplus.org.uk", real_name="Alice Adams")
    assert client.users_info(user=ALICE)["user"]["profile"]["email"] == "alice@caplus.org.uk"
    with pytest.raises(SlackApiError) as caught:
        client.users_info(user=BOB)
    assert caught.value.response["error"] == "user_not_found"

    slack_standin.set_members(CASES, [f"U{i:08d}" for i in range(5)])
    pages = [page["members"] for page in client.conversations_members(channel=CASES, limit=2)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [m for page in pages for m in page] == [f"U{i:08d}" for i in range(5)]


def test_signed_requests_verify_and_stale_or_bad_ones_do_not():
    body = b"token=x&command=%2Fprivacy&text=status"
    verifier = SignatureVerifier("s3cret")
    good = sign_request("s3cret", body)
    assert verifier.is_valid_request(body, good)
    stale = sign_request("s3cret", body, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, stale)
    bad = sign_request("other", body)
    assert not verifier.is_valid_request(body, bad)
    assert not verifier.is_valid_request(body + b"&x=1", good)


# -- Socket Mode ---------------------------------------------------------------------------


def test_socket_mode_hello_then_envelope_then_ack(slack_standin):
    listener = _Listener()
    raw: list[str] = []
    with _connected(slack_standin, listener) as client:
        client.on_message_listeners.append(raw.append)
        slack_standin.wait_for_connection(1)
        event = message_event(ALICE, "D0ALICE01", "Please remove me from your list")
        envelope_id = slack_standin.send_envelope("events_api", event)
        ack = slack_standin.wait_for_ack(envelope_id, timeout=5)
    assert ack.known and ack.elapsed < 3
    request = listener.requests[0]
    assert request.type == "events_api" and request.envelope_id == envelope_id
    assert request.payload["event"]["text"] == "Please remove me from your list"
    assert request.retry_attempt == 0
    envelope = json.loads(raw[-1])
    assert envelope["accepts_response_payload"] is False and envelope["retry_reason"] == ""
    assert slack_standin.calls("apps.connections.open")[0].headers["Authorization"] == (
        "Bearer xapp-test"
    )


def test_the_first_frame_on_a_connection_is_hello(slack_standin):
    # Read the socket ourselves: the SDK client would consume hello before a listener is added.
    web = WebClient(token="xoxb-test", base_url=slack_standin.base_url)
    url = web.apps_connections_open(app_token="xapp-test")["url"]

    async def first_frame() -> dict:
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            return await ws.receive_json(timeout=5)

    hello = asyncio.run(first_frame())
    assert hello["type"] == "hello" and hello["num_connections"] == 1
    assert hello["connection_info"]["app_id"] == APP_ID
    assert "debug_info" in hello


def test_a_socket_mode_ticket_opens_one_connection_only(slack_standin):
    web = WebClient(token="xoxb-test", base_url=slack_standin.base_url)
    url = web.apps_connections_open(app_token="xapp-test")["url"]

    async def connect_twice() -> int:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(url):
                pass
            with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
                await session.ws_connect(url)
            return caught.value.status

    assert asyncio.run(connect_twice()) == 401


def test_interactive_and_slash_envelopes_reach_the_app(slack_standin):
    listener = _Listener()
    with _connected(slack_standin, listener):
        slack_standin.wait_for_connection(1)
        click = slack_standin.send_envelope(
            "interactive", block_actions_payload(ALICE, "approve", "42", "1.000001", CASES)
        )
        submit = slack_standin.send_envelope(
            "interactive",
            view_submission_payload(ALICE, "edit_draft",
                                    text_input_values({"draft": {"body": "Dear Ann"}})),
        )
        slash = slack_standin.send_envelope(
            "slash_commands", slash_command_payload(ALICE, "/privacy", "status", CASES),
            accepts_response_payload=True,
        )
        for envelope_id in (click, submit, slash):
            slack_standin.wait_for_ack(envelope_id)
    by_type = {r.payload.get("type") or r.type: r for r in listener.requests}
    assert by_type["block_actions"].payload["actions"][0]["action_id"] == "approve"
    values = by_type["view_submission"].payload["view"]["state"]["values"]
    assert values["draft"]["body"]["value"] == "Dear Ann"
    assert by_type["slash_commands"].payload["command"] == "/privacy"
    assert by_type["slash_commands"].accepts_response_payload is True


def test_an_unacked_events_envelope_is_redelivered_with_retry_attempt_1():
    with SlackStandIn(ack_timeout=0.3) as standin:
        listener = _Listener(skip_first=1)
        with _connected(standin, listener):
            standin.wait_for_connection(1)
            envelope_id = standin.send_envelope("events_api", message_event(ALICE, "D1", "hi"))
            ack = standin.wait_for_ack(envelope_id, timeout=5)
        first, second = listener.requests[:2]
        assert first.envelope_id == second.envelope_id == envelope_id
        assert (first.retry_attempt, second.retry_attempt) == (0, 1)
        assert second.retry_reason == "timeout"
        assert ack.elapsed >= 0.3
        assert standin.deliveries(envelope_id) == 2


def test_an_unacked_interactive_envelope_is_not_redelivered():
    with SlackStandIn(ack_timeout=0.2) as standin:
        listener = _Listener(skip_first=5)
        with _connected(standin, listener):
            standin.wait_for_connection(1)
            payload = block_actions_payload(ALICE, "approve", "42", "1.000001", CASES)
            envelope_id = standin.send_envelope("interactive", payload)
            assert listener.got.wait(5)
            wait_until(lambda: standin.gave_up(envelope_id), 5, "the ack deadline to pass")
        assert len(listener.requests) == 1
        assert standin.deliveries(envelope_id) == 1
        assert standin.acks(envelope_id) == []


def test_disconnect_makes_the_client_reconnect(slack_standin):
    listener = _Listener()
    with _connected(slack_standin, listener):
        slack_standin.wait_for_connection(1)
        slack_standin.disconnect("refresh_requested")
        slack_standin.wait_for_connection(2, timeout=5)
        assert len(slack_standin.calls("apps.connections.open")) >= 2
        envelope_id = slack_standin.send_envelope("events_api", message_event(BOB, "D2", "hi"))
        assert slack_standin.wait_for_ack(envelope_id).known


# -- slack-bolt on top ---------------------------------------------------------------------


def test_a_bolt_app_acks_a_click_opens_a_modal_and_updates_the_card(slack_standin, client):
    from slack_bolt import App
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    card = client.chat_postMessage(channel=CASES, text="Case 42", blocks=_card("new"))
    app = App(client=WebClient(token="xoxb-test", base_url=slack_standin.base_url),
              signing_secret="unused-in-socket-mode")

    @app.action("approve")
    def approve(ack, body, client):
        ack()
        client.views_open(trigger_id=body["trigger_id"], view={
            "type": "modal", "callback_id": "confirm",
            "title": {"type": "plain_text", "text": "Approve case"},
            "blocks": [_section(f"Approve case {body['actions'][0]['value']}?")],
        })
        client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"],
                           text="Case 42", blocks=_card("approved"))

    handler = SocketModeHandler(app, app_token="xapp-test")
    handler.connect()
    try:
        slack_standin.wait_for_connection(1)
        payload = block_actions_payload(
            ALICE, "approve", "42", card["ts"], CASES, block_id="case-42",
            message=slack_standin.message(CASES, card["ts"]),
        )
        ack = slack_standin.wait_for_ack(slack_standin.send_envelope("interactive", payload))
        slack_standin.wait_for("chat.update")
    finally:
        handler.client.auto_reconnect_enabled = False
        slack_standin.drop_connections()
        handler.close()
    assert ack.elapsed < 3
    assert slack_standin.calls("views.open")[0].response["ok"] is True
    assert slack_standin.message(CASES, card["ts"])["blocks"] == _card("approved")
