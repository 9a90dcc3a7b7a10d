"""The triage decision, row by row: pure, no database, no model."""

from __future__ import annotations

import pytest

from bot.pipeline.decide import Action, MessageFacts, decide
from classifier import Prediction
from classifier.policy import OptOutDecision


def prediction(label: str, p: float = 0.97, *, also: tuple[str, ...] = ()) -> Prediction:
    intents = dict.fromkeys(("opt_out", "correction", "access_request", "general_query"), 0.01)
    intents[label] = p
    for other in also:
        intents[other] = 0.9
    return Prediction(label=label, confidence=p, intents=intents, present=(label, *also),
                      model_version="test")


AUTO = OptOutDecision(True, ("opt-out probability 0.99 clears 0.90",))
REVIEW = OptOutDecision(False, ("another intent is present: access_request",))
ALICE = "alice@example.org"


@pytest.mark.parametrize(("facts", "pred", "opt_out", "action", "confirm"), [
    # A person's simple opt-out: applied and confirmed.
    (MessageFacts(ALICE), prediction("opt_out"), AUTO, Action.AUTO_OPT_OUT, True),
    # An auto-submitted unsubscribe: applied, never answered.
    (MessageFacts(ALICE, ("Auto-Submitted: auto-generated",), is_unsubscribe_mail=True),
     prediction("opt_out"), AUTO, Action.AUTO_OPT_OUT, False),
    # Two intents: staff.
    (MessageFacts(ALICE), prediction("opt_out", also=("access_request",)), REVIEW,
     Action.OPEN_CASE, False),
    # An access request: staff.
    (MessageFacts(ALICE), prediction("access_request"), OptOutDecision(False, ("not opt-out",)),
     Action.OPEN_CASE, False),
    # An out-of-office: kept, flagged, no case, no reply.
    (MessageFacts(ALICE, ("Auto-Submitted: auto-replied",)), prediction("general_query"),
     OptOutDecision(False, ()), Action.IGNORE, False),
    # Unparseable: a person must look.
    (MessageFacts(None, quarantine_reason="unparseable: empty"), None, None,
     Action.OPEN_CASE, False),
    # A reply in an open case's thread joins it, whatever it says.
    (MessageFacts(ALICE, thread_case_id=7), prediction("opt_out"), AUTO, Action.JOIN_CASE, False),
])
def test_it_chooses_the_action(facts, pred, opt_out, action, confirm):
    decision = decide(facts, pred, opt_out)
    assert decision.action == action
    assert decision.send_confirmation is confirm


def test_it_records_why_a_case_went_to_staff():
    decision = decide(MessageFacts(ALICE), prediction("opt_out", also=("access_request",)), REVIEW)
    assert decision.reasons == REVIEW.reasons
    assert decision.intents == ("opt_out", "access_request")


def test_a_follow_up_names_its_case():
    decision = decide(MessageFacts(ALICE, thread_case_id=42), prediction("general_query"), None)
    assert decision.case_id == 42


def test_machine_mail_that_is_a_client_unsubscribe_still_goes_to_staff_when_not_simple():
    facts = MessageFacts(ALICE, ("Precedence: bulk",), is_unsubscribe_mail=True)
    decision = decide(facts, prediction("opt_out", 0.6), OptOutDecision(False, ("low",)))
    assert decision.action == Action.OPEN_CASE
    assert "machine mail: no automatic reply" in decision.reasons


def test_a_request_that_is_not_an_opt_out_says_so_plainly():
    decision = decide(MessageFacts(ALICE), prediction("access_request"),
                      OptOutDecision(False, ("opt_out probability 0.000 is below 0.900",)))
    assert decision.reasons == ("only opt-outs are automatic; this is access_request",)


FORGED = ("sender not verified: dmarc=fail (mx.example.org)",)


@pytest.mark.parametrize("facts", [
    MessageFacts(ALICE, sender_blockers=FORGED),
    MessageFacts(ALICE, sender_blockers=("odd sender: Sender x@evil.example differs",)),
    MessageFacts(ALICE, is_unsubscribe_mail=True, sender_blockers=FORGED),
])
def test_a_forged_or_odd_sender_gets_no_automatic_act_and_staff_see_why(facts):
    decision = decide(facts, prediction("opt_out"), AUTO)
    assert decision.action == Action.OPEN_CASE and not decision.send_confirmation
    assert decision.reasons[0] == facts.sender_blockers[0]


def test_an_unverified_sender_is_suppressed_but_left_open_and_not_mailed():
    facts = MessageFacts(ALICE, sender_unverified="sender not verified: no trusted server")
    decision = decide(facts, prediction("opt_out"), AUTO)
    assert decision.action == Action.AUTO_OPT_OUT
    assert decision.keep_open == ("sender not verified: no trusted server",)
    assert not decision.send_confirmation


def test_a_reply_to_our_own_mail_is_suppressed_without_another_confirmation():
    decision = decide(MessageFacts(ALICE, replies_to_our_mail=True), prediction("opt_out"), AUTO)
    assert decision.action == Action.AUTO_OPT_OUT and not decision.send_confirmation


def test_staff_see_an_odd_sender_on_a_case_that_is_not_an_opt_out():
    facts = MessageFacts(ALICE, sender_blockers=("odd sender: several From addresses: a, b",))
    decision = decide(facts, prediction("access_request"), OptOutDecision(False, ("no",)))
    assert decision.reasons[0].startswith("odd sender:")


def test_an_opt_out_in_a_follow_up_joins_the_case_and_is_suppressed():
    decision = decide(MessageFacts(ALICE, thread_case_id=7), prediction("opt_out"), AUTO)
    assert decision.action == Action.JOIN_CASE
    assert decision.suppress_sender is True
    assert "opt-out in the follow-up: suppression already applied" in decision.reasons
    assert decision.send_confirmation is False   # the case is a person's: they answer


@pytest.mark.parametrize("facts", [
    MessageFacts(ALICE, thread_case_id=7, sender_blockers=("DMARC fail",)),
    MessageFacts(None, thread_case_id=7),
])
def test_a_follow_up_from_a_doubtful_or_unknown_sender_suppresses_nothing(facts):
    decision = decide(facts, prediction("opt_out"), AUTO)
    assert decision.action == Action.JOIN_CASE
    assert decision.suppress_sender is False


def test_a_follow_up_without_an_opt_out_suppresses_nothing():
    decision = decide(MessageFacts(ALICE, thread_case_id=7), prediction("general_query"), REVIEW)
    assert decision.suppress_sender is False


def test_a_reply_in_another_persons_thread_is_decided_on_its_own_and_says_whose():
    facts = MessageFacts(ALICE, foreign_thread_case_id=9)
    decision = decide(facts, prediction("opt_out"), AUTO)
    assert decision.action == Action.AUTO_OPT_OUT  # their own opt-out, applied for them
    assert decision.case_id is None
    assert decision.reasons[-1].startswith("written in the thread of case 9, which is another")
    question = decide(facts, prediction("access_request"), REVIEW)
    assert question.action == Action.OPEN_CASE
