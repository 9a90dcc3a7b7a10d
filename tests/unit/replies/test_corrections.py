"""The correction heuristic: does the message give the right value, or only the complaint?"""

import pytest

from replies.corrections import correction_details_given


@pytest.mark.parametrize(
    "text",
    [
        "I have moved. My address is now 4 Mill Lane, Nottingham NG7 2RD.",
        "Please update my email to alice.new@example.org",
        "My phone number changed, it's 07700 900123 now",
        "My mobile is +44 7700 900123",
        "My surname should be Smyth, not Smith.",
        "You have my name spelt Smyth, it is Smith",
        "My date of birth on your records is wrong, I was born 12/03/1980",
        "Could you change it to Mrs Jones please",
        "Please use my maiden name instead of my married name",
        # Welsh, French, German, Spanish, Polish
        "Dylai fod yn Jones, nid Johns.",
        "Mon nom devrait être Dupont.",
        "Meine neue Adresse: Hauptstraße 5, Berlin",
        "Mi nueva dirección es Calle Mayor 3",
        "Nazwisko powinno być Kowalska",
    ],
)
def test_it_sees_the_replacement_value(text):
    assert correction_details_given(text)


@pytest.mark.parametrize(
    "text",
    [
        "My address is wrong on your system.",
        "Your records about me are not correct, please fix them.",
        "My name is spelt wrong in your letters.",
        "My surname is spelled incorrectly.",
        "I think some of the information you hold about me is out of date.",
        "Please correct my details.",
        "",
    ],
)
def test_it_sees_when_only_the_problem_is_described(text):
    assert not correction_details_given(text)


def test_cue_words_must_be_whole_words():
    # "renewed to" contains "new" but is no cue; "statt" must not match inside "Werkstatt".
    assert not correction_details_given("My membership was renewed, but the name is wrong")
    assert not correction_details_given("Die Werkstatt hat meinen Namen falsch")
