"""A WSGI gate in front of Bolt's HTTP adapter: read a bounded body, check the signature, then pass.

Bolt parses the body (JSON, form, ``payload=``) before it verifies the signature, so an unsigned
request with bad JSON, a 10 MB body or a timestamp that is not a number reached the parser and
came back as a 500 with a traceback. Here nothing is parsed until the request is known to come
from Slack: 413 for a body over the limit, 401 for a missing, stale or wrong signature (the
timestamp is checked to be digits first), and only then Bolt. The check is slack_sdk's own
``SignatureVerifier`` (HMAC-SHA256, constant-time compare, five-minute window).
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_sdk.signature import SignatureVerifier

logger = logging.getLogger(__name__)

# Slack's own payloads are a few KB; a view submission with a long edited reply stays well under
# this (a modal's text input holds at most 3,000 characters per block).
MAX_BODY_BYTES = 256 * 1024

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _answer(start_response: StartResponse, status: str, message: str) -> list[bytes]:
    body = json.dumps({"error": message}).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body))),
                            ("X-Content-Type-Options", "nosniff")])
    return [body]


def _read_body(environ: dict[str, Any], limit: int) -> bytes | None:
    """The request body, or None when it is (or says it is) longer than ``limit``."""
    try:
        declared = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if declared > limit or declared < 0:
        return None
    body = environ["wsgi.input"].read(declared) if declared else b""
    return body


class SignedOnly:
    """Wraps a WSGI app so that it only ever sees requests Slack signed."""

    def __init__(self, app: WsgiApp, signing_secret: str, *,
                 max_body_bytes: int = MAX_BODY_BYTES,
                 verifier: SignatureVerifier | None = None) -> None:
        self.app = app
        self.verifier = verifier or SignatureVerifier(signing_secret)
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            # Bolt answers GET for OAuth flows we do not use; nothing else is Slack's.
            return _answer(start_response, "405 Method Not Allowed", "POST only")
        body = _read_body(environ, self.max_body_bytes)
        if body is None:
            return _answer(start_response, "413 Payload Too Large", "request body too large")
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12
                and signature):
            return _answer(start_response, "401 Unauthorized", "missing or malformed signature")
        if not self.verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
            return _answer(start_response, "401 Unauthorized", "invalid or expired signature")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        try:
            return self.app(environ, start_response)
        except Exception:  # a signed but unreadable body: our bug or Slack's, never a traceback out
            logger.exception("The Slack adapter failed on a signed request")
            return _answer(start_response, "400 Bad Request", "request not understood")
