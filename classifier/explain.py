"""Why a message was handled as it was: words for the card and ``classify``, no decisions.

Pure functions over a prediction and the writer's text, so a card rebuilt tomorrow says the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from classifier.labels import Label
from classifier.language import detect_language
from classifier.model import Prediction
from classifier.signals import ACCESS, correction_sub_intent, is_reply_subject, writer_text
from classifier.text import clean_text, compose, matched_cues

# Below this top-label probability the card says the model is unsure (and between what).
CONFIDENCE_FLOOR = 0.6
SUB_INTENT_LABELS = {"erasure": "Erasure (GDPR Art. 17): delete data, an account or "
                                "published details",
                     "rectification": "Rectification (GDPR Art. 16): fix details"}


def hesitation(prediction: Prediction, floor: float = CONFIDENCE_FLOOR
               ) -> tuple[str, str] | None:
    """The two most probable labels when the top one is below ``floor``; else None."""
    if prediction.confidence >= floor:
        return None
    ranked = sorted(prediction.intents.items(), key=lambda kv: -kv[1])
    if len(ranked) < 2:
        return None
    return ranked[0][0], ranked[1][0]


def cue_phrases(text: str, subject: str | None = None) -> tuple[str, ...]:
    """The lexicon cues that matched the writer's words ("correct: 'wrong'")."""
    own = clean_text(compose(text, None if is_reply_subject(subject) else subject))
    return tuple(f"{name}: " + ", ".join(f"'{w}'" for w in words)
                 for name, words in matched_cues(own).items())


def sub_intent_for(labels: tuple[str, ...] | list[str], text: str) -> str | None:
    """Erasure or rectification when a correction is among ``labels`` (or erasure wording
    is there at all: a deletion request read as a question is still one)."""
    found = correction_sub_intent(text)
    if Label.CORRECTION in labels:
        return found or "rectification"
    return "erasure" if found == "erasure" else None


def draft_intents(intents: tuple[str, ...], text: str) -> tuple[tuple[str, ...], str | None]:
    """What a draft answers: the labels, with an erasure read as one even when the model said
    access or question, and never an access reply nobody asked for.

    Returns:
        (labels to draft, sub-intent of the correction among them or None).
    """
    sub = sub_intent_for(intents, text)
    if sub == "erasure" and Label.CORRECTION not in intents:
        asked_access = bool(ACCESS.search(writer_text(text)))
        kept = [i for i in intents if i != Label.GENERAL_QUERY
                and (i != Label.ACCESS_REQUEST or asked_access)]
        intents = tuple(dict.fromkeys([Label.CORRECTION, *kept]))
    return intents, sub


@dataclass(frozen=True)
class Explanation:
    language: str | None
    sub_intent: str | None
    unsure_between: tuple[str, str] | None
    cues: tuple[str, ...]


def explain(prediction: Prediction, text: str, subject: str | None = None) -> Explanation:
    """Everything a person is shown about why, for one message."""
    return Explanation(
        language=detect_language(clean_text(text or "")),
        sub_intent=sub_intent_for(tuple(prediction.present) + (prediction.label,), text),
        unsure_between=hesitation(prediction),
        cues=cue_phrases(text, subject))
