"""Text clean-up and cue features."""

from __future__ import annotations

import pytest

from classifier.features import FEATURE_NAMES, IntentCues, MailText, clean_text, compose
from classifier.quoting import latest_reply
from classifier.text import matched_cues


def test_it_leaves_quoted_history_to_the_mail_edge():
    # Issue 12: one rule for quoted history, at the mail edge (classifier.quoting); the
    # pipeline reads what it is given.
    text = ("Please stop these.\n\nOn Tue, 3 Sep 2024 at 10:02, CA Plus <news@caplus.org.uk> "
            "wrote:\n> Book now!\n> Unsubscribe | Update your preferences")
    assert "Unsubscribe" in clean_text(text)
    assert latest_reply(text) == "Please stop these."


def test_it_keeps_the_whole_text_when_nothing_is_quoted():
    assert clean_text("Hello  there\n\n\n\nBye") == "Hello there\n\nBye"


def test_it_prepends_the_subject():
    assert compose("body", "Unsubscribe") == "Unsubscribe\nbody"
    assert compose("body", None) == compose("body", "  ") == "body"


def test_mailtext_is_stateless():
    step = MailText(max_chars=5)
    assert step.fit(["x"]) is step
    assert step.transform(["abcdefgh"]) == ["abcde"]


def test_cues_count_intents_across_languages():
    cues = IntentCues()
    rows = cues.fit_transform([
        "Bitte vom Newsletter abmelden",
        "Je demande l'effacement, article 17 RGPD",
        "Wnoszę o dostęp do danych, art. 15 RODO",
    ]).toarray()
    names = list(cues.get_feature_names_out())
    assert rows.shape == (3, len(FEATURE_NAMES))
    assert rows[0, names.index("cue_unsubscribe")] > 0
    assert rows[1, names.index("cue_erase")] > 0 and rows[1, names.index("art_17")] > 0
    assert rows[2, names.index("cue_access")] > 0 and rows[2, names.index("art_15")] > 0


@pytest.mark.parametrize(("text", "cue"), [
    # languages with no training text: the cue is their only way into the model
    ("Прошу удалить мои персональные данные", "erase"),
    ("個人情報の削除を請求致します", "erase"), ("请删除我的个人信息", "erase"),
    ("Slet venligst mine oplysninger", "erase"), ("Poistakaa tietoni", "erase"),
    ("Jeg vil gerne afmelde nyhedsbrevet", "unsubscribe"), ("我要退订邮件", "unsubscribe"),
    ("Прошу отписать меня от рассылки", "unsubscribe"),
    ("以下の個人情報の開示を請求致します", "access"), ("Jeg ønsker indsigt i mine data", "access"),
    ("Прошу исправить мою фамилию", "correct"),
    # published or personal information to be taken down (issue 9)
    ("I never agreed to publish my information", "erase_published"),
    ("Please remove me and all of my personally identifiable information", "erase_published"),
    ("You listed me without my consent", "erase_published"),
])
def test_cues_reach_the_intent_in_words_the_corpus_lacks(text, cue):
    assert cue in matched_cues(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("Quais informações (ID de cookie, ID de publicidade do dispositivo) são necessárias?", False),
    ("¿Qué información (ID de cookies, ID de publicidad del dispositivo) necesitan?", False),
    ("Quelles informations (ID de cookie, ID publicitaire de l'appareil) ?", False),
    ("No quiero recibir más publicidad", True), ("Je ne veux plus recevoir de publicité", True),
])
def test_an_advertising_id_is_not_marketing(text, expected):
    # access letters ask which advertising ID identifies the writer; that is not an opt-out
    assert ("unsubscribe" in matched_cues(text)) is expected
