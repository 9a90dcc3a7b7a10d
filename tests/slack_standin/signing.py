"""Slack request signing (v0), so tests can really sign requests to the app's HTTP endpoint.

Slack signs each HTTP request it sends to an app with HMAC-SHA256 over ``v0:{timestamp}:{body}``
using the app's signing secret, and sends the result in ``X-Slack-Signature`` next to
``X-Slack-Request-Timestamp``. The app must refuse a bad signature and a timestamp more than five
minutes away from its clock (replay protection), so tests need stale and bad signatures too.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def signature(signing_secret: str, body: bytes, timestamp: int) -> str:
    """Compute the ``v0=...`` signature Slack would send for ``body`` at ``timestamp``.

    Args:
        signing_secret: the app's signing secret.
        body: the raw request body, exactly as sent on the wire.
        timestamp: Unix time in seconds.

    Returns:
        The header value, e.g.
        ``"v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"``.
    """
    basestring = b"v0:" + str(timestamp).encode("ascii") + b":" + body
    digest = hmac.new(signing_secret.encode("utf-8"), basestring, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def sign_request(
    signing_secret: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """Build the two headers Slack adds to a signed request.

    Args:
        signing_secret: the app's signing secret (pass a different one to make a bad signature).
        body: the raw request body.
        timestamp: Unix time in seconds; defaults to now. Pass ``int(time.time()) - 600`` for a
            stale request that the app must refuse.

    Returns:
        ``{"X-Slack-Request-Timestamp": ..., "X-Slack-Signature": ...}``.
    """
    if not isinstance(body, bytes):
        raise TypeError("body must be bytes: Slack signs the exact bytes on the wire")
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(signing_secret, body, ts),
    }
