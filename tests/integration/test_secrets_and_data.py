"""Personal data and secrets stay out of logs and errors; exports cannot carry formulas."""

from __future__ import annotations

import logging
import subprocess
import sys
from email.message import EmailMessage

import pytest
from sqlalchemy import text

from bot.config import SmtpConfig
from bot.errors import DeliveryError
from bot.mail.smtp import send_message
from bot.store.db import Store
from tests.servers.smtp import SmtpServer

SECRET_PASSWORD = "pw-RECOGNISABLE-7f3a"


def _message(to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "support@caplus.org.uk"
    msg["To"] = to
    msg["Subject"] = "Re: your request"
    msg["Message-ID"] = "<t1@caplus.org.uk>"
    msg.set_content("Hello")
    return msg


def test_a_refused_recipient_is_not_named_in_the_delivery_error(smtp_server: SmtpServer) -> None:
    smtp_server.handler.reject_with = "550 5.1.1 <victim.person@example.org>: no such user"
    config = SmtpConfig(host=smtp_server.host, port=smtp_server.port, starttls=False,
                        from_address="support@caplus.org.uk", timeout_s=5)
    with pytest.raises(DeliveryError) as refused:
        send_message(config, _message("victim.person@example.org"))
    assert refused.value.permanent
    assert "victim.person" not in str(refused.value)
    assert "550" in str(refused.value) and "v***@example.org" in str(refused.value)


def test_a_failing_statement_logs_no_parameters(sqlite_url: str, caplog) -> None:
    store = Store.open(sqlite_url)
    try:
        with pytest.raises(Exception) as failed, store.transaction() as session:
            session.execute(text("INSERT INTO no_such_table VALUES (:who)"),
                            {"who": "Alice Private <alice.private@example.org>"})
        logging.getLogger("test").error("failed", exc_info=failed.value)
    finally:
        store.close()
    assert "alice.private" not in str(failed.value)
    assert "alice.private" not in caplog.text
    assert "parameters hidden" in str(failed.value)


@pytest.mark.postgres
def test_a_failing_statement_on_postgresql_logs_no_parameters(postgres_url: str) -> None:
    store = Store.open(postgres_url)
    try:
        with pytest.raises(Exception) as failed, store.transaction() as session:
            session.execute(text("INSERT INTO no_such_table VALUES (:who)"),
                            {"who": "alice.private@example.org"})
    finally:
        store.close()
    assert "alice.private" not in str(failed.value)


def test_the_database_password_is_masked_in_the_config_repr() -> None:
    from bot.config import Config, DatabaseConfig

    config = Config(database=DatabaseConfig(
        url=f"postgresql://triage:{SECRET_PASSWORD}@db.internal/triage"))
    assert SECRET_PASSWORD not in repr(config)
    assert "triage:***@db.internal" in repr(config)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


@pytest.mark.slow  # two CLI subprocesses
def test_cli_errors_never_show_secrets_from_the_environment_or_the_database_url(tmp_path) -> None:
    import os

    secrets = {"PRIVACY_TRIAGE_API_TOKEN": "api-RECOGNISABLE-1",
               "PRIVACY_TRIAGE_UNSUBSCRIBE_SECRET": "unsub-RECOGNISABLE-2",
               "SLACK_BOT_TOKEN": "xoxb-RECOGNISABLE-3",
               "SLACK_SIGNING_SECRET": "sign-RECOGNISABLE-4",
               "IMAP_PASSWORD": "imap-RECOGNISABLE-5"}
    env = {**os.environ, **secrets}
    config = tmp_path / "config.toml"
    # A mistake in the config (Slack on without an app token) and a database that refuses.
    config.write_text(
        '[database]\nurl = "postgresql+psycopg://triage:' + SECRET_PASSWORD + '@127.0.0.1:1/x"\n'
        '[slack]\nenabled = true\nreview_channel = "C1"\nmode = "socket"\n'
        'app_token_env = "NO_SUCH_VARIABLE"\n')
    first = _cli("--config", str(config), "-vv", "db", "upgrade", env=env)
    config.write_text('[database]\nurl = "postgresql+psycopg://triage:' + SECRET_PASSWORD
                      + '@127.0.0.1:1/x?connect_timeout=2"\n')
    second = _cli("--config", str(config), "-vv", "db", "upgrade", env=env)
    output = first.stdout + first.stderr + second.stdout + second.stderr
    assert first.returncode != 0 and second.returncode != 0
    for value in (SECRET_PASSWORD, *secrets.values()):
        assert value not in output
    assert "slack.app_token_env" in first.stderr


@pytest.mark.own_dovecot
def test_a_failed_imap_login_does_not_show_the_password(dovecot, sqlite_url, caplog) -> None:
    import dataclasses

    from bot.errors import MailboxError
    from bot.mail.imap import Mailbox
    from tests.conftest import make_config

    config = make_config(sqlite_url, dovecot)
    wrong = dataclasses.replace(config.imap, secret=SECRET_PASSWORD)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(MailboxError) as refused:
        Mailbox(wrong).connect()
    assert not refused.value.transient
    assert SECRET_PASSWORD not in str(refused.value)
    assert SECRET_PASSWORD not in caplog.text
    assert SECRET_PASSWORD not in repr(wrong)
