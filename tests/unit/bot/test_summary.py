"""The start-up summary of ``run`` (bot/summary.py): pure formatting of the configuration."""

from __future__ import annotations

from bot.config import Config, DatabaseConfig, HttpConfig, ImapConfig, SlackConfig, SmtpConfig
from bot.summary import render, summarise


def test_everything_configured_is_named_and_the_password_is_masked() -> None:
    config = Config(
        database=DatabaseConfig("postgresql://triage:s3cret@db.internal:5432/triage"),
        imap=ImapConfig(host="imap.caplus.org.uk", username="support@caplus.org.uk"),
        smtp=SmtpConfig(host="smtp.caplus.org.uk", from_address="support@caplus.org.uk"),
        slack=SlackConfig(enabled=True, review_channel="C0REVIEW"),
        http=HttpConfig(public_url="https://privacy.caplus.org.uk"))
    text = render(summarise(config, "2026.11.1 (shipped)", role="all"))
    assert "s3cret" not in text and "triage:***@db.internal:5432/triage (PostgreSQL)" in text
    assert "support@caplus.org.uk INBOX on imap.caplus.org.uk:993 (IDLE" in text
    assert "start = now" in text
    assert "SMTP:      on: smtp.caplus.org.uk:587" in text
    assert "Slack:     on: socket mode, review channel C0REVIEW" in text
    assert "http://127.0.0.1:8025 (/healthz, /readyz, /metrics" in text
    assert "public URL https://privacy.caplus.org.uk" in text
    assert "model:     2026.11.1 (shipped)" in text and "role:      all" in text


def test_the_defaults_say_what_is_off() -> None:
    text = render(summarise(Config(), "v1"))
    assert "(SQLite)" in text and "mailbox:   off" in text
    assert "SMTP:      off: replies and confirmations wait in the outbox" in text
    assert "Slack:     off" in text and "role:" not in text
    assert "purge:     daily at 03:00 Europe/London (closed cases after 730 days)" in text


def test_every_mailbox_of_an_imap_array_is_listed() -> None:
    config = Config(imap=ImapConfig(host="imap.caplus.org.uk", username="support@caplus.org.uk"),
                    more_imap=(ImapConfig(host="imap.caplus.org.uk", username="dpo@caplus.org.uk",
                                          folder="DPO"),),
                    imap_array=True)
    text = render(summarise(config, "v1", role="watcher"))
    assert "mailbox:   support@caplus.org.uk INBOX" in text
    assert "mailbox:   dpo@caplus.org.uk DPO" in text and "role:      watcher" in text
