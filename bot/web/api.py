"""The suppression API the organisation's mailer polls, and the health check.

The API is behind a bearer token from the environment (``[http] api_token_env``), compared in
constant time. With no token configured it answers 503 rather than serving the list to anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import Blueprint, Response, jsonify, request

from bot import readiness
from bot.exports import parse_since, suppression_record
from bot.store import suppressions
from bot.store.mailer import ping
from bot.web import health
from bot.web.context import (
    client_key,
    limits,
    runtime,
    thread_health,
    threads_supervised,
    too_many,
)
from bot.web.metrics import render_metrics

logger = logging.getLogger(__name__)

api = Blueprint("api", __name__)


def token_matches(given: str, expected: str) -> bool:
    """Constant-time comparison; hashing first means not even the length leaks."""
    return hmac.compare_digest(hashlib.sha256(given.encode("utf-8")).digest(),
                               hashlib.sha256(expected.encode("utf-8")).digest())


def _bearer_token() -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


def _error(status: int, message: str) -> tuple[Response, int]:
    response = jsonify({"error": message})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="privacy-triage"'
    return response, status


@api.before_request
def _require_token() -> tuple[Response, int] | None:
    if not request.path.startswith("/api/"):
        return None
    http = runtime().config.http
    if not http.api_token:
        return _error(503, f"the suppression API is switched off: no token is configured "
                           f"(set the environment variable {http.api_token_env})")
    # A client that has sent too many wrong tokens waits, even with the right one: otherwise the
    # limit would only slow guessing down, not stop it.
    failed = limits().failed_tokens
    wait = failed.retry_after(client_key())
    if wait:
        return too_many(wait)
    given = _bearer_token()
    if given is None or not token_matches(given, http.api_token):
        failed.take(client_key())
        if given is None:
            return _error(401, "send the API token as 'Authorization: Bearer <token>'")
        return _error(401, "the API token is not valid")
    return None


@api.get("/api/suppressions")
def list_suppressions() -> Response | tuple[Response, int]:
    """Every active suppression, oldest first; ``?since=`` keeps those added from then on."""
    since = request.args.get("since")
    try:
        moment = parse_since(since) if since else None
    except ValueError as exc:
        return _error(400, str(exc))
    with runtime().store.sessions() as session:
        rows = [suppression_record(r) for r in suppressions.active(session, moment)]
    return jsonify(rows)


@api.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI description of these endpoints (shipped in the package as openapi.json)."""
    from pathlib import Path

    return Response(Path(__file__).with_name("openapi.json").read_bytes(),
                    mimetype="application/json")


@api.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    """200 "ok" once the database has answered and every supervised thread works; else 503."""
    plain = {"Content-Type": "text/plain; charset=utf-8"}
    if not _database_answers():
        return "database unavailable\n", 503, plain
    down = [h.name for h in thread_health() if not h.healthy]
    if down:
        return f"threads down: {', '.join(down)}\n", 503, plain
    return "ok", 200, plain


@api.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Every readiness check by name (bot/readiness.py), as JSON; 503 unless all pass.

    Error texts stay in the log: they can name hosts and paths that this public page must not.
    """
    found = health.checks(runtime(), thread_health() if threads_supervised() else None)
    body = readiness.as_json(found)
    # Kept from the first version of this page, for monitors that read it.
    database = next(c for c in found if c.name == "database")
    body["database"] = "ok" if database.passed else "unavailable"
    body["threads"] = [{"name": h.name, "healthy": h.healthy, "running": h.running,
                        "failures": h.failures, "restarts": h.restarts}
                       for h in thread_health()]
    return jsonify(body), 200 if body["ready"] else 503


@api.get("/metrics")
def metrics() -> Response:
    """Prometheus text format: database counts read now, and this process's own metrics."""
    data, content_type = render_metrics(runtime())
    return Response(data, headers={"Content-Type": content_type})


def _database_answers() -> bool:
    try:
        with runtime().store.sessions() as session:
            ping(session)
    except Exception:  # any failure means "not healthy"; it is logged with its traceback
        logger.warning("Health check: the database did not answer", exc_info=True)
        return False
    return True
