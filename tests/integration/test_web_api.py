"""The suppression API the mailer polls, and /healthz, through the Flask app."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from bot.runtime import Runtime
from bot.store import suppressions
from bot.store.db import Store, make_engine
from bot.web.app import create_app
from tests.web_fixtures import API_TOKEN, web_runtime

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def add(rt: Runtime, address: str, *, source: str = "email", age: timedelta = timedelta(0)) -> None:
    with rt.store.transaction() as session:
        row, _ = suppressions.suppress(session, address, reason="opt-out request", source=source)
        row.created_at = rt.now() - age


def test_it_lists_active_suppressions_for_the_right_token(client: FlaskClient,
                                                          http_runtime: Runtime) -> None:
    add(http_runtime, "ann@example.org", age=timedelta(days=3))
    add(http_runtime, "bob@example.org", source="one-click")
    add(http_runtime, "cat@example.org")
    with http_runtime.store.transaction() as session:
        suppressions.lift(session, "cat@example.org", by="staff:U1")
    response = client.get("/api/suppressions", headers=AUTH)
    assert response.status_code == 200
    body = response.get_json()
    assert [r["address"] for r in body] == ["ann@example.org", "bob@example.org"]
    assert set(body[1]) == {"address", "since", "source", "reason"}
    assert body[1]["source"] == "one-click"
    assert body[1]["reason"] == "opt-out request"


def test_since_keeps_only_newer_suppressions(client: FlaskClient, http_runtime: Runtime) -> None:
    add(http_runtime, "ann@example.org", age=timedelta(days=3))
    add(http_runtime, "bob@example.org", age=timedelta(hours=1))
    since = (http_runtime.now() - timedelta(days=1)).isoformat()
    response = client.get("/api/suppressions", query_string={"since": since}, headers=AUTH)
    assert [r["address"] for r in response.get_json()] == ["bob@example.org"]
    date_only = (http_runtime.now() - timedelta(days=5)).date().isoformat()
    response = client.get(f"/api/suppressions?since={date_only}", headers=AUTH)
    assert len(response.get_json()) == 2


def test_a_since_it_cannot_read_is_a_400_that_says_why(client: FlaskClient) -> None:
    response = client.get("/api/suppressions?since=last-tuesday", headers=AUTH)
    assert response.status_code == 400
    assert "ISO date" in response.get_json()["error"]


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {API_TOKEN}"},
    {"Authorization": "Bearer "}, {"Authorization": f"Bearer {API_TOKEN}x"},
    {"Authorization": API_TOKEN},
])
def test_a_missing_or_wrong_token_is_a_401(client: FlaskClient, http_runtime: Runtime,
                                           headers: dict[str, str]) -> None:
    add(http_runtime, "ann@example.org")
    response = client.get("/api/suppressions", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "ann@example.org" not in response.get_data(as_text=True)


def test_the_scheme_name_is_case_insensitive(client: FlaskClient) -> None:
    response = client.get("/api/suppressions", headers={"Authorization": f"bearer {API_TOKEN}"})
    assert response.status_code == 200


def test_without_a_configured_token_the_api_is_off(database_url: str) -> None:
    runtime = web_runtime(database_url, api_token=None)
    try:
        add(runtime, "ann@example.org")
        response = create_app(runtime).test_client().get("/api/suppressions", headers=AUTH)
        assert response.status_code == 503
        assert "PRIVACY_TRIAGE_API_TOKEN" in response.get_json()["error"]
        assert "ann@example.org" not in response.get_data(as_text=True)
    finally:
        runtime.close()


def test_healthz_says_ok_after_asking_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok")


def test_healthz_says_so_when_the_database_is_down(http_runtime: Runtime) -> None:
    # Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
    down = Store(make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none",
                             connect_args={"connect_timeout": 2}))
    runtime = Runtime(http_runtime.config, down)
    try:
        response = create_app(runtime).test_client().get("/healthz")
        assert response.status_code == 503
        assert response.get_data(as_text=True).startswith("database unavailable")
    finally:
        down.close()
