"""The public endpoint under hostile clients: forged tokens, big bodies, slow clients, floods.

The rate-limit tests drive the Flask app with a clock the test moves; the limits of the server
itself (body, slow connections) run against the real waitress server on a loopback port.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from bot.runtime import Runtime
from bot.store import suppressions
from bot.unsubscribe import make_token
from bot.web.app import create_app
from bot.web.server import RunningServer
from tests.web_fixtures import API_TOKEN, SECRET, web_runtime

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.at = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)  # the night UK clocks go forward

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limited(sqlite_url: str, clock: Clock) -> Iterator[tuple[Runtime, FlaskClient]]:
    rt = web_runtime(sqlite_url, posts_per_minute=6, failed_tokens_per_minute=3,
                     previous_unsubscribe_secrets=("old-secret",))
    rt.now = clock
    yield rt, create_app(rt).test_client()
    rt.close()


def _from(address: str) -> dict[str, object]:
    return {"environ_base": {"REMOTE_ADDR": address}}


# -- tokens ------------------------------------------------------------------------------------

def _tampered(token: str) -> str:
    flipped = "A" if token[5] != "A" else "B"
    return token[:5] + flipped + token[6:]


@pytest.mark.parametrize("make", [
    pytest.param(lambda: _tampered(make_token("jo@example.org", SECRET)), id="tampered"),
    pytest.param(lambda: make_token("jo@example.org", "another-secret"), id="other secret"),
    # A secret rotated out of the previous list: its links stop working (the only way one
    # "expires").
    pytest.param(lambda: make_token("jo@example.org", "retired-secret"), id="retired secret"),
    pytest.param(lambda: make_token("jo@example.org", SECRET)[:-3], id="truncated"),
    pytest.param(lambda: "x" * 5000, id="overlong"),
])
def test_a_forged_token_is_refused_with_400_and_suppresses_nothing(limited, make) -> None:
    rt, client = limited
    response = client.post(f"/unsubscribe/{make()}", data=ONE_CLICK)
    assert response.status_code == 400
    with rt.store.sessions() as session:
        assert not suppressions.is_suppressed(session, "jo@example.org")


def test_a_token_signed_with_a_listed_previous_secret_still_works(limited) -> None:
    _, client = limited
    response = client.post(f"/unsubscribe/{make_token('jo@example.org', 'old-secret')}",
                           data=ONE_CLICK)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/..%2fapp.py",
                                  "/static/%2e%2e/%2e%2e/config.py", "/unsubscribe/../api/x",
                                  "/static/../../../../etc/passwd", "/static//etc/passwd"])
def test_path_traversal_finds_nothing(limited, path: str) -> None:
    _, client = limited
    response = client.get(path, follow_redirects=True)  # "//" is merged by a redirect first
    assert response.status_code in (400, 404)
    assert b"import" not in response.data and b"root:" not in response.data


def test_head_and_options_change_nothing_and_carry_the_security_headers(limited) -> None:
    rt, client = limited
    url = f"/unsubscribe/{make_token('jo@example.org', SECRET)}"
    head = client.head(url)
    options = client.options(url)
    assert head.status_code == 200 and head.data == b""
    assert options.status_code == 200 and "POST" in options.headers["Allow"]
    for response in (head, options):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "script-src" not in response.headers["Content-Security-Policy"]  # default 'none'
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    with rt.store.sessions() as session:
        assert not suppressions.is_suppressed(session, "jo@example.org")


# -- rate limits -------------------------------------------------------------------------------

def test_posts_beyond_the_burst_get_429_with_retry_after_and_time_lets_them_in_again(
        limited, clock: Clock) -> None:
    _, client = limited
    url = f"/unsubscribe/{make_token('jo@example.org', SECRET)}"
    statuses = [client.post(url, data=ONE_CLICK, **_from("203.0.113.7")).status_code
                for _ in range(12)]
    assert statuses[:10] == [200] * 10            # the burst
    refused = client.post(url, data=ONE_CLICK, **_from("203.0.113.7"))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == 10   # 6 a minute: one every 10 s
    # Another client is not affected.
    assert client.post(url, data=ONE_CLICK, **_from("198.51.100.2")).status_code == 200
    clock.advance(10)
    assert client.post(url, data=ONE_CLICK, **_from("203.0.113.7")).status_code == 200
    assert client.post(url, data=ONE_CLICK, **_from("203.0.113.7")).status_code == 429


def test_gets_are_not_counted_against_the_post_limit(limited) -> None:
    _, client = limited
    url = f"/unsubscribe/{make_token('jo@example.org', SECRET)}"
    assert {client.get(url).status_code for _ in range(30)} == {200}


def test_wrong_api_tokens_lock_the_client_out_even_with_the_right_token_until_time_passes(
        limited, clock: Clock) -> None:
    _, client = limited
    guess = {"Authorization": "Bearer guess"}
    right = {"Authorization": f"Bearer {API_TOKEN}"}
    statuses = [client.get("/api/suppressions", headers=guess, **_from("203.0.113.9")).status_code
                for _ in range(5)]
    assert statuses == [401] * 5
    locked = client.get("/api/suppressions", headers=right, **_from("203.0.113.9"))
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) == 20    # 3 a minute
    # The organisation's mailer, elsewhere, is not locked out by someone guessing.
    assert client.get("/api/suppressions", headers=right,
                      **_from("192.0.2.1")).status_code == 200
    clock.advance(20)
    assert client.get("/api/suppressions", headers=right,
                      **_from("203.0.113.9")).status_code == 200


def test_the_right_api_token_is_never_counted_as_a_failure(limited) -> None:
    _, client = limited
    right = {"Authorization": f"Bearer {API_TOKEN}"}
    assert {client.get("/api/suppressions", headers=right).status_code
            for _ in range(20)} == {200}


# -- the real server ---------------------------------------------------------------------------

def _raw(server: RunningServer, data: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=timeout) as sock:
        sock.sendall(data)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer


def _healthy(server: RunningServer) -> bool:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().read() == b"ok"
    finally:
        connection.close()


def test_a_10_mb_body_is_refused_with_413_before_it_is_read(server: RunningServer) -> None:
    path = f"/unsubscribe/{make_token('jo@example.org', SECRET)}"
    answer = _raw(server, f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {10 * 1024 * 1024}"
                          "\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n".encode())
    assert answer.split(b"\r\n")[0].split(b" ")[1] == b"413"
    assert _healthy(server)


def test_a_chunked_body_is_cut_off_at_the_limit_not_read_to_the_end(server: RunningServer) -> None:
    path = f"/unsubscribe/{make_token('jo@example.org', SECRET)}"
    chunk = b"1000\r\n" + b"x" * 4096 + b"\r\n"
    sent = 0
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode())
        answer = b""
        sock.settimeout(0.2)
        # 100 MB offered; the server must answer long before that.
        while sent < 100 * 1024 * 1024 and not answer:
            try:
                sock.sendall(chunk)
                sent += len(chunk)
            except OSError:
                break
            try:
                answer = sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
    assert sent < 1024 * 1024
    assert not answer or answer.split(b"\r\n")[0].split(b" ")[1] == b"413"
    assert _healthy(server)


def test_oversized_headers_are_refused_and_the_server_goes_on(server: RunningServer) -> None:
    answer = _raw(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"a" * 40_000
                  + b"\r\n\r\n")
    assert answer.split(b"\r\n")[0].split(b" ")[1] == b"431"
    assert _healthy(server)


def test_fifty_slow_clients_do_not_stop_the_server_answering_others(
        server: RunningServer) -> None:
    slow: list[socket.socket] = []
    try:
        for _ in range(50):
            sock = socket.create_connection((server.host, server.port), timeout=10)
            sock.sendall(b"POST /unsubscribe/x HTTP/1.1\r\nHost: x\r\nContent-Le")  # and stall
            slow.append(sock)
        answered = [_healthy(server) for _ in range(5)]
        results: list[bool] = []
        threads = [threading.Thread(target=lambda: results.append(_healthy(server)))
                   for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(15)
    finally:
        for sock in slow:
            sock.close()
    assert answered == [True] * 5
    assert results == [True] * 10
    assert _healthy(server)


def test_the_server_header_names_no_version(server: RunningServer) -> None:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.getheader("Server") == "privacy-triage"
    assert "waitress" not in str(response.headers).lower()
