"""Build the Flask app: routes from the blueprints, rate limits, security headers everywhere."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, render_template, request

from bot.runtime import Runtime
from bot.web.api import api
from bot.web.context import (
    HEALTH_KEY,
    LIMITS_KEY,
    RUNTIME_KEY,
    SUPERVISED_KEY,
    HealthReport,
    Limits,
    client_key,
    limits,
    runtime,
    too_many,
)
from bot.web.pages import pages

HERE = Path(__file__).resolve().parent

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
    app = Flask(__name__, template_folder=str(HERE / "templates"),
                static_folder=str(HERE / "static"), static_url_path="/static")
    # Forms here are one field; anything bigger is not a browser or a mail client unsubscribing.
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024
    app.extensions[RUNTIME_KEY] = rt
    app.extensions[HEALTH_KEY] = health or list
    app.extensions[SUPERVISED_KEY] = health is not None
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
