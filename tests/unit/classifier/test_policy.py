"""The opt-out policy: when a request may be applied without a human."""

from __future__ import annotations

import pytest

from classifier.policy import decide_opt_out, mentions_third_party, other_addresses
from tests.unit.classifier.conftest import make_prediction

ALICE = "alice@example.org"
#: An opt-out with words of its own beside the command: the model's probability decides.
LONGER = "Please unsubscribe me from the newsletter, I get far too many emails these days."


def _decide(pred, text="Please unsubscribe me.", sender=ALICE, machine=False, unsub=False,
            threshold=0.95):
    return decide_opt_out(pred, text=text, sender=sender, is_machine_mail=machine,
                          is_unsubscribe_mail=unsub, threshold=threshold)


CASES = [
    # (case, prediction, kwargs, auto, reason fragment)
    ("plain opt-out", make_prediction(), {}, True, "single intent"),
    ("low confidence", make_prediction(p=0.80), {"text": LONGER}, False, "below the threshold"),
    ("other top label", make_prediction("correction", 0.99), {"text": LONGER}, False,
     "below the threshold"),
    ("unknown sender", make_prediction(), {"sender": None}, False, "sender address unknown"),
    ("garbage sender", make_prediction(), {"sender": "not an address"}, False,
     "sender address unknown"),
    ("machine mail", make_prediction(), {"machine": True}, False, "automatic or bulk"),
    ("own address named", make_prediction(),
     {"text": "Please remove ALICE@example.org from your list."}, True, "single intent"),
    ("quoted header address", make_prediction(),
     {"text": "Unsubscribe me.\n\nOn Mon, 2 Jan 2025, CA Plus <news@caplus.org.uk> wrote:\n"
              "> Our courses"}, True, "single intent"),
    ("mother", make_prediction(), {"text": "Please remove my mother from your list."}, False,
     "on behalf"),
    ("client", make_prediction(), {"text": "On behalf of my client, stop all marketing."},
     False, "on behalf"),
    ("husband's address", make_prediction(),
     {"text": "My husband's address keeps getting your newsletter."}, False, "on behalf"),
    ("client unsubscribe mail", make_prediction("general_query", 0.3),
     {"machine": True, "unsub": True, "text": "This is an unsubscribe request."}, True,
     "unsubscribe request"),
    ("unsubscribe mail, no sender", make_prediction(), {"unsub": True, "sender": None}, False,
     "without a usable sender"),
]


@pytest.mark.parametrize(("case", "pred", "kwargs", "auto", "reason"), CASES,
                         ids=[c[0] for c in CASES])
def test_it_decides_opt_out_automation(case, pred, kwargs, auto, reason):
    decision = _decide(pred, **kwargs)
    assert decision.auto_apply is auto
    assert any(reason in r for r in decision.reasons), decision.reasons


def test_a_second_intent_keeps_the_case_open_with_the_suppression_applied():
    pred = make_prediction(others={"access_request": 0.9}, present=("opt_out", "access_request"))
    decision = _decide(pred)
    assert decision.auto_apply and not decision.closes
    assert "other intents present: access_request" in decision.holds


def test_another_address_suppresses_the_writer_but_leaves_the_rest_to_staff():
    decision = _decide(make_prediction(), text="Please remove bob@example.net from your list.")
    assert decision.auto_apply and not decision.closes
    assert "mentions 1 other email address(es)" in decision.holds


def test_it_lists_every_failed_condition():
    pred = make_prediction(p=0.5, others={"correction": 0.8}, present=("opt_out", "correction"))
    decision = _decide(pred, text="Remove my wife carol@example.net", sender=None, machine=True)
    assert not decision.auto_apply
    assert len(decision.reasons) == 5


def test_it_uses_a_strict_threshold_for_an_unknown_model():
    assert not _decide(make_prediction(p=0.985), text=LONGER, threshold=None).auto_apply
    assert _decide(make_prediction(p=0.995), text=LONGER, threshold=None).auto_apply


def test_it_uses_the_card_threshold_of_the_model_that_predicted(model):
    pred = model.predict_one("Please take me off your mailing list.")
    limit = model.opt_out_threshold
    decision = _decide(pred, threshold=None)
    assert decision.auto_apply is (pred.intents["opt_out"] >= limit)
    assert f"{limit:.3f}" in decision.reasons[0]


@pytest.mark.parametrize("text", [
    "Please remove my mother from your mailing list.",
    "I am writing on behalf of my client.",
    "Bitte tragen Sie meine Mutter aus dem Newsletter aus.",
    "Im Auftrag meines Mandanten widerspreche ich der Werbung.",
    "Merci de désinscrire ma mère.",
    "Au nom de mon client, je m'oppose à la prospection.",
    "Por favor den de baja a mi madre.",
    "En nombre de mi cliente me opongo a la publicidad.",
    "Vi prego di cancellare mia madre dalla newsletter.",
    "Per conto del mio cliente mi oppongo al marketing.",
    "Wilt u mijn moeder afmelden?",
    "Namens mijn cliënt maak ik bezwaar.",
    "Proszę wypisać moją matkę z newslettera.",
    "W imieniu mojego klienta wnoszę sprzeciw.",
])
def test_it_spots_requests_for_someone_else_in_each_language(text):
    assert mentions_third_party(text)


@pytest.mark.parametrize("text", [
    "Please take me off your mailing list.",
    "Bitte tragen Sie mich aus dem Newsletter aus.",
    "Merci de me désinscrire.",
    "Dadme de baja, por favor.",
    "Cancellatemi dalla newsletter.",
    "Graag afmelden voor de nieuwsbrief.",
    "Proszę wypisać mnie z newslettera.",
])
def test_it_does_not_flag_requests_for_oneself(text):
    assert not mentions_third_party(text)


def test_it_finds_other_addresses_but_not_the_senders():
    text = "Stop mailing Alice@Example.org and bob@example.net."
    assert other_addresses(text, ALICE) == ["bob@example.net"]


def test_a_uk_style_opt_out_with_an_address_signature_is_closed_without_a_person():
    text = ("Hi there,\n\nCould you please remove my details from your mailing list and stop "
            "sending updates to my email.\n\nThanks,\nSue Carter\n3 Mill Court\nYork YO1 7HH")
    decision = _decide(make_prediction(), text=text)
    assert decision.auto_apply and decision.closes, decision.holds


@pytest.mark.parametrize("text", ["unsubscribe", "STOP", "Unsubscribe me please",
                                  "Bitte abmelden", "Wypiszcie mnie proszę"])
def test_a_bare_opt_out_command_is_suppressed_even_when_the_model_is_unsure(text):
    """When in doubt, suppress: the message is nothing but the command. A person closes it."""
    decision = _decide(make_prediction(p=0.6), text=text)
    assert decision.auto_apply and not decision.closes
    assert any("bare opt-out command" in h for h in decision.holds)


def test_a_bare_opt_out_the_model_agrees_with_closes_as_before():
    assert _decide(make_prediction(p=0.99), text="unsubscribe").closes


@pytest.mark.parametrize("text", ["this process needs to stop", "Please stop my purchase.",
                                  "don't unsubscribe me", "How do I unsubscribe?",
                                  "unsubscribe and delete my data"])
def test_words_of_the_writers_own_beside_the_command_leave_it_to_the_model(text):
    assert not _decide(make_prediction(p=0.6), text=text).auto_apply


@pytest.mark.parametrize("text", [
    "Why do you keep sending me these?? I never signed up. Stop.",
    "I have asked twice already.\nUnsubscribe me please!\nThis is ridiculous.",
    "Ich habe mich nie angemeldet. Bitte abmelden.",
])
def test_an_opt_out_command_in_a_sentence_of_its_own_is_suppressed_and_left_open(text):
    """An angry complaint ending in "Stop." is too long to be bare, and the model may read the
    complaint as a question; the command still stops the mail at once, and a person closes."""
    unsure = make_prediction("general_query", 0.9, others={"opt_out": 0.1})
    decision = _decide(unsure, text=text)
    assert decision.auto_apply and not decision.closes
    assert any("sentence of its own" in h for h in decision.holds), decision.holds


@pytest.mark.parametrize("text", [
    "Do not stop. I love these emails.",
    "Please don't unsubscribe me. Stop.",
    "Our card payment failed. Please stop my purchase.",
    "I tried to unsubscribe but the link failed.",
])
def test_a_command_sentence_needs_to_be_one_and_not_negated(text):
    unsure = make_prediction("general_query", 0.9, others={"opt_out": 0.1})
    assert not _decide(unsure, text=text).auto_apply


def test_a_command_sentence_the_model_agrees_with_still_closes_only_if_nothing_else_is_asked():
    text = "Why do you keep sending me these? Stop."
    assert _decide(make_prediction(p=0.99), text=text).closes
    asked = "Stop. And send me a copy of all the data you hold about me."
    decision = _decide(make_prediction(p=0.99), text=asked)
    assert decision.auto_apply and not decision.closes
