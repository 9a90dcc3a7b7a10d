"""Staff actions as transactions: one outcome per version, audit, outbox rows (no Slack)."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.config import SlackConfig
from bot.runtime import Runtime
from bot.staff import actions
from bot.staff.export import export_staff_labels, staff_examples
from bot.store import suppressions
from bot.store.models import AuditEvent, Case, Classification, Draft, OutboxItem
from tests.conftest import make_config
from tests.unit.staff.factory import open_case

ALICE = "slack:U0ALICE01"
BOB = "slack:U0BOB0001"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def staff_runtime(database_url: str):
    config = make_config(database_url, slack=SlackConfig(
        enabled=True, review_channel="C0CASES01", bot_token="xoxb-test"))
    runtime = Runtime.open(config)
    runtime.now = lambda: NOW
    yield runtime
    runtime.close()


def _outbox(rt: Runtime) -> list[OutboxItem]:
    with rt.store.sessions() as session:
        return list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


def _case(rt: Runtime, case_id: int) -> Case:
    with rt.store.sessions() as session:
        return session.get(Case, case_id)


def test_approve_queues_the_reply_once_and_resolves_the_case(staff_runtime):
    case_id = open_case(staff_runtime, label="general_query")
    result = actions.approve(staff_runtime, case_id, 1, ALICE)
    assert result.ok and result.version == 2
    case = _case(staff_runtime, case_id)
    assert (case.state, case.version) == ("resolved", 2)
    kinds = {(i.kind, i.idempotency_key) for i in _outbox(staff_runtime)}
    assert ("email", f"reply:{case_id}:1") in kinds
    assert ("slack", f"slack-update:{case_id}:2") in kinds
    email = next(i for i in _outbox(staff_runtime) if i.kind == "email")
    assert email.payload["to"] == "alice@example.org" and "Draft." in email.payload["text"]
    # The "reply sent" note under the card is queued when the email is marked sent or failed.
    assert [(f["kind"], f["key"]) for f in email.payload["then"]] == [
        ("slack", f"slack-sent:{case_id}:1")]
    with staff_runtime.store.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.approved")).one()
    assert event.actor == ALICE and event.case_id == case_id

    again = actions.approve(staff_runtime, case_id, 1, ALICE)      # the double click
    assert again.status == "stale"
    assert len([i for i in _outbox(staff_runtime) if i.kind == "email"]) == 1


def test_two_people_approving_at_once_give_exactly_one_outcome(staff_runtime):
    case_id = open_case(staff_runtime, label="general_query")
    barrier = threading.Barrier(4)
    results = []

    def click(actor: str) -> None:
        barrier.wait()
        results.append(actions.approve(staff_runtime, case_id, 1, actor))

    threads = [threading.Thread(target=click, args=(a,)) for a in (ALICE, BOB, ALICE, BOB)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in results) == ["done", "stale", "stale", "stale"]
    assert len([i for i in _outbox(staff_runtime) if i.kind == "email"]) == 1
    assert _case(staff_runtime, case_id).version == 2


def test_approving_an_opt_out_case_applies_the_suppression(staff_runtime):
    case_id = open_case(staff_runtime, label="opt_out", sender="bob@example.net")
    assert actions.approve(staff_runtime, case_id, 1, BOB).ok
    with staff_runtime.store.sessions() as session:
        assert suppressions.is_suppressed(session, "bob@example.net")


def test_approving_an_access_request_that_asks_for_id_waits_with_the_clock_stopped(staff_runtime):
    case_id = open_case(staff_runtime)   # an unknown sender: the default policy asks for ID
    result = actions.approve(staff_runtime, case_id, 1, ALICE)
    assert "waiting for identity" in result.message
    case = _case(staff_runtime, case_id)
    assert case.state == "awaiting_requester" and case.pauses == [["2026-11-24", None]]

    verified = actions.verify_identity(staff_runtime, case_id, 2, ALICE)
    assert verified.ok
    case = _case(staff_runtime, case_id)
    assert case.identity_verified and case.state == "open"
    assert case.pauses == [["2026-11-24", "2026-11-24"]]


def test_edit_stores_a_new_version_that_approve_then_sends(staff_runtime):
    case_id = open_case(staff_runtime, label="correction")
    edited = actions.edit_draft(staff_runtime, case_id, 1, ALICE, subject="Re: fixed",
                                text="New words")
    assert edited.ok and "v2" in edited.message
    assert actions.approve(staff_runtime, case_id, edited.version, ALICE).ok
    email = next(i for i in _outbox(staff_runtime) if i.kind == "email")
    assert email.idempotency_key == f"reply:{case_id}:2"
    assert (email.payload["subject"], email.payload["text"]) == ("Re: fixed", "New words\n")
    assert email.payload["html"] == ""  # the old HTML would still say the old words
    with staff_runtime.store.sessions() as session:
        drafts = session.scalars(select(Draft).where(Draft.case_id == case_id)).all()
    assert [d.author for d in drafts] == ["model", "staff:U0ALICE01"]


def test_reclassify_stores_a_staff_label_redrafts_and_exports_training_data(staff_runtime):
    case_id = open_case(staff_runtime, label="general_query",
                        text="Stop emailing me offers please.")
    result = actions.reclassify(staff_runtime, case_id, 1, BOB, "opt_out")
    assert result.ok and "general_query to opt_out" in result.message
    case = _case(staff_runtime, case_id)
    assert (case.label, case.present) == ("opt_out", ["opt_out"])
    with staff_runtime.store.sessions() as session:
        label = session.scalars(select(Classification)).one()
        draft = session.scalars(select(Draft).where(Draft.version == 2)).one()
    assert (label.by, label.label) == ("staff:U0BOB0001", "opt_out")
    assert "marketing" in draft.text.lower()
    out = io.StringIO()
    assert export_staff_labels(staff_runtime.store, out) == 1
    assert json.loads(out.getvalue()) == {"text": "Stop emailing me offers please.",
                                          "label": "opt_out"}
    assert actions.reclassify(staff_runtime, case_id, 2, BOB, "nonsense").status == "refused"
    # Relabelled again: only the latest label is training data.
    assert actions.reclassify(staff_runtime, case_id, 2, ALICE, "general_query").ok
    assert staff_examples(staff_runtime.store) == [{"text": "Stop emailing me offers please.",
                                         "label": "general_query"}]


def test_reject_needs_a_reason_and_records_it(staff_runtime):
    case_id = open_case(staff_runtime, label="general_query")
    refused = actions.reject(staff_runtime, case_id, 1, ALICE, "  ")
    assert refused.status == "refused" and _case(staff_runtime, case_id).version == 1
    assert actions.reject(staff_runtime, case_id, 1, ALICE, "Spam from a bot").ok
    case = _case(staff_runtime, case_id)
    assert (case.state, case.outcome_note) == ("rejected", "Spam from a bot")
    # Closed cases stay shut.
    assert actions.approve(staff_runtime, case_id, 2, ALICE).status == "refused"
    assert not [i for i in _outbox(staff_runtime) if i.kind == "email"]


def test_assign_and_extend(staff_runtime):
    case_id = open_case(staff_runtime)
    assert actions.assign(staff_runtime, case_id, 1, ALICE).ok
    assert _case(staff_runtime, case_id).assigned_to == "U0ALICE01"
    extended = actions.extend_deadline(staff_runtime, case_id, 2, ALICE)
    assert extended.ok and _case(staff_runtime, case_id).due_date.isoformat() == "2027-02-23"
    again = actions.extend_deadline(staff_runtime, case_id, 3, ALICE)
    assert again.status == "refused" and "already" in again.message
    query = open_case(staff_runtime, label="general_query", sender="carol@example.com")
    assert actions.extend_deadline(staff_runtime, query, 1, ALICE).status == "refused"


@pytest.mark.parametrize(("text", "suppressed", "note"), [
    ("Please unsubscribe my mother, margaret@example.net, from your emails.",
     ["margaret@example.net"], "suppressed margaret@example.net"),
    ("Stop mailing me here and at bob.work@example.net too.",
     ["bob.work@example.net", "bob@example.net"], "suppressed bob@example.net, bob.work@"),
    ("Please take my husband off your mailing list.", [], "no address suppressed"),
])
def test_approving_an_opt_out_suppresses_whom_it_covers(staff_runtime, text, suppressed, note):
    case_id = open_case(staff_runtime, label="opt_out", sender="bob@example.net", text=text)
    result = actions.approve(staff_runtime, case_id, 1, ALICE)
    assert result.ok and note in result.message
    with staff_runtime.store.sessions() as session:
        assert sorted(s.address for s in suppressions.active(session)) == suppressed


def test_approving_a_correction_that_asks_for_the_details_stops_the_clock(staff_runtime):
    case_id = open_case(staff_runtime, label="correction",
                        text="My address on your records is wrong.")
    result = actions.approve(staff_runtime, case_id, 1, ALICE)
    assert "waiting for the correct details" in result.message
    case = _case(staff_runtime, case_id)
    assert case.state == "awaiting_requester" and case.pauses == [["2026-11-24", None]]


def test_approving_a_correction_that_gives_the_details_resolves_it(staff_runtime):
    case_id = open_case(staff_runtime, label="correction",
                        text="My address is now 14 Mill Lane, Beeston, Nottingham NG9 2AB.")
    assert actions.approve(staff_runtime, case_id, 1, ALICE).ok
    assert _case(staff_runtime, case_id).state == "resolved"


def test_undo_lifts_an_automatic_opt_out_and_records_who(staff_runtime):
    case_id = open_case(staff_runtime, label="opt_out", state="auto_resolved",
                        sender="dan@example.org")
    with staff_runtime.store.transaction() as session:
        suppressions.suppress(session, "dan@example.org", reason="opt-out", source="email",
                              case_id=case_id)
    assert actions.undo_opt_out(staff_runtime, case_id, 1, BOB).ok
    with staff_runtime.store.sessions() as session:
        assert not suppressions.is_suppressed(session, "dan@example.org")
        row = session.scalars(select(suppressions.Suppression)).one()
    assert row.removed_by == BOB
    assert actions.undo_opt_out(staff_runtime, case_id, 2, BOB).status == "refused"


def test_a_missing_case_is_reported(staff_runtime):
    assert actions.approve(staff_runtime, 999, 1, ALICE).status == "missing"
