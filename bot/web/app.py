"""Build the Flask app: routes from the blueprints, rate limits, security headers everywhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from flask import Flask, Response, current_app, jsonify, render_template, request

from bot.runtime import Runtime
from bot.supervise import ThreadHealth
from bot.web.ratelimit import TokenBuckets

HERE = Path(__file__).resolve().parent
RUNTIME_KEY = "privacy_triage.runtime"
HEALTH_KEY = "privacy_triage.health"
# The service's supervised threads, as ``/healthz`` and ``/readyz`` report them.
HealthReport = Callable[[], Sequence[ThreadHealth]]
LIMITS_KEY = "privacy_triage.limits"
# A short burst is fine (a person double-clicks, a mail client retries); the rate is the ceiling.
POST_BURST = 10
FAILED_TOKEN_BURST = 5

# The pages need nothing but their own stylesheet and their own form: no scripts, images, fonts
# or frames. ``form-action 'self'`` keeps the unsubscribe form from being re-pointed elsewhere.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # Pages hold a (masked) address and the link itself; nothing should keep a copy.
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def create_app(rt: Runtime, health: HealthReport | None = None) -> Flask:
    """The WSGI app for ``rt``; tests drive it with ``app.test_client()``.

    ``health`` reports the service's threads; without it (a bare web server) only the database
    is checked.
    """
    from bot.web.api import api
    from bot.web.pages import pages

    app = Flask(__name__, template_folder=str(HERE / "templates"),
                static_folder=str(HERE / "static"), static_url_path="/static")
    # Forms here are one field; anything bigger is not a browser or a mail client unsubscribing.
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024
    app.extensions[RUNTIME_KEY] = rt
    app.extensions[HEALTH_KEY] = health or list
    app.extensions[LIMITS_KEY] = Limits.for_runtime(rt)
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.before_request(_limit_posts)
    app.after_request(_add_security_headers)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(405, _not_allowed)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(500, _server_error)
    return app


def runtime() -> Runtime:
    """The runtime of the app handling the current request."""
    rt: Runtime = current_app.extensions[RUNTIME_KEY]
    return rt


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


def _limit_posts() -> tuple[Response, int] | None:
    if request.method != "POST":
        return None
    wait = limits().posts.take(client_key())
    return too_many(wait) if wait else None


def _add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    response.headers.pop("Last-Modified", None)
    response.headers.pop("ETag", None)
    return response


def _not_found(_error: Exception) -> tuple[str, int]:
    return render_template("message.html", org=runtime().config.organisation,
                           title="Page not found",
                           text="There is no page at this address."), 404


def _not_allowed(_error: Exception) -> tuple[str, int]:
    return render_template("message.html", org=runtime().config.organisation,
                           title="Not allowed", text="This page cannot be used that way."), 405


def _too_large(_error: Exception) -> tuple[str, int]:
    return render_template("message.html", org=runtime().config.organisation,
                           title="Request too large",
                           text="That request is larger than this page accepts."), 413


def _server_error(_error: Exception) -> tuple[str, int]:
    return render_template("message.html", org=runtime().config.organisation,
                           title="Something went wrong",
                           text="We could not do that just now. Please try again in a few "
                                "minutes."), 500
