"""Chat intake (DMs to the bot), ``/privacy`` and the App Home tab."""


from __future__ import annotations

import json
import queue
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from bot.cases.outgoing import CHAT_ANSWER
from bot.config import HttpConfig
from bot.runtime import Runtime
from bot.service import Service, poll_once
from bot.slack import intake
from bot.store import staff as staff_store
from bot.store import suppressions
from bot.store.models import Case, Message, OutboxItem, TriageState
from tests.conftest import make_config
from tests.scenario.slack_helpers import (
    ALICE,
    CASES,
    MALLORY,
    QUESTION,
    case_now,
    click,
    new_case,
    running_app,
    slack_config,
    triage_config,
)
from tests.slack_standin import message_event, slash_command_payload
from tests.waiting import wait_until

CAROL = "U0CAROL01"
CAROL_DM = "D0CAROL01"
# An answer waits on real triage, and the first one in a process on loading the model and the
# notice (scikit-learn is imported then, not at start-up): seconds on a loaded machine.
ANSWER_S = 15


def _dm(standin, text: str, **kwargs) -> dict:
    event = message_event(CAROL, CAROL_DM, text, **kwargs)
    standin.wait_for_ack(standin.send_envelope("events_api", event))
    return event["event"]


def _answers(standin, ts: str) -> list[str]:
    return [m["text"] for m in standin.messages(CAROL_DM) if m.get("thread_ts") == ts]


@pytest.fixture
def taken(monkeypatch) -> queue.Queue:
    """The readiness event of the chat listener: what each ``take_message`` returned (the
    stored message's id, or None for a repeat), put here as the listener is done with it."""
    returned: queue.Queue = queue.Queue()
    take_message = intake.take_message

    def recorded(*args, **kwargs):
        stored = take_message(*args, **kwargs)
        returned.put(stored)
        return stored

    monkeypatch.setattr(intake, "take_message", recorded)
    return returned


def _answer_rows(rt: Runtime) -> list[OutboxItem]:
    with rt.store.sessions() as session:
        return [i for i in session.scalars(select(OutboxItem))
                if i.payload.get("type") == CHAT_ANSWER]


def _triage_state(rt: Runtime, message_id: int) -> str:
    with rt.store.sessions() as session:
        return session.get_one(Message, message_id).triage_state


def test_a_dm_opt_out_is_applied_and_answered_in_its_thread(slack_runtime, app, slack_standin,
                                                             taken):
    slack_standin.add_user(CAROL, "Carol@Example.com", real_name="Carol Jones")
    sent = _dm(slack_standin, "Please stop sending me marketing emails, unsubscribe me.")
    answer = wait_until(lambda: _answers(slack_standin, sent["ts"]), timeout=ANSWER_S,
                        what="answer")
    assert answer == ["Done: you will get no more marketing email at carol@example.com."]
    with slack_runtime.store.sessions() as session:
        assert suppressions.is_suppressed(session, "carol@example.com")
        message = session.scalars(select(Message)).one()
    assert (message.source, message.slack_user, message.slack_channel, message.slack_ts) == (
        "slack", CAROL, CAROL_DM, sent["ts"])
    assert message.sender == "carol@example.com"
    assert taken.get(timeout=5) == message.id

    # Slack redelivers an event it thinks was lost: stored and answered once.
    slack_standin.wait_for_ack(slack_standin.send_envelope(
        "events_api", message_event(CAROL, CAROL_DM, sent["text"], ts=sent["ts"])))
    assert taken.get(timeout=5) is None          # the listener is done: a repeat, not stored
    assert [row.state for row in _answer_rows(slack_runtime)] == ["sent"]
    assert len(_answers(slack_standin, sent["ts"])) == 1


def test_without_a_worker_the_listener_returns_before_the_app_triages_in_the_background(
        slack_runtime, app, slack_standin, taken, monkeypatch):
    """The Slack app run alone (no worker in the process): the listener stores and returns;
    the app's own background thread triages and posts the answer, once."""
    from bot.slack import chat

    release, entered = threading.Event(), threading.Event()
    triage_pending = chat.triage_pending

    def held(rt):
        entered.set()
        assert release.wait(10), "the test never released triage"
        return triage_pending(rt)

    monkeypatch.setattr(chat, "triage_pending", held)
    slack_standin.add_user(CAROL, "carol@example.com")
    sent = _dm(slack_standin, "Please stop sending me marketing emails, unsubscribe me.")
    stored = taken.get(timeout=5)                 # the listener returned ...
    assert entered.wait(5)                        # ... and triage is held in the background
    assert _triage_state(slack_runtime, stored) == TriageState.NEW
    assert _answer_rows(slack_runtime) == [] and _answers(slack_standin, sent["ts"]) == []

    release.set()
    wait_until(lambda: _answers(slack_standin, sent["ts"]), timeout=ANSWER_S, what="answer")
    slack_standin.wait_for_ack(slack_standin.send_envelope(
        "events_api", message_event(CAROL, CAROL_DM, sent["text"], ts=sent["ts"])))
    assert taken.get(timeout=5) is None
    assert [row.state for row in _answer_rows(slack_runtime)] == ["sent"]
    assert _answers(slack_standin, sent["ts"]) == [
        "Done: you will get no more marketing email at carol@example.com."]


@pytest.fixture
def service(sqlite_url, smtp_server, slack_standin, clock):
    """``privacy-triage run`` with Slack and SMTP (no IMAP, no HTTP): the worker's threads."""
    config = make_config(sqlite_url, smtp=smtp_server, triage=triage_config(),
                         http=HttpConfig(enabled=False), slack=slack_config(slack_standin))
    runtime = Runtime.open(config)
    runtime.now = clock
    running = Service(runtime)
    try:
        yield running
    finally:
        slack_standin.drop_connections()
        running.shutdown(timeout=15)
        runtime.close()
    assert not any(t.is_alive() for t in running.threads)


def test_the_listener_acks_and_returns_before_triage_and_the_worker_answers_once(
        service, slack_standin, taken, monkeypatch):
    """With a worker (``run``): the listener stores the message, wakes triage and returns;
    while triage is held nothing is answered; released, the worker's act queues the answer and
    the Slack delivery thread posts it once; a redelivered event changes nothing."""
    import bot.service

    release = threading.Event()
    triage_pending = bot.service.triage_pending

    holding = threading.Event()

    def held(rt):
        holding.set()
        assert release.wait(10), "the test never released triage"
        return triage_pending(rt)

    monkeypatch.setattr(bot.service, "triage_pending", held)
    service.start()
    rt = service.rt
    # The triage thread clears its wake-up before each pass: wait until it is in the (held)
    # pass, so the wake-up the listener gives is the one still set below (under load the
    # thread could start after the message and clear it).
    assert holding.wait(10), "the triage thread never started its first pass"
    slack_standin.wait_for_connection(1)
    slack_standin.add_user(CAROL, "carol@example.com")
    envelope = slack_standin.send_envelope("events_api", message_event(
        CAROL, CAROL_DM, "How long do you keep my information?"))
    ack = slack_standin.wait_for_ack(envelope, timeout=3)
    stored = taken.get(timeout=5)                 # the listener has returned
    assert ack.elapsed < 3 and stored is not None
    # It woke the (held) triage thread: the wake-up follows the store, so it may come just
    # after the listener's return is seen.
    wait_until(service.wake.is_set, timeout=3, what="the wake-up of the triage thread")
    assert _triage_state(rt, stored) == TriageState.NEW
    assert _answer_rows(rt) == []
    with rt.store.sessions() as session:
        ts = session.get_one(Message, stored).slack_ts

    release.set()
    answers = wait_until(lambda: _answers(slack_standin, ts), timeout=ANSWER_S, what="answer")
    assert answers == ["Thanks, a member of staff will reply here."]
    assert _triage_state(rt, stored) == TriageState.DONE

    slack_standin.wait_for_ack(slack_standin.send_envelope(
        "events_api", message_event(CAROL, CAROL_DM, "How long do you keep my information?",
                                    ts=ts)))
    assert taken.get(timeout=5) is None
    assert [row.state for row in _answer_rows(rt)] == ["sent"]
    assert len(_answers(slack_standin, ts)) == 1


def test_a_dm_request_becomes_a_case_and_the_approved_reply_goes_back_to_the_thread(
        slack_runtime, app, slack_standin, smtp_server):
    slack_standin.add_user(CAROL, "carol@example.com", real_name="Carol Jones")
    sent = _dm(slack_standin, "How long do you keep my information, and who do you share "
                              "it with?")
    answer = wait_until(lambda: _answers(slack_standin, sent["ts"]), timeout=ANSWER_S,
                        what="answer")
    assert answer == ["Thanks, a member of staff will reply here."]
    poll_once(slack_runtime)                                   # the worker posts the card
    with slack_runtime.store.sessions() as session:
        case = session.scalars(select(Case)).one()
    assert case.channel == "slack" and case.slack_ts
    assert "via Slack" in json.dumps(slack_standin.message(CASES, case.slack_ts)["blocks"])

    slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_approve"))
    wait_until(lambda: case_now(slack_runtime, case.id).state == "resolved", what="approval")
    poll_once(slack_runtime)
    replies = _answers(slack_standin, sent["ts"])
    assert len(replies) == 2 and "Carol" in replies[1]
    assert smtp_server.messages == []                # a chat request is answered in chat


def test_a_dm_in_the_thread_of_a_request_joins_its_case(slack_runtime, app, slack_standin):
    slack_standin.add_user(CAROL, "carol@example.com")
    first = _dm(slack_standin, "Please send me a copy of all the personal data you hold "
                               "about me.")
    wait_until(lambda: _answers(slack_standin, first["ts"]), timeout=ANSWER_S,
               what="first answer")
    follow = _dm(slack_standin, "My postcode is NG1 1AA, if that helps.",
                 thread_ts=first["ts"])
    answers = wait_until(lambda: len(_answers(slack_standin, first["ts"])) == 2 and
                         _answers(slack_standin, first["ts"]), what="second answer")
    assert "added this to your request" in answers[1]
    with slack_runtime.store.sessions() as session:
        (case,) = session.scalars(select(Case)).all()
        assert [m.slack_ts for m in case.messages] == [first["ts"], follow["ts"]]


INTAKE = "C0INTAKE01"
DAVE = "U0DAVE001"


def test_a_reply_in_someone_elses_intake_thread_is_a_case_of_its_own(
        sqlite_url, smtp_server, slack_standin, clock):
    """An intake channel is shared: Dave answering in Carol's thread is not Carol writing
    again. His words are not filed in her case (nor answered as hers); his case says whose
    thread it was written in."""
    config = make_config(sqlite_url, smtp=smtp_server, triage=triage_config(),
                         slack=slack_config(slack_standin, intake_channel=INTAKE))
    rt = Runtime.open(config)
    rt.now = clock
    slack_standin.add_user(CAROL, "carol@example.com")
    slack_standin.add_user(DAVE, "dave@example.com")

    def post(user: str, text: str, **kwargs) -> dict:
        event = message_event(user, INTAKE, text, channel_type="channel", **kwargs)
        slack_standin.wait_for_ack(slack_standin.send_envelope("events_api", event))
        return event["event"]

    def answers(ts: str) -> list[str]:
        return [m["text"] for m in slack_standin.messages(INTAKE) if m.get("thread_ts") == ts]

    with contextmanager(running_app)(rt, slack_standin):
        first = post(CAROL, "Please send me a copy of all the personal data you hold about me.")
        wait_until(lambda: answers(first["ts"]), timeout=ANSWER_S, what="Carol's answer")
        post(DAVE, "Same here, what do you hold on me?", thread_ts=first["ts"])
        replies = wait_until(lambda: len(answers(first["ts"])) == 2 and answers(first["ts"]),
                             timeout=ANSWER_S, what="Dave's answer")
    assert "added this to your request" not in replies[1]
    with rt.store.sessions() as session:
        cases = {c.requester: c for c in session.scalars(select(Case))}
        carols = [m.slack_user for m in cases["carol@example.com"].messages]
        daves = cases["dave@example.com"]
        dave_users = [m.slack_user for m in daves.messages]
        carol_case = cases["carol@example.com"].id
    assert carols == [CAROL] and dave_users == [DAVE]
    assert any(f"thread of case {carol_case}, which is another person's" in r
               for r in daves.review_reasons)
    rt.close()


def test_a_dm_in_a_thread_we_never_stored_is_answered_in_that_thread(slack_runtime, app,
                                                                    slack_standin):
    """The thread's first message is not a request of ours (say, a note the bot posted): the
    message opens its own case, and the answer still goes to the thread it was written in."""
    slack_standin.add_user(CAROL, "carol@example.com")
    root = "1796000000.000100"
    sent = _dm(slack_standin, "How long do you keep my information?", thread_ts=root)
    answer = wait_until(lambda: _answers(slack_standin, root), timeout=ANSWER_S,
                        what="answer in the thread")
    assert answer == ["Thanks, a member of staff will reply here."]
    assert _answers(slack_standin, sent["ts"]) == []
    with slack_runtime.store.sessions() as session:
        assert session.scalars(select(Message)).one().in_reply_to is None


def test_privacy_status_and_address_lookup(slack_runtime, app, slack_standin):
    case = new_case(slack_runtime, QUESTION)
    with slack_runtime.store.transaction() as session:
        suppressions.suppress(session, "frank@example.net", reason="test", source="cli")

    def ask(user: str, text: str) -> str:
        envelope = slack_standin.send_envelope(
            "slash_commands", slash_command_payload(user, "/privacy", text, CASES),
            accepts_response_payload=True)
        slack_standin.wait_for_ack(envelope)
        answer = slack_standin.wait_for_response(envelope).args   # after the ack, privately
        assert answer["response_type"] == "ephemeral"
        return answer["text"]

    assert "Open: 1" in ask(ALICE, "status")
    found = ask(ALICE, "<mailto:Frank@Example.net|Frank@Example.net>")
    assert "is *suppressed*" in found and f"Case {case.id}" in found
    assert "not* on the suppression list" in ask(ALICE, "nobody@example.org")
    assert "Usage" in ask(ALICE, "what?")
    assert "not one of the people" in ask(MALLORY, "status")


def test_privacy_acks_before_its_slow_work_and_answers_after(slack_runtime, app, slack_standin,
                                                             monkeypatch):
    """Slack allows three seconds for the ack: the database (held here until the ack has
    arrived) and ``conversations.members`` come after it, in a lazy listener."""
    new_case(slack_runtime, QUESTION)
    release = threading.Event()
    count_by_state = staff_store.count_by_state

    def held(session):
        assert release.wait(10), "the test never released the work"
        return count_by_state(session)

    monkeypatch.setattr(staff_store, "count_by_state", held)
    envelope = slack_standin.send_envelope(
        "slash_commands", slash_command_payload(ALICE, "/privacy", "status", CASES),
        accepts_response_payload=True)
    ack = slack_standin.wait_for_ack(envelope, timeout=3)     # while the work is held
    assert ack.elapsed < 3 and not (ack.payload or {}).get("text")
    assert slack_standin.responses(envelope) == []
    release.set()
    answer = slack_standin.wait_for_response(envelope)
    assert "Open: 1" in answer.args["text"] and answer.time > ack.time


def test_privacy_asks_slack_who_may_act_only_after_the_ack(sqlite_url, slack_standin,
                                                          monkeypatch):
    """Without ``allowed_user_ids`` the review channel's members decide, read after the ack.

    "After" is read where it is decided, in the app: Bolt sends the ack frame once the listener
    has returned and its lazy listener has been started, so on the wire the frame and the lazy
    listener's first Web API call may arrive in either order (seen under load). What the app
    controls, and this checks, is that ``ack()`` is called before Slack is asked anything.
    """
    from slack_bolt.context.ack.ack import Ack
    from slack_sdk.web.client import WebClient

    order: list[tuple[str, float]] = []
    real_ack, real_members = Ack.__call__, WebClient.conversations_members

    def ack(self, *args, **kwargs):
        order.append(("ack", time.monotonic()))
        return real_ack(self, *args, **kwargs)

    def members(self, *args, **kwargs):
        order.append(("members", time.monotonic()))
        return real_members(self, *args, **kwargs)

    monkeypatch.setattr(Ack, "__call__", ack)
    monkeypatch.setattr(WebClient, "conversations_members", members)
    config = make_config(sqlite_url, slack=slack_config(slack_standin, allowed_user_ids=[]))
    slack_standin.set_members(CASES, [ALICE])
    runtime = Runtime.open(config)
    try:
        with contextmanager(running_app)(runtime, slack_standin):
            envelope = slack_standin.send_envelope(
                "slash_commands", slash_command_payload(ALICE, "/privacy", "help", CASES),
                accepts_response_payload=True)
            slack_standin.wait_for_ack(envelope)
            answer = slack_standin.wait_for_response(envelope)
    finally:
        runtime.close()
    (asked,) = slack_standin.calls("conversations.members")
    assert [step for step, _ in order] == ["ack", "members"]
    assert asked.time < answer.time and "Usage" in answer.args["text"]


def test_the_home_tab_shows_my_cases_and_the_counts(slack_runtime, app, slack_standin):
    case = new_case(slack_runtime, QUESTION)
    slack_standin.wait_for_ack(click(slack_standin, ALICE, case, "case_assign"))
    wait_until(lambda: case_now(slack_runtime, case.id).assigned_to == ALICE, what="assignment")
    envelope = message_event(ALICE, "D0ALICE01", "")
    envelope["event"] = {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE01",
                         "tab": "home", "event_ts": f"{time.time():.6f}"}
    slack_standin.wait_for_ack(slack_standin.send_envelope("events_api", envelope))
    home = wait_until(lambda: slack_standin.home_view(ALICE), what="home tab")
    text = json.dumps(home["blocks"])
    assert "Assigned to you* (1)" in text and f"Case {case.id}" in text and "Open: 1" in text
