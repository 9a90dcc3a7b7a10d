"""Payload builders, trigger ids and request signing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from slack_sdk.socket_mode.request import SocketModeRequest

from tests.slack_standin.payloads import (
    block_actions_payload,
    message_event,
    new_trigger_id,
    slash_command_payload,
    trigger_issued_at,
)
from tests.slack_standin.signing import sign_request


def test_trigger_ids_carry_their_issue_time():
    issued = time.time() - 10
    trigger = new_trigger_id(now=issued)
    assert abs(trigger_issued_at(trigger) - issued) < 0.001
    assert trigger != new_trigger_id(now=issued)
    assert trigger_issued_at("12345.98765") is None
    assert trigger_issued_at("abc.1.ff") is None


def test_payloads_survive_the_wire_and_parse_as_socket_mode_requests():
    for kind, payload in [
        ("interactive", block_actions_payload("U1", "approve", "42", "1.000001", "C1")),
        ("events_api", message_event("U1", "D1", "stop emailing me")),
        ("slash_commands", slash_command_payload("U1", "/privacy", "status", "C1")),
    ]:
        wire = json.loads(json.dumps({"envelope_id": "e1", "type": kind, "payload": payload}))
        request = SocketModeRequest.from_dict(wire)
        assert request is not None and request.payload == payload


def test_a_message_event_in_a_thread_names_its_thread():
    event = message_event("U1", "C1", "hi", channel_type="channel", ts="2.000002",
                          thread_ts="1.000001")["event"]
    assert (event["ts"], event["thread_ts"], event["channel_type"]) == (
        "2.000002", "1.000001", "channel")


def test_a_slash_command_must_start_with_a_slash():
    with pytest.raises(ValueError):
        slash_command_payload("U1", "privacy", "", "C1")


def test_sign_request_is_hmac_sha256_of_v0_timestamp_body():
    headers = sign_request("secret", b"a=1", timestamp=1_700_000_000)
    expected = hmac.new(b"secret", b"v0:1700000000:a=1", hashlib.sha256).hexdigest()
    assert headers == {"X-Slack-Request-Timestamp": "1700000000",
                       "X-Slack-Signature": f"v0={expected}"}
    with pytest.raises(TypeError):
        sign_request("secret", "a=1")  # type: ignore[arg-type]
