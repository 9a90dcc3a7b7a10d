"""The allow list is asked at the moment of each action, and every refusal is audited."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from bot.store.models import AuditEvent
from tests.conftest import make_config
from tests.scenario.slack_helpers import (
    ALICE,
    BOB,
    CASES,
    QUESTION,
    case_now,
    click,
    new_case,
    running_app,
    slack_config,
    triage_config,
    wait_until,
)


def _refusals(rt: Runtime) -> list[AuditEvent]:
    with rt.store.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.action == "slack.refused").order_by(AuditEvent.id)))


def test_someone_removed_from_the_review_channel_is_refused_at_their_very_next_click(
        sqlite_url, smtp_server, slack_standin):
    config = make_config(sqlite_url, smtp=smtp_server, triage=triage_config(),
                         slack=slack_config(slack_standin, allowed_user_ids=[]))
    rt = Runtime.open(config)
    slack_standin.set_members(CASES, [ALICE, BOB])
    runner = running_app(rt, slack_standin)
    next(runner)
    try:
        case = new_case(rt, QUESTION)
        slack_standin.wait_for_ack(click(slack_standin, BOB, case, "case_assign"))
        assigned = wait_until(lambda: (c := case_now(rt, case.id)).assigned_to == BOB and c,
                              what="assignment")
        slack_standin.set_members(CASES, [ALICE])          # Bob leaves the channel
        slack_standin.wait_for_ack(click(slack_standin, BOB, assigned, "case_approve"))
        (refused,) = wait_until(lambda: _refusals(rt), what="audited refusal")
        assert refused.actor == f"slack:{BOB}" and refused.case_id == case.id
        assert refused.details["attempted"] == "case_approve"
        assert case_now(rt, case.id).state == "open"
        assert case_now(rt, case.id).version == assigned.version
    finally:
        next(runner, None)
        rt.close()


def test_a_refused_click_by_an_outsider_is_audited(slack_runtime, app, slack_standin):
    case = new_case(slack_runtime, QUESTION)
    outsider = "U0OUTSIDE1"
    slack_standin.wait_for_ack(click(slack_standin, outsider, case, "case_assign"))
    (refused,) = wait_until(lambda: _refusals(slack_runtime), what="audited refusal")
    assert refused.actor == f"slack:{outsider}" and refused.details["attempted"] == "case_assign"
    assert case_now(slack_runtime, case.id).assigned_to is None
