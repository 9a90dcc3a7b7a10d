"""Property tests (hypothesis): an opt-out that carries any other request never closes unread.

The requests are everyday wordings in the ten supported languages (informal ones included,
issue 9), put before or after the opt-out, with filler around them. Whatever the model says,
the high-recall check must keep such a case for a person; the suppression may still apply.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.policy import decide_opt_out
from tests.hypothesis_profiles import examples
from tests.unit.classifier.conftest import make_prediction

FAST = settings(max_examples=examples(150), deadline=None, suppress_health_check=list(HealthCheck),
                database=None)

OPT_OUTS = {
    "en": "Please unsubscribe me.", "de": "Bitte vom Newsletter abmelden.",
    "fr": "Arrêtez de m'envoyer vos mails.", "es": "Dejad de mandarme correos.",
    "it": "Smettetela di mandarmi email.", "nl": "Geen nieuwsbrieven meer.",
    "pt": "Parem de me enviar emails.", "pl": "Przestańcie wysyłać mi maile.",
    "sv": "Sluta skicka mejl till mig.", "cs": "Přestaňte mi posílat e-maily.",
}
REQUESTS = {
    "en": ["What information do you hold on me?", "I've moved, my new address is 3 Mill Lane.",
           "Please delete my account.", "My surname is spelt wrong.",
           # real tracker posts: published or personal information to be taken down
           "I never agreed to publish my information.",
           "Remove me and all of my personally identifiable information from this list.",
           "My information should be removed immediately.",
           "Please take my profile down from your website."],
    "de": ["Welche Daten habt ihr über mich gespeichert?", "Ich bin umgezogen.",
           "Löscht bitte mein Konto.", "Mein Name ist falsch geschrieben."],
    "fr": ["Quelles données avez-vous sur moi ?", "J'ai déménagé.",
           "Supprimez mon compte.", "Mon nom est mal orthographié."],
    "es": ["¿Qué datos míos tenéis?", "Me he mudado, mi nueva dirección es Calle Mayor 3.",
           "Borrad mi cuenta.", "Tenéis mal escrito mi apellido."],
    "it": ["Quali dati avete su di me?", "Ho traslocato.", "Cancellate il mio account.",
           "Avete scritto male il mio cognome."],
    "nl": ["Welke gegevens hebben jullie van mij?", "Ik ben verhuisd.",
           "Kunnen jullie mijn account verwijderen?", "Mijn naam is verkeerd gespeld."],
    "pt": ["Que dados vocês têm sobre mim?", "Mudei de morada.", "Apaguem a minha conta.",
           "Escreveram mal o meu apelido."],
    "pl": ["Jakie dane o mnie przechowujecie?", "Przeprowadziłem się.", "Usuńcie moje konto.",
           "Źle zapisaliście moje nazwisko."],
    "sv": ["Vilka uppgifter har ni om mig?", "Jag har flyttat.", "Radera mitt konto.",
           "Ni har stavat mitt namn felstavat."],
    "cs": ["Jaké údaje o mně máte?", "Přestěhoval jsem se.", "Smažte můj účet.",
           "Máte chybně uvedené příjmení."],
}
FILLER = ["Hi,", "Hello team", "Thanks", "Danke", "Merci", "Gracias", "Grazie", "Bedankt",
          "Obrigado", "Dzięki", "Tack", "Díky", "", "—", "Sent from my phone"]


@FAST
@given(lang=st.sampled_from(sorted(REQUESTS)), data=st.data())
def test_an_opt_out_with_any_other_request_is_never_closed_unread(lang, data):
    request = data.draw(st.sampled_from(REQUESTS[lang]))
    before = data.draw(st.booleans())
    fill = data.draw(st.lists(st.sampled_from(FILLER), max_size=3))
    parts = [request, OPT_OUTS[lang]] if before else [OPT_OUTS[lang], request]
    text = "\n".join([*fill[:1], *parts, *fill[1:]])
    # The model is as sure as it can be that this is an opt-out and nothing else.
    decision = decide_opt_out(make_prediction(p=0.999), text=text, sender="ana@example.org",
                              is_machine_mail=False, is_unsubscribe_mail=False, threshold=0.9)
    assert not decision.closes, (text, decision)
    assert decision.holds, text
