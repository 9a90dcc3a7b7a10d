"""The writer's language, for the card and for choosing a reply template.

Why py3langid: it ships its model inside the wheel (about 4.5 MB, no network at run time),
loads in about a second, needs only numpy, and scores a message in well under a millisecond.
We restrict it to the languages the project supports, so a short letter is not called Latin.
Very short texts ("STOP") carry too little to tell: they get no language, and the reply is in
English with the card saying so.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

SUPPORTED = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "cs", "da", "el", "hr", "ro",
             "fi", "sk", "hu")
NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
         "nl": "Dutch", "pt": "Portuguese", "pl": "Polish", "sv": "Swedish", "cs": "Czech",
         "da": "Danish", "el": "Greek", "hr": "Croatian", "ro": "Romanian", "fi": "Finnish",
         "sk": "Slovak", "hu": "Hungarian"}
MIN_LETTERS = 12


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:  # loading the model costs about a second: once per process
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(list(SUPPORTED))
    return identifier


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short to tell."""
    letters = sum(ch.isalpha() for ch in text or "")
    if letters < MIN_LETTERS:
        return None
    code, _ = _identifier().classify(text)
    return str(code)


def language_name(code: str | None) -> str:
    return NAMES.get(code or "", code or "unknown")
