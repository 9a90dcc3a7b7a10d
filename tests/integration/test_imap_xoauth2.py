"""`auth = "xoauth2"`: logging in with an OAuth2 bearer token, against a real Dovecot.

Dovecot validates the token at a tokeninfo endpoint, as Gmail does; the test serves that
endpoint on loopback, so the whole SASL XOAUTH2 exchange is real.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.errors import MailboxError
from bot.pipeline.watch import Watcher
from bot.runtime import Runtime
from tests.conftest import make_config
from tests.servers.dovecot import USER, Dovecot, dovecot_available

TOKEN = "ya29.test-access-token"


class _TokenInfo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        token = parse_qs(urlparse(self.path).query).get("access_token", [""])[0]
        if token == TOKEN:
            body, status = {"email": USER, "active": True}, 200
        else:
            body, status = {"error": "invalid_token"}, 401
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def oauth_dovecot() -> Iterator[Dovecot]:
    reason = dovecot_available()
    if reason:
        pytest.skip(reason)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenInfo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/tokeninfo?access_token="
    dovecot = Dovecot(oauth_tokeninfo_url=url)
    dovecot.start()
    yield dovecot
    dovecot.close()
    server.shutdown()


def _xoauth2_config(dovecot: Dovecot, tmp_path: Path, token: str):
    config = make_config(f"sqlite:///{tmp_path / 'x.sqlite3'}", dovecot)
    return dataclasses.replace(config, imap=dataclasses.replace(
        config.imap, auth="xoauth2", secret=token))


def test_it_logs_in_with_a_bearer_token(oauth_dovecot: Dovecot, tmp_path: Path):
    oauth_dovecot.append(b"From: alice@example.org\r\nSubject: hi\r\n"
                         b"Message-ID: <x1@example.org>\r\n\r\nhello\r\n")
    rt = Runtime.open(_xoauth2_config(oauth_dovecot, tmp_path, TOKEN))
    assert Watcher(rt).poll_once() == 1
    rt.close()


def test_a_rejected_token_is_a_mailbox_error(oauth_dovecot: Dovecot, tmp_path: Path):
    rt = Runtime.open(_xoauth2_config(oauth_dovecot, tmp_path, "expired-token"))
    with pytest.raises(MailboxError, match="AUTHENTICATIONFAILED") as err:
        Watcher(rt).poll_once()
    assert not err.value.transient  # a refused token is reported at once, not retried
    rt.close()
