"""The front end over a real socket: waitress on a free port, stopped by the service's event."""

from __future__ import annotations

import dataclasses
import http.client
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

import bot.web.server
from bot.runtime import Runtime
from bot.store import suppressions
from bot.unsubscribe import make_token
from bot.web.server import RunningServer, serve, start_server
from tests.waiting import wait_until
from tests.web_fixtures import API_TOKEN, SECRET, web_runtime


def test_a_mail_clients_one_click_post_over_http_suppresses(server: RunningServer,
                                                            http_sqlite_runtime: Runtime) -> None:
    url = f"{server.url}/unsubscribe/{make_token('jo@example.org', SECRET)}"
    with urllib.request.urlopen(url, timeout=10) as response:  # what a link scanner does
        assert response.status == 200
    with http_sqlite_runtime.store.sessions() as session:
        assert not suppressions.is_suppressed(session, "jo@example.org")
    body = urllib.parse.urlencode({"List-Unsubscribe": "One-Click"}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert "You have been unsubscribed." in response.read().decode()
    with http_sqlite_runtime.store.sessions() as session:
        assert suppressions.is_suppressed(session, "jo@example.org")


def test_the_api_and_healthz_answer_over_http(server: RunningServer) -> None:
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as response:
        assert response.read() == b"ok"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.url}/api/suppressions", timeout=10)
    assert refused.value.code == 401
    request = urllib.request.Request(f"{server.url}/api/suppressions",
                                     headers={"Authorization": f"Bearer {API_TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.read().strip() == b"[]"


def test_serve_returns_soon_after_stop_even_with_a_connection_open(
        http_sqlite_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    stop = threading.Event()
    ports: list[int] = []
    original = start_server

    def record_port(runtime: Runtime, host: str | None = None,
                    port: int | None = None, **options: Any) -> RunningServer:
        running = original(runtime, host, port, **options)
        ports.append(running.port)
        return running

    monkeypatch.setattr(bot.web.server, "start_server", record_port)
    thread = threading.Thread(target=serve, args=(http_sqlite_runtime, stop), daemon=True)
    thread.start()  # the config says port 0, so serve() binds a free port
    wait_until(lambda: ports, 10, "serve() to bind its port")
    # An idle keep-alive connection must not hold the server open.
    idle = http.client.HTTPConnection("127.0.0.1", ports[0], timeout=10)
    idle.request("GET", "/healthz")
    assert idle.getresponse().read() == b"ok"
    started = time.monotonic()
    stop.set()
    thread.join(10)
    elapsed = time.monotonic() - started
    assert not thread.is_alive()
    assert elapsed < 3
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", ports[0], timeout=2).request("GET", "/healthz")
    idle.close()


def test_serve_logs_and_returns_when_the_port_is_taken(
        http_sqlite_runtime: Runtime, server: RunningServer,
        caplog: pytest.LogCaptureFixture) -> None:
    config = http_sqlite_runtime.config
    taken = dataclasses.replace(http_sqlite_runtime, config=dataclasses.replace(
        config, http=dataclasses.replace(config.http, port=server.port)))
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(taken, stop), daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    assert f"cannot listen on 127.0.0.1:{server.port}" in caplog.text


def test_behind_a_path_prefix_the_page_links_back_through_it(sqlite_url: str) -> None:
    runtime = web_runtime(sqlite_url, public_url="https://caplus.example/privacy/")
    running = start_server(runtime, host="127.0.0.1", port=0)
    token = make_token("jo@example.org", SECRET)
    try:
        # The proxy may pass the prefix on or strip it; both reach the page.
        for path in (f"/privacy/unsubscribe/{token}", f"/unsubscribe/{token}"):
            with urllib.request.urlopen(running.url + path, timeout=10) as response:
                page = response.read().decode()
            assert f'action="/privacy/unsubscribe/{token}"' in page
            assert 'href="/privacy/static/page.css"' in page
        with urllib.request.urlopen(running.url + "/privacy/static/page.css", timeout=10) as css:
            assert css.headers["Content-Type"].startswith("text/css")
        body = urllib.parse.urlencode({"List-Unsubscribe": "One-Click"}).encode()
        with urllib.request.urlopen(running.url + f"/privacy/unsubscribe/{token}", data=body,
                                    timeout=10) as response:
            assert response.status == 200
        with runtime.store.sessions() as session:
            assert suppressions.is_suppressed(session, "jo@example.org")
    finally:
        running.close()
        runtime.close()


def test_run_stops_at_start_up_naming_the_key_when_the_http_port_is_in_use(sqlite_url):
    import socket

    from bot.config import HttpConfig
    from bot.errors import ConfigError
    from bot.runtime import Runtime
    from bot.service import Service
    from tests.conftest import make_config

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        rt = Runtime.open(make_config(sqlite_url, http=HttpConfig(port=port)))
        service = Service(rt)
        try:
            with pytest.raises(ConfigError, match=f"'http.port'.*127.0.0.1:{port}"):
                service.start()
        finally:
            service.shutdown()
            rt.close()


def test_slack_http_mode_stops_at_start_up_naming_the_key_when_its_port_is_in_use():
    import socket

    from bot.config import Config, SlackConfig
    from bot.errors import ConfigError
    from bot.slack.runner import check_http_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = Config(slack=SlackConfig(enabled=True, mode="http", http_port=port))
        with pytest.raises(ConfigError, match="'slack.http_port'"):
            check_http_port(config)
    check_http_port(config)   # free again: accepted
