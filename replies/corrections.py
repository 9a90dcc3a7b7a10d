"""Does a correction request already say what the right details are?

If it does, the draft confirms what we will change; if not, it asks for the correct details.
This is a deliberately simple, pure heuristic: a replacement value (an email address, a phone
number, a UK postcode, a date) or a cue phrase such as "should be" or "is now". Staff read every
draft, so a wrong guess costs one edit, not a wrong change to someone's record.
"""

from __future__ import annotations

import re

from classifier.addresses import ADDRESS_IN_TEXT

__all__ = ["correction_details_given"]

# Eleven-digit UK numbers, written with or without +44 and spaces: 0115 947 0839, +44 7700 900123.
_PHONE = re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
# A date such as a corrected date of birth: 12/03/1980, 12-3-80, 12.03.1980.
_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b")

# Phrases that introduce the right value, in the languages our requesters write in most:
# English, Welsh, French, German, Spanish, Polish, Italian, Portuguese.
# fmt: off
_CUES = (
    # English
    "should be", "should read", "should say", "is now", "are now", "has changed to",
    "have changed to", "changed to", "change it to", "change this to", "update it to",
    "update this to", "new address", "new email", "new phone", "new number", "new surname",
    "new name", "i have moved to", "i've moved to", "moved to", "correct one is",
    "correct address is", "correct name is", "correct spelling is", "correct number is",
    "correct email is", "correct date", "instead of", "rather than", "spelt", "spelled",
    # Welsh
    "dylai fod", "cyfeiriad newydd", "rhif newydd",
    # French
    "devrait être", "est maintenant", "nouvelle adresse", "nouveau numéro", "au lieu de",
    # German
    "lautet jetzt", "richtig lautet", "ist jetzt", "neue adresse", "neue nummer", "statt",
    # Spanish
    "debería ser", "ahora es", "nueva dirección", "nuevo número", "en lugar de",
    # Polish
    "powinno być", "powinien być", "nowy adres", "nowy numer", "zamiast",
    # Italian and Portuguese
    "dovrebbe essere", "nuovo indirizzo", "deveria ser", "novo endereço",
)
# fmt: on
_CUE = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(cue) for cue in _CUES) + r")(?!\w)", re.IGNORECASE
)
# "spelt wrong" says what is wrong, not what is right, so a spelling cue needs a value after it:
# "spelt Smyth" counts, "spelt wrong"/"spelt incorrectly" does not.
_SPELLING_COMPLAINT = re.compile(
    r"(?<!\w)(?:spelt|spelled)\s+(?:wrong(?:ly)?|incorrectly|badly|wrongly)(?!\w)", re.IGNORECASE
)


def correction_details_given(text: str) -> bool:
    """True when the message seems to contain the replacement value, not just the complaint.

    Args:
        text: the requester's own words (quoted history already stripped).

    Returns:
        True for "my address is now 4 Mill Lane, NG7 2RD" or "my surname should be Smyth";
        False for "my address is wrong on your system".
    """
    if any(value.search(text) for value in (ADDRESS_IN_TEXT, _PHONE, _POSTCODE, _DATE)):
        return True
    without_complaints = _SPELLING_COMPLAINT.sub(" ", text)
    return _CUE.search(without_complaints) is not None
