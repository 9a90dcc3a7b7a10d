"""Parse → store on SQLite and PostgreSQL: hostile mail is stored once, as clean Unicode, and
one message that cannot be parsed or stored never stops the rest of a batch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.mail.imap import FetchedMessage
from bot.pipeline import ingest
from bot.pipeline.ingest import store_imap_batch, store_raw
from bot.runtime import Runtime
from bot.store.models import MailboxState, Message
from tests.conftest import make_config
from tests.hypothesis_profiles import examples
from tests.mail_mutations import PATHOLOGICAL, SEEDS, mutated

TEXT_COLUMNS = ("subject", "sender", "sender_name", "message_id", "in_reply_to", "body_text",
                "reply_text", "quarantine_reason")
RECEIVED = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
FUZZ = settings(max_examples=examples(40), deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture
def db_runtime(database_url: str) -> Iterator[Runtime]:
    with Runtime.open(make_config(database_url)) as runtime:
        yield runtime


def _assert_clean(value: object) -> None:
    if isinstance(value, str):
        assert "\x00" not in value
        assert not any("\ud800" <= char <= "\udfff" for char in value), repr(value)
    elif isinstance(value, list | tuple):
        for item in value:
            _assert_clean(item)
    elif isinstance(value, dict):
        for item in value.values():
            _assert_clean(item)


def _stored_once(rt: Runtime, raw: bytes) -> Message:
    """Store ``raw`` twice; it must be there exactly once, with clean text, bytes unchanged."""
    first = store_raw(rt.store, raw, source="file", received_at=RECEIVED)
    new = first is not None
    assert store_raw(rt.store, raw, source="file", received_at=RECEIVED) is None
    with rt.store.sessions() as session:
        if first is None:  # the same content was stored before: a duplicate by design
            key = ingest.fields_or_quarantined(raw, (), None)["dedup_key"]
            first = session.scalar(select(Message.id).where(Message.dedup_key == key))
            assert first is not None
        message = session.get(Message, first)
        assert message is not None
        session.expunge(message)
    for column in TEXT_COLUMNS:
        _assert_clean(getattr(message, column))
    _assert_clean(message.references)
    _assert_clean(message.attachments)
    if new:
        assert message.raw == raw
    return message


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_each_pathological_message_is_stored_once_as_clean_text(db_runtime: Runtime,
                                                                name: str) -> None:
    message = _stored_once(db_runtime, PATHOLOGICAL[name])
    assert message.raw == PATHOLOGICAL[name]


def test_raw_utf8_names_homoglyph_domains_and_nul_survive_as_readable_text(
        db_runtime: Runtime) -> None:
    juergen = _stored_once(db_runtime, PATHOLOGICAL["raw 8-bit UTF-8 From"])
    homoglyph = _stored_once(db_runtime, PATHOLOGICAL["homoglyph domain"])
    nul = _stored_once(db_runtime, PATHOLOGICAL["NUL in an encoded display name"])
    latin = _stored_once(db_runtime, PATHOLOGICAL["undeclared latin-1 header"])

    assert (juergen.sender_name, juergen.sender) == ("Jürgen Müller", "j@exämple.de")
    assert homoglyph.sender == "support@p\u0430ypal.com"  # Cyrillic a, kept visible as such
    assert nul.sender_name == "Bob\ufffdEvil"
    assert (latin.sender_name, latin.subject) == ("Renée", "café")
    assert not any(m.quarantine_reason for m in (juergen, homoglyph, nul, latin))


@FUZZ
@given(raw=st.one_of(st.binary(max_size=2000), mutated()))
def test_arbitrary_and_mutated_mail_is_stored_once_without_an_exception(
        db_runtime: Runtime, raw: bytes) -> None:
    _stored_once(db_runtime, raw)


def test_a_value_the_database_refuses_is_stored_raw_and_quarantined(db_runtime: Runtime) -> None:
    raw = SEEDS[0]
    refused = {**ingest.message_fields(raw), "subject": "caf\udce9 \x00"}
    with db_runtime.store.transaction() as session:
        row = ingest._insert(session, raw, refused, source="file", size=len(raw),
                             received_at=RECEIVED)
        assert row is not None
        row_id = row.id
    with db_runtime.store.sessions() as session:
        message = session.get(Message, row_id)
        assert message is not None
        assert message.raw == raw
        assert message.quarantine_reason.startswith("storing failed: ")
        assert "caf" not in message.quarantine_reason  # the class only, never the text


def test_one_message_that_breaks_the_parser_is_quarantined_and_the_batch_goes_on(
        db_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    poison = PATHOLOGICAL["undeclared latin-1 header"]
    real = ingest.to_message

    def fragile(raw: bytes, **kwargs: object):  # a parser bug that only this message hits
        if raw == poison:
            raise IndexError("list index out of range: caf\xe9")
        return real(raw, **kwargs)

    monkeypatch.setattr(ingest, "to_message", fragile)
    batch = [FetchedMessage(uid, len(raw), raw, RECEIVED)
             for uid, raw in ((1, SEEDS[0]), (2, poison), (3, SEEDS[1]))]
    result = store_imap_batch(db_runtime.store, "acct", "INBOX", 7, batch)

    assert len(result.stored) == 3 and result.last_uid == 3
    with db_runtime.store.sessions() as session:
        rows = session.scalars(select(Message).order_by(Message.uid)).all()
        assert [m.uid for m in rows] == [1, 2, 3]
        assert [bool(m.quarantine_reason) for m in rows] == [False, True, False]
        assert rows[1].quarantine_reason.startswith("parsing failed: IndexError")
        assert "caf" not in rows[1].quarantine_reason
        assert rows[1].sender == "r@example.fr"  # its headers are still read for staff
        assert session.scalar(select(MailboxState.last_uid)) == 3
    again = store_imap_batch(db_runtime.store, "acct", "INBOX", 7, batch)
    assert again.stored == []
    with db_runtime.store.sessions() as session:
        assert session.scalar(select(func.count(Message.id))) == 3
