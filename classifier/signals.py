"""Multilingual facts about a message's wording that decide how far automation may go.

Every function here is pure (text in, facts out) and language-spanning (en, de, fr, es, it, nl,
pt, pl, sv, cs). They are deliberately *high recall* where a miss would hurt: a phrase that might
be an erasure, access, correction, complaint or legal request keeps a case open for a person, at
the price of staff glancing at some simple opt-outs. Suppressing an address is cheap to undo;
closing a case nobody read is not.

The checks read only the writer's own words (:func:`writer_text`): our newsletter quoted in a
reply says "update", "unsubscribe" and "privacy", and must not speak for the writer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from classifier.labels import Label
from classifier.prefilter import prefiltered as _prefiltered
from classifier.quoting import LIST_FOOTER_PARTS, latest_reply
from classifier.text import (
    DETAILS_CHANGED,
    DETAILS_VERB_OBJECT,
    MISSPELT,
    REMOVE_PERSONAL_INFO,
    STOP_SENDING,
    WHAT_DATA_ABOUT_ME,
)

_FLAGS = re.IGNORECASE | re.UNICODE


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), _FLAGS)


# --- where the writer's own words end ------------------------------------------------------

# A forwarded message, in the clients' own wordings; what follows is someone else's mail.
_FORWARD = re.compile("|".join(f"(?:{p})" for p in (
    (r"^-{2,}\s*(?:forwarded message|original message|weitergeleitete nachricht|"
    r"ursprüngliche nachricht|message transféré|message d'origine|mensaje reenviado|"
    r"mensaje original|messaggio inoltrato|messaggio originale|doorgestuurd bericht|"
    r"oorspronkelijk bericht|mensagem encaminhada|wiadomość przekazana|vidarebefordrat meddelande|"
    r"přeposlaná zpráva|původní zpráva)\s*-{0,}"),
    r"^begin forwarded message:",
    r"^anfang der weitergeleiteten nachricht:",
    r"^début du message réexpédié\s*:",
)), _FLAGS | re.MULTILINE)
# Footer lines of a marketing mailing (ours or anyone's): the writer did not type these.
_MAILING_FOOTER = _rx(
    r"you (?:are|were) receiving this (?:e-?mail|message|newsletter)",
    r"(?:click|tap) here to unsubscribe|to unsubscribe,? (?:click|visit|follow)",
    r"unsubscribe\s*(?:here)?\s*[:<(]?\s*https?://",
    r"https?://\S*unsubscribe",
    r"manage (?:your )?(?:email )?preferences|update your preferences|view (?:this email )?in "
    r"(?:your )?browser",
    r"sie erhalten diese(?:n)? (?:e-?mail|newsletter)|newsletter abbestellen:?\s*https?://",
    r"vous recevez ce(?:t)? (?:e-?mail|courriel|message)|se désinscrire\s*:?\s*https?://",
    r"recibes este (?:correo|mensaje)|darse de baja\s*:?\s*https?://",
    # list servers' and forums' notification footers (Mailman, Google Groups, GitHub,
    # Discourse): an instruction with a link, never the writer's request. latest_reply cuts
    # them at the end of a message; here they also end the writer's words mid-text.
    *LIST_FOOTER_PARTS, r"\+unsubscribe@",
    (r"to unsubscribe from (?:these|this|our|all) [^.\n]{0,40}?,? (?:visit|click|go to|follow|"
     r"use|change|update|send)\b"),
    (r"(?:visit|change|update|manage) your (?:user |e-?mail |notification |subscription )?"
     r"preferences"),
    (r"(?:para no recibir más|para dejar de recibir) [^.\n]{0,60}(?:haz|haga|pulsa) clic|"
     r"pour ne plus recevoir [^.\n]{0,60}(?:cliquez|cliquant)|um keine [^.\n]{0,60}mehr zu "
     r"erhalten,? [^.\n]{0,30}(?:klicken|hier)|per non ricevere più [^.\n]{0,60}clicca"),
)
_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=16)
def writer_text(text: str) -> str:
    """What the writer typed: no quoted history, forwarded mail or mailing footer.

    Cached: deciding and drafting one message ask for it four times.

    Quoted history is cut by the mail edge's own rule (:func:`classifier.quoting.latest_reply`),
    not a second one: on the reply text that ingest stored it changes nothing, and on raw text
    (``classify`` input) it cuts where ingest would have.

    Args:
        text: the message body (the stored reply text, or a raw body).

    Returns:
        the writer's own words.
    """
    own = latest_reply(text or "")
    cut = len(own)
    for pattern in (_FORWARD, _MAILING_FOOTER):
        match = _prefiltered(pattern).search(own)
        if match is not None:
            cut = min(cut, own.rfind("\n", 0, match.start()) + 1)
    return own[:cut].strip()


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def quotes_mailing(text: str) -> bool:
    """True when the message carries a marketing mailing (quoted, forwarded or pasted)."""
    return bool(_prefiltered(_MAILING_FOOTER).search(text or ""))


def mostly_quoted(text: str, own: str | None = None) -> bool:
    """True when the writer added little of their own to a mailing they quote or forward."""
    own = writer_text(text) if own is None else own
    total = word_count(text)
    return quotes_mailing(text) and total > 0 and word_count(own) * 10 < total


_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|sv|vs|antw|r|rif|rv|odp|fw|fwd|wg|tr|rv|i)\s*:",
                           re.IGNORECASE)


def is_reply_subject(subject: str | None) -> bool:
    """A "Re:"/"Fwd:" subject (in the common languages): it names *their* mail, not a request."""
    return bool(subject and _REPLY_PREFIX.match(subject))


# --- the writer's own opt-out --------------------------------------------------------------

OPT_OUT = _rx(
    # en
    r"\bunsub\w*", r"\bopt(?:ing)?[- ]?out\b", r"\bopt (?:me|us) out\b",
    r"\bstop (?:e-?mailing|sending|contacting|"
    r"mailing|messaging|texting|spamming)\b", r"^\W*stop\W*$", r"\bstop (?:it|this|these|them)\b",
    r"\b(?:take|remove|delete|drop) (?:me|my (?:e-?mail )?(?:address)?) (?:off|from)\b",
    r"\b(?:take|remove) me off\b", r"\bremove me\b", r"\bplease stop\b", r"\bstop\W*$",
    r"\b(?:remove|take|delete)\b.{0,60}\b(?:off|from) (?:your|the|this|all) (?:\w+ )?"
    r"(?:mailing |e-?mail |marketing )?(?:list|database)", r"\bno (?:more|further) (?:e-?mails?|"
    r"marketing|newsletters?|messages|mail)\b", r"\b(?:don't|do not|no longer) (?:want|wish) "
    r"to (?:receive|get|hear)\b", r"\bobject to (?:direct )?marketing\b",
    r"\bwithdraw (?:my )?consent\b", r"\bcancel\w* (?:\w+ ){0,5}(?:subscription|suscription|"
    r"newsletter|mailing)", r"\bobject\w* to (?:\w+ ){0,8}(?:direct marketing|marketing)",
    r"\bobject\w* to the processing\b",
    # de
    r"\babmeld\w*", r"\babbestell\w*", r"\baustragen\b", r"\btragen sie mich\b",
    r"\b(?:keine|nicht mehr) (?:weitere[n]? )?(?:e-?mails?|werbung|newsletter|post)\b",
    r"\bwiderspr\w* .{0,40}werbung", r"\bwerbewiderspruch\b", r"\bwiderruf\w* .{0,30}einwillig",
    r"\bentfernen sie mich\b", r"\b(?:streichen|nehmen) sie mich (?:bitte )?(?:aus|von)\b",
    r"\bstopp\b", r"\bwiderspruch gegen die verarbeitung\b",
    r"\bwiderspreche\w*", r"\bm'opposer\b", r"\bje m'oppose\b", r"\bme opongo\b",
    r"\bmi oppongo\b", r"\bbezwaar tegen\b", r"\bop(?:o|õ)nho-me\b", r"\bsprzeciw\w*",
    r"\bnámitk\w* proti\b", r"\bprotivim\b", r"\binvänd\w* mot\b",
    # fr
    r"\bd[ée]sinscri\w*", r"\bd[ée]sabonn\w*", r"\bretirez[- ]moi\b",
    r"\bne (?:plus|pas) (?:recevoir|m'envoyer)\b",
    r"\bplus de (?:mails?|courriels?|newsletters?)\b",
    r"\bm'oppose .{0,40}prospection\b", r"\barr[êe]te[rz]? (?:de m'envoyer|d'envoyer|les)\b",
    # es
    r"\bdar(?:me)? de baja\b", r"\bd[ée]n(?:me)? de baja\b", r"\bbaja\b",
    r"\bno (?:quiero )?(?:recibir|enviarme)\b", r"\bcancelar (?:la |mi )?suscripci[óo]n\b",
    r"\bme opongo .{0,40}(?:publicidad|mercadotecnia|marketing)\b", r"\bdejen de enviar\w*",
    # it
    r"\bdisiscriv\w*", r"\bcancellatemi\b", r"\bcancellami\b", r"\brimuovetemi\b",
    r"\bnon (?:voglio )?(?:più )?ricevere\b", r"\bmi oppongo .{0,40}marketing\b",
    r"\bannullare l'iscrizione\b",
    # nl
    r"\bafmeld\w*", r"\buitschrijv\w*", r"\bschrijf (?:me|mij) uit\b", r"\bmeld (?:me|mij) af\b",
    r"\bgeen (?:e-?mails?|nieuwsbrie\w*|reclame) meer\b",
    # pt
    r"\bdescadastr\w*", r"\bcancelar (?:a )?(?:minha )?(?:subscrição|assinatura|inscrição)\b",
    r"\bn[ãa]o (?:quero )?receber mais\b", r"\bremovam[- ]me\b",
    # pl
    r"\bwypisz\w*", r"\bwypisa\w*", r"\brezygnuj\w*", r"\bnie (?:chcę )?otrzymywać\b",
    # sv
    r"\bavregistrera\w*", r"\bavsluta (?:min )?prenumeration\b", r"\bavprenumerera\w*",
    r"\bsluta skicka\b",
    # cs
    r"\bodhlas\w*", r"\bodhlás\w*", r"\bodhlaš\w*", r"\bnezasílejte\b", r"\bnechci (?:dostávat|"
    r"odebírat)\b",
    # everyday wordings, shared with the model's cues (classifier.text)
    *STOP_SENDING,
)

# Negated requests: "Do not unsubscribe me", "please don't remove me from the list".
NEGATED_OPT_OUT = _rx(
    r"\b(?:do not|don't|dont|please don't|never|not) (?:\w+ )?(?:unsubscribe|remove|take|drop|"
    r"delete) me\b", r"\b(?:don't|do not|dont) (?:want|wish) to (?:be )?(?:unsubscrib|remov)\w*",
    r"\bnot (?:trying|wanting|looking) to (?:unsubscribe|opt out)\b",
    r"\bkeep me (?:on|subscribed|in)\b", r"\bi (?:love|enjoy|like) (?:these|your|the) "
    r"(?:e-?mails?|newsletters?|updates)\b", r"\b(?:still|do) want to (?:receive|get|hear)\b",
    r"\bnicht (?:ab(?:zu)?melden|aus(?:zu)?tragen|entfernen|abbestellen)\b",
    r"\b(?:melden|tragen|nehmen|streichen) sie mich (?:bitte )?nicht\b",
    r"\bne (?:me )?(?:d[ée]sinscri\w*|d[ée]sabonn\w*|retirez|supprimez) pas\b",
    r"\bne pas (?:me )?(?:d[ée]sinscrire|d[ée]sabonner|retirer)\b",
    r"\bno (?:me )?(?:den|des|dé) de baja\b", r"\bno quiero (?:darme de baja|que me (?:borren|"
    r"eliminen|quiten))\b", r"\bno me (?:borren|eliminen|quiten)\b",
    r"\bnon (?:cancellatemi|disiscrivetemi|rimuovetemi|voglio (?:disiscrivermi|essere rimoss\w))",
    r"\b(?:schrijf|haal|meld) (?:me|mij) (?:niet|alsjeblieft niet)\b",
    r"\bniet (?:uitschrijven|afmelden|verwijderen)\b",
    r"\bn[ãa]o (?:me )?(?:removam|descadastrem|cancelem)\b", r"\bn[ãa]o quero (?:sair|cancelar)\b",
    r"\bnie (?:wypisuj|usuwaj)\w*", r"\b(?:avregistrera|ta) (?:mig )?inte\b",
    r"\binte avregistrera\b", r"\bneodhlašujte\b", r"\bnechci se odhlásit\b",
)

# Out-of-office wording: an autoresponder that sent no Auto-Submitted header.
OUT_OF_OFFICE = _rx(
    r"\bout of (?:the )?office\b", r"\booo\b", r"\bautomatic reply\b", r"\bauto[- ]?reply\b",
    r"\b(?:i am|i'm) (?:currently )?(?:away|on (?:annual |parental |maternity |sick )?leave|"
    r"on holiday|on vacation)\b", r"\blimited access to (?:my )?e-?mail\b",
    r"\bback in the office\b", r"\bwill (?:be back|return) (?:on|to the office)\b",
    r"\babwesenheitsnotiz\b", r"\bautomatische antwort\b", r"\bnicht im büro\b", r"\baußer haus\b",
    r"\bich bin (?:derzeit |zurzeit |bis .{1,30})?(?:nicht im büro|abwesend|im urlaub)\b",
    r"\babsente? du bureau\b", r"\bmessage d'absence\b", r"\br[ée]ponse automatique\b",
    r"\bje suis (?:actuellement )?absente?\b", r"\ben cong[ée]s?\b",
    r"\bfuera de la oficina\b", r"\brespuesta autom[áa]tica\b", r"\bestoy (?:de vacaciones|"
    r"ausente|fuera)\b", r"\bfuori ufficio\b", r"\brisposta automatica\b", r"\bsono assente\b",
    r"\bin ferie\b", r"\bafwezigheidsbericht\b", r"\bautomatisch antwoord\b",
    r"\bniet op kantoor\b", r"\bben (?:momenteel )?afwezig\b", r"\bfora do escrit[óo]rio\b",
    r"\bresposta autom[áa]tica\b", r"\bestou (?:ausente|de f[ée]rias)\b", r"\bpoza biurem\b",
    r"\bautomatyczna odpowied[źz]\b", r"\bjestem nieobecn\w*", r"\bna urlopie\b",
    r"\bfrånvaro\w*", r"\bautomatiskt svar\b", r"\binte på kontoret\b", r"\bmimo kancelář\b",
    r"\bautomatická odpověď\b", r"\bjsem nepřítomn\w*", r"\bna dovolené\b",
)


def own_opt_out_phrases(own: str) -> tuple[str, ...]:
    """The opt-out wordings in the writer's own text (not negated ones)."""
    if _prefiltered(NEGATED_OPT_OUT).search(own):
        return ()
    return _phrases(OPT_OUT, own)


def negated_opt_out(own: str) -> tuple[str, ...]:
    """Negated opt-out wordings ("don't unsubscribe me") in the writer's own text."""
    return _phrases(NEGATED_OPT_OUT, own)


def out_of_office(subject: str | None, text: str) -> tuple[str, ...]:
    """Out-of-office wordings in the subject or the first lines of the body."""
    head = f"{subject or ''}\n{(text or '')[:600]}"
    return _phrases(OUT_OF_OFFICE, head)


MAX_SHORT_REPLY_WORDS = 12


def short_opt_out_reply(own: str) -> tuple[str, ...]:
    """"STOP", "remove me", "Abmelden bitte": a short reply whose point is the opt-out.

    Returns the opt-out wordings when the writer's own text is at most MAX_SHORT_REPLY_WORDS
    words and says nothing else a person must read.
    """
    if word_count(own) > MAX_SHORT_REPLY_WORDS:
        return ()
    return own_opt_out_phrases(own)


# --- anything a person must read -----------------------------------------------------------

# List-removal phrases are opt-outs, not erasure; they are blanked before the erasure check so
# "please remove me from your mailing list" is not held, while "… I never agreed to publish my
# information" still is (by its own words).
_LIST_REMOVAL = _rx(
    # "my details" / "my name" from a *list* is the UK's everyday way to say unsubscribe; from
    # a database or the website it is not blanked and still reads as erasure.
    r"\b(?:remove|delete|take|drop) (?:me|my (?:e-?mail )?address|my e-?mail|my (?:contact )?"
    r"details|my name) (?:off |from )"
    r"(?:your |the |this |all (?:your )?)?(?:mailing |e-?mail |marketing |newsletter |"
    r"distribution |contact )?(?:lists?|database for marketing)\b",
    r"\bentfernen sie mich (?:bitte )?(?:aus|von) (?:ihrem|dem|ihrer) (?:verteiler|newsletter|"
    r"mailingliste)\w*", r"\bretirez[- ]moi de (?:votre|la) liste\b",
    r"\bverwijder (?:me|mij) (?:uit|van) (?:de|jullie|uw) (?:mailinglijst|nieuwsbrief|lijst)\b",
    r"\busuń(?:cie)? mnie z (?:listy|newslettera)\b",
)

ERASURE = _rx(
    # en
    r"\b(?:delete|erase|wipe|purge|remove|destroy)\w* (?:all )?(?:of )?(?:my|the|any|all) "
    r"(?:\w+ ){0,3}(?:data|details|information|info|account|profile|records?|history|photos?|"
    r"pictures?|listing|entry|posts?|comments?)\b", r"\bdelet(?:e|ion of) (?:my )?account\b",
    r"\bdelete (?:me|everything)\b", r"\b(?:erasure|deletion)\b", r"\bright to (?:be forgotten|"
    r"erasure)\b", r"\bforget me\b", r"\bclose (?:down )?my account\b",
    r"\bpublish\w*", r"\b(?:public|online|website|directory|google|search results?)\b.{0,60}"
    r"\b(?:remove|take down|delete)\b", r"\b(?:remove|take down|delete)\b.{0,60}\b(?:public|"
    r"online|website|directory|google|search results?|internet)\b", r"\btake ?down\b",
    r"\bnever (?:agreed|consented) to (?:publish|share|be listed|have my|put)",
    # de
    r"\blösch\w*", r"\bentfern\w* .{0,40}(?:daten|angaben|konto|profil|eintrag|informationen)",
    r"\bvergessenwerden\b", r"\brecht auf vergessen\w*", r"\bveröffentlich\w*",
    # fr
    r"\beffac\w*", r"\bsupprim\w* .{0,40}(?:données|compte|informations|profil|fiche)",
    r"\bsuppression (?:de|des)\b", r"\bdroit à l'oubli\b", r"\bpubli[ée]\w*",
    # es
    r"\bsupresi[óo]n\b", r"\b(?:borr|elimin|suprim)\w* .{0,40}(?:datos|cuenta|información|"
    r"perfil)", r"\bderecho al olvido\b", r"\bpublicad\w*",
    # it
    r"\bcancellazione\b", r"\b(?:cancell|elimin|rimuov)\w* .{0,40}(?:dati|account|profilo|"
    r"informazioni)", r"\boblio\b", r"\bpubblicat\w*",
    # nl
    r"\bverwijdering\b", r"\bverwijder\w* .{0,40}(?:gegevens|account|profiel|informatie)",
    r"\bvergetelheid\b", r"\bgepubliceerd\w*",
    # "wissen" alone is German for "to know"; Dutch erases with an object
    r"\b(?:gegevens|account|profiel) (?:\w+ ){0,2}wissen\b", r"\bwis (?:mijn|al)\b",
    r"\b(?:account|profiel|gegevens) .{0,30}verwijder\w*",
    # pt
    r"\bapagamento\b", r"\b(?:apag|elimin|exclu)\w* .{0,40}(?:dados|conta|informações|perfil)",
    r"\besquecimento\b", r"\bpublicad\w*",
    # pl
    r"\busuni\w*", r"\busuń\w* .{0,40}(?:dane|konto|informacje|profil)", r"\busun\w* .{0,40}"
    r"(?:dan\w*|kont\w*)", r"\bbycia zapomnian\w*", r"\bopublikowa\w*",
    # sv
    r"\bradera\w*", r"\bradering\w*", r"\bta bort .{0,40}(?:uppgifter|konto|information|profil)",
    r"\bbli bortglömd\b", r"\bpublicera\w*",
    # cs
    r"\bvýmaz\w*", r"\bvymaz\w*", r"\bsmaz\w*", r"\bsmaž\w*",
    r"\bodstran\w* .{0,40}(?:údaj\w*|účet|profil)",
    r"\bzapomnut\w*", r"\bzveřejn\w*",
    # published or personal information to be taken down, shared with the model's cues
    *REMOVE_PERSONAL_INFO,
)

RECTIFICATION = _rx(
    # "update" as a verb on the writer's details; "updates" is the mailing itself ("stop sending
    # updates to my email"), as in the issue's "Re: CA Plus November update".
    r"\b(?:update(?!s\b)|change|correct|fix|amend|rectify|edit)\w* (?:\w+ ){0,3}(?:name|"
    r"address|e-?mail|details|phone|number|date of birth|birthday|record|information|spelling|"
    r"surname|postcode)",
    r"\b(?:wrong|incorrect|inaccurate|misspel\w*|spelt wrong|spelled wrong|out of date|outdated)\b",
    r"\brectif\w*", r"\bberichtig\w*", r"\bkorrigier\w*", r"\bfalsch\w*", r"\bunrichtig\w*",
    r"\b(?:ändern|aktualisier\w*) .{0,30}(?:name|adresse|anschrift|daten|e-?mail)",
    r"\bcorrig\w*", r"\berron[ée]\w*", r"\binexact\w*", r"\bmettre à jour\b",
    r"\brectific\w*", r"\bcorreg\w*", r"\bincorrect[oa]s?\b", r"\berr[óo]ne[oa]s?\b",
    r"\brettific\w*", r"\bcorregg\w*", r"\bsbagliat\w*", r"\binesatt\w*",
    r"\bcorrigeer\w*", r"\brectificatie\b", r"\bonjuist\w*", r"\bwijzig\w*",
    r"\bretific\w*", r"\bincorret[oa]s?\b", r"\bsprostowa\w*", r"\bpopraw\w*", r"\bbłędn\w*",
    r"\brättelse\b", r"\brätta\b", r"\bfelaktig\w*", r"\boprav\w*", r"\bnesprávn\w*",
    r"\b(?:e-?mail|address|name|surname|number) (?:address )?(?:has )?changed\b",
    *MISSPELT, *DETAILS_CHANGED, *DETAILS_VERB_OBJECT,
)

ACCESS = _rx(
    r"\bcopy of (?:my|all|the|any) (?:\w+ ){0,2}(?:data|information|details|records?)\b",
    r"\bwhat (?:personal )?(?:data|information|details) (?:\w+ ){0,6}(?:hold|have|store|keep|"
    r"process)\w*", r"\bsubject access\b", r"\bright of access\b", r"\b(?:d)?sar\b",
    r"\b(?:how|where) did you (?:get|obtain|find)\b", r"\bwhere (?:did|do) you get\b",
    r"\bauskunft\w*", r"\bkopie (?:meiner|der) (?:daten|gespeicherten)", r"\bwoher haben sie\b",
    r"\bdroit d'accès\b", r"\bcopie de (?:mes|toutes)\b", r"\bcomment avez-vous obtenu\b",
    r"\bderecho de acceso\b", r"\bcopia de (?:mis|todos)\b", r"\bc[óo]mo (?:obtuvieron|"
    r"consiguieron)\b", r"\bdiritto di accesso\b", r"\bcopia dei (?:miei )?dati\b",
    r"\binzage\b", r"\bkopie van (?:mijn|alle)\b", r"\bdireito de acesso\b",
    r"\bc[óo]pia dos (?:meus )?dados\b", r"\bprawo? dostępu\b", r"\bdostęp(?:u)? do (?:moich|"
    r"danych)\b", r"\bregisterutdrag\b", r"\btillgång till\b", r"\bpřístup k\b",
    r"\bpráv\w* na přístup\b",
    *WHAT_DATA_ABOUT_ME,
)

COMPLAINT = _rx(
    r"\bcomplain\w*", r"\bunacceptable\b", r"\bdisgust\w*", r"\bharass\w*", r"\bappall\w*",
    r"\breport(?:ing)? you\b", r"\bico\b", r"\binformation commissioner\b",
    r"\bsupervisory authority\b", r"\bdata protection authority\b", r"\bbeschwerde\w*",
    r"\baufsichtsbehörde\b", r"\bdatenschutzbehörde\b", r"\bplainte\b", r"\bcnil\b",
    r"\breclamaci[óo]n\b", r"\bqueja\b", r"\baepd\b", r"\breclamo\b", r"\bgarante\b",
    r"\bklacht\b", r"\bautoriteit persoonsgegevens\b", r"\breclamação\b", r"\bcnpd\b",
    r"\bskarg\w*", r"\buodo\b", r"\bklagomål\b", r"\bimy\b", r"\bstížnost\w*",
    r"\búřad pro ochranu\b",
)

LEGAL = _rx(
    r"\bgdpr\b", r"\bdsgvo\b", r"\brgpd\b", r"\bavg\b", r"\brodo\b", r"\bccpa\b", r"\bcpra\b",
    r"\bdata protection act\b", r"\bdatenschutz-?grundverordnung\b",
    r"\brèglement général sur la protection\b", r"\breglamento general de protecci[óo]n\b",
    r"\bregolamento generale\b", r"\balgemene verordening gegevensbescherming\b",
    r"\bregulamento geral\b", r"\brozporządzeni\w*", r"\bnařízení\b",
    r"\bdataskyddsförordningen\b", r"\bgdpr\w*",
    r"(?:\bart(?:icle|ikel|ículo|icolo|igo|ykuł|\.)?|§|\bčl(?:ánek|\.)?)\s*\d{1,2}\b",
    # "court" and "sue" as legal action, not as a street ("14 Acorn Court") or a name ("this is
    # Sue Patel"), which sign ordinary opt-outs.
    r"\b(?:lawyer|solicitor|attorney|legal action|lawsuit|small claims)\b",
    # "this is illegal": the writer thinks the law is broken, which a person should read
    (r"\b(?:illegal\w*|unlawful\w*|against the law|rechtswidrig\w*|illégal\w*|ilegal\w*|"
     r"illecit\w*|onrechtmatig\w*|nielegaln\w*|olaglig\w*|nezákonn\w*)"),
    r"\b(?:in|to|into|before|through the|the) courts?\b|\bcourts? (?:action|order|case|"
    r"proceedings|claim)\b|\bcourt of\b",
    r"\bsue(?= (?:you|u|your|the|them|this|for|over)\b)|\b(?:will|'ll|to|gonna|shall|could|can|"
    r"may|might) sue\b|\bsu(?:ed|ing)\b", r"\banwalt\w*",
    r"\brechtsanwält\w*", r"\bgericht\w*", r"\bavocat\w*", r"\bab(?:o|b)gad\w*", r"\bavvocat\w*",
    r"\badvocaat\b", r"\badvogad\w*", r"\bprawnik\w*", r"\badvokát\w*", r"\badvokat\w*",
)


@dataclass(frozen=True)
class Hold:
    """One reason a person must read the message, with the words that raised it."""

    kind: str          # erasure, access, correction, complaint, legal
    phrases: tuple[str, ...]

    def describe(self) -> str:
        shown = ", ".join(f"'{p}'" for p in self.phrases[:3])
        return f"{HOLD_NAMES[self.kind]}: {shown}"


HOLD_NAMES = {
    "erasure": "may ask for erasure (removal of data or of published information)",
    "access": "may ask for access to data",
    Label.CORRECTION: "may ask for a correction",
    "complaint": "may be a complaint",
    "legal": "legal wording",
}


def needs_person(own: str) -> tuple[Hold, ...]:
    """Everything in the writer's own words that only a person should handle.

    Args:
        own: the writer's own text (see :func:`writer_text`), subject included if it is theirs.

    Returns:
        one Hold per kind found, in a fixed order; empty when only an opt-out may be there.
    """
    blanked = _LIST_REMOVAL.sub(" ", own or "")
    found = []
    for kind, pattern, text in (("erasure", ERASURE, blanked), ("access", ACCESS, own),
                                (Label.CORRECTION, RECTIFICATION, own),
                                ("complaint", COMPLAINT, own), ("legal", LEGAL, own)):
        phrases = _phrases(pattern, text)
        if phrases:
            found.append(Hold(kind, phrases))
    return tuple(found)


def correction_sub_intent(text: str) -> str | None:
    """Erasure (GDPR Art. 17) or rectification (Art. 16) for a message about someone's data.

    Erasure wins when both appear: deleting is the request with more to explain (what is kept
    and why), and a wrongly-labelled rectification draft would ask for "the correct details".

    Returns:
        ``"erasure"``, ``"rectification"`` or None when neither wording is found.
    """
    own = writer_text(text)
    if re.search(r"(?:\bart(?:icle|ikel|ículo|icolo|igo|ykuł|\.)?|§|\bčl(?:ánek|\.)?)\s*17\b",
                 own, _FLAGS) or _phrases(ERASURE, _LIST_REMOVAL.sub(" ", own)):
        return "erasure"
    if re.search(r"(?:\bart(?:icle|ikel|ículo|icolo|igo|ykuł|\.)?|§|\bčl(?:ánek|\.)?)\s*16\b",
                 own, _FLAGS) or _phrases(RECTIFICATION, own):
        return "rectification"
    return None


# --- forwards and replies to our mailings -------------------------------------------------

_FORWARDED_FROM = re.compile(
    r"^\s*\*?(?:from|von|de|da|van|od|från|de la)\s*:?\*?\s*:?\s*(?:\"?[^<\n]*\"?\s*)?<?"
    r"([\w.+'-]+@[\w-]+(?:\.[\w-]+)+)>?", re.IGNORECASE | re.MULTILINE)


def forwarded_sender(text: str) -> str | None:
    """The address of the person whose mail was forwarded (the first From: after the marker)."""
    text = text or ""
    marker = _FORWARD.search(text)
    start = marker.end() if marker else 0
    match = _FORWARDED_FROM.search(text, start)
    if match is None or (marker is None and match.start() > 0 and not text.lstrip().lower()
                         .startswith(("fw", "fwd"))):
        return None
    return match.group(1).lower()


def message_id_domain(message_id: str | None) -> str:
    """``<abc@news.example.org>`` → ``news.example.org`` (lower-case; empty if none)."""
    value = (message_id or "").strip().strip("<>")
    return value.rpartition("@")[2].lower() if "@" in value else ""


def replies_to_mailing(ids: list[str | None], mailer_domains: tuple[str, ...]) -> bool:
    """True when In-Reply-To/References name a Message-ID our mailer generated."""
    wanted = {d.lower().lstrip("@") for d in mailer_domains if d}
    if not wanted:
        return False
    for domain in (message_id_domain(i) for i in ids if i):
        if domain in wanted or any(domain.endswith("." + w) for w in wanted):
            return True
    return False


@lru_cache(maxsize=64)
def _phrases(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    """The distinct matches of ``pattern`` in ``text``, normalised, in order of appearance.

    Cached (a pure function of its arguments, returning a tuple): deciding one message asks
    for the same pattern on the same text several times (the holds, the sub-intent, the
    draft's intents). The scan itself uses :func:`classifier.prefilter.prefiltered`, which
    finds the same matches.
    """
    seen: dict[str, None] = {}
    for match in _prefiltered(pattern).finditer(text or ""):
        phrase = " ".join(match.group(0).split()).strip().lower()
        if phrase:
            seen.setdefault(phrase[:60], None)
    return tuple(seen)
