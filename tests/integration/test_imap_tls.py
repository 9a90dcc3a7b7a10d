"""TLS certificate checks are on by default: a certificate nobody vouches for is refused."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import MailboxError
from bot.pipeline.watch import Watcher
from bot.runtime import Runtime
from tests.conftest import make_config
from tests.servers.dovecot import Dovecot, dovecot_available


@pytest.fixture
def tls_dovecot() -> Iterator[Dovecot]:
    reason = dovecot_available()
    if reason:
        pytest.skip(reason)
    dovecot = Dovecot(tls=True)
    dovecot.start()
    yield dovecot
    dovecot.close()


def _tls_runtime(dovecot: Dovecot, tmp_path: Path, **imap: object) -> Runtime:
    config = make_config(f"sqlite:///{tmp_path / 't.sqlite3'}", dovecot)
    return Runtime.open(dataclasses.replace(config, imap=dataclasses.replace(
        config.imap, ssl=True, port=dovecot.tls_port, **imap)))


def test_a_self_signed_certificate_is_refused_by_default(tls_dovecot: Dovecot, tmp_path: Path):
    rt = _tls_runtime(tls_dovecot, tmp_path)
    with pytest.raises(MailboxError, match="CERTIFICATE_VERIFY_FAILED"):
        Watcher(rt).poll_once()
    rt.close()


def test_a_configured_ca_file_is_trusted(tls_dovecot: Dovecot, tmp_path: Path):
    tls_dovecot.append(b"From: a@example.org\r\nSubject: s\r\nMessage-ID: <t@x>\r\n\r\nhi\r\n")
    rt = _tls_runtime(tls_dovecot, tmp_path, ca_file=str(tls_dovecot.cert_file))
    assert Watcher(rt).poll_once() == 1
    rt.close()
