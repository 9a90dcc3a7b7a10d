"""The text every part of the classifier reads, and the hand-made cues: pure, no scikit-learn.

Why a module of its own: explanations, the automatic path and the service's drafting need
``compose``, ``clean_text`` and the cue patterns, and importing them through the transformers
in :mod:`classifier.features` pulled scikit-learn and SciPy into every command's start-up
(about 3 s of CPU before ``--help``). The transformers there apply exactly these functions.
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str, max_chars: int = 3000) -> str:
    """Normalise whitespace and cap the length; nothing the writer typed is judged or cut.

    Quoted history is not stripped here (issue 12): the model reads exactly what the mail edge
    gives it, the reply text of :func:`classifier.quoting.latest_reply`, applied once at ingest
    (and where training or evaluation data is read). A second, different rule here used to
    change what the model saw for some replies.

    Args:
        text: message body, possibly with the subject prepended.
        max_chars: cut-off; long legal footers and attachments add cost, not meaning.

    Returns:
        the whitespace-normalised text, at most ``max_chars`` long.
    """
    text = _SPACES.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()[:max_chars]


def compose(text: str, subject: str | None = None) -> str:
    """Join subject and body into the single string the pipeline reads."""
    text = text or ""
    if subject and subject.strip():
        return f"{subject.strip()}\n{text}"
    return text


def _rx(*parts: str) -> re.Pattern[str]:
    # Documents are lower-cased once in transform(); matching without IGNORECASE is about five
    # times faster, which matters at thousands of messages a second.
    return re.compile("|".join(parts))


# Everyday wordings shared with the automatic path's checks (:mod:`classifier.signals`), in
# the ten languages: one list, so a request the model is told about is also one the policy holds
# for a person. Lower case, as documents are lower-cased before matching.

#: "Stop sending me mail", "no more mails", "I don't want to receive them".
STOP_SENDING: tuple[str, ...] = (
    r"keine (?:\w+ )?(?:mails?|e-?mails?|newsletter|werbung|post) mehr|schick\w* mir keine",
    (r"arr[êe]te[rz]? de m'envoyer|ne (?:veux|souhaite) plus recevoir|plus de (?:mails?|"
     r"e-?mails?|courriels?|newsletters?)"),
    (r"deja[dn]? de (?:enviar|mandar)|dejad de|no (?:quiero|deseo) recibir|no me (?:envíen|"
     r"mandéis|mandes|manden)|no más correos"),
    (r"smettete(?:la)? di (?:inviar|mandar)|non (?:voglio|desidero) (?:più )?ricevere|basta "
     r"(?:e-?mail|mail|newsletter)"),
    (r"stop met (?:het )?(?:sturen|mailen)|geen (?:e-?mails?|mails?|nieuwsbrie\w*) meer|wil "
     r"geen .{0,20}meer ontvangen"),
    (r"parem de (?:me )?(?:enviar|mandar)|deixem de (?:me )?(?:enviar|mandar)|"
     r"n[ãa]o (?:quero|desejo) (?:mais )?receber"),
    (r"przestańcie (?:wysyłać|przysyłać)|nie (?:chcę|chce) (?:więcej )?otrzymywać|nie "
     r"wysyłajcie"),
    (r"sluta (?:skicka|maila|mejla)|vill inte (?:längre )?(?:få|ha) (?:fler |mer |några )?"
     r"(?:mejl|mail|e-?post|nyhetsbrev|utskick)"),
    (r"přestaňte (?:mi )?(?:posílat|zasílat)|nechci (?:už |již )?(?:dostávat|odebírat)|"
     r"neposílejte"),
)

#: Details that are wrong or misspelt: "mal orthographié", "felstavat".
MISSPELT: tuple[str, ...] = (
    (r"\b(?:wrongly|incorrectly|mistakenly|erroneously) (?:entered|recorded|spelt|spelled|"
     r"written|listed|registered|typed|stated|added)\b"),
    r"mal (?:orthographi|écrit|escrit|scritt)\w*|inexact\w*|erróne\w*|equivocad\w*|errat\w*",
    r"(?:écrit|scritt|escrit|escrev)\w* mal\w*",
    r"verkeerd\w*|fout (?:gespeld|geschreven)|errad\w*|niepoprawn\w*|źle (?:zapis|napis)\w*",
    r"felstavat|felaktig\w*|chybn\w*|špatně (?:napsan|uveden)\w*",
)

#: A verb of changing with a detail as its object, in the other nine languages ("adresse ändern",
#: "changé d'adresse", "zmieniłem adres").
DETAILS_VERB_OBJECT: tuple[str, ...] = (
    (r"(?:name|adresse|anschrift|e-?mail|telefonnummer|daten|angaben)\w* .{0,30}(?:änder|"
     r"aktualisier|berichtig|korrigier)\w*"),
    (r"(?:änder|aktualisier|berichtig|korrigier)\w* .{0,30}(?:name|adresse|anschrift|e-?mail|"
     r"telefonnummer|daten|angaben)"),
    (r"(?:modifi|chang|corrig|rectifi|mettre à jour|mise à jour)\w* .{0,30}(?:nom|adresse|"
     r"e-?mail|numéro|coordonnées|informations|données)"),
    (r"(?:cambi|actualiz|correg|corrij|modific|rectific)\w* .{0,30}(?:nombre|apellido|"
     r"dirección|correo|teléfono|datos)"),
    (r"(?:modific|cambi|aggiorn|corregg|rettific)\w* .{0,30}(?:nome|cognome|indirizzo|e-?mail|"
     r"telefono|dati)"),
    (r"(?:naam|adres|e-?mail|telefoonnummer|gegevens) .{0,30}(?:wijzig|aanpass|bijwerk|"
     r"corrigeer|verbeter)\w*"), r"(?:wijzig|pas|corrigeer)\w* .{0,30}(?:naam|adres|gegevens)",
     r"(?:zmie|popraw|zaktualiz|sprostow)\w* .{0,30}(?:nazwisk|imi|adres|e-?mail|numer|dan)",
     r"(?:alter|atualiz|corrig|mud|retific)\w* .{0,30}(?:nome|endereço|e-?mail|telefone|dados)",
    (r"(?:ändra|uppdatera|rätta|korrigera)\w* .{0,30}(?:namn|adress|e-?post|telefonnummer|"
     r"uppgifter)"),
    r"(?:změn|oprav|aktualiz)\w* .{0,30}(?:jméno|příjmení|adres|e-?mail|telefon|údaj)",
)

#: "I moved", "my new address / e-mail / surname": a rectification without its verb.
DETAILS_CHANGED: tuple[str, ...] = (
    (r"\b(?:moved house|i(?:'ve| have)? (?:just )?moved|got married|married name|"
     r"maiden name|changed my name|spouse'?s? (?:sur|last )?name)\b"),
    (r"\b(?:my|a) new (?:e-?mail|(?:home |postal )?address|phone number|mobile number|"
     r"(?:sur|last )?name)\b"),
    (r"umgezogen|neue (?:adresse|anschrift|e-?mail\w*|telefonnummer|handynummer)|neuer "
     r"(?:name|nachname)|geheiratet"),
    r"déménag\w*|(?:ma )?nouvelle adresse|(?:mon )?nouvel e-?mail|nouveau (?:nom|numéro)",
    r"me (?:he )?mud(?:é|ado)|nueva dirección|nuevo (?:correo|e-?mail|teléfono|apellido)",
    r"(?:ho )?traslocat\w*|nuovo (?:indirizzo|numero|cognome)|nuova (?:e-?mail|residenza)",
    r"verhuisd|nieuwe? (?:adres|e-?mail\w*|telefoonnummer|achternaam)",
    r"mudei de (?:casa|morada|endereço)|nova morada|novo (?:endereço|e-?mail|número|apelido)",
    r"przeprowadzi\w*|nowy (?:adres|e-?mail|numer)|nowe nazwisko",
    r"(?:har )?flyttat|nya? (?:adress|e-?post\w*|mejladress|telefonnummer|efternamn)",
    r"přestěhoval\w*|nov(?:á|ou) adres\w*|nový (?:e-?mail|telefon)|nové příjmení",
)

#: Personal information taken off a public place, or asked to be removed as personal data: an
#: erasure request (issue 9: "please remove me from the list … I never agreed to publish my
#: information", "please remove me and all of my personally identifiable information").
REMOVE_PERSONAL_INFO: tuple[str, ...] = (
    r"\bpublish\w*|\btake (?:\w+ ){0,2}down\b|\btakedown\b|\bpii\b",
    (r"\b(?:personally identifiable|personal|identifying) (?:data|information|info|details)\b"
     r".{0,60}\b(?:remov|delet|eras|purg|wip|scrub)\w*"),
    (r"\b(?:remov|delet|eras|purg|wip|scrub|pull)\w* .{0,60}\b(?:personally identifiable|"
     r"personal|identifying) (?:data|information|info|details)\b"),
    (r"\b(?:my|our) (?:\w+ ){0,2}(?:information|info|data|details|name|photo|picture|profile|"
     r"listing|entry|address) (?:should|must|needs? to|has to|to) be (?:removed|deleted|erased|"
     r"taken (?:down|off))"),
    (r"\bremove (?:me|my (?:\w+ ){0,2}?(?:name|info|information|data|details|photo|picture|"
     r"profile|listing|entry)) (?:from|off) (?:your|the|this) (?:site|website|web ?page|page|"
     r"repo\w*|directory|register|search results|internet|web|forum|blog|post|article)\b"),
    r"veröffentlich\w*|\bpubli[ée]\w*|\bpublicad\w*|\bpubblicat\w*|gepubliceerd",
    r"opublikowa\w*|publicera\w*|zveřejn\w*",
)

#: Personal data used without the writer's consent ("I never gave permission to use my data"):
#: for the model's erasure view only. The automatic path does not hold on it, since an angry
#: opt-out says the same ("you added me without my consent, unsubscribe me").
WITHOUT_CONSENT: tuple[str, ...] = (
    (r"\bwithout (?:my|our|their) (?:consent|permission|knowledge|agreement)|\bnever (?:gave|"
     r"given|asked for) (?:my |any |you )?(?:consent|permission)|\bnot asked nor agreed"),
    r"ohne meine (?:einwilligung|zustimmung|erlaubnis)|sans mon (?:consentement|accord)",
    r"sin mi (?:consentimiento|permiso|autorización)|senza il mio (?:consenso|permesso)",
    r"zonder mijn (?:toestemming|instemming)|sem o meu (?:consentimento|autorização)",
    r"bez (?:mojej|mé|mého) (?:zgody|souhlasu)|utan mitt (?:samtycke|medgivande)",
)

#: "What data do you have on me?", and the CCPA's "right to know".
WHAT_DATA_ABOUT_ME: tuple[str, ...] = (
    (r"what (?:data|information|info|details|personal \w+) (?:do|does) (?:you|your \w+) "
     r"(?:have|hold|keep|store)"),
    # CCPA (Cal. Civ. Code 1798.100/.110): the "right to know" what was collected.
    (r"right to know|categories (?:and specific pieces )?of personal information|specific "
     r"pieces of personal information|disclose .{0,80}personal information"),
    r"welche (?:daten|informationen|angaben) .{0,40}(?:über mich|von mir|zu meiner person)",
    r"quelles (?:données|informations) .{0,40}(?:sur moi|de moi|me concern\w*|à mon sujet)",
    r"qué (?:datos|información) .{0,40}(?:míos|de mí|sobre mí|tienen|tenéis)|datos míos",
    r"quali (?:dati|informazioni) .{0,40}(?:su di me|miei|avete)",
    r"welke (?:gegevens|informatie) .{0,40}(?:van mij|over mij|hebben jullie|heeft u)",
    r"que (?:dados|informações) .{0,40}(?:sobre mim|de mim|têm|tem)",
    r"jakie (?:dane|informacje) .{0,40}(?:o mnie|moje|macie)",
    r"vilka (?:uppgifter|personuppgifter|data) .{0,40}(?:om mig|har ni)",
    r"jaké (?:údaje|informace) .{0,40}(?:o mně|máte)",
)


# Multilingual cues (en, de, fr, es, it, nl, pl and a few more). Each pattern is a hint, not a
# rule: the classifier learns how much each one counts next to the n-gram features.
CUES: dict[str, re.Pattern[str]] = {
    "unsubscribe": _rx(
        r"unsub\w*|opt(?:ing)?[- ]?out|mailing ?list|newsletter|e-?bulletin|marketing",
        r"take me off|remove me from|stop (?:e-?mailing|sending|contacting|the)",
        r"no (?:more|further) (?:e-?mails|marketing|newsletters)|spam",
        r"keep (?:sending|e-?mailing|mailing|spamming|messaging) me|never (?:signed up|subscribed|"
        r"opted in)",
        r"abmeld\w*|abbestell\w*|austragen|tragen sie mich aus|verteiler|werb\w*|direktwerbung",
        # advertising as an identifier is not marketing: access letters ask which "ID
        # publicitaire" / "ID de publicidad(e)" identifies the writer, and that read as an
        # opt-out (three Portuguese access letters flipped to opt_out on it)
        r"d[ée]sinscri\w*|d[ée]sabonn\w*|prospection|liste de diffusion|(?<!id )publicit\w*",
        r"dar(?:me)? de baja|d[ée]n de baja|lista de correo|mercadotecnia|(?<!id de )publicidad",
        r"disiscriv\w*|annullare l'iscrizione|comunicazioni (?:commerciali|promozionali)",
        r"afmeld\w*|uitschrijv\w*|nieuwsbrie\w*|reclame|direct marketing",
        r"wypisa\w*|rezygn\w*|marketing\w* bezpośredni\w*|informacji handlowych",
        r"odhlas\w*|odjav\w*|dezabon\w*|avregistrera|direktmarknadsföring|προώθηση|διαφημ\w*",
        # languages with no training text at all (da, no, fi, hu, ru, uk, bg, ja, zh; Danish
        # "afmeld" is the Dutch stem above): the cue is their only way into the model, through
        # weights learned from the others
        r"avmeld\w*|peru\w* tilaus|leiratkoz\w*|отпис\w*|отпиш\w*|відпис\w*",
        r"рассылк\w*|配信停止|購読解除|登録解除|退订|取消订阅",
        *STOP_SENDING,
    ),
    "correct": _rx(
        r"\b(?:update|change|correct|rectif\w*|amend|modify|edit|fix)\w*\b",
        r"wrong|incorrect|inaccurate|out of date|misspelt|spelt wrong|spelled wrong",
        r"aktualisier\w*|änder\w*|berichtig\w*|korrigier\w*|falsch",
        r"mettre à jour|modifi\w*|corrig\w*|rectifi\w*|erron\w*",
        r"actualic\w*|cambi\w*|correg\w*|incorrect\w*|aggiorn\w*|corregg\w*|sbagliat\w*",
        r"bijwerk\w*|wijzig\w*|corrigeer\w*|onjuist\w*|aanpass\w*|pas .* aan",
        r"zaktualizuj\w*|zmie\w*|popraw\w*|sprostowa\w*|błędn\w*|opravu|ispravak|rättelse",
        r"διόρθωσ\w*|rectific\w*|retific\w*|atualiz\w*",
        r"berigtig\w*|oikaisu\w*|helyesbít\w*|исправ\w*|поправ\w*|коригир\w*|訂正|更正",
        *MISSPELT,
    ),
    "erase": _rx(
        r"\b(?:delete|erase|erasure|wipe|forget me|forgotten|remove my (?:data|details|account|"
        r"information|profile|personal))\w*",
        r"close my account|deleting my account",
        r"lösch\w*|entfern\w*",
        r"supprim\w*|effac\w*|suppression",
        r"elimin\w*|\bborr(?!ow)\w*|supresión|cancellazione|cancellate|cancella i",
        # Dutch "wissen" (erase) with its object: bare, it is German "wissen" (to know).
        r"verwijder\w*|(?:gegevens|account|profiel) (?:\w+ ){0,2}wissen|\bwis (?:mijn|al)",
        r"usun\w*|skasuj\w*|výmaz\w*|zrušit|brisan\w*|izbrisa\w*|ștergere\w*|șterg\w*|radera\w*",
        r"διαγραφ\w*|διαγράψ\w*|apagamento|eliminar",
        r"\bslet\w*|\bslett\w*|poista\w*|töröl\w*|удал\w*|видал\w*|изтри\w*|削除|删除|注销",
    ),
    # A right asked for with its object: "change my name", "how do I update my address?",
    # "close my account". Issue 9: a question about a right, asked of us, is a request for it,
    # so these match questions as well. The object is what tells them from service questions
    # with the same verbs ("change my PIN", "cancel my order", "delete old messages").
    "rectify_details": _rx(
        r"\b(?:updat|chang|correct|fix|amend|rectif|edit|modif|alter)\w* (?:(?!your\b)\w+ ){0,3}?"
        r"(?:(?:sur|user ?|nick|last |first |middle |family |married |maiden )?names?|e-?mail"
        r"(?: address)?|(?:home |postal |billing )?address|postcode|(?:phone|mobile|telephone|"
        r"contact) number|(?:personal |contact |account )?(?:details|information|info|data)|"
        r"date of birth|birthday|title|gender|spelling)\b",
        r"\bmy (?:sur|last |first )?name is (?:spelt |spelled |written )?(?:wrong|incorrect\w*)",
        *DETAILS_VERB_OBJECT,
        *DETAILS_CHANGED,
    ),
    "erase_account": _rx(
        r"\b(?:clos|delet|terminat|cancel|deactivat|inactivat|disabl|discontinu|end|remov|shut|"
        r"eras|wip|get rid of|invalidat)\w* (?:down |out |of )?(?:my|the|our|this|an|a|all my|"
        r"all of my) (?:\w+ ){0,2}?(?:accounts?|profiles?|memberships?|data|personal (?:data|"
        r"information|details)|information|records|history)\b",
        r"\baccount (?:to )?(?:be )?(?:closed|deleted|terminated|removed|cancel+ed|deactivated)\b",
        r"\b(?:no longer|don't|do not) (?:want|need) (?:this|my|the|an) account\b",
        r"\bdelete (?:me|everything)\b|\bforget me\b|\bright to be forgotten\b",
        r"(?:konto|account|profil|daten)\w* .{0,30}(?:lösch|schließ|kündig|auflös|entfern)\w*",
        r"(?:lösch|schließ|kündig|auflös|entfern)\w* .{0,30}(?:konto|account|profil|daten)",
        r"(?:supprim|ferm|clôtur|résili|effac)\w* .{0,30}(?:compte|profil|données)",
        r"(?:elimin|borr|cerr|cancel|suprim)\w* .{0,30}(?:cuenta|perfil|datos)",
        r"(?:elimin|cancell|chiud|disattiv|rimuov)\w* .{0,30}(?:account|profilo|conto|dati)",
        r"(?:account|profiel|gegevens) .{0,30}(?:verwijder|opzeg|sluit|ophef)\w*",
        r"(?:verwijder|sluit|hef)\w* .{0,30}(?:account|profiel|gegevens)",
        r"(?:usun|zamkn|zlikwid|skasuj)\w* .{0,30}(?:kont|profil|dan)",
        r"(?:exclu|apag|encerr|elimin|cancel)\w* .{0,30}(?:conta|perfil|dados)",
        r"(?:ta bort|radera|avsluta|stäng)\w* .{0,30}(?:konto|profil|uppgifter)",
        r"(?:zruš|smaž|smaz|odstra|vymaž)\w* .{0,30}(?:účet|profil|údaj)",
    ),
    # Published or personal information to be taken down, and data used without consent
    # (issue 9's "remove me from the list … I never agreed to publish my information").
    "erase_published": _rx(*REMOVE_PERSONAL_INFO, *WITHOUT_CONSENT),
    "access": _rx(
        r"subject access|\bsar\b|\bdsar\b|right of access|(?:request|requesting) access",
        r"access request|request for access",
        r"(?:data|information|details|records?) (?:you|that you) (?:hold|have|keep|store)",
        r"(?:request|want|like|get) (?:a )?(?:copy|access)",
        r"(?:hold|have|keep|store)\w* (?:about|on) me\b",
        # "What data have you collected about me?" asks what is held; "what information will
        # you collect about me?" asks what the practice is, a question the privacy notice
        # answers. Only past forms (collected, shared, used) read as access. \bme: not "game".
        (r"what (?:personal )?(?:data|information)\b(?!.{0,40}\b(?:collect|collects|collecting|"
         r"take|takes|taking|gather|gathers|gathering|track|tracks|tracking|share|shares|sharing|"
         r"sell|sells|selling|use|uses|using)\b).{0,40}\bme\b"),
        r"send me (?:a )?cop(?:y|ies) of (?:my|the|all)",
        r"auskunft\w*|datenkopie|einsicht|über mich gespeichert",
        r"droit d'accès|accès à mes|copie de\w*|me concernant",
        r"derecho de acceso|acceso a mis|copia de",
        r"diritto di accesso|accesso ai miei|copia dei|su di me",
        r"inzage|kopie van",
        r"prawa dostępu|dostęp do|kopi\w* (?:moich|danych|wszystkich)|o mnie",
        r"přístup|kopii|pristup|kopiju|accesul|cópia|tillgång|registerutdrag|πρόσβαση|αντίγραφο",
        r"indsigt|innsyn|tarkastusoikeus|hozzáférés|доступ к|копи\w* (?:моих|данных)|какие данные",
        r"достъп до|開示|查阅|访问我的|个人信息的副本",
        *WHAT_DATA_ABOUT_ME,
    ),
    "service": _rx(
        r"\b(?:card|pin|password|passcode|login|log in|order|refund|fee|charged|payment|"
        r"transfer|top[- ]?up|atm|invoice|receipt|booking|venue|course|training|webinar|"
        r"event|job|vacanc\w*|app|crash\w*|website|link)s?\b",
        r"cookie\w*|secur\w*|encrypt\w*|breach|share|sell|third part\w*|retain|retention",
        r"how long|who (?:can|do|will)|do you|does (?:the|this|your)|are (?:my|you)",
        r"passwort|karte|kennwort|buchung|mot de passe|carte|contraseña|tarjeta|hasł\w*",
        # Dutch "pas" (bank card) only with a determiner: bare, it is French "ne ... pas".
        r"karta|wachtwoord|(?:mijn|de|nieuwe|bank)pas\b|(?:mijn|de|nieuwe) pas\b|pasje",
        r"lozink\w*|heslo|lösenord|parola d'ordine",
    ),
    "subscribe": _rx(
        r"\b(?:sign me up|sign up to|subscribe to|add me to|join)\b",
        r"anmelden für|für den newsletter anmelden|m'inscrire|suscribirme|iscrivermi",
        r"aanmelden voor|zapisać się",
    ),
    "third_party": _rx(
        r"on (?:behalf|behalf) of|my (?:mother|mum|mom|father|dad|husband|wife|partner|son|"
        r"daughter|client|colleague)",
        r"im (?:auftrag|namen)|meine[rs]? (?:mutter|vater|mann|frau|mandant\w*)",
        r"au nom de|pour le compte de|ma mère|mon (?:père|mari|client)",
        r"en nombre de|mi (?:madre|padre|cliente|marido)|per conto di|a nome di|mia madre",
        r"namens|mijn (?:moeder|vader|cliënt)|w imieniu|moją matkę",
    ),
}

_ARTICLE = re.compile(
    r"(?:\bart\w*|§|\bčl\w*|άρθρο|\bparagraf\w*)\.?\s*(15|16|17|21)\b"
)
ARTICLES = ("15", "16", "17", "21")
# No style features (a question mark, a short text): in the real groups they told chat-style
# questions from letters, and so read "How do I close my account?" as a general query. Issue 9:
# a question about a right, asked of us, is a request for it, so a "?" must not count against it.
FEATURE_NAMES = tuple(f"cue_{name}" for name in CUES) + tuple(f"art_{a}" for a in ARTICLES)


def matched_cues(text: str, limit: int = 3) -> dict[str, tuple[str, ...]]:
    """Which cue groups match ``text`` and with which words (read-only, for explanations).

    Returns:
        cue name → up to ``limit`` distinct matched phrases, only for the groups that match.
    """
    doc = (text or "").lower()
    found: dict[str, tuple[str, ...]] = {}
    for name, rx in CUES.items():
        words = tuple(dict.fromkeys(m.group(0).strip() for m in rx.finditer(doc)))[:limit]
        if words:
            found[name] = words
    articles = tuple(dict.fromkeys(f"art. {m.group(1)}" for m in _ARTICLE.finditer(doc)))
    if articles:
        found["article"] = articles
    return found
