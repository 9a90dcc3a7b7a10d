"""When an opt-out may be applied with no human in the loop: a pure decision.

Two automatic acts, judged apart. **Suppressing** the sender (cheap, undoable) happens at once
whenever the writer's own opt-out is there with good confidence. **Closing** the case with nobody
reading it happens only when nothing else may be in the message: any wording that might be an
erasure, access, correction, complaint or legal request (:func:`classifier.signals.needs_person`)
keeps the case open for staff, with the suppression already applied. Every doubt about the
opt-out itself (negated, an out-of-office, a forward from our own domain, someone else's
address, machine mail, mostly our own mailing quoted) stops both acts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier import addresses, signals
from classifier.labels import Label
from classifier.model import Prediction, opt_out_threshold_for

# Requests made for another person, in the corpus languages. A match blocks automation only; the
# staff member sees the reason and decides.
_THIRD_PARTY_PARTS = (
    # en
    (r"\bon (?:behalf|behal) of\b|\bbehalf\b|\bfor my (?:client|mother|father|mum|mom|dad|"
    r"husband|wife|partner|son|daughter|friend|colleague|employer|parents?|grandmother|"
    r"grandfather|brother|sister)\b"),
    (r"\bmy (?:late |elderly |deceased )?(?:mother|father|mum|mom|dad|husband|wife|partner|"
    r"son|daughter|client|colleague|friend|parents?|child(?:ren)?|kids?|brother|sister|"
    r"grandmother|grandfather|boss|employee|tenant|spouse|relative)(?:'s|s'|s)?\b"),
    r"\b(?:his|her|their) (?:email|address|details|data|name)\b|\bpower of attorney\b",
    r"\bi (?:represent|act for)\b|\bsolicitors?\b|\bauthori[sz]ed representative\b",
    # de
    r"\bim (?:auftrag|namen)\b|\bvertret\w*\b|\bvollmacht\b|\bmandant\w*\b",
    (r"\bmein\w* (?:mutter|vater|mann|frau|ehefrau|ehemann|sohn|tochter|kind\w*|eltern|"
    r"kolleg\w*|partner\w*|bruder|schwester|oma|opa)\b"),
    # fr
    r"\bau nom de\b|\bpour le compte de\b|\bmandataire\b|\bprocuration\b",
    (r"\b(?:ma|mon|mes) (?:mère|père|mari|femme|épouse|époux|fils|fille|client\w*|"
    r"collègue|parents|enfants?|frère|sœur|soeur)\b"),
    # es
    r"\ben (?:nombre|representación) de\b|\bapoderad\w*\b",
    (r"\bmis? (?:madre|padre|marido|esposo|esposa|mujer|hij[oa]s?|cliente\w*|compañer[oa]|"
    r"padres|herman[oa])\b"),
    # it
    r"\bper conto di\b|\ba nome di\b|\bin rappresentanza\b|\bdelega\b",
    (r"\b(?:mia|mio|miei|mie) (?:madre|padre|marito|moglie|figli[oa]?|client\w*|assistit\w*|"
    r"collega|genitori|fratello|sorella)\b"),
    # nl
    r"\bnamens\b|\bin opdracht van\b|\bgemachtigde\b|\bmachtiging\b",
    (r"\bmijn (?:moeder|vader|man|vrouw|echtgeno\w*|zoon|dochter|cliënt\w*|client\w*|"
    r"collega|ouders|kind\w*|broer|zus)\b"),
    # pl
    r"\bw imieniu\b|\bpełnomocni\w*\b|\bupoważni\w*\b",
    (r"\b(?:moj\w*|mego) (?:matk\w*|mam\w*|ojc\w*|tat\w*|męż\w*|żon\w*|syn\w*|córk\w*|"
    r"klient\w*|koleg\w*|rodzic\w*)\b"),
    # pt, cs, hr, el, ro, sv (the few forms the corpus uses)
    r"\bem nome de\b|\bjménem\b|\bu ime\b|\bεκ μέρους\b|\bîn numele\b|\bpå uppdrag av\b",
)
_THIRD_PARTY = re.compile("|".join(_THIRD_PARTY_PARTS), re.IGNORECASE)


@dataclass(frozen=True)
class OptOutDecision:
    """Whether to apply an opt-out automatically, and why (or why not).

    Attributes:
        auto_apply: suppress the sender at once (every condition for that holds).
        reasons: human-readable reasons, shown to staff when it is not automatic.
        auto_close: close the case without a person too; None means "same as auto_apply"
            (decisions built before the two acts were separated).
        holds: why a person must still read it although the suppression was applied.
        why: the phrases and cues that drove the decision, for the card and ``classify``.
        short_reply: a short reply to one of our mailings ("STOP"), opt-out by its context.
        forwarded_for: the forwarded person's address when our own staff forwarded a request.
    """

    auto_apply: bool
    reasons: tuple[str, ...]
    auto_close: bool | None = None
    holds: tuple[str, ...] = ()
    why: tuple[str, ...] = ()
    short_reply: bool = False
    forwarded_for: str | None = None

    @property
    def closes(self) -> bool:
        """Close the case automatically: only ever together with the suppression."""
        return self.auto_apply and (self.auto_close is None or self.auto_close)


def other_addresses(text: str, sender: str | None) -> list[str]:
    """Email addresses in ``text`` that are not the sender's own (normalised, sorted)."""
    own = addresses.normalise(sender)
    return sorted(a for a in addresses.find_addresses(text) if a != own)


def mentions_third_party(text: str) -> bool:
    """True when the text reads like a request made for someone else."""
    return bool(_THIRD_PARTY.search(text or ""))


@dataclass(frozen=True)
class OptOutTargets:
    """Whom an opt-out request asks us to stop marketing to.

    Attributes:
        addresses: the addresses to suppress, sender first when it is included.
        someone_else: the request is (also) for another person.
    """

    addresses: tuple[str, ...]
    someone_else: bool

    @property
    def needs_address(self) -> bool:
        """For someone else, but naming no address: we must ask which one."""
        return self.someone_else and not self.addresses


def opt_out_targets(text: str, sender: str | None) -> OptOutTargets:
    """Read whom an opt-out covers from the writer's own words.

    "Unsubscribe my mother, margaret@example.net" covers Margaret, not the writer; "stop mailing
    me, also at alice.work@example.org" covers both of the writer's addresses; "please remove my
    husband" covers someone whose address we must ask for.
    """
    others = tuple(other_addresses(text, sender))
    own_address = addresses.normalise(sender)
    own = (own_address,) if own_address else ()
    if mentions_third_party(text):
        return OptOutTargets(others, True)
    return OptOutTargets(own + others, False)


def decide_opt_out(prediction: Prediction, *, text: str, sender: str | None,
                   is_machine_mail: bool, is_unsubscribe_mail: bool,
                   threshold: float | None = None, subject: str | None = None,
                   replies_to_mailing: bool = False, from_own_domain: bool = False
                   ) -> OptOutDecision:
    """Decide whether to suppress at once, and whether to close the case without staff.

    Args:
        prediction: the classifier's prediction for the message.
        text: the message text the prediction was made from (quoted history removed).
        sender: the sender's address, or None when unknown.
        is_machine_mail: True for auto-replies, bounces, bulk and other generated mail.
        is_unsubscribe_mail: True for a mail client's generated unsubscribe request
            (List-Unsubscribe mailto); such mail is machine-made but still an opt-out.
        threshold: opt-out probability needed; None uses the ``opt_out_auto`` threshold from
            the card of the model that made the prediction (0.99 if that model is unknown).
        subject: the message's subject; it counts as the writer's words unless it is a
            "Re:"/"Fwd:" of someone else's mail (a reply to "CA Plus November update" is not
            a correction).
        replies_to_mailing: In-Reply-To/References name one of our mailer's Message-IDs.
        from_own_domain: the sender is at one of the organisation's own domains (staff
            forwarding someone's request; never automatic).

    Returns:
        an OptOutDecision; ``reasons`` lists every failed condition, or why it passed.
    """
    limit = opt_out_threshold_for(prediction.model_version) if threshold is None else threshold
    p_opt_out = prediction.intents.get(Label.OPT_OUT, 0.0)
    facts = read_wording(text, subject)

    # 1. A client-generated unsubscribe message is an opt-out by construction.
    if is_unsubscribe_mail:
        if not addresses.is_deliverable(addresses.normalise(sender)):
            return OptOutDecision(False, ("unsubscribe mail without a usable sender address",),
                                  why=facts.why)
        return OptOutDecision(True, ("mail client's unsubscribe request from the sender",),
                              why=facts.why)

    # 2. A short reply to one of our mailings saying "STOP" is an opt-out whatever the model
    #    made of the quoted mailing.
    short = bool((replies_to_mailing or signals.quotes_mailing(text or ""))
                 and signals.short_opt_out_reply(facts.own))
    # 2b. A message that is nothing but an opt-out command ("unsubscribe", "Abmelden bitte"),
    #     with no mailing to answer: suppressed whatever the model's probability (when in
    #     doubt, suppress); the case closes only if the model agrees (step 3).
    #     The same holds for such a command standing as a sentence of its own in a longer
    #     message ("Why do you keep sending me these? I never signed up. Stop.").
    whole = not short and is_bare_opt_out(facts.own)
    commands = () if short or whole else bare_opt_out_sentences(facts.own)
    bare = whole or bool(commands)
    reasons: list[str] = []
    if not short:
        if p_opt_out < limit and not bare:
            reasons.append(f"opt_out probability {p_opt_out:.3f} is below the threshold "
                           f"{limit:.3f}")
        if not facts.opt_out and not commands:
            reasons.append("no opt-out wording in the writer's own text")
    if facts.negated:
        reasons.append("negated: " + ", ".join(f"'{p}'" for p in facts.negated[:2]))
    if facts.out_of_office:
        reasons.append("out-of-office reply: " + ", ".join(f"'{p}'" for p in
                                                            facts.out_of_office[:2]))
    forwarded = signals.forwarded_sender(text or "") if from_own_domain else None
    if from_own_domain:
        reasons.append("sent from our own domain" + (f", forwarding {forwarded}" if forwarded
                                                     else ""))
    if not addresses.is_deliverable(addresses.normalise(sender)):
        reasons.append("sender address unknown")
    if is_machine_mail:
        reasons.append("automatic or bulk mail, not written by a person")
    if signals.mostly_quoted(text or "", facts.own) and not short:
        reasons.append("mostly our own mailing quoted, little of the writer's own")
    if mentions_third_party(facts.own):
        reasons.append("appears to be on behalf of someone else")
    if reasons:
        return OptOutDecision(False, tuple(reasons), auto_close=False, why=facts.why,
                              forwarded_for=forwarded)

    # 3. Suppressed. Closing needs a plain opt-out and nothing a person must read.
    holds = [h.describe() for h in facts.holds]
    extra = other_addresses(facts.own, sender)
    if extra:
        # The writer's own address is suppressed; whether the other one is theirs too is for
        # a person to judge.
        holds.append(f"mentions {len(extra)} other email address(es)")
    if bare and p_opt_out < limit:
        what = ("a bare opt-out command" if whole else
                "an opt-out command in a sentence of its own ('" + commands[0][:40] + "')")
        holds.append(f"{what}; opt_out probability {p_opt_out:.3f} is below {limit:.3f}, so a "
                     "person closes it")
    if not short:
        if prediction.label != Label.OPT_OUT:
            holds.append(f"top intent is {prediction.label}, not opt_out")
        others = [lab for lab in prediction.present if lab != Label.OPT_OUT]
        if others:
            holds.append("other intents present: " + ", ".join(others))
    passed = ("short reply to our mailing: " + ", ".join(f"'{p}'" for p in facts.opt_out[:2])
              if short else f"opt_out probability {p_opt_out:.3f} >= {limit:.3f}, "
              "the writer's own opt-out wording, sender's own address")
    if holds:
        return OptOutDecision(True, (passed, "suppressed at once; kept open for staff"),
                              auto_close=False, holds=tuple(holds), why=facts.why,
                              short_reply=short)
    return OptOutDecision(True, (passed + ", single intent",), auto_close=True, why=facts.why,
                          short_reply=short)


_WORD = re.compile(r"[\w']+")

#: Words that add courtesy, not content, to a bare command ("unsubscribe me please").
_COURTESY = frozenset(word for line in (
    "please pls plz thanks thank you thx now asap immediately me",  # en
    "bitte danke mich sofort",                                      # de
    "merci svp stp s'il vous plaît moi",                            # fr
    "por favor gracias me",                                         # es, pt
    "grazie per favore mi",                                         # it
    "alstublieft aub dank dankjewel bedankt mij",                   # nl
    "proszę prosze dziękuję dzięki mnie",                           # pl
    "obrigado obrigada",                                            # pt
    "tack mig",                                                     # sv
    "prosím děkuji díky mě",                                        # cs
) for word in line.split())


def is_bare_opt_out(own: str) -> bool:
    """Whether the writer's own text is an opt-out command and nothing else.

    Beyond its opt-out wordings only courtesy words (:data:`_COURTESY`) may remain: "please
    unsubscribe me" and "STOP" are bare, "this process needs to stop" and "please stop my
    purchase" are not (a word of their own is left over).
    """
    phrases = signals.short_opt_out_reply(own)
    if not phrases:
        return False
    rest = own.lower()
    for phrase in sorted(phrases, key=len, reverse=True):
        rest = rest.replace(phrase.lower(), " ")
    return all(word in _COURTESY for word in _WORD.findall(rest))


_SENTENCE_END = re.compile(r"[.!?;\n]+")


def bare_opt_out_sentences(own: str) -> tuple[str, ...]:
    """The sentences of the writer's own text that are bare opt-out commands.

    Why: an angry "Why do you keep sending me these?? I never signed up. Stop." is too long to
    be a short reply, and the model, reading the complaint, may call it a question; but its
    last sentence is a command we must obey at once. Suppressing is harmless and undoable, so
    one such sentence is enough to suppress; closing still needs the model's confidence.
    """
    return tuple(part.strip() for part in _SENTENCE_END.split(own or "")
                 if part.strip() and is_bare_opt_out(part))


@dataclass(frozen=True)
class Wording:
    """What the writer's own words say, read once for the policy, the card and ``classify``."""

    own: str
    opt_out: tuple[str, ...]
    negated: tuple[str, ...]
    out_of_office: tuple[str, ...]
    holds: tuple[signals.Hold, ...]

    @property
    def why(self) -> tuple[str, ...]:
        out = []
        if self.opt_out:
            out.append("opt-out wording: " + ", ".join(f"'{p}'" for p in self.opt_out[:3]))
        if self.negated:
            out.append("negated: " + ", ".join(f"'{p}'" for p in self.negated[:3]))
        if self.out_of_office:
            out.append("out-of-office: " + ", ".join(f"'{p}'" for p in self.out_of_office[:3]))
        out.extend(h.describe() for h in self.holds)
        return tuple(out)


def read_wording(text: str, subject: str | None = None) -> Wording:
    """Read the writer's own words (subject included unless it is a reply or forward)."""
    own = signals.writer_text(text or "")
    if subject and subject.strip() and not signals.is_reply_subject(subject):
        own = f"{subject.strip()}\n{own}"
    return Wording(own=own, opt_out=signals.own_opt_out_phrases(own),
                   negated=signals.negated_opt_out(own),
                   out_of_office=signals.out_of_office(subject, text or ""),
                   holds=signals.needs_person(own))
