"""What the blueprints need from the app handling the current request.

:func:`bot.web.app.create_app` puts the runtime, the thread health report and the rate limits
into the Flask app; the blueprints (:mod:`bot.web.api`, :mod:`bot.web.pages`) read them back
through these functions. Both sides import this module and neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Response, current_app, jsonify, request

from bot.runtime import Runtime
from bot.supervise import ThreadHealth
from bot.web.ratelimit import TokenBuckets

RUNTIME_KEY = "privacy_triage.runtime"
HEALTH_KEY = "privacy_triage.health"
SUPERVISED_KEY = "privacy_triage.supervised"
# The service's supervised threads, as ``/healthz`` and ``/readyz`` report them.
HealthReport = Callable[[], Sequence[ThreadHealth]]
LIMITS_KEY = "privacy_triage.limits"
# A short burst is fine (a person double-clicks, a mail client retries); the rate is the ceiling.
POST_BURST = 10
FAILED_TOKEN_BURST = 5


def runtime() -> Runtime:
    """The runtime of the app handling the current request."""
    rt: Runtime = current_app.extensions[RUNTIME_KEY]
    return rt


def threads_supervised() -> bool:
    """Whether this app belongs to ``run`` (a supervisor reports threads) or stands alone."""
    return bool(current_app.extensions.get(SUPERVISED_KEY))


def thread_health() -> Sequence[ThreadHealth]:
    """The health of the service's supervised threads (empty outside ``run``)."""
    report: HealthReport = current_app.extensions[HEALTH_KEY]
    return report()


class Limits:
    """The app's token buckets: POSTs per client, and failed API tokens per client."""

    def __init__(self, posts: TokenBuckets, failed_tokens: TokenBuckets) -> None:
        self.posts = posts
        self.failed_tokens = failed_tokens

    @classmethod
    def for_runtime(cls, rt: Runtime) -> Limits:
        # The runtime's clock, so tests move time instead of sleeping.
        def clock() -> float:
            return rt.now().timestamp()

        http = rt.config.http
        return cls(TokenBuckets(http.posts_per_minute, POST_BURST, clock),
                   TokenBuckets(http.failed_tokens_per_minute, FAILED_TOKEN_BURST, clock))


def limits() -> Limits:
    """The rate limits of the app handling the current request."""
    found: Limits = current_app.extensions[LIMITS_KEY]
    return found


def client_key() -> str:
    """Who is asking, for the rate limits: the peer address waitress saw.

    waitress clears forwarding headers from untrusted peers, so a client cannot pick its own key.
    """
    return request.remote_addr or "unknown"


def too_many(retry_after: float) -> tuple[Response, int]:
    """429 with ``Retry-After`` (RFC 6585), the same shape for the page and the API."""
    response = jsonify({"error": "too many requests; try again later"})
    response.headers["Retry-After"] = str(int(retry_after))
    return response, 429
