"""When an opt-out may be applied with no human in the loop: a pure decision.

Adding the sender to the suppression list is the only automatic action, so every doubt sends the
message to staff instead: a weak or mixed prediction, a request about someone else or another
address, an unknown sender, or mail written by a machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.features import clean_text
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
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_SENDER = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class OptOutDecision:
    """Whether to apply an opt-out automatically, and why (or why not).

    Attributes:
        auto_apply: True only when every condition for automation holds.
        reasons: human-readable reasons, shown to staff when it is not automatic.
    """

    auto_apply: bool
    reasons: tuple[str, ...]


def normalise_address(address: str) -> str:
    """Lower-case an address and strip display-name brackets, for comparison only."""
    address = address.strip().strip("<>").strip()
    return address.lower()


def other_addresses(text: str, sender: str | None) -> list[str]:
    """Email addresses in ``text`` that are not the sender's own (normalised, sorted)."""
    own = normalise_address(sender) if sender else ""
    found = {normalise_address(m.group(0).rstrip(".")) for m in _EMAIL.finditer(text or "")}
    return sorted(a for a in found if a != own)


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
    own = (normalise_address(sender),) if sender else ()
    if mentions_third_party(text):
        return OptOutTargets(others, True)
    return OptOutTargets(own + others, False)


def decide_opt_out(prediction: Prediction, *, text: str, sender: str | None,
                   is_machine_mail: bool, is_unsubscribe_mail: bool,
                   threshold: float | None = None) -> OptOutDecision:
    """Decide whether an opt-out can be applied at once, without staff.

    Args:
        prediction: the classifier's prediction for the message.
        text: the message text the prediction was made from (quoted history removed).
        sender: the sender's address, or None when unknown.
        is_machine_mail: True for auto-replies, bounces, bulk and other generated mail.
        is_unsubscribe_mail: True for a mail client's generated unsubscribe request
            (List-Unsubscribe mailto); such mail is machine-made but still an opt-out.
        threshold: opt-out probability needed; None uses the ``opt_out_auto`` threshold from
            the card of the model that made the prediction (0.99 if that model is unknown).

    Returns:
        an OptOutDecision; ``reasons`` lists every failed condition, or why it passed.
    """
    limit = opt_out_threshold_for(prediction.model_version) if threshold is None else threshold
    reasons: list[str] = []
    p_opt_out = prediction.intents.get("opt_out", 0.0)

    # 1. A client-generated unsubscribe message is an opt-out by construction.
    if is_unsubscribe_mail:
        if not sender or not _SENDER.match(normalise_address(sender)):
            return OptOutDecision(False, ("unsubscribe mail without a usable sender address",))
        return OptOutDecision(True, ("mail client's unsubscribe request from the sender",))

    # 2. Every other message must pass all of these.
    if prediction.label != "opt_out":
        reasons.append(f"top intent is {prediction.label}, not opt_out")
    if p_opt_out < limit:
        reasons.append(f"opt_out probability {p_opt_out:.3f} is below the threshold {limit:.3f}")
    others = [lab for lab in prediction.present if lab != "opt_out"]
    if others:
        reasons.append("other intents present: " + ", ".join(others))
    if not sender or not _SENDER.match(normalise_address(sender)):
        reasons.append("sender address unknown")
    if is_machine_mail:
        reasons.append("automatic or bulk mail, not written by a person")
    # Only what the writer typed counts: a quoted reply header names our own address.
    own_text = clean_text(text or "")
    extra = other_addresses(own_text, sender)
    if extra:
        reasons.append(f"mentions {len(extra)} other email address(es)")
    if mentions_third_party(own_text):
        reasons.append("appears to be on behalf of someone else")
    if reasons:
        return OptOutDecision(False, tuple(reasons))
    return OptOutDecision(True, ((f"opt_out probability {p_opt_out:.3f} >= {limit:.3f}, "
                                 "single intent, sender's own address"),))
