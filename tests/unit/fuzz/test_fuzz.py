"""Property tests (hypothesis) for the parsers and renderers that take untrusted input.

Example counts are bounded so the suite stays fast.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Config, config_from_mapping
from bot.errors import ConfigError
from bot.slack.cards import CardData, as_dicts, case_card, opt_out_digest, opt_out_notice
from bot.slack.text import escape
from bot.unsubscribe import InvalidTokenError, make_token, verify_token
from tests.hypothesis_profiles import examples
from tests.slack_standin import message_blocks_errors

FAST = settings(max_examples=examples(150), deadline=None, suppress_health_check=list(HealthCheck),
                database=None)
SECRET = "fuzz-secret"

# -- the unsubscribe token parser --------------------------------------------------------------

@FAST
@given(st.text(max_size=600))
def test_any_string_is_either_a_valid_token_or_an_invalid_token_error(token: str) -> None:
    try:
        address = verify_token(token, SECRET)
    except InvalidTokenError:
        return
    assert make_token(address, SECRET) == token


@FAST
@given(st.emails(), st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_changing_any_byte_of_a_real_token_makes_it_invalid(address: str, where: int,
                                                            flip: int) -> None:
    import base64

    token = make_token(address, SECRET)
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[where % len(raw)] ^= flip
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    try:
        verify_token(forged, SECRET)
    except InvalidTokenError:
        return
    raise AssertionError(f"accepted a changed token for {address!r}")


# -- the config loader ---------------------------------------------------------------------------

_toml_scalar = st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=20), st.dates(), st.datetimes())
_toml_value = st.recursive(_toml_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)),
    max_leaves=6)
_sections = st.sampled_from(["database", "imap", "smtp", "organisation", "triage", "outbox",
                             "http", "slack", "nosuch"])
_keys = st.sampled_from(["url", "enabled", "host", "port", "ssl", "starttls", "auth",
                         "redaction", "mode", "review_channel", "allowed_user_ids",
                         "posts_per_minute", "failed_tokens_per_minute", "poll_interval_s",
                         "max_attempts", "identity_check", "nosuch"]) | st.text(max_size=8)


@FAST
@given(st.dictionaries(_sections, st.one_of(
    st.dictionaries(_keys, _toml_value, max_size=4), _toml_scalar), max_size=4))
def test_any_toml_values_give_a_config_or_a_config_error_naming_a_key(data) -> None:
    try:
        config = config_from_mapping(data, path="fuzz.toml", environ={})
    except ConfigError as exc:
        assert exc.key and exc.path == "fuzz.toml"
        assert exc.key.split(".")[0] in data
        return
    assert isinstance(config, Config)


# -- Block Kit rendering of untrusted text -------------------------------------------------------

_hostile = st.text(alphabet=st.sampled_from(list("<>&|@!#*_~`:/ \n\u202eaZ09.")) | st.characters(),
                   max_size=400) | st.sampled_from([
                       "<!channel>", "<!here>", "<!everyone>", "<@U0BOSS>", "<#C123>",
                       "<http://evil.example|your bank>", "<!subteam^S1>", "&lt;!channel&gt;"])
_PING = re.compile(r"<[!@#]|<https?:|<mailto:")


def _card(subject, body, name, draft, reasons, failure) -> CardData:
    return CardData(
        case_id=1, version=1, state="open", label="general_query", confidence=0.5,
        intents={"general_query": 0.5}, present=["general_query"], requester="a@example.org",
        requester_name=name, subject=subject, body=body,
        received_at=datetime(2026, 11, 23, 9, tzinfo=UTC), due_date=date(2026, 12, 23),
        review_reasons=reasons, draft_version=1, draft_author="model", draft_subject=subject,
        draft_text=draft, delivery_failure=failure, notes=reasons[:1])


@settings(max_examples=examples(80), deadline=None, suppress_health_check=list(HealthCheck),
          database=None)
@given(_hostile, _hostile, _hostile, st.text(max_size=5000) | _hostile,
       st.lists(_hostile, max_size=3), st.none() | _hostile,
       st.sampled_from(["none", "partial", "full"]))
def test_untrusted_text_never_pings_disguises_a_link_or_breaks_block_kit(
        subject, body, name, draft, reasons, failure, redaction) -> None:
    data = _card(subject, body, name, draft, reasons, failure)
    today = date(2026, 11, 24)
    for text, blocks in (case_card(data, redaction, today), opt_out_notice(data, redaction),
                         opt_out_digest([data], redaction, today)):
        dicts = as_dicts(blocks)
        assert message_blocks_errors(dicts) == []
        assert len(dicts) <= 50
        assert len(text) <= 3000
        shown = text + json.dumps(dicts, ensure_ascii=False)
        assert not _PING.search(shown), shown[:300]


@FAST
@given(st.text(max_size=500))
def test_escaped_text_has_no_angle_brackets_left(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped


# -- Slack payloads ------------------------------------------------------------------------------

@FAST
@given(st.text(max_size=40))
def test_a_button_value_is_a_case_and_version_or_a_value_error(value: str) -> None:
    from bot.slack.cards import parse_action_value

    try:
        case_id, version = parse_action_value(value)
    except ValueError:
        return
    assert isinstance(case_id, int) and isinstance(version, int)


_header_text = st.text(max_size=30) | st.sampled_from(["", "1700000000", "v0=", "99999999999"])


@FAST
@given(st.binary(max_size=3000), _header_text, _header_text, st.booleans(),
       st.sampled_from(["POST", "GET", "HEAD", "PUT"]))
def test_the_slack_gate_answers_every_unsigned_request_with_4xx_and_never_calls_bolt(
        body: bytes, timestamp: str, signature: str, oversized: bool, method: str) -> None:
    import io

    from bot.slack.signed import SignedOnly

    def bolt(environ, start_response):
        raise AssertionError("an unsigned request reached Bolt")

    statuses: list[str] = []
    gate = SignedOnly(bolt, "the-signing-secret", max_body_bytes=2048)
    environ = {"REQUEST_METHOD": method, "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body) + (10_000_000 if oversized else 0)),
               "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp, "HTTP_X_SLACK_SIGNATURE": signature}
    gate(environ, lambda status, headers: statuses.append(status))
    assert statuses and statuses[0][:3] in {"401", "405", "413"}


@settings(max_examples=examples(60), deadline=None, suppress_health_check=list(HealthCheck),
          database=None)
@given(st.recursive(st.none() | st.text(max_size=20) | st.integers(),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=10))
def test_a_signed_payload_of_any_shape_never_escapes_the_gate_as_an_exception(payload) -> None:
    import hashlib
    import hmac
    import io
    import time
    from urllib.parse import urlencode

    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from bot.slack.signed import SignedOnly

    body = urlencode({"payload": json.dumps(payload)}).encode()
    ts = str(int(time.time()))
    signature = "v0=" + hmac.new(b"the-signing-secret", f"v0:{ts}:".encode() + body,
                                 hashlib.sha256).hexdigest()
    statuses: list[str] = []
    # The real Bolt adapter, with no listeners and no network (token checks off).
    bolt = App(signing_secret="the-signing-secret", token="xoxb-fuzz",
               token_verification_enabled=False)
    gate = SignedOnly(SlackRequestHandler(bolt), "the-signing-secret")
    gate({"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
          "CONTENT_TYPE": "application/x-www-form-urlencoded", "wsgi.input": io.BytesIO(body),
          "CONTENT_LENGTH": str(len(body)), "HTTP_X_SLACK_REQUEST_TIMESTAMP": ts,
          "HTTP_X_SLACK_SIGNATURE": signature, "wsgi.url_scheme": "http", "SERVER_NAME": "x",
          "SERVER_PORT": "80"}, lambda status, headers, *exc: statuses.append(status))
    assert statuses and int(statuses[0][:3]) < 500
