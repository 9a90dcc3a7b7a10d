"""The Slack app end to end: real pipeline, real slack_sdk/Bolt clients, the stand-in, aiosmtpd.

Cases are made the way production makes them: an RFC 822 message is stored with
``store_raw`` and ``poll_once`` triages it and delivers the outbox (cards through the Web API).
Staff clicks arrive over Socket Mode from the stand-in, exactly as Slack would send them.
Fixtures are in ``conftest.py``, shared helpers in ``slack_helpers.py``.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.runtime import Runtime
from bot.service import poll_once
from bot.store.models import AuditEvent, Classification, Draft
from tests.conftest import make_config
from tests.scenario.slack_helpers import (
    ACCESS,
    ALICE,
    BOB,
    CASES,
    MALLORY,
    QUESTION,
    buttons,
    card,
    case_now,
    click,
    new_case,
    outbox,
    running_app,
    select_label,
    slack_config,
    submit,
    thread_of,
    triage_config,
)
from tests.slack_standin import (
    text_input_values,
)
from tests.waiting import wait_until


def test_a_routed_email_becomes_one_card_with_its_draft_and_buttons(slack_runtime, slack_standin):
    case = new_case(slack_runtime, ACCESS)
    assert case.state == "open" and case.slack_channel == CASES and case.slack_ts
    shown = card(slack_standin, case)
    text = json.dumps(shown["blocks"])
    assert f"Case {case.id}" in text and "Access request" in text
    assert "e***@example.org" in text and "erin@example.org" not in text
    assert "copy of the personal information" in text          # the drafted reply
    assert set(buttons(shown)) >= {"case_approve", "case_edit", "case_reclassify",
                                   "case_assign", "case_reject", "case_extend", "case_verify"}
    assert buttons(shown)["case_approve"]["value"] == f"{case.id}:{case.version}"
    assert len(slack_standin.messages(CASES)) == 1
    assert poll_once(slack_runtime).delivery.sent == 0   # nothing is posted twice


def test_approve_sends_exactly_one_email_and_updates_the_card(slack_runtime, app, slack_standin,
                                                              smtp_server):
    case = new_case(slack_runtime, QUESTION)
    ack = slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_approve"))
    assert ack.elapsed < 3
    wait_until(lambda: case_now(slack_runtime, case.id).state == "resolved", what="approval")
    shown = wait_until(lambda: (m := card(slack_standin, case)) and "edited" in m and m,
                       what="card update")
    assert buttons(shown) == {}
    assert f"by <@{ALICE}>" in json.dumps(shown["blocks"])

    poll_once(slack_runtime)                       # the worker's pass: SMTP, then the thread note
    (sent,) = smtp_server.wait_for(1)
    assert sent["To"] == "frank@example.net"
    assert sent["In-Reply-To"] == "<q-1@example.net>"
    assert "keep" in sent.get_body(("plain",)).get_content().lower()
    notes = [m["text"] for m in thread_of(slack_standin, case)]
    assert any("Reply v1 sent" in n and f"<@{ALICE}>" in n for n in notes)
    poll_once(slack_runtime)
    assert len(smtp_server.messages) == 1
    with slack_runtime.store.sessions() as session:
        actors = {e.actor for e in session.scalars(select(AuditEvent)
                                                   .where(AuditEvent.case_id == case.id))}
    assert f"slack:{ALICE}" in actors


def test_a_double_click_and_two_people_at_once_give_one_outcome(slack_runtime_both, app_both,
                                                                slack_standin, smtp_server):
    rt = slack_runtime_both
    case = new_case(rt, QUESTION)
    envelopes = [click(slack_standin, user, case, "case_approve")
                 for user in (ALICE, ALICE, BOB)]
    for envelope in envelopes:
        assert slack_standin.wait_for_ack(envelope).elapsed < 3
    changed = wait_until(lambda: len(slack_standin.ephemeral_messages(CASES)) == 2 and
                         slack_standin.ephemeral_messages(CASES), what="two stale notes")
    assert all("This case has changed" in m["text"] for m in changed)
    poll_once(rt)  # one delivery pass, finished when it returns: every send is in
    assert len(smtp_server.messages) == 1
    assert case_now(rt, case.id).version == case.version + 1
    with rt.store.sessions() as session:
        approvals = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "case.approved")).all()
    assert len(approvals) == 1


def test_edit_in_the_modal_changes_what_is_sent(slack_runtime, app, slack_standin, smtp_server):
    case = new_case(slack_runtime, QUESTION)
    slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_edit"))
    opened, = slack_standin.wait_for("views.open")
    assert opened.ok and opened.args["view"]["blocks"][0]["text"]["text"].endswith("Loading…")
    update, = slack_standin.wait_for("views.update")
    view = slack_standin.view(update.args["view_id"])
    assert view["callback_id"] == "edit_draft"
    assert "keep" in view["blocks"][1]["element"]["initial_value"].lower()

    edited = "Dear Frank,\n\nWe keep it for six years. <!channel>\n"
    envelope = submit(slack_standin, ALICE, view, text_input_values(
        {"subject": {"value": "Re: retention"}, "part_0": {"value": edited}}))
    assert slack_standin.wait_for_ack(envelope).payload in (None, {})
    wait_until(lambda: case_now(slack_runtime, case.id).version == case.version + 1, what="edit")
    case = case_now(slack_runtime, case.id)
    shown = wait_until(lambda: buttons(card(slack_standin, case)).get("case_approve", {}).get(
        "value") == f"{case.id}:{case.version}" and card(slack_standin, case), what="new card")
    assert "&lt;!channel&gt;" in json.dumps(shown["blocks"])

    slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_approve"))
    wait_until(lambda: case_now(slack_runtime, case.id).state == "resolved", what="approval")
    poll_once(slack_runtime)
    (sent,) = smtp_server.wait_for(1)
    assert sent["Subject"] == "Re: retention"
    assert sent.get_body(("plain",)).get_content().replace("\r\n", "\n") == edited


def test_reclassify_stores_a_staff_label_and_redrafts(slack_runtime, app, slack_standin):
    case = new_case(slack_runtime, QUESTION)
    slack_standin.wait_for_ack(select_label(slack_standin, BOB, case, "opt_out"))
    wait_until(lambda: case_now(slack_runtime, case.id).label == "opt_out", what="reclassify")
    with slack_runtime.store.sessions() as session:
        label = session.scalars(select(Classification).where(
            Classification.by.like("staff:%"))).one()
        drafts = session.scalars(select(Draft).where(Draft.case_id == case.id)).all()
    assert (label.label, label.by) == ("opt_out", f"staff:{BOB}")
    assert len(drafts) == 2 and "marketing" in drafts[-1].text.lower()
    case = case_now(slack_runtime, case.id)
    wait_until(lambda: "Opt-out" in json.dumps(card(slack_standin, case)["blocks"]),
               what="card shows the new label")


def test_reject_needs_a_reason(slack_runtime, app, slack_standin):
    case = new_case(slack_runtime, QUESTION)
    slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_reject"))
    opened, = slack_standin.wait_for("views.open")
    view = slack_standin.view(opened.response["view"]["id"])
    empty = submit(slack_standin, ALICE, view, text_input_values({"reason": {"value": "  "}}))
    answer = slack_standin.wait_for_ack(empty).payload
    assert answer["response_action"] == "errors" and "reason" in answer["errors"]
    assert case_now(slack_runtime, case.id).state == "open"

    reason = submit(slack_standin, ALICE, view,
                    text_input_values({"reason": {"value": "Sent to the wrong organisation"}}))
    slack_standin.wait_for_ack(reason)
    wait_until(lambda: case_now(slack_runtime, case.id).state == "rejected", what="rejection")
    assert case_now(slack_runtime, case.id).outcome_note == "Sent to the wrong organisation"
    shown = wait_until(lambda: (m := card(slack_standin, case)) and not buttons(m) and m,
                       what="closed card")
    assert "Sent to the wrong organisation" in json.dumps(shown["blocks"])


def test_people_who_may_not_act_change_nothing(slack_runtime, app, slack_standin):
    case = new_case(slack_runtime, QUESTION)
    for action in ("case_approve", "case_assign"):
        slack_standin.wait_for_ack(click(slack_standin, MALLORY, case, action))
    notes = wait_until(lambda: len(slack_standin.ephemeral_messages(CASES)) == 2 and
                       slack_standin.ephemeral_messages(CASES), what="refusals")
    assert {m["user"] for m in notes} == {MALLORY}
    assert all("not one of the people" in m["text"] for m in notes)
    now = case_now(slack_runtime, case.id)
    assert (now.state, now.version, now.assigned_to) == ("open", case.version, None)
    assert not [i for i in outbox(slack_runtime) if i.kind == "email"]


def test_channel_members_may_act_when_no_users_are_listed(sqlite_url, smtp_server,
                                                          slack_standin, clock):
    config = make_config(sqlite_url, smtp=smtp_server, triage=triage_config(),
                         slack=slack_config(slack_standin, allowed_user_ids=[]))
    rt = Runtime.open(config)
    rt.now = clock
    slack_standin.set_members(CASES, [BOB])
    runner = running_app(rt, slack_standin)
    next(runner)
    try:
        case = new_case(rt, QUESTION)
        slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_assign"))
        dm = "D" + ALICE[1:]   # not in the channel, so not allowed: told in a direct message
        refusal = wait_until(lambda: slack_standin.messages(dm), what="refusal")
        assert "not one of the people" in refusal[0]["text"]
        assert case_now(rt, case.id).assigned_to is None
        slack_standin.wait_for_ack(click(slack_standin, BOB, case, "case_assign"))
        wait_until(lambda: case_now(rt, case.id).assigned_to == BOB, what="assignment")
    finally:
        next(runner, None)
        rt.close()


def test_mail_that_tries_to_ping_or_disguise_links_is_shown_inert(slack_runtime, slack_standin):
    evil = (
        "From: \"<!channel> Boss\" <mallory@example.com>\r\nTo: support@caplus.org.uk\r\n"
        "Subject: <!here> urgent <http://evil.example|your bank>\r\n"
        "Message-ID: <evil-1@example.com>\r\n\r\n"
        "<!channel> please log in at <http://evil.example/login|https://caplus.org.uk> and "
        "tell <@U0ALICE01> &amp; everyone: what data do you hold about me?\r\n")
    case = new_case(slack_runtime, evil)
    shown = card(slack_standin, case)
    for text in (json.dumps(shown["blocks"]), shown["text"]):
        assert "<!channel>" not in text and "<!here>" not in text
        assert "<http://" not in text and "<@U0ALICE01>" not in text
    assert "&lt;http://evil.example/login|https://caplus.org.uk&gt;" in json.dumps(
        shown["blocks"])


def test_an_extension_after_the_first_month_is_refused_politely(slack_runtime, app, slack_standin,
                                                                 clock):
    case = new_case(slack_runtime, ACCESS)
    clock.advance(days=40)
    slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_extend"))
    (note,) = wait_until(lambda: slack_standin.ephemeral_messages(CASES), what="refusal")
    assert note["user"] == ALICE and "too late to extend" in note["text"]
    now = case_now(slack_runtime, case.id)
    assert (now.version, now.extended, now.due_date) == (case.version, False, case.due_date)


def test_extend_then_mark_identity_verified_update_the_card(slack_runtime, app, slack_standin):
    case = new_case(slack_runtime, ACCESS)
    slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_extend"))
    wait_until(lambda: case_now(slack_runtime, case.id).extended, what="extension")
    extended = case_now(slack_runtime, case.id)
    assert extended.due_date > case.due_date
    shown = wait_until(lambda: "case_extend" not in buttons(card(slack_standin, extended))
                       and card(slack_standin, extended), what="card without Extend")
    assert "extended" in json.dumps(shown["blocks"])
    slack_standin.wait_for_ack(click(slack_standin, BOB, extended, "case_verify"))
    wait_until(lambda: case_now(slack_runtime, case.id).identity_verified, what="verification")
    wait_until(lambda: "case_verify" not in buttons(card(slack_standin, extended)),
               what="card without Verify")


def test_an_expired_trigger_is_explained_and_changes_nothing(slack_runtime, app, slack_standin):
    case = new_case(slack_runtime, QUESTION)
    slack_standin.fail_next("views.open", "expired_trigger_id")
    slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_edit"))
    (note,) = wait_until(lambda: slack_standin.ephemeral_messages(CASES), what="note")
    assert "expired_trigger_id" in note["text"] and "click again" in note["text"]
    assert slack_standin.calls("views.update") == []
    assert case_now(slack_runtime, case.id).version == case.version
