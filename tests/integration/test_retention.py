"""``purge``: closed cases lose their content after the retention period, nothing else does."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.commands.purge import purge
from bot.config import Config, DatabaseConfig, RetentionConfig
from bot.runtime import Runtime
from bot.store import audit, suppressions
from bot.store.models import AuditEvent, Case, CaseState, Draft, Message, OutboxItem

NOW = datetime(2029, 6, 1, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=800)
RECENTLY = NOW - timedelta(days=30)


@pytest.fixture
def retention_runtime(database_url: str) -> Iterator[Runtime]:
    config = dataclasses.replace(Config(database=DatabaseConfig(url=database_url)),
                                 retention=RetentionConfig(closed_case_days=730, audit_years=6))
    with Runtime.open(config) as runtime:
        runtime.now = lambda: NOW
        yield runtime


def _case(rt: Runtime, sender: str, state: str, closed_at: datetime, label: str = "correction",
          key: str = "") -> int:
    with rt.store.transaction() as session:
        case = Case(state=state, label=label, present=[label], requester=sender,
                    requester_name="Jo Bloggs", subject="My home address is 1 High St",
                    received_at=closed_at - timedelta(days=3), updated_at=closed_at)
        session.add(case)
        session.flush()
        session.add(Message(source="file", dedup_key=key or f"k-{case.id}",
                            raw=b"From: jo\r\n\r\nhi",
                            size=13, received_at=closed_at - timedelta(days=3), sender=sender,
                            sender_name="Jo Bloggs", subject="My home address is 1 High St",
                            body_text="Call me on 07700 900123", reply_text="Call me",
                            triage_state="done", case_id=case.id))
        session.add(Draft(case_id=case.id, version=1, subject="Re: hi", text="Dear Jo",
                          author="model"))
        session.add(OutboxItem(kind="email", idempotency_key=f"reply:{case.id}", case_id=case.id,
                               payload={"to": sender, "text": "Dear Jo"}, state="sent"))
        return case.id


def test_it_redacts_old_closed_cases_and_keeps_open_ones_and_the_suppression_list(
        retention_runtime):
    old = _case(retention_runtime, "jo@example.org", CaseState.RESOLVED, LONG_AGO)
    recent = _case(retention_runtime, "al@example.org", CaseState.RESOLVED, RECENTLY)
    still_open = _case(retention_runtime, "bo@example.org", CaseState.OPEN, LONG_AGO)
    with retention_runtime.store.transaction() as session:
        suppressions.suppress(session, "jo@example.org", reason="opt-out", source="email",
                              case_id=old)

    plan = purge(retention_runtime, dry_run=True)
    assert (plan.case_ids, len(plan.message_ids)) == ([old], 1)
    with retention_runtime.store.sessions() as session:    # a dry run changes nothing
        assert session.get(Case, old).redacted_at is None

    purge(retention_runtime)
    with retention_runtime.store.sessions() as session:
        case = session.get(Case, old)
        assert (case.requester_name, case.subject, case.redacted_at) == (None, "", NOW)
        (message,) = session.scalars(select(Message).where(Message.case_id == old))
        assert (message.raw, message.body_text, message.subject, message.sender_name) == (
            b"", "", "", None)
        assert message.sender == "jo@example.org" and message.redacted_at == NOW
        assert session.scalars(select(Draft).where(Draft.case_id == old)).all() == []
        (item,) = session.scalars(select(OutboxItem).where(OutboxItem.case_id == old))
        assert item.payload == {"redacted": True}
        for kept in (recent, still_open):
            assert session.get(Case, kept).subject == "My home address is 1 High St"
            assert session.scalars(select(Draft).where(Draft.case_id == kept)).all()
        assert suppressions.is_suppressed(session, "jo@example.org")
        (event,) = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "retention.purged"))
        assert event.details["message_ids"] == [message.id] and event.details["cases"] == 1
    assert purge(retention_runtime).empty      # nothing is purged twice


def test_nothing_is_purged_about_a_person_with_an_open_access_request(retention_runtime):
    old = _case(retention_runtime, "jo@example.org", CaseState.RESOLVED, LONG_AGO)
    _case(retention_runtime, "jo@example.org", CaseState.OPEN, RECENTLY, label="access_request")
    plan = purge(retention_runtime)
    assert old not in plan.case_ids and plan.message_ids == []


def test_audit_events_older_than_the_retention_are_deleted_and_the_guard_stays(retention_runtime):
    with retention_runtime.store.transaction() as session:
        ancient = audit.record(session, "system", "case.opened", None)
        ancient.at = NOW - timedelta(days=365 * 7)
        audit.record(session, "system", "case.opened", None).at = RECENTLY
    plan = purge(retention_runtime)
    assert plan.audit_ids == [ancient.id]
    with retention_runtime.store.sessions() as session:
        actions = [(e.id == ancient.id, e.action) for e in audit.events(session)]
    assert actions == [(False, "case.opened"), (False, "retention.purged")]
    with (pytest.raises(Exception, match="append-only"),
          retention_runtime.store.transaction() as session):
        session.delete(session.scalars(select(AuditEvent)).first())
